import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Hono } from 'hono';
import { Registry } from 'prom-client';
import { parseConfig } from '../../app/config';
import { silentLogger } from '../../core/log';
import { manualClock } from '../../core/time';
import { AuthService } from '../../core/auth/service';
import { authenticate, type AppEnv } from '../../core/http';
import { Leader } from '../../core/leader';
import type { AlertsContext } from '../config';
import type { Db } from '../../core/db';
import { openTestDb, backend } from '../../test/helpers/db';
import { alertsArea } from '..';
import { contextFor } from '../../app/system';
import { AlertEngine } from '../engine';
import { advanceRecurring } from '../store/maintenance-windows';
import { alertsApp, areaContext, seedTargets, setTargetState, webhookReceiver } from '../testing/fixtures';

const clock = manualClock(Date.UTC(2026, 10, 25, 6, 0, 0));
let db: Db;
let app: Hono<AppEnv>;
let rx: Awaited<ReturnType<typeof webhookReceiver>>;
const tokens: Record<string, string> = {};
let cfgText = '';

async function call(who: string | null, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (who) headers.authorization = `Bearer ${tokens[who]}`;
  const res = await app.request(`/api/alerts${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
}

test.before(async () => {
  db = await openTestDb();
  rx = await webhookReceiver();
  cfgText = `
alerts:
  rules:
    - { name: 目标不可用, type: target_down, failures: 3, severity: critical }
    - { name: 页面篡改, type: content }
  receivers:
    - name: ops
      channels: [{ type: webhook, url: "${rx.url}" }]
    - name: broken
      channels: [{ type: webhook, url: "http://127.0.0.1:1/none", timeout: 1s }]
  route: { receiver: ops, groupWait: 0s }
`;
  const config = parseConfig(cfgText);
  const auth = new AuthService(db, clock, 3_600_000);
  const log = silentLogger();
  app = await alertsApp(await areaContext(db, config, clock, auth));
  for (const role of ['ops', 'security', 'regulator', 'admin'] as const) tokens[role] = (await auth.createToken({ name: role, role, createdBy: 'test' })).token;
  await seedTargets(db, [{ id: 'web1', module: 'portal' }, { id: 'page1', module: 'portal', type: 'content' }]);
  await setTargetState(db, 'web1', 'down', 5, clock());
  await db.query(`INSERT INTO probe_results (ts, result_id, target_id, module_id, type, success, duration_ms, error_code, detail)
                  VALUES ($1, gen_random_uuid(), 'page1', 'portal', 'content', false, 10, 'content_changed', '{"changed": true}')`, [new Date(clock())]);
  const engine = new AlertEngine(db, log, clock, config.alerts);
  await engine.evaluate(clock());
});
test.after(async () => {
  await rx.close();
  await db.close();
});

test(`[${backend}] reading needs a login; lists paginate and filter`, async () => {
  assert.is((await call(null, 'GET', '/alerts')).status, 401);
  const all = await call('regulator', 'GET', '/alerts?state=firing');
  assert.is(all.status, 200);
  assert.is(all.body.total, 2);
  const sec = await call('regulator', 'GET', '/alerts?team=security&limit=1');
  assert.is(sec.body.items.length, 1);
  assert.is(sec.body.items[0].rule, '页面篡改');
  assert.is(sec.body.items[0].severity, 'critical');
  assert.match(sec.body.items[0].summary, '疑似篡改');
  assert.is((await call('ops', 'GET', '/alerts?severity=bad')).status, 400);
  assert.is((await call('ops', 'GET', '/alerts?module=portal&from=2026-11-25T00:00:00Z')).body.total, 2);
  assert.is((await call('ops', 'GET', '/alerts?module=other')).body.total, 0);
});

test(`[${backend}] acknowledge: own team only; recorded and audited`, async () => {
  const list = (await call('ops', 'GET', '/alerts?team=security')).body.items;
  const id = list[0].id;
  const denied = await call('ops', 'POST', `/alerts/${id}/ack`, { comment: 'x' });
  assert.is(denied.status, 403);
  clock.advance('1m');
  const ok = await call('security', 'POST', `/alerts/${id}/ack`, { comment: '已联系网站运维核查' });
  assert.is(ok.status, 200);
  assert.is(ok.body.ack.by, 'token:security', 'an API token acts as token:<name>');
  const detail = await call('regulator', 'GET', `/alerts/${id}`);
  assert.is(detail.body.events[0].to, 'acknowledged');
  const audit = await db.query(`SELECT actor, action, target FROM audit_log WHERE action = 'alerts.ack'`);
  assert.equal(audit.rows[0], { actor: 'token:security', action: 'alerts.ack', target: `alert:${id}` });
});

test(`[${backend}] silences: create (team matcher added), list, expire; validation and team permission`, async () => {
  const endsAt = new Date(clock() + 3_600_000).toISOString();
  assert.is((await call('regulator', 'POST', '/silences', { team: 'ops', matchers: ['target="web1"'], endsAt, comment: 'x' })).status, 403);
  assert.is((await call('ops', 'POST', '/silences', { team: 'security', matchers: ['target="web1"'], endsAt, comment: 'x' })).status, 403);
  const bad = await call('ops', 'POST', '/silences', { team: 'ops', matchers: ['target=web1'], endsAt, comment: 'x' });
  assert.is(bad.status, 422);
  assert.match(bad.body.error.message, 'not a matcher');
  const created = await call('ops', 'POST', '/silences', { team: 'ops', matchers: ['target="web1"', { name: 'severity', value: 'crit.*', isRegex: true }], endsAt, comment: '计划内割接' });
  assert.is(created.status, 201);
  assert.equal(created.body.matchersText, ['team="ops"', 'target="web1"', 'severity=~"crit.*"']);
  assert.is(created.body.state, 'active');
  const muted = (await call('ops', 'GET', '/alerts?target=web1')).body.items[0];
  assert.is(muted.mutedBy.silence, created.body.id);
  assert.is((await call('ops', 'GET', '/silences?state=active')).body.total, 1);
  assert.is((await call('security', 'POST', `/silences/${created.body.id}/expire`)).status, 403);
  const exp = await call('ops', 'POST', `/silences/${created.body.id}/expire`);
  assert.is(exp.body.state, 'expired');
  assert.is((await call('ops', 'GET', '/silences?state=active')).body.total, 0);
  const audit = await db.query(`SELECT action FROM audit_log WHERE action LIKE 'alerts.silence.%' ORDER BY id`);
  assert.equal(audit.rows.map((r) => r.action), ['alerts.silence.create', 'alerts.silence.expire']);
});

test(`[${backend}] the regulatory office's own alerts: listed by team, acknowledged and silenced by regulator only`, async () => {
  const r = await db.query<{ id: number }>(
    `INSERT INTO alerts (fingerprint, rule, rule_type, labels, annotations, severity, team, state, active_at, starts_at, last_eval)
     VALUES ('fp-reg', '上报批次失败', 'event_count', '{"alertname":"上报批次失败","team":"regulator","dataType":"PENALTY"}', '{"summary":"批次失败"}', 'warning', 'regulator', 'firing', $1, $1, $1) RETURNING id`,
    [new Date(clock())],
  );
  const id = Number(r.rows[0].id);
  const mine = await call('regulator', 'GET', '/alerts?team=regulator&state=firing');
  assert.equal(mine.body.items.map((a: any) => a.id), [id]);
  assert.is((await call('ops', 'POST', `/alerts/${id}/ack`, { comment: 'x' })).status, 403);
  assert.is((await call('security', 'POST', `/alerts/${id}/ack`, { comment: 'x' })).status, 403);
  const ok = await call('regulator', 'POST', `/alerts/${id}/ack`, { comment: '已联系省平台' });
  assert.is(ok.status, 200);
  assert.is(ok.body.ack.by, 'token:regulator');
  const sil = await call('regulator', 'POST', '/silences', { team: 'regulator', matchers: ['dataType="PENALTY"'], endsAt: new Date(clock() + 3_600_000).toISOString(), comment: '省平台维护' });
  assert.is(sil.status, 201, JSON.stringify(sil.body));
  assert.is((await call('regulator', 'POST', '/silences', { team: 'ops', matchers: ['target="web1"'], endsAt: new Date(clock() + 3_600_000).toISOString(), comment: 'x' })).status, 403);
  await call('regulator', 'DELETE', `/silences/${sil.body.id}`);
  await db.query(`DELETE FROM alerts WHERE fingerprint = 'fp-reg'`);
});

