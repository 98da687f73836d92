import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../app/config';
import { startSystem } from '../app/system';
import { openTestDb } from './helpers/db';
import { chinaDate } from '../core/china-time';
import { seedAlerts, seedMonitoring } from './dashboard-seed';

// Lists that work at 10,000 targets (issue #13): search, filters, sort, paging and a total counted with the same
// WHERE, on targets, alerts, incidents, silences and the audit log; bad parameters are a 400 naming the field.
const db = await openTestDb();
const now = Date.UTC(2026, 11, 2, 6, 30);
await seedMonitoring(db, { now, modules: 20, targetsPerModule: 5, days: 1, directRollups: true });
await seedAlerts(db, now);
await db.query(`UPDATE targets SET tags = '{"env":"prod","zone":"a"}' WHERE module_id = 'm3'`);
await db.query(`UPDATE targets SET tags = '{"env":"test"}', spec = '{"url":"https://portal.example.gov.cn/health"}' WHERE id = 'm4-t2'`);
// 250 more resolved alerts: the list must not stop at 200.
const extra: unknown[][] = [];
for (let i = 0; i < 250; i++) {
  const t = `m${5 + (i % 10)}-t${i % 5}`;
  extra.push([`fp-x${i}`, 'latency_high', 'probe', JSON.stringify({ target: t }), JSON.stringify({ summary: `慢 ${i}` }), 'info', 'ops', t.split('-')[0], t, 'resolved', 1,
    new Date(now - 30 * 3_600_000 + i * 60_000), new Date(now - 30 * 3_600_000 + i * 60_000), new Date(now - 29 * 3_600_000 + i * 60_000), new Date(now)]);
}
await db.insertMany('alerts', ['fingerprint', 'rule', 'rule_type', 'labels', 'annotations', 'severity', 'team', 'module_id', 'target_id', 'state', 'value', 'active_at', 'starts_at', 'ends_at', 'last_eval'], extra);
// The engine labels every alert with its team (a silence always matches on it).
await db.query(`UPDATE alerts SET labels = labels || jsonb_build_object('team', team)`);

const sys = await startSystem({ config: parseConfig('log: { level: silent }'), db, roles: ['dashboard'], listen: false, clock: () => now });
const admin = (await sys.auth.createToken({ name: 'lists-admin', role: 'admin', createdBy: 'test' })).token;
const ops = (await sys.auth.createToken({ name: 'lists-ops', role: 'ops', createdBy: 'test' })).token;
const req = (path: string, o: { token?: string; method?: string; body?: unknown } = {}) =>
  sys.app.request(path, {
    method: o.method ?? 'GET',
    headers: { authorization: `Bearer ${o.token ?? admin}`, ...(o.body ? { 'content-type': 'application/json' } : {}) },
    body: o.body ? JSON.stringify(o.body) : undefined,
  });
const get = async (path: string, token?: string) => {
  const r = await req(path, { token });
  assert.is(r.status, 200, `${path}: ${r.status} ${r.status !== 200 ? await r.clone().text() : ''}`);
  return r.json();
};
const bad = async (path: string, field: string) => {
  const r = await req(path);
  assert.is(r.status, 400, `${path} should be refused`);
  const b = await r.json();
  assert.is(b.error.field, field, `${path}: field`);
  assert.match(b.error.message, /[\u4e00-\u9fff]/, 'the message is in Chinese');
};
const T = '/api/collector/targets';

test('targets: a page and the total; an offset past the end is an empty page with the same total', async () => {
  const p = await get(`${T}?limit=10`);
  assert.is(p.total, 100);
  assert.is(p.items.length, 10);
  assert.is(p.limit, 10);
  const p2 = await get(`${T}?limit=10&offset=10`);
  assert.not.ok(p2.items.some((x: { id: string }) => p.items.some((y: { id: string }) => y.id === x.id)), 'pages do not overlap');
  const end = await get(`${T}?offset=500`);
  assert.equal([end.items.length, end.total], [0, 100]);
});

