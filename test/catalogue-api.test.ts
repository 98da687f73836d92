import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../app/config';
import { startSystem, type System } from '../app/system';
import { openConfigObjects } from '../app/objects';
import { silentLogger } from '../core/log';
import { openTestDb } from './helpers/db';
import { toGbk } from './helpers/gbk';
import { until } from './helpers/until';

// The interface catalogue import end to end (README: 接口目录导入): preview, apply, re-import idempotent by 接口编码,
// missing ones reported and archived on request, bad rows named by row and column, and the running scheduler probing
// an imported interface on a real server on 127.0.0.1.
const hits = new Map<string, number>();
const platform = http.createServer((req, res) => {
  hits.set(req.url ?? '', (hits.get(req.url ?? '') ?? 0) + 1);
  if (req.url === '/rk/query') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"code":0,"data":[]}');
  if (req.url === '/fr/query') return void res.writeHead(201, { 'content-type': 'application/json' }).end('{"code":0}');
  res.writeHead(404).end();
});
await new Promise<void>((r) => platform.listen(0, '127.0.0.1', () => r()));
const base = `http://127.0.0.1:${(platform.address() as { port: number }).port}`;
const dir = mkdtempSync(join(tmpdir(), 'catalogue-api-'));
const yaml = `
server: { host: 127.0.0.1, port: 0 }
log: { level: silent }
collector:
  journalDir: ${dir}/journal
  batch: { size: 10, age: 50ms }
  modules:
    - { id: portal, name: 政府门户网站 }
  targets:
    - { id: jk-file, module: portal, name: 文件里的接口, type: http, interval: 1h, spec: { url: "${base}/x" } }
alerts:
  receivers: [{ name: ops, channels: [] }]
  route: { receiver: ops }
`;
const cfgFile = join(dir, 'config.yaml');
writeFileSync(cfgFile, yaml);
const db = await openTestDb();
const sys: System = await startSystem({ config: parseConfig(yaml, cfgFile), db, log: silentLogger() });
// A reader of the same store (what the API answers), for the assertions.
const store = openConfigObjects(db, Date.now, () => parseConfig(yaml, cfgFile));
const tok = async (role: 'ops' | 'security' | 'regulator' | 'admin') => (await sys.auth.createToken({ name: `t-${role}`, role, createdBy: 'test' })).token;
const T = { ops: await tok('ops'), security: await tok('security'), regulator: await tok('regulator'), admin: await tok('admin') };
const upload = async (body: Buffer | string, query = '', token = T.ops) => {
  const res = await fetch(`${sys.url}/api/collector/config/catalogue${query}`, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers: { 'content-type': 'application/octet-stream', authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as any };
};
const HEADER = '接口编码,接口名称,接口地址,请求方式,所属系统,提供部门,重要程度,是否涉敏,期望状态码,断言,检测间隔';
const ROW = {
  rk: `RK-001,人口基本信息查询,${base}/rk/query,GET,人口库,市公安局,高,是,200,$.code == 0,5s`,
  fr: `FR-001,法人信息查询,${base}/fr/query,GET,法人库,市市场监管局,中,否,201,,5s`,
  bad: `BAD-001,坏接口,not-a-url,GET,人口库,市公安局,高,否,,,`,
};
const file = (...rows: string[]) => [HEADER, ...rows].join('\n') + '\n';
const versions = async () => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM config_versions`)).rows[0].n;

test('a dry run previews creates and the bad row (row, column, code); nothing is written', async () => {
  const r = await upload(file(ROW.rk, ROW.bad, ROW.fr), '?dryRun=1&name=catalogue.csv');
  assert.is(r.status, 200, JSON.stringify(r.body));
  assert.is(r.body.dryRun, true);
  assert.is(r.body.applied, false);
  assert.equal(r.body.counts, { rows: 3, create: 2, update: 0, unchanged: 0, missing: 0, archived: 0, errors: 1, skipped: 0, modulesCreated: 2 });
  assert.equal(r.body.errors.map((e: any) => [e.row, e.column, e.code, e.interfaceCode]), [[3, '接口地址', 'bad_url', 'BAD-001']]);
  assert.equal(r.body.changes.map((c: any) => [c.op, c.row, c.id]), [['create', 2, 'rk-001'], ['create', 4, 'fr-001']]);
  assert.is(await versions(), 0);
});

test('apply: modules by 所属系统, department, sensitive tag, importance; audited; the scheduler probes it', async () => {
  const r = await upload(file(ROW.rk, ROW.bad, ROW.fr), '?name=catalogue.csv');
  assert.is(r.status, 200);
  assert.is(r.body.applied, true);
  assert.is(r.body.counts.create, 2);
  const rk = (await store.get('target', 'rk-001'))!;
  assert.equal(rk.data.tags, { catalogue: 'RK-001', system: '人口库', department: '市公安局', importance: 'high', sensitive: 'true' });
  assert.equal(rk.data.spec, { url: `${base}/rk/query`, expectStatus: [200], json: [{ path: '$.code', equals: 0 }] });
  const fr = (await store.get('target', 'fr-001'))!;
  assert.is((fr.data.tags as any).sensitive, undefined);
  const mod = (await store.get('module', String(rk.data.module)))!;
  assert.equal([mod.data.name, (mod.data.tags as any).department], ['人口库', '市公安局']);
  const audit = await db.query<{ actor: string; details: any }>(`SELECT actor, details FROM audit_log WHERE action = 'config.catalogue.import'`);
  assert.is(audit.rows.length, 1);
  assert.equal(audit.rows[0].details.created.sort(), ['fr-001', 'rk-001']);
  const hist = await store.history('target', 'rk-001');
  assert.equal(hist.map((v) => v.action), ['import']);
  // Applied without restart: mirrored into the catalogue and probed (the JSON assertion passes) against the local server.
  const ok = await until('probed', async () => (await db.query<{ success: boolean }>(`SELECT success FROM probe_results WHERE target_id = 'rk-001' ORDER BY ts DESC LIMIT 1`)).rows[0], 20_000, 100);
  assert.is(ok.success, true);
  assert.ok((hits.get('/rk/query') ?? 0) >= 1);
  await until('fr probed', async () => (await db.query<{ success: boolean }>(`SELECT success FROM probe_results WHERE target_id = 'fr-001' AND success LIMIT 1`)).rows[0], 20_000, 100);
});

test('re-import: unchanged rows untouched (no version), a changed row updates, an operator’s switch is kept', async () => {
  const before = await versions();
  const same = await upload(file(ROW.rk, ROW.fr));
  assert.equal([same.body.counts.create, same.body.counts.update, same.body.counts.unchanged], [0, 0, 2]);
  assert.is(await versions(), before);
  const off = await fetch(`${sys.url}/api/collector/config/targets/fr-001/disable`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json', authorization: `Bearer ${T.ops}` } });
  assert.is(off.status, 200);
  const changed = await upload(file(ROW.rk.replace('人口基本信息查询', '人口基本信息查询（新）'), ROW.fr));
  assert.equal([changed.body.counts.update, changed.body.counts.unchanged], [1, 1]);
  assert.equal(changed.body.changes[0].diff, [{ path: 'name', before: '人口基本信息查询', after: '人口基本信息查询（新）' }]);
  assert.is((await store.get('target', 'fr-001'))!.data.enabled, false);
});

test('missing interfaces are reported; archived only with archiveMissing', async () => {
  const report = await upload(file(ROW.rk.replace('人口基本信息查询', '人口基本信息查询（新）')));
  assert.equal(report.body.missing, [{ interfaceCode: 'FR-001', id: 'fr-001', name: '法人信息查询', archived: false }]);
  assert.ok(await store.get('target', 'fr-001'));
  const archive = await upload(file(ROW.rk.replace('人口基本信息查询', '人口基本信息查询（新）')), '?archiveMissing=1');
  assert.equal([archive.body.counts.missing, archive.body.counts.archived], [1, 1]);
  assert.is(await store.get('target', 'fr-001'), null);
  assert.is((await db.query(`SELECT deleted FROM config_objects WHERE kind = 'target' AND id = 'fr-001'`)).rows[0].deleted, true);
  // Back in the catalogue: created again, its history continued.
  const back = await upload(file(ROW.rk.replace('人口基本信息查询', '人口基本信息查询（新）'), ROW.fr));
  assert.is(back.body.counts.create, 1);
  assert.equal((await store.history('target', 'fr-001')).map((v) => `${v.version}:${v.action}`), ['4:import', '3:delete', '2:disable', '1:import']);
});

test('GBK, an OpenAPI document, a file-managed id and a missing column', async () => {
  const g = await upload(toGbk(file(`GB-001,国标编码接口,${base}/rk/query,GET,人口库,市公安局,低,否,,,`)), '?dryRun=1');
  assert.is(g.body.encoding, 'gb18030');
  assert.equal(g.body.changes.map((c: any) => [c.id, c.name]), [['gb-001', '国标编码接口']]);
  const doc = { openapi: '3.0.0', info: { title: '开放平台', contact: { name: '市数据局' } }, servers: [{ url: base }], paths: { '/rk/query': { get: { operationId: 'OA-rk', summary: '人口查询', responses: { '200': {} } } } } };
  const o = await upload(JSON.stringify(doc), '?dryRun=1');
  assert.is(o.body.format, 'openapi');
  assert.equal(o.body.changes.map((c: any) => c.id), ['oa-rk']);
  const f = await upload(file(`JK-FILE,改文件的,${base}/x,GET,门户,办公厅,中,否,,,`), '?dryRun=1');
  assert.equal(f.body.errors.map((e: any) => [e.row, e.column, e.code]), [[2, '接口编码', 'managed_by_file']]);
  // A code twice in the file: the second row is the error; a code whose id a hand-made target has: not overwritten.
  const made = await fetch(`${sys.url}/api/collector/config/targets`, { method: 'POST', body: JSON.stringify({ data: { id: 'hand-1', module: 'portal', name: '手工接口', type: 'http', interval: '1h', spec: { url: `${base}/x` } } }), headers: { 'content-type': 'application/json', authorization: `Bearer ${T.ops}` } });
  assert.is(made.status, 201);
  const d = await upload(file(`DUP-1,一,${base}/a,GET,门户,办公厅,中,否,,,`, `DUP-1,二,${base}/b,GET,门户,办公厅,中,否,,,`, `HAND-1,撞号,${base}/c,GET,门户,办公厅,中,否,,,`), '?dryRun=1');
  assert.equal(d.body.errors.map((e: any) => [e.row, e.column, e.code]), [[3, '接口编码', 'duplicate_code'], [4, '接口编码', 'id_conflict']]);
  assert.match(d.body.errors[0].message, /第 2 行重复/);
  assert.match(d.body.errors[1].message, /手工接口/);
  assert.equal(d.body.changes.map((c: any) => c.id), ['dup-1']);
  const m = await upload('接口编码,接口名称\nA,B\n');
  assert.is(m.status, 422);
  assert.is(m.body.error.code, 'missing_column');
  assert.is((await upload('')).status, 400);
  const form = await fetch(`${sys.url}/api/collector/config/catalogue`, { method: 'POST', body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${T.ops}` } });
  assert.is(form.status, 415);
});

