import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openTestDb, backend } from '../../test/helpers/db';
import type { Db } from '../../core/db';
import { Sources, SourceMissing } from '.';
import { seedTargets, setTargetState } from '../testing/fixtures';
import { readSource } from './safe';

const NOW = Date.UTC(2026, 10, 25, 6, 0, 0);
let db: Db;

async function result(target: string, tsAgo: number, success: boolean, durationMs: number, type = 'http', detail: unknown = null, errorCode: string | null = null) {
  await db.query(
    `INSERT INTO probe_results (ts, result_id, target_id, module_id, type, success, duration_ms, error_code, detail) VALUES ($1, $2, $3, 'M', $4, $5, $6, $7, $8)`,
    [new Date(NOW - tsAgo), randomUUID(), target, type, success, durationMs, errorCode, detail === null ? null : JSON.stringify(detail)],
  );
}

test.before(async () => {
  db = await openTestDb();
  await seedTargets(db, [{ id: 't1', module: 'M' }, { id: 't2', module: 'M' }, { id: 'tls1', module: 'M', type: 'tls' }]);
  await setTargetState(db, 't1', 'down', 4, NOW - 60_000);
});
test.after(() => db.close());

test(`[${backend}] targets joined with modules and state`, async () => {
  const ts = await new Sources(db, NOW).targets();
  const t1 = ts.find((t) => t.id === 't1')!;
  assert.is(t1.moduleName, '模块M');
  assert.is(t1.state, 'down');
  assert.is(t1.consecutiveFailures, 4);
  assert.is(t1.since, NOW - 60_000);
  assert.is(ts.find((t) => t.id === 't2')!.state, null, 'no state yet');
});

test(`[${backend}] latency quantile over the recent window only, successes only`, async () => {
  for (let i = 1; i <= 20; i++) await result('t2', i * 10_000, true, i * 100);
  await result('t2', 5_000, false, 99_999);
  await result('t2', 3_600_000, true, 99_999);
  const rows = await new Sources(db, NOW).latency(300_000, 0.95);
  const t2 = rows.find((r) => r.targetId === 't2')!;
  assert.is(t2.n, 20);
  assert.ok(t2.quantileMs > 1900 && t2.quantileMs <= 2000, `p95 ${t2.quantileMs}`);
});

test(`[${backend}] availability from the 1-minute rollup`, async () => {
  const licensed = (await db.query(`SELECT current_setting('timescaledb.license', true) AS l`)).rows[0].l === 'timescale';
  if (licensed) {
    // A continuous aggregate with real-time aggregation: raw rows show through.
    for (let i = 0; i < 10; i++) await result('t1', 120_000 + i * 1000, i < 7, 50);
  } else {
    await db.query(`INSERT INTO probe_results_1m (bucket, target_id, module_id, n, ok) VALUES ($1, 't1', 'M', 10, 7)`, [new Date(NOW - 120_000)]);
  }
  const rows = await new Sources(db, NOW).availability(3_600_000);
  const t1 = rows.find((r) => r.targetId === 't1')!;
  assert.is(t1.n, 10);
  assert.is(t1.ok, 7);
});

test(`[${backend}] latest result with detail per target (certificates)`, async () => {
  await result('tls1', 7_200_000, true, 10, 'tls', { daysLeft: 40 });
  await result('tls1', 60_000, true, 10, 'tls', { daysLeft: 12, notAfter: '2026-12-07T00:00:00Z' });
  const rows = await new Sources(db, NOW).latest(['tls'], 86_400_000);
  assert.equal(rows.map((r) => [r.targetId, r.detail.daysLeft]), [['tls1', 12]]);
});

test(`[${backend}] system events of a kind in the window, oldest first`, async () => {
  for (const [ago, ds] of [[50_000, 'A'], [10_000, 'A'], [7_200_000, 'A']] as const) {
    await db.query(`INSERT INTO system_events (ts, source, kind, severity, labels, message) VALUES ($1, 'reporter', 'batch_failed', 'warning', $2, '失败')`, [new Date(NOW - ago), JSON.stringify({ dataset: ds })]);
  }
  const ev = await new Sources(db, NOW).events('batch_failed', 3_600_000);
  assert.equal(ev.map((e) => e.ts), [NOW - 50_000, NOW - 10_000]);
  assert.is(ev[0].labels.dataset, 'A');
});

test(`[${backend}] browser exceptions and web vitals (Faro tables; a fixture table if they do not exist yet)`, async () => {
  const has = (await db.query(`SELECT to_regclass('faro_exceptions') IS NOT NULL AS ok`)).rows[0].ok;
  if (!has) {
    await db.exec(`CREATE TABLE faro_exceptions (ts timestamptz NOT NULL, app text NOT NULL, type text, message text, fingerprint text);
                   CREATE TABLE faro_measurements (ts timestamptz NOT NULL, app text NOT NULL, type text, name text NOT NULL, value double precision NOT NULL);`);
  }
  for (let i = 0; i < 12; i++) {
    await db.query(`INSERT INTO faro_exceptions (ts, app, type, message, fingerprint) VALUES ($1, 'portal', 'TypeError', 'x is undefined', 'fp')`, [new Date(NOW - i * 1000)]);
    await db.query(`INSERT INTO faro_measurements (ts, app, type, name, value) VALUES ($1, 'portal', 'web-vitals', 'lcp', $2)`, [new Date(NOW - i * 1000), 1000 + i * 200]);
  }
  const src = new Sources(db, NOW);
  assert.equal(await src.browserExceptions(300_000), [{ app: 'portal', count: 12 }]);
  const [v] = await src.webVital('lcp', 0.75, 300_000);
  assert.is(v.n, 12);
  assert.ok(Math.abs(v.value - (1000 + 8.25 * 200)) < 1e-6, `p75 ${v.value}`);
});

test(`[${backend}] collector self-statistics in the window, oldest first`, async () => {
  for (const [ago, depth] of [[120_000, 10], [60_000, 500], [900_000, 1]] as const) {
    await db.query(`INSERT INTO collector_stats (ts, instance, targets, buffer_depth, journal_bytes, rows_per_s, probes_per_s, write_errors, lag_p99_ms)
                    VALUES ($1, 'c1', 10, $2, 0, 1, 1, 0, 12)`, [new Date(NOW - ago), depth]);
  }
  const rows = await new Sources(db, NOW).collectorStats(300_000);
  assert.equal(rows.map((r) => r.values.buffer_depth), [10, 500]);
  assert.is(rows[0].values.lag_p99_ms, 12);
});

test(`[${backend}] a missing table is SourceMissing (the rule keeps its alerts), not a crash`, async () => {
  const err = await readSource(db, 'nope', 'SELECT * FROM table_that_does_not_exist_yet').catch((e) => e);
  assert.instance(err, SourceMissing);
});

test.run();
