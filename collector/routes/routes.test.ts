import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { seriesPlan } from './series';
import { errorBudgetLeft } from './overview';
import { rollUp } from './health';
import { publicSpec } from '../sync';

const H = 3_600_000;

test('series: long ranges read rollups, never raw; steps are bounded', () => {
  const to = Date.UTC(2026, 10, 25);
  assert.equal(seriesPlan(to - 10 * 60_000, to), { source: 'raw', stepMs: 3000 });
  assert.is(seriesPlan(to - 30 * 60_000, to).source, 'raw');
  assert.is(seriesPlan(to - 31 * 60_000, to).source, '1m');
  assert.is(seriesPlan(to - 6 * H, to).source, '1m');
  assert.is(seriesPlan(to - 6 * H - 1, to).source, '1h');
  assert.is(seriesPlan(to - 2 * H, to, 1000).stepMs, 60_000, 'never finer than the source');
  const year = seriesPlan(to - 365 * 24 * H, to, H);
  assert.ok((365 * 24 * H) / year.stepMs <= 2000, 'at most 2,000 points');
  assert.is(year.stepMs % H, 0);
});

test('error budget left', () => {
  assert.is(errorBudgetLeft(100, 99.9), 100);
  assert.is(errorBudgetLeft(99.95, 99.9), 50);
  assert.is(errorBudgetLeft(99.8, 99.9), -100);
  assert.is(errorBudgetLeft(null, 99.9), null);
});

test('module roll-up: maintenance, then down, degraded, up, unknown', () => {
  const c = (up: number, degraded: number, down: number, unknown = 0) => ({ up, degraded, down, unknown });
  assert.is(rollUp(c(3, 1, 1), true), 'maintenance');
  assert.is(rollUp(c(3, 1, 1), false), 'down');
  assert.is(rollUp(c(3, 1, 0), false), 'degraded');
  assert.is(rollUp(c(3, 0, 0, 2), false), 'up');
  assert.is(rollUp(c(0, 0, 0, 2), false), 'unknown');
});

test('the mirrored spec carries no credentials', () => {
  const s = publicSpec({ url: 'https://x/', auth: { bearer: 'secret' }, headers: { Authorization: 'Bearer s' }, body: '{"pw":1}', baseline: { hash: 'a' } });
  assert.equal(s, { url: 'https://x/', headers: { Authorization: '***' } });
});

test.run();