test(`[${backend}] maintenance windows: one-off and recurring (cron), list, expire; ops only`, async () => {
  assert.is((await call('security', 'POST', '/maintenance', { name: 'x', moduleId: 'portal', endsAt: new Date(clock() + 1e6).toISOString() })).status, 403);
  const bad = await call('ops', 'POST', '/maintenance', { name: '每周', moduleId: 'portal', recurrence: '0 25 * * *', duration: '2h' });
  assert.is(bad.status, 422);
  assert.match(bad.body.error.message, 'cron');
  const rec = await call('ops', 'POST', '/maintenance', { name: '每周日凌晨维护', moduleId: 'portal', recurrence: '0 2 * * 0', duration: '2h', comment: '例行' });
  assert.is(rec.status, 201);
  assert.is(rec.body.startsAt, '2026-11-28T18:00:00.000Z', 'next Sunday 02:00 Beijing');
  const now = await call('ops', 'POST', '/maintenance', { name: '紧急', targetId: 'web1', endsAt: new Date(clock() + 3_600_000).toISOString() });
  assert.is(now.body.state, 'active');
  const rows = await db.query(`SELECT target_id FROM active_maintenance($1)`, [new Date(clock())]);
  assert.equal(rows.rows.map((r) => r.target_id), ['web1']);
  assert.is((await call('regulator', 'GET', '/maintenance?state=upcoming')).body.total, 1);
  // After this occurrence ends the leader moves the window to the next one (plain SQL stays enough for readers).
  assert.is(await advanceRecurring(db, Date.parse('2026-11-28T20:00:00Z')), 1);
  const moved = (await db.query(`SELECT starts_at, ends_at FROM maintenance_windows WHERE id = $1`, [rec.body.id])).rows[0];
  assert.is(new Date(moved.starts_at as string).toISOString(), '2026-12-05T18:00:00.000Z');
  assert.is(new Date(moved.ends_at as string).toISOString(), '2026-12-05T20:00:00.000Z');
  const exp = await call('ops', 'POST', `/maintenance/${now.body.id}/expire`);
  assert.is(exp.body.state, 'expired');
  assert.is((await db.query(`SELECT count(*)::int AS n FROM active_maintenance($1)`, [new Date(clock())])).rows[0].n, 0);
});

