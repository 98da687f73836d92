import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openTestDb, backend } from '../../test/helpers/db';
import { migrate } from './migrate';
import { applyPolicies, refreshRollups, runMaintenance } from './jobs';
import { JOB_TABLES } from '../../app/areas';
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

test(`[${backend}] rowCount means the same on both back ends`, async () => {
  const db = await openTestDb();
  try {
    await db.exec(`CREATE TABLE rc (id int PRIMARY KEY)`);
    assert.is((await db.query(`INSERT INTO rc SELECT generate_series(1, 3)`)).rowCount, 3, 'insert');
    assert.is((await db.query(`SELECT * FROM rc`)).rowCount, 3, 'select');
    assert.is((await db.query(`SELECT * FROM rc WHERE id > 10`)).rowCount, 0, 'empty select');
    assert.is((await db.query(`UPDATE rc SET id = id + 10 WHERE id > 1`)).rowCount, 2, 'update');
    assert.is((await db.query(`DELETE FROM rc WHERE id = 99`)).rowCount, 0, 'delete nothing');
    assert.is((await db.insertMany('rc', ['id'], [[1], [50]], 'ON CONFLICT DO NOTHING')), 1, 'insertMany counts inserted rows');
  } finally {
    await db.close();
  }
});

test(`[${backend}] a DATE comes back as its calendar day (yyyy-MM-dd), whatever the zone, on both back ends`, async () => {
  const db = await openTestDb();
  try {
    const r = await db.query<{ d: unknown; t: unknown }>(`SELECT DATE '2026-12-31' AS d, TIMESTAMPTZ '2026-12-31 23:59:00+08' AS t`);
    assert.is(r.rows[0].d, '2026-12-31');
    assert.ok(r.rows[0].t instanceof Date && (r.rows[0].t as Date).toISOString() === '2026-12-31T15:59:00.000Z', 'an instant stays an instant');
    const leap = await db.query<{ d: unknown }>(`SELECT $1::date + 1 AS d`, ['2028-02-28']);
    assert.is(leap.rows[0].d, '2028-02-29');
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
    await applyPolicies(db, { raw: 30 * day, oneMinute: 180 * day, oneHour: 3 * 365 * day, compressAfter: 7 * day }, JOB_TABLES);
    // 40 days of results, one per hour for one target.
    await db.exec(`INSERT INTO probe_results (ts, result_id, target_id, module_id, type, success, duration_ms)
      SELECT now() - (i || ' hours')::interval, gen_random_uuid(), 't1', 'm1', 'http', i % 10 <> 0, 10 + i % 50
      FROM generate_series(0, 40*24) i`);
    const before = await db.query<{ n: number }>(`SELECT count(*)::int n FROM show_chunks('probe_results')`);
    // The rollups are refreshed while the data is young (as the policy / the app's timer would have done) ...
    await refreshRollups(db, JOB_TABLES.rollups);
    // ... then a maintenance pass applies retention on whichever back end this is.
    const r = { raw: 30 * day, oneMinute: 180 * day, oneHour: 3 * 365 * day, compressAfter: 7 * day };
    if (db.kind === 'embedded' || (await db.query(`SELECT current_setting('timescaledb.license', true) l`)).rows[0].l !== 'timescale') {
      await runMaintenance(db, silentLogger(), r, JOB_TABLES, { force: true });
    }
    const after = await db.query<{ n: number }>(`SELECT count(*)::int n FROM show_chunks('probe_results')`);
    assert.ok(Number(after.rows[0].n) < Number(before.rows[0].n), `chunks dropped: ${before.rows[0].n} -> ${after.rows[0].n}`);
    const oldest = await db.query<{ d: number }>(`SELECT extract(epoch FROM now() - min(ts)) / 86400 AS d FROM probe_results`);
    assert.ok(Number(oldest.rows[0].d) <= 32, `no raw row older than the retention (+ chunk width): ${oldest.rows[0].d}`);
    const agg = await db.query<{ n: number; d: number }>(`SELECT count(*)::int n, extract(epoch FROM now() - min(bucket)) / 86400 AS d FROM probe_results_1h`);
    assert.ok(Number(agg.rows[0].n) > 30 * 24, 'hourly aggregate keeps what raw retention dropped');
    const m = await db.query<{ n: number; ok: number }>(`SELECT sum(n)::int n, sum(ok)::int ok FROM probe_results_1m`);
    assert.ok(Number(m.rows[0].n) > 0 && Number(m.rows[0].ok) < Number(m.rows[0].n), 'minute rollup holds counts and failures');
  } finally {
    await db.close();
  }
});

test.run();