test('the targets list filters by department (the target’s, else its module’s); bulk disable and enable in one go', async () => {
  const auth = { authorization: `Bearer ${T.ops}` };
  const list = async (q: string) => (await (await fetch(`${sys.url}/api/collector/targets${q}`, { headers: auth })).json()) as any;
  await until('both mirrored', async () => (await list('?department=%E5%B8%82%E5%85%AC%E5%AE%89%E5%B1%80')).total === 1 && (await list('?department=%E5%B8%82%E5%B8%82%E5%9C%BA%E7%9B%91%E7%AE%A1%E5%B1%80')).total === 1, 20_000, 100);
  assert.equal((await list(`?department=${encodeURIComponent('市公安局')}`)).items.map((t: any) => t.id), ['rk-001']);
  assert.is((await list(`?department=${encodeURIComponent('没有的部门')}`)).total, 0);
  const depts = (await (await fetch(`${sys.url}/api/collector/departments`, { headers: auth })).json()) as any;
  assert.ok(depts.items.some((d: any) => d.department === '市公安局' && d.targets === 1), JSON.stringify(depts));
  const bulk = async (ids: string[], enabled: boolean, token = T.ops) => {
    const r = await fetch(`${sys.url}/api/collector/config/targets/bulk`, { method: 'POST', body: JSON.stringify({ ids, enabled }), headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } });
    return { status: r.status, body: (await r.json()) as any };
  };
  const off = await bulk(['rk-001', 'fr-001', 'jk-file', 'nope'], false);
  assert.is(off.status, 200);
  assert.equal(off.body.changed.sort(), ['fr-001', 'rk-001']);
  assert.equal(off.body.refused.map((x: any) => `${x.id}:${x.code}`), ['jk-file:managed_by_file', 'nope:not_found']);
  await until('rk-001 inactive', async () => (await db.query(`SELECT active FROM targets WHERE id = 'rk-001'`)).rows[0]?.active === false, 20_000, 100);
  assert.equal((await store.history('target', 'rk-001'))[0].action, 'disable');
  const audit = await db.query(`SELECT 1 FROM audit_log WHERE action = 'config.target.disable' AND target = 'target:rk-001'`);
  assert.is(audit.rowCount, 1);
  const on = await bulk(['rk-001', 'fr-001'], true);
  assert.equal(on.body.changed.sort(), ['fr-001', 'rk-001']);
  assert.is((await store.get('target', 'rk-001'))!.data.enabled, undefined);
  await until('rk-001 active', async () => (await db.query(`SELECT active FROM targets WHERE id = 'rk-001'`)).rows[0]?.active === true, 20_000, 100);
  assert.is((await bulk(['rk-001'], false, T.regulator)).status, 403);
});

test('roles: ops and admin import; security and regulator may not', async () => {
  assert.is((await upload(file(ROW.rk), '?dryRun=1', T.admin)).status, 200);
  assert.is((await upload(file(ROW.rk), '?dryRun=1', T.security)).status, 403);
  assert.is((await upload(file(ROW.rk), '?dryRun=1', T.regulator)).status, 403);
  assert.is((await upload(file(ROW.rk), '?dryRun=maybe')).status, 400);
});

test.after(async () => {
  await sys.stop();
  await db.close();
  platform.close();
});
test.run();
