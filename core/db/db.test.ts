import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openTestDb, backend } from '../../test/helpers/db';
import { migrate } from './migrate';
import { applyPolicies, runEmbeddedMaintenance } from '../maintenance';
import { silentLogger } from '../log';

test(`[${backend}] migrations apply once and are recorded`, async () => {
  const db = await openTestDb();
  try {
    const again = await migrate(db);
    assert.equal(again.applied, [], 'second run applies nothing');
    const r = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
    assert.ok(Number(r.rows[0].n) >= 2);
    const ht = await db.query<{ hypertable_name: string }>('SELECT hypertable_name FROM timescaledb_information.hypertables');
    assert.ok(ht.rows.some((h) => h.hypertable_name === 'probe_results'));
  } finally {
    await db.close();
  }
});

test(`[${backend}] a failing migration leaves the database as it was`, async () => {
  const db = await openTestDb();
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const dir = mkdtempSync('/tmp/mig-');
  writeFileSync(`${dir}/001_ok.sql`, 'CREATE TABLE mig_ok (id int);');
  writeFileSync(`${dir}/002_bad.sql`, 'CREATE TABLE mig_half (id int); SELECT no_such_function();');
  try {
    let err: Error | undefined;
    await migrate(db, dir).catch((e) => (err = e));
    assert.match(String(err?.message), /002_bad\.sql failed and was rolled back/);
    const t = await db.query(`SELECT to_regclass('mig_half') AS t, to_regclass('mig_ok') AS o`);
    assert.is((t.rows[0] as { t: unknown }).t, null, 'half-applied table was rolled back');
    assert.ok((t.rows[0] as { o: unknown }).o, 'earlier migration stays');
    const v = await db.query(`SELECT version FROM schema_migrations WHERE version LIKE '00%_bad.sql'`);
    assert.is(v.rowCount, 0);
  } finally {
    await db.close();
  }
});

test(`[${backend}] retention drops old chunks and the aggregates are refreshed`, async () => {
  const db = await openTestDb();
  try {
    const day = 86_400_000;
    await applyPolicies(db, { raw: 30 * day, oneMinute: 180 * day, oneHour: 3 * 365 * day, compressAfter: 7 * day });
    // 40 days of results, one per hour for one target.
    await db.exec(`INSERT INTO probe_results (ts, result_id, target_id, module_id, type, success, duration_ms)
      SELECT now() - (i || ' hours')::interval, gen_random_uuid(), 't1', 'm1', 'http', i % 10 <> 0, 10 + i % 50
      FROM generate_series(0, 40*24) i`);
    const before = await db.query<{ n: number }>(`SELECT count(*)::int n FROM show_chunks('probe_results')`);
    // Refresh the 1 h aggregate over everything first (as the policy would have done while the data was young).
    await db.exec(`CALL refresh_continuous_aggregate('probe_results_1h', NULL, now() - INTERVAL '1 hour')`);
    if (db.kind === 'embedded') await runEmbeddedMaintenance(db, silentLogger(), true);
    else {
      const jobs = await db.query<{ job_id: number }>(`SELECT job_id FROM timescaledb_information.jobs WHERE job_id >= 1000 AND proc_name IN ('policy_retention','policy_refresh_continuous_aggregate') ORDER BY job_id`);
      for (const j of jobs.rows) await db.exec(`CALL run_job(${j.job_id})`);
    }
    const after = await db.query<{ n: number }>(`SELECT count(*)::int n FROM show_chunks('probe_results')`);
    assert.ok(Number(after.rows[0].n) < Number(before.rows[0].n), `chunks dropped: ${before.rows[0].n} -> ${after.rows[0].n}`);
    const oldest = await db.query<{ d: number }>(`SELECT extract(epoch FROM now() - min(ts)) / 86400 AS d FROM probe_results`);
    assert.ok(Number(oldest.rows[0].d) <= 32, `no raw row older than the retention (+ chunk width): ${oldest.rows[0].d}`);
    const agg = await db.query<{ n: number; d: number }>(`SELECT count(*)::int n, extract(epoch FROM now() - min(bucket)) / 86400 AS d FROM probe_results_1h`);
    assert.ok(Number(agg.rows[0].n) > 30 * 24, 'hourly aggregate keeps what raw retention dropped');
    const m = await db.query<{ n: number }>(`SELECT count(*)::int n FROM _timescaledb_catalog.continuous_aggs_invalidation_threshold`);
    assert.ok(Number(m.rows[0].n) >= 1, 'aggregates were refreshed');
  } finally {
    await db.close();
  }
});

test.run();
