import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openTestDb, backend } from '../../test/helpers/db';
import { silentLogger } from '../log';
import { applyPolicies, invalidateRollups, mergeRanges, refreshRollups, runMaintenance } from './jobs';
import { JOB_TABLES } from '../../app/areas';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const RETENTION = { raw: 30 * DAY, oneMinute: 180 * DAY, oneHour: 3 * 365 * DAY, compressAfter: 7 * DAY };

test('late ranges become whole buckets, clipped and merged', () => {
  const t0 = Date.UTC(2026, 10, 25, 10, 0, 0);
  const r = (f: number, t: number) => ({ f: new Date(t0 + f), t: new Date(t0 + t) });
  // 10:00:30-10:00:40 and 10:01:10 touch once widened to minutes; 10:05 stands alone.
  assert.equal(mergeRanges([r(30_000, 40_000), r(70_000, 70_000), r(5 * MIN, 5 * MIN + 1)], MIN, -Infinity, Infinity), [
    [t0, t0 + 2 * MIN],
    [t0 + 5 * MIN, t0 + 6 * MIN],
  ]);
  // Hours: one bucket; clipped below (retention) and above (the policy's end_offset); empty after clipping: dropped.
  assert.equal(mergeRanges([r(-90 * MIN, 30 * MIN)], HOUR, t0 - HOUR, t0 + HOUR), [[t0 - HOUR, t0 + HOUR]]);
  assert.equal(mergeRanges([r(-90 * MIN, 30 * MIN)], HOUR, t0, t0 + HOUR), [[t0, t0 + HOUR]]);
  assert.equal(mergeRanges([r(-3 * HOUR, -2 * HOUR - 1)], HOUR, t0 - HOUR, Infinity), []);
  assert.equal(mergeRanges([r(30 * MIN, 40 * MIN)], HOUR, -Infinity, t0), []);
});

test(`[${backend}] a late result older than the raw retention leaves the rolled-up bucket as it was`, async () => {
  const db = await openTestDb();
  try {
    await applyPolicies(db, RETENTION, JOB_TABLES);
    const now = Date.now();
    const hour = Math.floor((now - 40 * DAY) / HOUR) * HOUR;
    // 50 results in one hour 40 days ago, rolled up while their raw chunk still existed, then dropped by retention.
    await db.query(
      `INSERT INTO probe_results (ts, result_id, target_id, module_id, type, success, duration_ms)
       SELECT $1::timestamptz + (i || ' minutes')::interval, gen_random_uuid(), 'old', 'm1', 'http', true, 10 FROM generate_series(0, 49) i`,
      [new Date(hour)],
    );
    await refreshRollups(db, JOB_TABLES.rollups, new Date(now));
    await db.query(`SELECT drop_chunks('probe_results', older_than => $1::timestamptz)`, [new Date(now - RETENTION.raw)]);
    const sum = async (view: string) =>
      (await db.query<{ n: number }>(`SELECT coalesce(sum(n), 0)::int AS n FROM ${view} WHERE target_id = 'old'`)).rows[0].n;
    assert.is(await sum('probe_results_1h'), 50);
    // One more result for that hour arrives (a month-old journal): re-aggregating the hour from raw rows would leave 1.
    const late = new Date(hour + 55 * MIN);
    await db.query(
      `INSERT INTO probe_results (ts, result_id, target_id, module_id, type, success, duration_ms) VALUES ($1, gen_random_uuid(), 'old', 'm1', 'http', false, 10)`,
      [late],
    );
    await db.tx((q) => invalidateRollups(q, 'probe_results', late));
    await runMaintenance(db, silentLogger(), RETENTION, JOB_TABLES, { force: true, now: new Date(now) });
    assert.is(await sum('probe_results_1h'), 50, 'hour bucket kept');
    assert.is(await sum('probe_results_1m'), 50, 'minute buckets kept');
    const left = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM rollup_invalidations`);
    assert.is(left.rows[0].n, 0, 'the range was handled (and skipped)');
  } finally {
    await db.close();
  }
});

test.run();
