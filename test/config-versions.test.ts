import { test } from 'uvu';
import * as assert from 'uvu/assert';
import net from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../app/config';
import { startSystem, type System } from '../app/system';
import { silentLogger } from '../core/log';
import { webhookReceiver } from '../alerts/testing/fixtures';
import { openTestDb } from './helpers/db';
import { until } from './helpers/until';

// Versions of the routing tree, silences and maintenance windows (README: 统一配置): the tree is a configuration
// object of its own (one versioned object, admin-written) and an edit reroutes alerts at once; silences and windows
// keep every create, edit, expiry and rollback as a version with the diff, and roll back in one step.
const closed = await new Promise<number>((r) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const port = (s.address() as net.AddressInfo).port;
    s.close(() => r(port));
  });
});
const a = await webhookReceiver();
const b = await webhookReceiver();
const dir = mkdtempSync(join(tmpdir(), 'config-versions-'));
const yaml = `
server: { host: 127.0.0.1, port: 0, dataDir: ${dir} }
log: { level: silent }
collector:
  modules: [{ id: web, name: 政府门户网站 }]
  targets:
    - { id: dead, module: web, name: 坏了的接口, type: tcp, interval: 5s, timeout: 1s, failureThreshold: 1, spec: { host: 127.0.0.1, port: ${closed} } }
alerts:
  evaluationInterval: 1s
  notifyTick: 200ms
  rules:
    - { name: 目标不可用, type: target_down, severity: critical }
  receivers:
    - { name: ops, channels: [{ type: webhook, url: "${a.url}" }] }
    - { name: oncall, channels: [{ type: webhook, url: "${b.url}" }] }
`;
const cfgFile = join(dir, 'config.yaml');
writeFileSync(cfgFile, yaml);
const db = await openTestDb();
const sys: System = await startSystem({ config: parseConfig(yaml, cfgFile), db, log: silentLogger(), roles: ['collector', 'alerts'] });
const tok = async (role: 'ops' | 'security' | 'regulator' | 'admin') => (await sys.auth.createToken({ name: `t-${role}`, role, createdBy: 'test' })).token;
const T = { ops: await tok('ops'), security: await tok('security'), regulator: await tok('regulator'), admin: await tok('admin') };
const api = async (path: string, method = 'GET', body?: unknown, token = T.ops) => {
  const res = await fetch(`${sys.url}/api${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as any };
};
const audited = async (action: string) => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = $1`, [action])).rows[0].n;
const ROUTE = '/alerts/config/route/root';
const tree1 = { receiver: 'ops', groupBy: ['alertname', 'target'], groupWait: '0s', groupInterval: '1s', repeatInterval: '1h' };
const aboutDead = (rx: typeof a) => rx.got.find((g) => g.alerts.some((x: any) => x.labels.target === 'dead'));

test('the routing tree is written by the admin only; a wrong tree gets field-level messages', async () => {
  assert.is((await api(ROUTE)).status, 404, 'no tree stored, none in the file');
  for (const who of ['ops', 'security', 'regulator'] as const) {
    const r = await api(ROUTE, 'PUT', { data: tree1 }, T[who]);
    assert.is(r.status, 403, `${who}: ${JSON.stringify(r.body)}`);
    assert.match(r.body.error.message, /管理员/);
  }
  const bad = await api(ROUTE, 'PUT', { data: { ...tree1, routes: [{ receiver: 'nobody', matchers: ['team=ops'] }] } }, T.admin);
  assert.is(bad.status, 422, JSON.stringify(bad.body));
  const fields = bad.body.error.problems.map((p: any) => p.field).sort();
  assert.equal(fields, ['routes[0].matchers[0]', 'routes[0].receiver']);
  assert.ok(bad.body.error.problems.every((p: any) => /[\u4e00-\u9fff]/.test(p.message) && p.object?.kind === 'route'), JSON.stringify(bad.body.error.problems));
  assert.is(a.got.length + b.got.length, 0, 'without a route nothing is sent');
});

