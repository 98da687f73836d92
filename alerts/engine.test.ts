import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../app/config';
import { silentLogger } from '../core/log';
import { manualClock } from '../core/time';
import { openTestDb, backend } from '../test/helpers/db';
import type { Db } from '../core/db';
import { AlertEngine } from './engine';
import { validateSilence } from './silences';
import { createSilence } from './store/silences';
import { validateWindow } from './maintenance-windows';
import { createWindow } from './store/maintenance-windows';
import { seedTargets, setTargetState, webhookReceiver } from './testing/fixtures';

const clock = manualClock(Date.UTC(2026, 10, 25, 6, 0, 0));
let db: Db;
let rx: Awaited<ReturnType<typeof webhookReceiver>>;

const config = (url: string) =>
  parseConfig(`
alerts:
  evaluationInterval: 10s
  retry: { attempts: 3, initialBackoff: 10ms, maxBackoff: 20ms }
  rules:
    - { name: 目标不可用, type: target_down, failures: 3, severity: critical }
    - { name: 模块不可用, type: module_down, severity: critical }
  receivers:
    - name: ops
      channels: [{ type: webhook, url: "${url}" }]
  route: { receiver: ops, groupBy: [alertname, module], groupWait: 0s, groupInterval: 5s, repeatInterval: 1h }
`).alerts;

const engine = () => new AlertEngine(db, silentLogger(), clock, config(rx.url));
/** One evaluation + notification round at the current clock, waiting for the deliveries it started. */
async function round(e: AlertEngine) {
  await e.evaluate(clock());
  await Promise.all(await e.notify(clock()));
}

test.before(async () => {
  db = await openTestDb();
  rx = await webhookReceiver();
  await seedTargets(db, [
    { id: 'a1', module: 'A' }, { id: 'a2', module: 'A' },
    { id: 'b1', module: 'B' }, { id: 'b2', module: 'B' },
    { id: 'c1', module: 'C' }, { id: 'd1', module: 'D' }, { id: 'd2', module: 'D' },
  ]);
  for (const t of ['a1', 'a2', 'b1', 'b2', 'c1', 'd1', 'd2']) await setTargetState(db, t, 'up', 0, clock() - 3_600_000);
});
test.after(async () => {
  await rx.close();
  await db.close();
});

test(`[${backend}] down → firing → one notification; restart sends nothing twice; recovery → one resolved`, async () => {
  let e = engine();
  await round(e);
  assert.is(rx.got.length, 0);
  await setTargetState(db, 'a1', 'down', 3, clock());
  clock.advance('10s');
  await round(e);
  assert.is(rx.got.length, 1);
  assert.is(rx.got[0].status, 'firing');
  assert.is(rx.got[0].alerts[0].labels.target, 'a1');
  assert.match(rx.got[0].alerts[0].annotations.summary, '目标a1（模块A）不可用');
  const alerts = await db.query(`SELECT state, starts_at FROM alerts WHERE target_id = 'a1'`);
  assert.equal(alerts.rows.map((r) => r.state), ['firing']);

  clock.advance('10s');
  await round(e);
  assert.is(rx.got.length, 1, 'same group, same alerts: nothing new');

  e = engine(); // a restart: fresh memory, the database carries state and the notification log
  clock.advance('10s');
  await round(e);
  assert.is(rx.got.length, 1, 'a restart sends nothing twice');
  assert.is((await db.query(`SELECT count(*)::int AS n FROM alerts WHERE target_id = 'a1'`)).rows[0].n, 1, 'no second occurrence');

  await setTargetState(db, 'a1', 'up', 0, clock());
  clock.advance('10s');
  await round(e);
  assert.is(rx.got.length, 2);
  assert.is(rx.got[1].status, 'resolved');
  assert.is(rx.got[1].alerts[0].endsAt, new Date(clock()).toISOString());
  clock.advance('10s');
  await round(e);
  e = engine();
  clock.advance('10s');
  await round(e);
  assert.is(rx.got.length, 2, 'resolved sent exactly once, also after a restart');
  const ev = await db.query(`SELECT to_state FROM alert_events WHERE fingerprint = (SELECT fingerprint FROM alerts WHERE target_id = 'a1') ORDER BY ts, to_state DESC`);
  assert.equal(ev.rows.map((r) => r.to_state), ['pending', 'firing', 'resolved']);
  const del = await db.query(`SELECT status, firing FROM notification_deliveries ORDER BY ts`);
  assert.equal(del.rows.map((r) => `${r.status}:${r.firing}`), ['sent:true', 'sent:false']);
});