test('targets: filters by module, state (several), type, tag; the total counts the filtered set', async () => {
  assert.is((await get(`${T}?module=m2`)).total, 5);
  const down = await get(`${T}?state=down`);
  assert.equal(down.items.map((x: { id: string }) => x.id), ['m0-t0']);
  assert.is((await get(`${T}?state=down,degraded`)).total, 6);
  assert.is((await get(`${T}?type=tls`)).total, 20);
  assert.is((await get(`${T}?type=tls&module=m2`)).total, 1);
  assert.is((await get(`${T}?tag=env`)).total, 6);
  assert.is((await get(`${T}?tag=env=prod`)).total, 5);
  assert.is((await get(`${T}?tag=zone=b`)).total, 0);
});

test('targets: search on id, name and URL, case-insensitive, LIKE characters taken literally', async () => {
  const s = await get(`${T}?q=M1-T`);
  assert.is(s.total, 5, 'm1-t* only (not m10-t*)');
  assert.is((await get(`${T}?q=${encodeURIComponent('接口 m7-t3')}`)).total, 1);
  assert.equal((await get(`${T}?q=portal.example`)).items.map((x: { id: string }) => x.id), ['m4-t2']);
  assert.is((await get(`${T}?q=%25`)).total, 0, '% is a character, not a wildcard');
  assert.is((await get(`${T}?q=_`)).total, 0);
  assert.is((await get(`${T}?q=%20%20`)).total, 100, 'blank search is no search');
});

test('targets: sort by state severity, name, last change; ties broken by id', async () => {
  const s = await get(`${T}?sort=state&limit=7`);
  assert.equal(s.items.map((x: { state: string }) => x.state), ['down', 'degraded', 'degraded', 'degraded', 'degraded', 'degraded', 'up']);
  const worstLast = await get(`${T}?sort=-state&limit=1&offset=99`);
  assert.is(worstLast.items[0].id, 'm0-t0');
  const byName = await get(`${T}?sort=-name&limit=3`);
  assert.equal(byName.items.map((x: { name: string }) => x.name), ['接口 m9-t4', '接口 m9-t3', '接口 m9-t2']);
  const recent = await get(`${T}?sort=-since&limit=1`);
  assert.is(recent.items[0].id, 'm0-t0', 'the most recent state change first');
});

test('targets: bad parameters are a 400 naming the field', async () => {
  await bad(`${T}?state=broken`, 'state');
  await bad(`${T}?sort=colour`, 'sort');
  await bad(`${T}?sort=-`, 'sort');
  await bad(`${T}?limit=0`, 'limit');
  await bad(`${T}?offset=-1`, 'offset');
  await bad(`${T}?q=${'x'.repeat(201)}`, 'q');
  await bad(`${T}?tag==x`, 'tag');
});

const A = '/api/alerts/alerts';
test('alerts: every alert is reachable (no cap at 200); filters, search and sort; total with the same WHERE', async () => {
  const all = await get(`${A}?limit=1000`);
  assert.is(all.total, 254);
  assert.is(all.items.length, 254);
  assert.is(all.items[0].state, 'firing');
  assert.is((await get(`${A}?limit=20&offset=240`)).items.length, 14);
  assert.is((await get(`${A}?state=firing,pending`)).total, 3);
  assert.is((await get(`${A}?team=security`)).total, 1);
  assert.is((await get(`${A}?severity=critical`)).total, 2);
  assert.is((await get(`${A}?module=m5`)).total, 25);
  assert.is((await get(`${A}?q=${encodeURIComponent('证书')}`)).total, 1);
  assert.is((await get(`${A}?q=fp-x1`)).total, 111, 'fp-x1, fp-x10…19, fp-x100…199');
  const sev = await get(`${A}?sort=severity&limit=2`);
  assert.equal(sev.items.map((x: { severity: string }) => x.severity), ['critical', 'critical']);
  const old = await get(`${A}?sort=startsAt&limit=1`);
  assert.is(old.items[0].fingerprint, 'fp-x0');
  await bad(`${A}?severity=urgent`, 'severity');
  await bad(`${A}?acked=maybe`, 'acked');
  await bad(`${A}?sort=team`, 'sort');
  await bad(`${A}?from=2026-13-01`, 'from');
});

