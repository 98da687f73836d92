import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDb } from '../core/db';
import { backend } from '../test/helpers/db';

const run = (cmd: string, args: string[], env: Record<string, string>) =>
  execFileSync(cmd, args, { env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

if (backend === 'embedded') {
  test('[embedded] backup and restore of the data folder keeps every row', async () => {
    const dir = mkdtempSync('/tmp/bk-');
    let db = await openDb({ dataDir: `${dir}/data/db` });
    await db.exec(`INSERT INTO probe_results (ts, result_id, target_id, module_id, type, success, duration_ms)
      SELECT now() - (i || ' minutes')::interval, gen_random_uuid(), 't' || (i % 7), 'm', 'http', true, i FROM generate_series(1, 500) i`);
    await db.close();
    const out = run('ops/backup', [`${dir}/b.tar.gz`], { DATA_DIR: `${dir}/data`, DATABASE_URL: '' });
    assert.match(out, /backup written/);
    const refused = (() => { try { run('ops/restore', [`${dir}/b.tar.gz`], { DATA_DIR: `${dir}/data`, DATABASE_URL: '' }); return ''; } catch (e) { return String((e as { stderr: string }).stderr); } })();
    assert.match(refused, /not empty/, 'restore never overwrites a database');
    run('ops/restore', [`${dir}/b.tar.gz`], { DATA_DIR: `${dir}/restored`, DATABASE_URL: '' });
    db = await openDb({ dataDir: `${dir}/restored/db` });
    const r = await db.query<{ n: number }>('SELECT count(*)::int n FROM probe_results');
    assert.is(Number(r.rows[0].n), 500);
    await db.close();
  });
} else {
  test('[server] pg_dump backup restores into an empty database with every row and hypertable', async () => {
    const base = process.env.DATABASE_URL!;
    const names = [`bk_${randomBytes(3).toString('hex')}`, `rs_${randomBytes(3).toString('hex')}`];
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    for (const n of names) await admin.query(`CREATE DATABASE ${n}`);
    const url = (n: string) => Object.assign(new URL(base), { pathname: `/${n}` }).toString();
    try {
      const db = await openDb({ url: url(names[0]) });
      await db.exec(`INSERT INTO probe_results (ts, result_id, target_id, module_id, type, success, duration_ms)
        SELECT now() - (i || ' minutes')::interval, gen_random_uuid(), 't' || (i % 7), 'm', 'http', true, i FROM generate_series(1, 500) i`);
      await db.close();
      const dir = mkdtempSync('/tmp/bk-');
      const tools = { PG_DUMP: 'ops/timescaledb-local exec pg_dump', PG_RESTORE: 'ops/timescaledb-local exec pg_restore', PSQL: 'ops/timescaledb-local exec psql' };
      run('ops/backup', [`${dir}/b.dump`], { DATABASE_URL: url(names[0]), ...tools });
      run('ops/restore', [`${dir}/b.dump`], { DATABASE_URL: url(names[1]), ...tools });
      const c = new pg.Client({ connectionString: url(names[1]) });
      await c.connect();
      const r = await c.query(`SELECT count(*)::int n FROM probe_results`);
      const h = await c.query(`SELECT count(*)::int n FROM timescaledb_information.hypertables WHERE hypertable_name = 'probe_results'`);
      await c.end();
      assert.is(r.rows[0].n, 500);
      assert.is(h.rows[0].n, 1);
    } finally {
      for (const n of names) await admin.query(`DROP DATABASE IF EXISTS ${n} WITH (FORCE)`);
      await admin.end();
    }
  });
}

test.run();
