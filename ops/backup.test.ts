import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDb, type Db } from '../core/db';
import { backend, openTestDb } from '../test/helpers/db';
import { ADMIN, OPS, instanceFiles, session, startInstance, type Instance } from '../test/helpers/instance';

const run = (cmd: string, args: string[], env: Record<string, string>) =>
  execFileSync(cmd, args, { env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
/** stderr of a command that must fail. */
const refused = (cmd: string, args: string[], env: Record<string, string>) => {
  try {
    run(cmd, args, env);
    return '';
  } catch (e) {
    return String((e as { stderr: string }).stderr);
  }
};
const fill = (db: Db, n: number) =>
  db.exec(`INSERT INTO probe_results (ts, result_id, target_id, module_id, type, success, duration_ms)
    SELECT now() - (i || ' minutes')::interval, gen_random_uuid(), 't' || (i % 7), 'm', 'http', true, i FROM generate_series(1, ${n}) i`);
const count = async (db: Db, sql: string) => Number((await db.query<{ n: number }>(sql)).rows[0].n);

const tmp = mkdtempSync(join(tmpdir(), 'bk-'));
const instances: Instance[] = [];
const extraDbs: (Db & { url?: string })[] = [];
// Another city-ops on its own data folder runs beside every test: backups of other folders must not care.
const neighbourDb = backend === 'server' ? await openTestDb() : undefined;
if (neighbourDb) extraDbs.push(neighbourDb);
const neighbour = await startInstance(instanceFiles(join(tmp, 'neighbour'), neighbourDb?.url));
instances.push(neighbour);

if (backend === 'embedded') {
  const E = { DATABASE_URL: '' };

  test('[embedded] offline: a stopped data folder is archived and restored with every row, beside a running city-ops', async () => {
    const dir = join(tmp, 'offline');
    let db = await openDb({ dataDir: `${dir}/data/db` });
    await fill(db, 500);
    await db.close();
    assert.match(run('ops/backup', [`${dir}/b.tar.gz`], { ...E, DATA_DIR: `${dir}/data` }), /backup written/);
    assert.match(refused('ops/restore', [`${dir}/b.tar.gz`], { ...E, DATA_DIR: `${dir}/data` }), /not empty/, 'restore never overwrites a database');
    run('ops/restore', [`${dir}/b.tar.gz`], { ...E, DATA_DIR: `${dir}/restored` });
    db = await openDb({ dataDir: `${dir}/restored/db` });
    assert.is(await count(db, 'SELECT count(*)::int n FROM probe_results'), 500);
    await db.close();
    // Only the database folder (DB_DIR): the same form as the online backup.
    run('ops/backup', [`${dir}/db-only.tar.gz`], { ...E, DB_DIR: `${dir}/data/db` });
    run('ops/restore', [`${dir}/db-only.tar.gz`], { ...E, DB_DIR: `${dir}/elsewhere/db` });
    db = await openDb({ dataDir: `${dir}/elsewhere/db` });
    assert.is(await count(db, 'SELECT count(*)::int n FROM probe_results'), 500);
    await db.close();
    assert.ok(neighbour.child.exitCode === null, 'the neighbour still runs');
  });

  test('[embedded] online: the running server streams a consistent copy (admin only, audited) that restores into an empty folder', async () => {
    const f = instanceFiles(join(tmp, 'online'));
    const seed = await openDb({ dataDir: f.dbDir });
    await fill(seed, 500);
    await seed.close();
    const server = await startInstance(f);
    instances.push(server);

    // The folder is in use: the offline path refuses, naming the server; the neighbour's folder is no reason.
    const busy = refused('ops/backup', [join(f.dir, 'x.tar.gz')], { ...E, DATA_DIR: f.dataDir });
    assert.match(busy, `the embedded database folder ${f.dbDir} is in use by pid ${server.pid}`);
    assert.match(busy, 'POST /api/system/backup');
    writeFileSync(join(f.dir, 'some.tar.gz'), '');
    assert.match(refused('ops/restore', [join(f.dir, 'some.tar.gz')], { ...E, DATA_DIR: f.dataDir }), `in use by pid ${server.pid}`);

    assert.is((await fetch(`${server.url}/api/system/backup`, { method: 'POST' })).status, 401);
    const ops = await session(server.url, OPS);
    assert.is((await ops('/api/system/backup', { method: 'POST' })).status, 403, 'admin only');

    const admin = await session(server.url, ADMIN);
    const mkToken = async (name: string) =>
      (await admin('/api/auth/tokens', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, role: 'ops' }) })).status;
    assert.is(await mkToken('before-backup'), 201);
    // Writes go on while the copy is taken; the copy holds each of them whole or not at all.
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) if ((await mkToken(`during-${written}`)) === 201) written++;
    })();
    const res = await admin('/api/system/backup', { method: 'POST' });
    writing = false;
    await writer;
    if (res.status !== 200) assert.unreachable(`backup answered ${res.status}: ${await res.text()}`);
    assert.is(res.headers.get('content-type'), 'application/gzip');
    assert.match(res.headers.get('content-disposition') ?? '', /attachment; filename="city-ops-db-\d{8}T\d{6}Z\.tar\.gz"/);
    const file = join(f.dir, 'online.tar.gz');
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    assert.ok(gunzipSync(readFileSync(file)).includes(Buffer.from('PG_VERSION')), 'a tar of the database folder');
    const audit = (await (await admin('/api/auth/audit')).json()) as { items: { action: string; actor: string }[] };
    assert.ok(audit.items.some((a) => a.action === 'system.backup' && a.actor === 'admin'), 'audited');
    assert.is(await mkToken('after-backup'), 201);

    const out = run('ops/restore', [file], { ...E, DATA_DIR: join(f.dir, 'restored') });
    assert.match(out, `restored ${file} into ${join(f.dir, 'restored', 'db')}`);
    // The server still runs and holds its own folder; the restored copy is a folder of its own.
    assert.is((await (await fetch(`${server.url}/healthz`)).json()).db, 'up');
    const db = await openDb({ dataDir: join(f.dir, 'restored', 'db') });
    try {
      assert.is(await count(db, 'SELECT count(*)::int n FROM probe_results'), 500);
      const names = (await db.query<{ name: string }>(`SELECT name FROM api_tokens`)).rows.map((r) => r.name);
      assert.ok(names.includes('before-backup'));
      assert.not.ok(names.includes('after-backup'), 'taken before the later write');
      const during = names.filter((n) => n.startsWith('during-')).length;
      console.log(`online backup: ${readFileSync(file).length} bytes gzipped; ${during} of ${written} writes made meanwhile are in it`);
      assert.ok(during <= written + 1, `${during} of ${written} writes made during the backup (one may have been in flight)`);
      assert.is(await count(db, `SELECT count(*)::int n FROM users WHERE username IN ('admin', 'ops')`), 2);
    } finally {
      await db.close();
    }
    assert.is(await server.stop(), 0);
    assert.ok(neighbour.child.exitCode === null, 'the neighbour still runs');
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
      await fill(db, 500);
      await db.close();
      const dir = mkdtempSync(join(tmpdir(), 'bk-'));
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

  test('[server] the online backup API says to use pg_dump (ops/backup)', async () => {
    const db = await openTestDb();
    extraDbs.push(db);
    const server = await startInstance(instanceFiles(join(tmp, 'online-server'), db.url));
    instances.push(server);
    const admin = await session(server.url, ADMIN);
    const res = await admin('/api/system/backup', { method: 'POST' });
    assert.is(res.status, 501);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.is(body.error.code, 'use_pg_dump');
    assert.match(body.error.message, 'ops/backup');
    assert.is(await server.stop(), 0);
  });
}

test.after(async () => {
  for (const i of instances) if (i.child.exitCode === null && i.child.signalCode === null) await i.kill();
  for (const db of extraDbs) await db.close();
});

test.run();
