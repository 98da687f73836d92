import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { silentLogger } from '../core/log';
import type { TargetConfig } from './config';
import { Scheduler, type ProbeRun } from './scheduler';
import type { Probe } from './probes/types';

// The runtime scheduler uses real timers; the decisions it makes are tested with a clock in schedule.test.ts.
const target = (id: string, over: Partial<TargetConfig> = {}): TargetConfig => ({
  id, module: 'm', name: id, type: 'fake', interval: 60, timeout: 500, failureThreshold: 1, successThreshold: 1, retries: 0,
  slowMs: undefined, tags: {}, enabled: true, token: undefined, spec: { url: 'http://127.0.0.1:1/' }, ...over,
});

function harness(probe: Probe<any>, limits = { global: 100, perHost: 100 }) {
  const runs: ProbeRun[] = [];
  const lags: number[] = [];
  const s = new Scheduler({ clock: Date.now, log: silentLogger(), limits, shard: { index: 0, count: 1 }, probeFor: () => probe, onResult: (r) => runs.push(r), onLag: (l) => lags.push(l) });
  return { s, runs, lags };
}
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a target whose probe outlasts its interval never overlaps itself', async () => {
  let active = 0;
  let maxActive = 0;
  const { s, runs } = harness(async () => {
    active++;
    maxActive = Math.max(maxActive, active);
    await wait(150);
    active--;
    return { success: true, durationMs: 150 };
  });
  s.start([target('slow', { interval: 40 })]);
  await wait(700);
  await s.stop();
  assert.is(maxActive, 1);
  assert.ok(runs.length >= 3 && runs.length <= 6, `runs ${runs.length}`);
  assert.ok(s.counters.skippedOverlap > 0);
});

test('global and per-host concurrency limits hold; waiting counts as lag', async () => {
  let active = 0;
  let maxActive = 0;
  const perHost = new Map<string, number>();
  let maxHost = 0;
  const { s, runs, lags } = harness(
    async (spec: { url: string }) => {
      const h = new URL(spec.url).host;
      active++;
      perHost.set(h, (perHost.get(h) ?? 0) + 1);
      maxActive = Math.max(maxActive, active);
      maxHost = Math.max(maxHost, perHost.get(h)!);
      await wait(60);
      active--;
      perHost.set(h, perHost.get(h)! - 1);
      return { success: true, durationMs: 60 };
    },
    { global: 4, perHost: 2 },
  );
  const targets = Array.from({ length: 20 }, (_, i) => target(`t${i}`, { interval: 100, spec: { url: `http://127.0.0.${1 + (i % 3)}:80/` } }));
  s.start(targets);
  await wait(500);
  await s.stop();
  assert.ok(maxActive <= 4, `max in flight ${maxActive}`);
  assert.ok(maxHost <= 2, `max per host ${maxHost}`);
  assert.ok(runs.length >= 15, `runs ${runs.length}`);
  assert.ok(Math.max(...lags) >= 20, 'queued probes report their wait as lag');
});

test('update() adds, changes and removes targets without a restart', async () => {
  const seen = new Map<string, unknown>();
  const { s } = harness(async (spec: { url: string; v?: number }) => ({ success: true, durationMs: 1, detail: { v: spec.v } }));
  const origOnResult = (s as unknown as { opts: { onResult(r: ProbeRun): void } }).opts;
  origOnResult.onResult = (r) => seen.set(r.target.id, (r.outcome.detail as { v?: number }).v);
  s.start([target('a', { spec: { url: 'http://127.0.0.1:1/', v: 1 } }), target('b')]);
  await wait(150);
  assert.is(seen.get('a'), 1);
  s.update([target('a', { spec: { url: 'http://127.0.0.1:1/', v: 2 } }), target('c')]);
  seen.clear();
  await wait(200);
  await s.stop();
  assert.is(seen.get('a'), 2, 'changed spec used');
  assert.ok(seen.has('c'), 'added target runs');
  assert.not.ok(seen.has('b'), 'removed target stopped');
  assert.is(s.size, 2);
});

test('retries run inside one probe, within its timeout', async () => {
  let calls = 0;
  const { s, runs } = harness(async () => ({ success: ++calls % 3 === 0, durationMs: 1 }));
  s.start([target('r', { retries: 2, interval: 1000 })]);
  await wait(1200);
  await s.stop();
  assert.ok(runs.length >= 1);
  assert.is(runs[0].attempts, 3);
  assert.ok(runs[0].outcome.success);
});

test('a probe that never answers is aborted at its timeout', async () => {
  const { s, runs } = harness((_spec, ctx) => new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve({ success: false, durationMs: ctx.timeoutMs, errorCode: 'timeout' }))));
  s.start([target('hang', { interval: 1000, timeout: 50 })]);
  await wait(1200);
  await s.stop();
  assert.ok(runs.length >= 1);
  assert.is(runs[0].outcome.errorCode, 'timeout');
});

test('the timeout aborts with an AbortError, as an AbortController would; a removed listener is not called; one added after the abort neither', async () => {
  const seen: string[] = [];
  const { s, runs } = harness((_spec, ctx) => new Promise((resolve) => {
    const removed = () => seen.push('removed listener called');
    ctx.signal.addEventListener('abort', removed, { once: true });
    ctx.signal.removeEventListener('abort', removed);
    assert.is(ctx.signal.aborted, false);
    ctx.signal.addEventListener('abort', () => {
      seen.push(`aborted=${ctx.signal.aborted} ${(ctx.signal.reason as Error).name}`);
      ctx.signal.addEventListener('abort', () => seen.push('late listener called'));
      resolve({ success: false, durationMs: ctx.timeoutMs, errorCode: 'timeout' });
    }, { once: true });
  }));
  s.start([target('hang', { interval: 1000, timeout: 50 })]);
  await wait(1200);
  await s.stop();
  assert.ok(runs.length >= 1);
  assert.equal(seen.slice(0, 1), ['aborted=true AbortError']);
  assert.not.ok(seen.some((x) => x.includes('listener called')), seen.join('; '));
});

test('checkAtStart: such targets run once right at start, the others wait for their slot', async () => {
  const runs: ProbeRun[] = [];
  const s = new Scheduler({ clock: Date.now, log: silentLogger(), limits: { global: 10, perHost: 10 }, shard: { index: 0, count: 1 },
    probeFor: () => async () => ({ success: true, durationMs: 1 }), onResult: (r) => runs.push(r), checkAtStart: (t) => t.type === 'tls', random: () => 0.5 });
  s.start([target('cert', { type: 'tls', interval: 3_600_000, timeout: 1000 }), target('page', { type: 'http', interval: 3_600_000, timeout: 1000 })]);
  await wait(200);
  await s.stop();
  assert.equal(runs.map((r) => r.target.id), ['cert']);
});

test.run();