test('a route edit applies to the running router: the alert goes to the new receiver; history and rollback', async () => {
  const r1 = await api(ROUTE, 'PUT', { data: tree1, reason: '初始路由' }, T.admin);
  assert.is(r1.status, 201, JSON.stringify(r1.body));
  assert.is(r1.body.version.action, 'create');
  await until('the alert at ops', () => aboutDead(a), 20_000, 100);
  assert.not.ok(aboutDead(b));
  const r2 = await api(ROUTE, 'PUT', { data: { ...tree1, routes: [{ receiver: 'oncall', matchers: ['target="dead"'] }] }, reason: '坏接口交给值班' }, T.admin);
  assert.is(r2.status, 200, JSON.stringify(r2.body));
  assert.is(r2.body.version.version, 2);
  await until('the alert at oncall (rerouted, no restart)', () => aboutDead(b), 20_000, 100);

  const h = await api(`${ROUTE}/history`, 'GET', undefined, T.regulator);
  assert.is(h.status, 200);
  assert.equal(h.body.items.map((v: any) => `${v.version}:${v.action}:${v.actor}:${v.reason}`), ['2:update:token:t-admin:坏接口交给值班', '1:create:token:t-admin:初始路由']);
  assert.equal(h.body.items[0].diff.map((d: any) => d.path), ['routes']);
  assert.is((await api(`${ROUTE}/rollback`, 'POST', { version: 1 }, T.ops)).status, 403);
  const rb = await api(`${ROUTE}/rollback`, 'POST', { version: 1 }, T.admin);
  assert.is(rb.status, 200, JSON.stringify(rb.body));
  assert.is(rb.body.version.version, 3);
  assert.is(rb.body.version.action, 'rollback');
  assert.equal((await api(ROUTE)).body.data, tree1);
  assert.is(await audited('config.route.update'), 1);
  assert.is(await audited('config.route.rollback'), 1);
  assert.is((await api(`${ROUTE}/clone`, 'POST', { id: 'x' }, T.admin)).status, 400, 'a singleton is not cloned');
});

test('a silence: create, edit, expire and roll back, each a version with the diff; roles as for writes', async () => {
  const endsAt = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();
  const c = await api('/alerts/silences', 'POST', { team: 'ops', matchers: ['target="other"'], endsAt: endsAt(1), comment: '变更窗口' });
  assert.is(c.status, 201, JSON.stringify(c.body));
  const id = c.body.id;
  for (const who of ['security', 'regulator'] as const) {
    assert.is((await api(`/alerts/silences/${id}`, 'PUT', { team: 'ops', matchers: ['target="other"'], endsAt: endsAt(2), comment: 'x' }, T[who])).status, 403, who);
  }
  const bad = await api(`/alerts/silences/${id}`, 'PUT', { team: 'ops', matchers: [], endsAt: endsAt(2), comment: 'x' });
  assert.is(bad.status, 422);
  const e = await api(`/alerts/silences/${id}`, 'PUT', { team: 'ops', matchers: ['target="other"', 'severity="critical"'], startsAt: c.body.startsAt, endsAt: endsAt(2), comment: '变更延长', reason: '延长两小时' });
  assert.is(e.status, 200, JSON.stringify(e.body));
  assert.is(e.body.comment, '变更延长');
  const x = await api(`/alerts/silences/${id}/expire`, 'POST');
  assert.is(x.body.state, 'expired');
  const h = await api(`/alerts/silences/${id}/history`);
  assert.equal(h.body.items.map((v: any) => `${v.version}:${v.action}`), ['3:expire', '2:update', '1:create']);
  assert.is(h.body.items[1].reason, '延长两小时');
  assert.equal(h.body.items[1].diff.map((d: any) => d.path), ['comment', 'endsAt', 'matchers']);
  assert.is(h.body.items[1].diff[0].before, '变更窗口');
  assert.is((await api(`/alerts/silences/${id}/rollback`, 'POST', { version: 2 }, T.regulator)).status, 403);
  assert.is((await api(`/alerts/silences/${id}/rollback`, 'POST', { version: 2 }, T.security)).status, 403);
  assert.is((await api(`/alerts/silences/${id}/rollback`, 'POST', { version: 99 })).status, 404);
  const rb = await api(`/alerts/silences/${id}/rollback`, 'POST', { version: 2, reason: '误操作，恢复' });
  assert.is(rb.status, 200, JSON.stringify(rb.body));
  assert.is(rb.body.item.state, 'active', 'the expiry is undone');
  assert.is(rb.body.item.comment, '变更延长');
  assert.equal(rb.body.item.matchersText, ['team="ops"', 'target="other"', 'severity="critical"']);
  assert.is(rb.body.version.version, 4);
  assert.is(rb.body.version.reason, '误操作，恢复');
  for (const act of ['create', 'update', 'expire', 'rollback']) assert.is(await audited(`alerts.silence.${act}`), 1, act);
  // The notifier reads the restored row: the silence mutes again.
  assert.is((await db.query(`SELECT 1 FROM silences WHERE id = $1 AND ends_at > now()`, [id])).rowCount, 1);
});