test('alerts: acknowledged and silenced alerts are shown as such and can be filtered', async () => {
  const firing = await get(`${A}?state=firing&team=ops`);
  const id = firing.items[0].id;
  assert.is((await req(`${A}/${id}/ack`, { method: 'POST', token: ops, body: { comment: '处理中' } })).status, 200);
  const acked = await get(`${A}?acked=true`);
  assert.equal(acked.items.map((x: { id: number }) => x.id), [id]);
  assert.is(acked.items[0].ack.by, 'token:lists-ops');
  assert.is((await get(`${A}?acked=false`)).total, 253);
  const s = await req('/api/alerts/silences', { method: 'POST', token: ops, body: { team: 'ops', matchers: ['target="m1-t0"'], endsAt: new Date(now + 3_600_000).toISOString(), comment: '变更窗口 CHG-1' } });
  assert.is(s.status, 201);
  const pending = await get(`${A}?state=pending`);
  assert.ok(pending.items[0].mutedBy?.silence, 'the silenced alert says which silence mutes it');
});

test('incidents: open/closed, module, time range, search; bad values are a 400', async () => {
  const I = '/api/collector/incidents';
  assert.is((await get(`${I}`)).total, 2);
  assert.is((await get(`${I}?state=open`)).items[0].ongoing, true);
  assert.is((await get(`${I}?state=closed`)).total, 1);
  assert.is((await get(`${I}?open=false`)).total, 1);
  assert.is((await get(`${I}?module=m1`)).total, 0);
  assert.is((await get(`${I}?from=${new Date(now - 86_400_000).toISOString()}`)).total, 1, 'only the open one overlaps the last day');
  assert.is((await get(`${I}?q=${encodeURIComponent('超时')}`)).total, 1);
  const asc = await get(`${I}?sort=start`);
  assert.is(asc.items[0].ongoing, false, 'oldest first');
  await bad(`${I}?state=maybe`, 'state');
  await bad(`${I}?from=yesterday`, 'from');
});

test('silences: state, team and search over the comment and the matchers', async () => {
  const S = '/api/alerts/silences';
  await req(S, { method: 'POST', body: { team: 'security', matchers: ['module="m3"'], endsAt: new Date(now + 7_200_000).toISOString(), comment: '安全扫描' } });
  assert.is((await get(S)).total, 2);
  assert.is((await get(`${S}?team=security`)).total, 1);
  assert.is((await get(`${S}?q=CHG-1`)).total, 1);
  assert.is((await get(`${S}?q=m3`)).items[0].team, 'security', 'matchers are searched');
  assert.is((await get(`${S}?state=expired`)).total, 0);
  await bad(`${S}?state=gone`, 'state');
});

test('audit: filters by actor, action (exact or prefix), object, time, text; CSV export with the same filters', async () => {
  const U = '/api/auth/audit';
  const all = await get(U);
  assert.ok(all.total >= 3);
  const byOps = await get(`${U}?actor=token:lists-ops`);
  assert.equal(byOps.items.map((x: { action: string }) => x.action).sort(), ['alerts.ack', 'alerts.silence.create']);
  assert.is((await get(`${U}?action=alerts.ack`)).total, 1);
  assert.is((await get(`${U}?action=alerts.*`)).total, 3);
  assert.is((await get(`${U}?object=silence:`)).total, 2);
  assert.is((await get(`${U}?q=CHG-1`)).total, 1, 'details are searched');
  assert.is((await get(`${U}?to=2000-01-01`)).total, 0);
  await bad(`${U}?from=2026-02-30`, 'from');
  assert.is((await req(U, { token: ops })).status, 403, 'admin only');

  const csv = await req(`${U}.csv?action=alerts.*`);
  assert.is(csv.status, 200);
  assert.match(csv.headers.get('content-type')!, /text\/csv/);
  // Dated by the system's clock, in UTC+8.
  assert.is(csv.headers.get('content-disposition'), `attachment; filename="audit-${chinaDate(now)}.csv"`);
  const bytes = new Uint8Array(await csv.arrayBuffer());
  assert.equal([...bytes.slice(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with BOM');
  const text = new TextDecoder().decode(bytes);
  assert.ok(text.startsWith('时间,操作人,角色,动作,对象,IP,详情'), text.slice(0, 80));
  assert.is(text.trim().split('\n').length, 4, 'header + 3 rows');
  assert.ok(text.includes('alerts.silence.create'));
  assert.is((await get(`${U}?action=audit.export`)).total, 1, 'the export is itself audited');
});

test.after(async () => {
  await sys.stop();
  await db.close();
});
test.run();
