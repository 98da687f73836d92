import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { parseConfig } from '../app/config';
import { startSystem, type System } from '../app/system';
import { openTestDb } from './helpers/db';
import { until } from './helpers/until';
import { LiveEvents } from '../core/events';
import { createLogger } from '../core/log';
import type { AppEnv } from '../core/http';
import { ResultWriter } from '../collector/writer';
import { Journal } from '../collector/journal';
import { initialState, advance } from '../collector/state';

// GET /api/events: the database announces committed changes (sql/045 triggers → NOTIFY), the process's one LISTEN
// fans them out as Server-Sent Events to signed-in users, each seeing only what it may read.
const PW = { admin: 'Guanli-test-2026', ops: 'Yunwei-test-2026', reg: 'Jianguan-test-2026', dept: 'Lianluo-test-2026', security: 'Anquan-test-2026' };
const config = parseConfig(`
server: { host: 127.0.0.1, port: 0 }
log: { level: silent }
auth:
  initialAdmin: { username: admin, password: ${PW.admin} }
  seedUsers:
    - { username: ops, password: ${PW.ops}, role: ops }
    - { username: security, password: ${PW.security}, role: security }
    - { username: reg, password: ${PW.reg}, role: regulator }
    - { username: dept, password: ${PW.dept}, role: department, department: 网站管理科 }
`);

const db = await openTestDb();
await db.query(`INSERT INTO modules (id, name) VALUES ('m1', '门户')`);
await db.query(`INSERT INTO targets (id, module_id, name, type, interval_ms) VALUES ('t1', 'm1', '首页', 'http', 30000)`);
const system: System = await startSystem({ config, db, roles: ['dashboard'] });
const base = system.url!;

async function cookieOf(username: string, password: string) {
  const r = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: base }, body: JSON.stringify({ username, password }) });
  assert.is(r.status, 200, `login ${username}`);
  return r.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}

interface Got { event: string; data: any; at: number }
/** An open event stream: every event with the time it arrived; `comments` counts heartbeat lines. */
async function openStream(cookie: string) {
  const ctl = new AbortController();
  const r = await fetch(`${base}/api/events`, { headers: { cookie }, signal: ctl.signal });
  assert.is(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /text\/event-stream/);
  const got: Got[] = [];
  let comments = 0;
  const reader = r.body!.getReader();
  const dec = new TextDecoder();
  let buf = '';
  const done = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += dec.decode(value, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (block.startsWith(':')) comments++;
          const ev = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (ev) got.push({ event: ev, data: data ? JSON.parse(data) : null, at: Date.now() });
        }
      }
    } catch {
      /* aborted */
    }
  })();
  const waitFor = (pred: (g: Got) => boolean, ms = 3000) => until(`an event where ${pred}`, () => got.find(pred), ms, 10);
  await waitFor((g) => g.event === 'ready');
  return { got, waitFor, done, close: () => ctl.abort(), comments: () => comments };
}

const jdir = mkdtempSync(join(tmpdir(), 'live-journal-'));
const writer = new ResultWriter({ db, journal: new Journal(jdir), log: createLogger({ level: 'silent' }), clock: Date.now, batchSize: 100, batchAgeMs: 50, bufferSize: 1000 });
const rules = { failureThreshold: 1, successThreshold: 1 };
let state = initialState('t1', Date.now());
/** One probe result through the collector's own state machine and writer; resolves when it is committed. */
async function probe(success: boolean) {
  const ts = Date.now();
  state = advance(state, { ts, success, durationMs: 12 }, rules, () => crypto.randomUUID()).state;
  writer.setState(state);
  await writer.flush();
  return Date.now();
}

test('without a login: 401', async () => {
  const r = await fetch(`${base}/api/events`);
  assert.is(r.status, 401);
});

test('a target state change written by the collector reaches an open stream within 1 s; an unchanged state announces nothing', async () => {
  const ops = await openStream(await cookieOf('ops', PW.ops));
  await probe(true); // unknown → up
  const up = await ops.waitFor((g) => g.event === 'target' && g.data.state === 'up');
  assert.ok(up, 'up announced');
  assert.equal(up!.data, { topic: 'target', id: 't1', state: 'up', module: 'm1' });
  const n = ops.got.length;
  await probe(true); // up → up: only last_ts moves
  await probe(true);
  const written = await probe(false); // up → down
  const down = await ops.waitFor((g) => g.event === 'target' && g.data.state === 'down');
  assert.ok(down, 'down announced');
  assert.ok(down!.at - written < 1000, `announced ${down!.at - written} ms after the commit`);
  assert.is(ops.got.slice(n).filter((g) => g.event === 'target').length, 1, 'the two unchanged probes announced nothing');
  ops.close();
});

test('a rolled back write announces nothing', async () => {
  const ops = await openStream(await cookieOf('ops', PW.ops));
  await db.tx(async (q) => {
    await q.query(`UPDATE target_state SET state = 'degraded' WHERE target_id = 't1'`);
    throw new Error('rollback');
  }).catch(() => undefined);
  await probe(true); // down → up, committed: it arrives, the degraded one never does
  assert.ok(await ops.waitFor((g) => g.event === 'target' && g.data.state === 'up'));
  assert.not.ok(ops.got.some((g) => g.event === 'target' && g.data.state === 'degraded'));
  ops.close();
});