test(`[${backend}] rules with current state; receivers without secrets; test-send`, async () => {
  const rules = (await call('regulator', 'GET', '/rules')).body.items;
  assert.equal(rules.map((r: any) => [r.name, r.state, r.firing]), [['目标不可用', 'firing', 1], ['页面篡改', 'firing', 1]]);
  assert.is(rules[0].lastEval, new Date(clock() - 60_000).toISOString(), 'the evaluating instance wrote its status to the database');
  assert.is(rules[0].error, null);
  assert.is(rules[1].params.on.length, 2);
  const rcv = (await call('ops', 'GET', '/receivers')).body.items;
  assert.equal(rcv[0].channels[0], { name: 'webhook#0', type: 'webhook', sendResolved: true, to: new URL(rx.url).origin });
  assert.is((await call('regulator', 'POST', '/receivers/ops/test')).status, 403);
  const before = rx.got.length;
  const t = await call('ops', 'POST', '/receivers/ops/test');
  assert.is(t.status, 200);
  assert.is(rx.got.length, before + 1);
  assert.match(rx.got.at(-1).alerts[0].annotations.summary, '测试通知');
  const broken = await call('ops', 'POST', '/receivers/broken/test');
  assert.is(broken.status, 502);
  assert.match(broken.body.results[0].error, '网络错误');
  assert.is((await call('ops', 'POST', '/receivers/nobody/test')).status, 404);
  const del = (await call('ops', 'GET', '/deliveries?receiver=broken')).body;
  assert.is(del.items[0].status, 'gave_up');
  assert.is(del.items[0].test, true);
  const hist = (await call('ops', 'GET', '/history')).body;
  assert.ok(hist.total >= 5);
});

test.run();