test(`[${backend}] a silence suppresses the notification; the alert still fires`, async () => {
  const v = validateSilence({ team: 'ops', matchers: ['module="C"'], endsAt: new Date(clock() + 3_600_000).toISOString(), comment: '割接' }, clock());
  assert.ok(v.ok);
  if (v.ok) await createSilence(db, v.value, 'ops', clock());
  await setTargetState(db, 'c1', 'down', 5, clock());
  const before = rx.got.length;
  const e = engine();
  clock.advance('10s');
  await round(e);
  assert.is(rx.got.length, before);
  assert.is((await db.query(`SELECT state FROM alerts WHERE target_id = 'c1'`)).rows[0].state, 'firing');
  await setTargetState(db, 'c1', 'up', 0, clock());
});

test(`[${backend}] a maintenance window for a module stops its notifications`, async () => {
  const v = validateWindow({ name: '例行维护', moduleId: 'B', endsAt: new Date(clock() + 3_600_000).toISOString() }, clock(), 'Asia/Shanghai');
  assert.ok(v.ok);
  if (v.ok) await createWindow(db, v.value, 'ops', clock());
  assert.is((await db.query(`SELECT count(*)::int AS n FROM active_maintenance($1) WHERE module_id = 'B'`, [new Date(clock())])).rows[0].n, 1);
  await setTargetState(db, 'b1', 'down', 3, clock());
  const before = rx.got.length;
  const e = engine();
  clock.advance('10s');
  await round(e);
  assert.is(rx.got.length, before);
  await setTargetState(db, 'b1', 'up', 0, clock());
});

test(`[${backend}] a down module inhibits its own targets' alerts`, async () => {
  await setTargetState(db, 'd1', 'down', 3, clock());
  await setTargetState(db, 'd2', 'down', 4, clock());
  const before = rx.got.length;
  const e = engine();
  clock.advance('10s');
  await round(e);
  const fresh = rx.got.slice(before);
  assert.is(fresh.length, 1, 'only the module alert goes out');
  assert.is(fresh[0].alerts[0].labels.kind, 'module_down');
  assert.is(fresh[0].alerts.length, 1);
  for (const t of ['d1', 'd2']) await setTargetState(db, t, 'up', 0, clock());
  clock.advance('10s');
  await round(e);
  assert.is(rx.got.at(-1).status, 'resolved');
});

test(`[${backend}] retries with backoff; every attempt logged; sent once`, async () => {
  const e = engine();
  await round(e);
  rx.setStatus(503);
  await setTargetState(db, 'a2', 'down', 3, clock());
  clock.advance('10s');
  await round(e);
  const failed = await db.query(`SELECT status, attempt, error FROM notification_deliveries WHERE ts = $1 ORDER BY attempt`, [new Date(clock())]);
  assert.equal(failed.rows.map((r) => `${r.status}#${r.attempt}`), ['failed#1', 'failed#2', 'gave_up#3']);
  assert.match(String(failed.rows[0].error), 'HTTP 503');
  rx.setStatus(200);
  const before = rx.got.length;
  clock.advance('5s'); // the next group interval tries again
  await Promise.all(await e.notify(clock()));
  assert.is(rx.got.length, before + 1);
  clock.advance('5s');
  await Promise.all(await e.notify(clock()));
  assert.is(rx.got.length, before + 1, 'then not again');
  await setTargetState(db, 'a2', 'up', 0, clock());
});

