import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { heartbeatProbe, heartbeatSpecSchema, heartbeatStatus } from './heartbeat';

const T = Date.UTC(2026, 10, 25, 2, 0, 0);
const HOUR = 3_600_000;

test('recent ok beat: success', () => {
  const o = heartbeatStatus(T - HOUR, 'ok', 2 * HOUR, 10 * 60_000, T);
  assert.ok(o.success);
  assert.is(o.detail?.ageMs, HOUR);
});

test('overdue beyond period + grace: heartbeat_missing with the last beat time', () => {
  const o = heartbeatStatus(T - 3 * HOUR, 'ok', 2 * HOUR, 10 * 60_000, T);
  assert.is(o.errorCode, 'heartbeat_missing');
  assert.match(o.error!, '心跳缺失 heartbeat_missing: 期望 7800 s 内有心跳 实际上次心跳在 2026-11-24T23:00:00.000Z (10800 s 前)');
  assert.is(o.detail?.overdueMs, 3 * HOUR - 2 * HOUR - 10 * 60_000);
});

test('exactly at period + grace is still on time', () => {
  assert.ok(heartbeatStatus(T - 2 * HOUR - 60_000, 'ok', 2 * HOUR, 60_000, T).success);
  assert.not.ok(heartbeatStatus(T - 2 * HOUR - 60_001, 'ok', 2 * HOUR, 60_000, T).success);
});

test('job reported failure: heartbeat_failed with its message', () => {
  const o = heartbeatStatus(T - 60_000, 'fail', HOUR, 0, T, { message: '人口库夜间同步 3 张表失败' });
  assert.is(o.errorCode, 'heartbeat_failed');
  assert.match(o.error!, '人口库夜间同步 3 张表失败');
});

test('never beat: fine during the first period, missing after', () => {
  assert.ok(heartbeatStatus(null, null, HOUR, 0, T, { since: T - 30 * 60_000 }).success);
  const o = heartbeatStatus(null, null, HOUR, 0, T, { since: T - 2 * HOUR });
  assert.is(o.errorCode, 'heartbeat_missing');
  assert.match(o.error!, '从未收到');
});

test('probe form reads the state the collector injects; durations parsed from config', async () => {
  const spec = heartbeatSpecSchema.parse({ period: '1h', grace: '5m', state: { lastBeatAt: T - 2 * HOUR, lastStatus: 'ok' } });
  assert.is(spec.period, HOUR);
  const o = await heartbeatProbe(spec, { signal: new AbortController().signal, timeoutMs: 1000, now: () => T });
  assert.is(o.errorCode, 'heartbeat_missing');
  assert.is(heartbeatSpecSchema.safeParse({ period: 'soon' }).success, false);
});

test.run();
