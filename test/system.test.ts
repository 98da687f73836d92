import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { parseConfig } from '../app/config';
import { startSystem } from '../app/system';
import { silentLogger } from '../core/log';
import { openTestDb, backend } from './helpers/db';

test(`[${backend}] the whole system serves /healthz, login and /metrics over real HTTP`, async () => {
  const db = await openTestDb();
  const config = parseConfig(`server: { port: 0 }\nauth:\n  initialAdmin: { username: admin, password: Chief-pass-123 }\n`, 'inline.yaml');
  const sys = await startSystem({ config, db, log: silentLogger(), roles: [] });
  try {
    const h = await fetch(`${sys.url}/healthz`);
    assert.is(h.status, 200);
    const body = await h.json();
    assert.is(body.status, 'ok');
    assert.is(body.backend, db.kind);
    assert.is((await fetch(`${sys.url}/api/auth/me`)).status, 401);
    const login = await fetch(`${sys.url}/api/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'Chief-pass-123' }),
    });
    assert.is(login.status, 200);
    const m = await fetch(`${sys.url}/metrics`);
    assert.is(m.status, 200);
    assert.match(await m.text(), /process_cpu_user_seconds_total/);
    const bad = await fetch(`${sys.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{oops' });
    assert.is(bad.status, 400);
    assert.match((await bad.json()).error.message, /not valid JSON/);
  } finally {
    await sys.stop();
    await db.close();
  }
});

test('[embedded] a second start on the same data folder keeps users and data (restart)', async () => {
  const saved = process.env.DATABASE_URL;
  delete process.env.DATABASE_URL;
  const dir = mkdtempSync('/tmp/restart-');
  const yaml = `server: { port: 0, dataDir: ${dir} }\ndatabase: { dataDir: ${dir}/db }\nauth:\n  initialAdmin: { username: admin, password: Chief-pass-123 }\n  seedUsers: [{ username: ops, password: ops-pass-1234, role: ops }]\n`;
  try {
    for (let round = 1; round <= 2; round++) {
      const sys = await startSystem({ config: parseConfig(yaml, `${dir}/inline.yaml`), log: silentLogger(), roles: [] });
      try {
        const login = await fetch(`${sys.url}/api/auth/login`, {
          method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'ops', password: 'ops-pass-1234' }),
        });
        assert.is(login.status, 200, `login works after start ${round}`);
        const n = await sys.db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
        assert.is(Number(n.rows[0].n), 2, 'no user created twice');
      } finally {
        await sys.stop();
      }
    }
  } finally {
    if (saved !== undefined) process.env.DATABASE_URL = saved;
  }
});

test('a bad configuration refuses to start with exit code 78 and a precise message', async () => {
  const dir = mkdtempSync('/tmp/cfg-');
  writeFileSync(`${dir}/bad.yaml`, 'server:\n  port: high\n');
  const out = await new Promise<{ code: number | null; err: string }>((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'app/main.ts', '--config', `${dir}/bad.yaml`], { env: { ...process.env, DATABASE_URL: '' } });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => resolve({ code, err }));
  });
  assert.is(out.code, 78);
  assert.match(out.err, /bad\.yaml:2:9 at server\.port: .*found "high"/);
});

test.run();