test(`[${backend}] pending for 'for', then firing; acknowledged alerts are not repeated`, async () => {
  const cfg = config(rx.url);
  cfg.rules[0] = { ...cfg.rules[0], for: 30_000 };
  cfg.moduleDownInhibits = false; // c1 is module C's only target: its module alert would inhibit it
  const e = new AlertEngine(db, silentLogger(), clock, cfg);
  await setTargetState(db, 'c1', 'down', 3, clock());
  await db.query(`UPDATE silences SET ends_at = $1`, [new Date(clock())]);
  clock.advance('10s');
  await round(e);
  const st = async () => (await db.query(`SELECT state FROM alerts WHERE target_id = 'c1' AND state <> 'resolved'`)).rows[0]?.state;
  const c1Sent = () => rx.got.filter((g) => g.alerts.some((a: any) => a.labels.target === 'c1')).length;
  const before = c1Sent();
  assert.is(await st(), 'pending');
  clock.advance('20s');
  await round(e);
  assert.is(await st(), 'pending');
  assert.is(c1Sent(), before, 'nothing sent while pending');
  clock.advance('10s');
  await round(e);
  assert.is(await st(), 'firing');
  assert.is(c1Sent(), before + 1);
  await db.query(`UPDATE alerts SET ack_by = 'ops', ack_at = $1 WHERE target_id = 'c1' AND state = 'firing'`, [new Date(clock())]);
  clock.advance('2h');
  await round(e);
  assert.is(c1Sent(), before + 1, 'acked: no repeat');
});

test(`[${backend}] database unreachable: one notification from memory, one resolved when it is back`, async () => {
  let down = false;
  const fail = () => {
    if (down) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432 (simulated outage)'), { code: 'ECONNREFUSED' });
  };
  const flaky: Db = Object.assign(Object.create(db), {
    query: async (sql: string, p?: unknown[]) => (fail(), db.query(sql, p)),
    tx: async (fn: any) => (fail(), db.tx(fn)),
    ping: async () => !down && (await db.ping()),
  });
  const cfg = parseConfig(`
alerts:
  evaluationInterval: 1s
  rules: [{ name: 数据库不可达, type: database_unreachable, for: 20s }]
  receivers: [{ name: ops, channels: [{ type: webhook, url: "${rx.url}" }] }]
  route: { receiver: ops, groupWait: 0s }
`).alerts;
  const e = new AlertEngine(flaky, silentLogger(), clock, cfg);
  await e.tick();
  const before = rx.got.length;
  down = true;
  clock.advance('10s');
  await e.tick();
  await e.drain();
  assert.is(rx.got.length, before, 'not before `for`');
  clock.advance('15s');
  await e.tick();
  await e.drain();
  clock.advance('10s');
  await e.tick();
  await e.drain();
  assert.is(rx.got.length, before + 1, 'sent once while down');
  assert.is(rx.got.at(-1).alerts[0].labels.alertname, '数据库不可达');
  assert.match(rx.got.at(-1).alerts[0].annotations.summary, '数据库不可达：自');
  down = false;
  clock.advance('10s');
  await e.tick();
  await e.drain();
  assert.is(rx.got.length, before + 2);
  assert.is(rx.got.at(-1).status, 'resolved');

  // A leader whose lock died with the database session watches the database without the lock.
  const w = new AlertEngine(flaky, silentLogger(), clock, cfg);
  down = true;
  assert.is(await w.watchDatabase(), false);
  clock.advance('30s');
  assert.is(await w.watchDatabase(), false);
  await w.drain();
  assert.is(rx.got.length, before + 3);
  down = false;
  assert.is(await w.watchDatabase(), true, 'done once the database answers');
  await w.drain();
  assert.is(rx.got.at(-1).status, 'resolved');
});

test.run();