test('a maintenance window: edit and roll back, ops only', async () => {
  const at = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();
  const body = { name: '例行维护', targetId: 'elsewhere', startsAt: at(1), endsAt: at(2), comment: '' };
  const c = await api('/alerts/maintenance', 'POST', body);
  assert.is(c.status, 201, JSON.stringify(c.body));
  const id = c.body.id;
  for (const who of ['security', 'regulator'] as const) {
    assert.is((await api(`/alerts/maintenance/${id}`, 'PUT', { ...body, name: 'x' }, T[who])).status, 403, who);
    assert.is((await api(`/alerts/maintenance/${id}/rollback`, 'POST', { version: 1 }, T[who])).status, 403, who);
  }
  assert.is((await api(`/alerts/maintenance/${id}`, 'PUT', { ...body, endsAt: 'soon' })).status, 422);
  const e = await api(`/alerts/maintenance/${id}`, 'PUT', { ...body, name: '例行维护（延后）', startsAt: at(3), endsAt: at(4), reason: '改期' });
  assert.is(e.status, 200, JSON.stringify(e.body));
  const h = await api(`/alerts/maintenance/${id}/history`, 'GET', undefined, T.regulator);
  assert.equal(h.body.items.map((v: any) => `${v.version}:${v.action}`), ['2:update', '1:create']);
  assert.equal(h.body.items[0].diff.map((d: any) => d.path), ['endsAt', 'name', 'startsAt']);
  const rb = await api(`/alerts/maintenance/${id}/rollback`, 'POST', { version: 1 });
  assert.is(rb.status, 200, JSON.stringify(rb.body));
  assert.is(rb.body.item.name, '例行维护');
  assert.is(rb.body.item.startsAt, c.body.startsAt);
  assert.is(rb.body.version.version, 3);
  assert.is(await audited('alerts.maintenance.rollback'), 1);
  assert.is((await api('/alerts/maintenance/999999/history')).status, 404);
});

test('a tree added to the file takes over (the stored one shadowed, read-only); removed again, the stored one runs', async () => {
  writeFileSync(cfgFile, `${yaml}  route: { receiver: oncall }\n`);
  await until('the file\'s tree', async () => (await api(ROUTE)).body.managedBy === 'file', 20_000, 100);
  const list = await api('/alerts/config/route');
  assert.equal(list.body.items.map((o: any) => `${o.managedBy}:${o.shadowed ?? false}`), ['file:false', 'ui:true']);
  assert.is((await api(ROUTE, 'PUT', { data: tree1 }, T.admin)).status, 409);
  assert.is((await api(`${ROUTE}/rollback`, 'POST', { version: 1 }, T.admin)).status, 409);
  writeFileSync(cfgFile, yaml);
  await until('the stored tree again', async () => (await api(ROUTE)).body.managedBy === 'ui', 20_000, 100);
  assert.equal((await api(ROUTE)).body.data, tree1);
});

test.after(async () => {
  await sys.stop();
  await db.close();
  await a.close();
  await b.close();
});
test.run();
