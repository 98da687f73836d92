import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../app/config';
import { startSystem, type System } from '../app/system';
import { silentLogger } from '../core/log';
import { openTestDb } from './helpers/db';
import { until } from './helpers/until';

// The configuration store end to end (README: 统一配置): objects written through the API run at once, with versions,
// rollback and audit; the file's objects are read-only; stored ones survive a file reload.
let status = 200;
const platform = http.createServer((req, res) => void res.writeHead(req.url === '/api' ? status : 404).end('{"ok":true}'));
await new Promise<void>((r) => platform.listen(0, '127.0.0.1', () => r()));
const base = `http://127.0.0.1:${(platform.address() as { port: number }).port}`;
const dir = mkdtempSync(join(tmpdir(), 'config-store-'));
const yaml = (extra = '') => `
server: { host: 127.0.0.1, port: 0 }
log: { level: silent }
collector:
  journalDir: ${dir}/journal
  batch: { size: 10, age: 50ms }
  modules:
    - { id: portal, name: 政府门户网站 }
  targets:
    - { id: filed, module: portal, name: 文件里的接口, type: http, interval: 5s, spec: { url: "${base}/api" } }
${extra}
alerts:
  rules:
    - { name: 目标不可用, type: target_down, severity: critical }
  receivers: [{ name: ops, channels: [] }]
  route: { receiver: ops }
`;
const cfgFile = join(dir, 'config.yaml');
writeFileSync(cfgFile, yaml());
const db = await openTestDb();
const sys: System = await startSystem({ config: parseConfig(yaml(), cfgFile), db, log: silentLogger() });
const tok = async (role: 'ops' | 'security' | 'regulator' | 'admin') => (await sys.auth.createToken({ name: `t-${role}`, role, createdBy: 'test' })).token;
const T = { ops: await tok('ops'), security: await tok('security'), regulator: await tok('regulator'), admin: await tok('admin') };
const api = async (path: string, method = 'GET', body?: unknown, token = T.ops) => {
  const res = await fetch(`${sys.url}/api${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as any };
};
const target = (over: Record<string, unknown> = {}) => ({ id: 'added', module: 'portal', name: '新接口', type: 'http', interval: '5s', spec: { url: `${base}/api`, expectStatus: [200] }, ...over });

test('an operator adds a target through the API: it runs at once, in the scheduler and the catalogue', async () => {
  const r = await api('/collector/config/targets', 'POST', { data: target(), reason: '新上线接口' });
  assert.is(r.status, 201, JSON.stringify(r.body));
  assert.is(r.body.object.managedBy, 'ui');
  assert.is(r.body.object.version, 1);
  const row = await until('mirrored', async () => (await db.query(`SELECT active FROM targets WHERE id = 'added'`)).rows[0], 15_000, 100);
  assert.is((row as any).active, true);
  await until('probed', async () => (await db.query(`SELECT 1 FROM probe_results WHERE target_id = 'added' LIMIT 1`)).rowCount > 0, 15_000, 100);
  const list = await api('/collector/config/targets');
  assert.equal(list.body.items.map((o: any) => `${o.id}:${o.managedBy}`).sort(), ['added:ui', 'filed:file']);
});

test('the list of a kind: searched, filtered and paged on the server, with the total and the departments', async () => {
  for (const [id, dept, on] of [['pg-a1', '市大数据局', true], ['pg-a2', '市大数据局', false], ['pg-b1', '市人社局', true]] as const) {
    const r = await api('/collector/config/targets', 'POST', { data: target({ id, name: `分页 ${id}`, interval: '1h', enabled: on, tags: { department: dept } }) });
    assert.is(r.status, 201, JSON.stringify(r.body));
  }
  const all = await api('/collector/config/targets');
  assert.is(all.body.total, all.body.items.length, 'without a page: every object');
  assert.ok(all.body.departments.includes('市大数据局') && all.body.departments.includes('市人社局'));
  const page = await api('/collector/config/targets?q=PG-&limit=2&offset=0');
  assert.is(page.body.total, 3);
  assert.equal(page.body.items.map((o: any) => o.id), ['pg-a1', 'pg-a2'], 'sorted by id, cut to the page');
  assert.equal((await api('/collector/config/targets?q=pg-&limit=2&offset=2')).body.items.map((o: any) => o.id), ['pg-b1']);
  assert.equal((await api('/collector/config/targets?q=pg-&sort=-id&limit=1')).body.items.map((o: any) => o.id), ['pg-b1']);
  const dept = await api(`/collector/config/targets?department=${encodeURIComponent('市大数据局')}&enabled=off`);
  assert.equal(dept.body.items.map((o: any) => o.id), ['pg-a2']);
  assert.equal((await api('/collector/config/targets?managed=file')).body.items.map((o: any) => o.id), ['filed']);
  assert.is((await api('/collector/config/targets?q=pg-&module=portal')).body.total, 3);
  assert.is((await api('/collector/config/targets?q=pg-&module=nope')).body.total, 0);
  const bad = await api('/collector/config/targets?enabled=maybe');
  assert.is(bad.status, 400);
  assert.is(bad.body.error.field, 'enabled');
  for (const id of ['pg-a1', 'pg-a2', 'pg-b1']) assert.is((await api(`/collector/config/targets/${id}`, 'DELETE')).status, 200);
});

test('a mistake is a field-level message in Chinese; nothing is saved', async () => {
  const r = await api('/collector/config/targets/added', 'PUT', { data: target({ name: '', failureThreshold: 0 }) });
  assert.is(r.status, 422);
  const fields = r.body.error.problems.map((p: any) => p.field).sort();
  assert.equal(fields, ['failureThreshold', 'name']);
  // A cross-object check (the module must exist) is the section's own, as for the file.
  const m = await api('/collector/config/targets/added', 'PUT', { data: target({ module: 'nowhere' }) });
  assert.is(m.body.error.problems[0].field, 'module');
  assert.match(m.body.error.problems[0].message, /nowhere/);
  assert.match(r.body.error.problems.find((p: any) => p.field === 'failureThreshold').message, /太小/);
  assert.match(r.body.error.message, /未保存/);
  assert.is((await api('/collector/config/targets/added')).body.version, 1);
});

test('the file manages its own objects: 409 with a way out', async () => {
  const r = await api('/collector/config/targets/filed', 'PUT', { data: target({ id: 'filed' }) });
  assert.is(r.status, 409);
  assert.is(r.body.error.code, 'managed_by_file');
  assert.match(r.body.error.message, /配置文件/);
  assert.match(r.body.error.message, /config import/);
  assert.is((await api('/collector/config/targets', 'POST', { data: target({ id: 'filed' }) })).status, 409);
});

test('a routing tree in the file is the file\'s: read-only through the API, shown as managed by the file', async () => {
  const g = await api('/alerts/config/route/root');
  assert.is(g.status, 200);
  assert.is(g.body.managedBy, 'file');
  assert.equal(g.body.data, { receiver: 'ops' });
  const r = await api('/alerts/config/route/root', 'PUT', { data: { receiver: 'ops', groupWait: '1s' } }, T.admin);
  assert.is(r.status, 409);
  assert.is(r.body.error.code, 'managed_by_file');
  assert.is((await api('/alerts/config/route/other', 'PUT', { data: { receiver: 'ops' } }, T.admin)).status, 404, 'a singleton has one id');
});

test('edit, disable, history, rollback, delete (archived), audit with before/after', async () => {
  const e = await api('/collector/config/targets/added', 'PUT', { data: target({ spec: { url: `${base}/api`, expectStatus: [201] } }), reason: '断言改为 201' });
  assert.is(e.status, 200);
  assert.equal(e.body.version.diff, [{ path: 'spec.expectStatus', before: [200], after: [201] }]);
  assert.is((await api('/collector/config/targets/added/disable', 'POST', {})).body.object.data.enabled, false);
  await until('disabled in the catalogue', async () => (await db.query(`SELECT active FROM targets WHERE id = 'added'`)).rows[0]?.active === false, 15_000, 100);
  const h = await api('/collector/config/targets/added/history');
  assert.equal(h.body.items.map((v: any) => v.action), ['disable', 'update', 'create']);
  assert.is(h.body.items[1].reason, '断言改为 201');
  const rb = await api('/collector/config/targets/added/rollback', 'POST', { version: 1 });
  assert.is(rb.status, 200);
  assert.is(rb.body.object.version, 4);
  assert.equal(rb.body.object.data.spec.expectStatus, [200]);
  assert.is(rb.body.object.data.enabled, undefined);
  assert.is((await api('/collector/config/targets/added/rollback', 'POST', { version: 99 })).status, 404);
  const audit = await db.query<{ action: string; details: any }>(`SELECT action, details FROM audit_log WHERE target = 'target:added' ORDER BY id`);
  assert.equal(audit.rows.map((a) => a.action), ['config.target.create', 'config.target.update', 'config.target.disable', 'config.target.rollback']);
  assert.equal(audit.rows[1].details.before.spec.expectStatus, [200]);
  assert.equal(audit.rows[1].details.after.spec.expectStatus, [201]);
  const c = await api('/collector/config/targets/added/clone', 'POST', { id: 'added-copy' });
  assert.is(c.status, 201);
  const d = await api('/collector/config/targets/added-copy', 'DELETE');
  assert.is(d.status, 200);
  assert.is((await api('/collector/config/targets/added-copy')).status, 404);
  assert.is((await db.query(`SELECT deleted FROM config_objects WHERE id = 'added-copy'`)).rows[0].deleted, true);
  await until('archived in the catalogue', async () => (await db.query(`SELECT active FROM targets WHERE id = 'added-copy'`)).rows[0]?.active === false, 15_000, 100);
});

test('roles: regulator none, security not the ops team’s rules, ops its own', async () => {
  assert.is((await api('/collector/config/targets', 'POST', { data: target({ id: 'x1' }) }, T.regulator)).status, 403);
  assert.is((await api('/collector/config/targets', 'POST', { data: target({ id: 'x2' }) }, T.security)).status, 403);
  const rule = { name: '接口变慢', type: 'target_down', severity: 'warning', team: 'ops' };
  assert.is((await api('/alerts/config/rules', 'POST', { data: rule }, T.security)).status, 403);
  assert.is((await api('/alerts/config/rules', 'POST', { data: { ...rule, team: 'security', name: '安全规则' } }, T.security)).status, 201);
  assert.is((await api('/alerts/config/rules', 'POST', { data: rule }, T.ops)).status, 201);
  assert.is((await api('/alerts/config/rules/安全规则', 'PUT', { data: { ...rule, team: 'security', name: '安全规则', severity: 'critical' } }, T.ops)).status, 403);
  assert.is((await api('/alerts/config/rules/安全规则/disable', 'POST', {}, T.admin)).status, 200);
  await until('rule running', async () => (await api('/alerts/rules')).body.items?.some((r: any) => r.name === '接口变慢'), 15_000, 100);
});

test('modules and receivers: a module still used cannot be archived (the message names the target); a receiver is validated by its channel schema', async () => {
  assert.is((await api('/collector/config/modules', 'POST', { data: { id: 'exchange', name: '共享交换平台' } })).status, 201);
  assert.is((await api('/collector/config/targets', 'POST', { data: target({ id: 'in-exchange', module: 'exchange' }) })).status, 201);
  const d = await api('/collector/config/modules/exchange', 'DELETE');
  assert.is(d.status, 422);
  assert.equal(d.body.error.problems[0].object, { kind: 'target', id: 'in-exchange' });
  assert.match(d.body.error.message, /监测对象 in-exchange 的 module/);
  const bad = await api('/alerts/config/receivers', 'POST', { data: { name: 'duty', team: 'ops', channels: [{ type: 'webhook', url: 'not a url' }] } });
  assert.is(bad.status, 422);
  assert.ok(bad.body.error.problems.some((p: any) => p.field.startsWith('channels[0]')), JSON.stringify(bad.body));
  assert.is((await api('/alerts/config/receivers', 'POST', { data: { name: 'duty', team: 'ops', channels: [{ type: 'webhook', url: `${base}/hook` }] } })).status, 201);
  assert.is((await api('/alerts/config/receivers', 'POST', { data: { name: 'shared', channels: [] } })).status, 403, 'a shared receiver is admin’s');
});

test('secrets are masked for readers who may not write the object; writers see the file form', async () => {
  const hb = { id: 'job', module: 'portal', name: '夜间同步', type: 'heartbeat', interval: '1h', token: 'hb-token-0123456789abcdef', spec: { period: '1h' } };
  assert.is((await api('/collector/config/targets', 'POST', { data: hb })).status, 201);
  assert.is((await api('/collector/config/targets/job')).body.data.token, 'hb-token-0123456789abcdef');
  const asRegulator = await api('/collector/config/targets/job', 'GET', undefined, T.regulator);
  assert.is(asRegulator.body.data.token, '***');
  const h = await api('/collector/config/targets/job/history', 'GET', undefined, T.regulator);
  assert.is(h.body.items[0].after.token, '***');
  assert.not.match(JSON.stringify(h.body), /hb-token/);
  // A file object: the regulator is refused as a writer before it learns the file manages it.
  assert.is((await api('/collector/config/targets/filed', 'PUT', { data: target({ id: 'filed' }) }, T.regulator)).status, 403);
});

test('a write that sends *** back keeps the stored secret; a reader sees no secret inside a list diff', async () => {
  const hook = { type: 'webhook', url: `${base}/hook`, headers: { Authorization: 'Bearer hook-secret-42' } };
  assert.is((await api('/alerts/config/receivers', 'POST', { data: { name: 'masked', team: 'ops', channels: [hook] } })).status, 201);
  const asSecurity = await api('/alerts/config/receivers/masked', 'GET', undefined, T.security);
  assert.is(asSecurity.body.data.channels[0].headers, '***');
  assert.is(asSecurity.body.mayWrite, false);
  assert.is((await api('/alerts/config/receivers/masked')).body.mayWrite, true);
  const h = await api('/alerts/config/receivers/masked/history', 'GET', undefined, T.security);
  assert.not.match(JSON.stringify(h.body), /hook-secret-42/);
  // The form's round trip: the masked object, one field changed, saved.
  const w = await api('/alerts/config/receivers/masked', 'PUT', { data: { name: 'masked', team: 'ops', channels: [{ ...hook, url: `${base}/hook2`, headers: '***' }] } });
  assert.is(w.status, 200, JSON.stringify(w.body));
  assert.equal(w.body.object.data.channels[0], { ...hook, url: `${base}/hook2` });
  // A new value replaces it.
  const r = await api('/alerts/config/receivers/masked', 'PUT', { data: { name: 'masked', team: 'ops', channels: [{ ...hook, headers: { Authorization: 'Bearer new' } }] } });
  assert.equal(r.body.object.data.channels[0].headers, { Authorization: 'Bearer new' });
  // The audit log keeps before / after / diff without the secrets (the versions have them, for rollback).
  const audit = await db.query<{ details: unknown }>(`SELECT details FROM audit_log WHERE target = 'receiver:masked'`);
  assert.is(audit.rows.length, 3);
  assert.not.match(JSON.stringify(audit.rows), /hook-secret-42|Bearer new/);
});

test('a PUT with reordered masked channels keeps each its own secret; a *** with no stored value behind it is refused with its path, after who may write', async () => {
  const ch = (n: number) => ({ type: 'webhook', url: `${base}/hook${n}`, headers: { Authorization: `Bearer secret-${n}` } });
  assert.is((await api('/alerts/config/receivers', 'POST', { data: { name: 'multi', team: 'ops', channels: [ch(1), ch(2), ch(3)] } })).status, 201);
  const m = (n: number) => ({ ...ch(n), headers: '***' });
  // The form's round trip with the channels reordered and the middle one removed: each keeps its own header secret.
  const w = await api('/alerts/config/receivers/multi', 'PUT', { data: { name: 'multi', team: 'ops', channels: [m(3), m(1)] } });
  assert.is(w.status, 200, JSON.stringify(w.body));
  assert.equal((await api('/alerts/config/receivers/multi')).body.data.channels, [ch(3), ch(1)]);
  // A new channel carrying ***: 422 naming the field, nothing stored, no secret in the answer.
  const bad = await api('/alerts/config/receivers/multi', 'PUT', { data: { name: 'multi', team: 'ops', channels: [m(3), m(1), m(4)] } });
  assert.is(bad.status, 422, JSON.stringify(bad.body));
  assert.equal(bad.body.error.problems.map((p: any) => p.field), ['channels[2].headers']);
  assert.match(bad.body.error.problems[0].message, /^channels\[2\]\.headers 仍为 \*\*\*：.*请重新填写/);
  assert.not.match(JSON.stringify(bad.body), /secret-\d/);
  // An edited url with its secret masked after a reorder: the position would be another channel's — refused too.
  const moved = await api('/alerts/config/receivers/multi', 'PUT', { data: { name: 'multi', team: 'ops', channels: [m(1), { ...m(3), url: `${base}/hook9` }] } });
  assert.is(moved.status, 422, JSON.stringify(moved.body));
  assert.equal(moved.body.error.problems.map((p: any) => p.field), ['channels[1].headers']);
  assert.equal((await api('/alerts/config/receivers/multi')).body.data.channels, [ch(3), ch(1)]);
  // A create carrying *** has nothing to keep: refused the same way.
  const created = await api('/alerts/config/receivers', 'POST', { data: { name: 'masked-new', team: 'ops', channels: [m(5)] } });
  assert.is(created.status, 422, JSON.stringify(created.body));
  assert.equal(created.body.error.problems.map((p: any) => p.field), ['channels[0].headers']);
  // Who may write is asked first: a reader who may not write the receiver sending *** back is refused as a writer
  // (403), not told about the secret (422); the same for a create.
  const reader = await api('/alerts/config/receivers/multi', 'PUT', { data: { name: 'multi', team: 'ops', channels: [m(3), m(1), m(4)] } }, T.security);
  assert.is(reader.status, 403, JSON.stringify(reader.body));
  const readerNew = await api('/alerts/config/receivers', 'POST', { data: { name: 'masked-new', team: 'ops', channels: [m(5)] } }, T.security);
  assert.is(readerNew.status, 403, JSON.stringify(readerNew.body));
  assert.equal((await api('/alerts/config/receivers/multi')).body.data.channels, [ch(3), ch(1)]);
});

test('a file reload keeps the stored objects; a file object with the same id wins', async () => {
  writeFileSync(cfgFile, yaml(`    - { id: from-file-2, module: portal, name: 后加的, type: http, interval: 5s, spec: { url: "${base}/api" } }`));
  await until('reloaded', async () => (await db.query(`SELECT 1 FROM targets WHERE id = 'from-file-2' AND active`)).rowCount > 0, 15_000, 100);
  const list = await api('/collector/config/targets');
  assert.ok(list.body.items.some((o: any) => o.id === 'added' && o.managedBy === 'ui'));
  assert.is((await db.query(`SELECT active FROM targets WHERE id = 'added'`)).rows[0].active, true);
  // The file takes over an id the store has: the file's object runs, the stored one is listed as shadowed.
  writeFileSync(cfgFile, yaml(`    - { id: added, module: portal, name: 文件接管, type: http, interval: 5s, spec: { url: "${base}/api" } }`));
  await until('taken over by the file', async () => (await db.query(`SELECT 1 FROM targets WHERE id = 'added' AND name = '文件接管'`)).rowCount > 0, 15_000, 100);
  const after = (await api('/collector/config/targets')).body.items.filter((o: any) => o.id === 'added');
  assert.equal(after.map((o: any) => `${o.managedBy}:${o.shadowed ?? false}`), ['file:false', 'ui:true']);
  assert.is((await api('/collector/config/targets/added', 'PUT', { data: target() })).status, 409);
});

test.after(async () => {
  await sys.stop();
  await db.close();
  platform.close();
});
test.run();
