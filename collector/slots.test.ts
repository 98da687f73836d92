import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { firstSlot, hostOf, jitter, mayStart, nextSlot, ownsTarget, phaseOffset, quantile, SampleRing, timerAt, TIMER_GRID_MS } from './slots';

test('start offsets of 1,000 targets spread over the interval (no bucket of 1 s holds more than 3x its share)', () => {
  const interval = 30_000;
  const buckets = new Array(30).fill(0);
  for (let i = 0; i < 1000; i++) buckets[Math.floor(phaseOffset(`target-${i}`, interval) / 1000)]++;
  assert.ok(Math.max(...buckets) < 100, `max per second ${Math.max(...buckets)}`);
  assert.ok(Math.min(...buckets) > 5, `min per second ${Math.min(...buckets)}`);
});

test('firstSlot is at or after now, in phase, and stable for an id', () => {
  const now = Date.UTC(2026, 10, 25, 10, 0, 7, 123);
  const s = firstSlot('portal-home', 30_000, now);
  assert.ok(s >= now && s < now + 30_000);
  assert.is(s % 30_000, phaseOffset('portal-home', 30_000) % 30_000);
  assert.is(firstSlot('portal-home', 30_000, now), s);
});

test('nextSlot continues the cadence and skips missed slots instead of bursting', () => {
  assert.equal(nextSlot(1000, 500, 1200), { slot: 1500, skipped: 0 });
  assert.equal(nextSlot(1000, 500, 3100), { slot: 3500, skipped: 4 });
});

test('timers fire on a grid at or before the planned start: 1,000 targets × 5 s share at most 250 wake-ups (#18)', () => {
  const now = Date.UTC(2026, 0, 1, 3, 4, 5, 678);
  const planned: number[] = [];
  for (let i = 0; i < 1000; i++) planned.push(firstSlot(`t${i}`, 5000, now) + jitter(5000, (i * 0.618) % 1));
  const fires = planned.map((p) => timerAt(p, 5000));
  for (let i = 0; i < planned.length; i++) {
    assert.ok(fires[i] <= planned[i] && planned[i] - fires[i] < TIMER_GRID_MS, `within one step before: ${planned[i]} → ${fires[i]}`);
    assert.is(fires[i] % TIMER_GRID_MS, 0);
  }
  assert.ok(new Set(planned).size > 800, 'the planned starts are spread');
  assert.ok(new Set(fires).size <= 5000 / TIMER_GRID_MS, `wake-ups: ${new Set(fires).size}`);
  // The step is 1 % of a short interval; under 200 ms there is none.
  assert.is(timerAt(now + 7, 1000), now + 7 - ((now + 7) % 10));
  assert.is(timerAt(now + 7, 150), now + 7);
  assert.is(timerAt(now + 7, 60_000), now + 7 - ((now + 7) % 20));
});

test('jitter stays within 1% of the interval and 500 ms', () => {
  assert.is(jitter(30_000, 0.999), 299);
  assert.is(jitter(600_000, 0.999), 499);
  assert.is(jitter(30_000, 0), 0);
});

test('sharding: every target has exactly one owner among 3 collectors, roughly evenly', () => {
  const counts = [0, 0, 0];
  for (let i = 0; i < 3000; i++) {
    const owners = [0, 1, 2].filter((index) => ownsTarget(`t${i}`, { index, count: 3 }));
    assert.is(owners.length, 1);
    counts[owners[0]]++;
  }
  for (const c of counts) assert.ok(c > 850 && c < 1150, `share ${c}`);
  assert.ok(ownsTarget('x', { index: 0, count: 1 }));
});

test('mayStart honours the global and per-host limits', () => {
  const running = { total: 2, perHost: new Map([['a:80', 2]]) };
  assert.not.ok(mayStart('a:80', running, { global: 10, perHost: 2 }));
  assert.ok(mayStart('b:80', running, { global: 10, perHost: 2 }));
  assert.not.ok(mayStart('b:80', running, { global: 2, perHost: 2 }));
});

test('hostOf reads url, host or falls back to the target', () => {
  assert.is(hostOf('x', { url: 'http://127.0.0.1:8080/a' }), '127.0.0.1:8080');
  assert.is(hostOf('x', { host: 'db.local', port: 5432 }), 'db.local');
  assert.is(hostOf('x', { period: 1000 }), 'target:x');
});

test('quantile and the sample ring', () => {
  const ring = new SampleRing(4);
  for (const v of [1, 2, 3, 4, 100, 200]) ring.add(v);
  assert.is(ring.values().length, 4);
  assert.is(quantile(ring.values(), 1), 200);
  assert.is(quantile([5, 1, 3], 0.5), 3);
  assert.is(quantile([], 0.5), undefined);
});

test.run();