test('alerts (new, acknowledged, resolved) and report runs are announced; a department hears only its own notices', async () => {
  const ops = await openStream(await cookieOf('ops', PW.ops));
  const reg = await openStream(await cookieOf('reg', PW.reg));
  const dept = await openStream(await cookieOf('dept', PW.dept));
  const now = new Date();
  const a = await db.query<{ id: number }>(
    `INSERT INTO alerts (fingerprint, rule, rule_type, labels, severity, team, module_id, state, active_at, starts_at, last_eval)
     VALUES ('fp1', 'target_down', 'target_down', '{}', 'critical', 'ops', 'm1', 'firing', $1, $1, $1) RETURNING id`, [now]);
  const id = Number(a.rows[0].id);
  assert.ok(await ops.waitFor((g) => g.event === 'alert' && g.data.id === id && g.data.change === 'new'));
  // Acknowledged through the API, as the page does it.
  const cookie = await cookieOf('ops', PW.ops);
  const ack = await fetch(`${base}/api/alerts/alerts/${id}/ack`, { method: 'POST', headers: { cookie, origin: base, 'content-type': 'application/json' }, body: JSON.stringify({ comment: '处理中' }) });
  assert.is(ack.status, 200, await ack.text());
  assert.ok(await ops.waitFor((g) => g.event === 'alert' && g.data.id === id && g.data.change === 'ack'));
  await db.query(`UPDATE alerts SET state = 'resolved', ends_at = now() WHERE id = $1`, [id]);
  assert.ok(await ops.waitFor((g) => g.event === 'alert' && g.data.id === id && g.data.state === 'resolved'));

  const run = await db.query<{ id: number }>(`INSERT INTO report_runs (kind, trigger, started_at, status) VALUES ('incremental', 'schedule', now(), 'running') RETURNING id`);
  await db.query(`UPDATE report_runs SET status = 'ok', finished_at = now() WHERE id = $1`, [run.rows[0].id]);
  assert.ok(await reg.waitFor((g) => g.event === 'report' && g.data.status === 'ok'));
  assert.ok(await reg.waitFor((g) => g.event === 'alert' && g.data.id === id), 'the regulator reads alerts too');

  // Two notices, to two departments, issued through the API by security.
  const sec = await cookieOf('security', PW.security);
  for (const department of ['网站管理科', '数据资源科']) {
    const r = await fetch(`${base}/api/alerts/notices`, { method: 'POST', headers: { cookie: sec, origin: base, 'content-type': 'application/json' },
      body: JSON.stringify({ level: 'high', source: 'cncert', title: `通报 ${department}`, department, description: '发现漏洞' }) });
    assert.is(r.status, 201, await r.text());
  }
  assert.ok(await ops.waitFor((g) => g.event === 'notice' && g.data.department === '数据资源科'), 'ops reads every notice');
  assert.ok(await dept.waitFor((g) => g.event === 'notice' && g.data.department === '网站管理科'), 'the department hears its own');
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(dept.got.map((g) => g.event).filter((e) => e !== 'ready'), ['notice'], 'and nothing else: no other department, no targets, alerts or runs');
  assert.not.ok(reg.got.some((g) => g.event === 'notice'), 'the regulator reads no notices');
  for (const s of [ops, reg, dept]) s.close();
  // A browser that goes away ends its stream on the server (no subscriber left behind).
  await until('no stream left on the server', () => system.live.streams === 0, 3000, 20);
  assert.is(system.live.streams, 0);
});

test('server: the LISTEN connection killed — it reconnects, pages get a resync, later changes arrive again', async () => {
  if (db.kind !== 'server') return; // the embedded database has no connection to lose
  const ops = await openStream(await cookieOf('ops', PW.ops));
  const killed = await db.query<{ ok: boolean }>(`SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = 'city-ops-listen' AND datname = current_database()`);
  assert.is(killed.rowCount, 1, 'one LISTEN connection per process');
  assert.ok(await ops.waitFor((g) => g.event === 'resync', 5000), 'resync after the reconnect');
  await probe(false);
  assert.ok(await ops.waitFor((g) => g.event === 'target' && g.data.state === 'down'), 'events flow again');
  await probe(true);
  ops.close();
});

test('heartbeat comments keep the stream alive; a stream ends after maxStreamMs and at stop()', async () => {
  const live = new LiveEvents(db, createLogger({ level: 'silent' }));
  await live.start();
  const app = new Hono<AppEnv>();
  app.use('*', async (c, next) => {
    c.set('principal', { kind: 'token', name: 'x', role: 'ops' });
    await next();
  });
  app.route('/events', live.routes(50, 400));
  const res = await app.request('/events');
  const reader = res.body!.getReader();
  let text = '';
  const end = Date.now() + 2000;
  while (Date.now() < end && (text.match(/: heartbeat/g) ?? []).length < 2) text += new TextDecoder().decode((await reader.read()).value);
  assert.ok((text.match(/: heartbeat/g) ?? []).length >= 2, text);
  assert.match(text, /event: ready/);
  assert.match(text, /retry: 3000/);
  // After maxStreamMs (400 ms here) the server ends the stream; the browser reconnects (and signs in again).
  const t = Date.now();
  for (;;) if ((await reader.read()).done) break;
  assert.ok(Date.now() - t < 1000);
  assert.is(live.streams, 0);
  // stop() ends open streams.
  const res2 = await app.request('/events');
  const r2 = res2.body!.getReader();
  await r2.read();
  assert.is(live.streams, 1);
  await live.stop();
  for (;;) if ((await r2.read()).done) break;
  assert.is(live.streams, 0);
});

test('stop() ends open streams, so the server can close', async () => {
  const s = await openStream(await cookieOf('ops', PW.ops));
  const t = Date.now();
  await writer.stop();
  const stopping = system.stop();
  await s.done;
  assert.ok(Date.now() - t < 1000, `the stream ended ${Date.now() - t} ms after stop()`);
  await stopping; // (the server itself then waits for the clients' idle keep-alive connections)
  await db.close();
  rmSync(jdir, { recursive: true, force: true });
});

test.run();
