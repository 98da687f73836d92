import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { parseConfig } from '../app/config';
import { startSystem, type System } from '../app/system';
import { openConfigObjects } from '../app/objects';
import { exportYaml, formatPlan, readImportDoc } from '../app/cli/config';
import { importYaml, ImportSyntaxError } from '../core/config/exchange';
import { silentLogger } from '../core/log';
import { openTestDb } from './helpers/db';
import { until } from './helpers/until';

// `config export` / `config import` (app/cli/config.ts) against a running system on the same database: the import
// runs as another process would (its own store, no in-process apply), and the system picks it up by polling.
const dir = mkdtempSync(join(tmpdir(), 'config-cli-'));
const yaml = `
server: { host: 127.0.0.1, port: 0 }
log: { level: silent }
collector:
  journalDir: ${dir}/journal
  modules:
    - { id: portal, name: 政府门户网站 }
  targets:
    - { id: filed, module: portal, name: 文件里的, type: tcp, interval: 1h, spec: { host: 127.0.0.1, port: 9 } }
`;
const cfgFile = join(dir, 'config.yaml');
writeFileSync(cfgFile, yaml);
const db = await openTestDb();
const config = parseConfig(yaml, cfgFile);
const sys: System = await startSystem({ config, db, log: silentLogger(), listen: false });
const cli = openConfigObjects(db, Date.now, () => config); // "another process": no onChange
const admin = (await sys.auth.createToken({ name: 't-admin', role: 'admin', createdBy: 'test' })).token;
const req = (path: string, method = 'GET', body?: unknown) =>
  sys.app.request(`/api${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` } });

test('export writes what runs; importing it back changes nothing (round trip)', async () => {
  const r = await req('/collector/config/targets', 'POST', { data: { id: 'ui-one', module: 'portal', name: '界面加的', type: 'tcp', interval: '1h', tags: { system: '人口库' }, spec: { host: '127.0.0.1', port: 10 } } });
  assert.is(r.status, 201, await r.clone().text());
  const text = await exportYaml(cli);
  const doc = YAML.parse(text);
  assert.equal(doc.collector.targets.map((t: any) => t.id), ['filed', 'ui-one']);
  assert.is(doc.collector.targets[1].tags.system, '人口库');
  const plan = await cli.plan(readImportDoc(text, 'export.yaml'));
  assert.equal(plan.errors, []);
  assert.equal(plan.changes, []);
  assert.match(formatPlan(plan, true), /没有变化/);
  assert.is(await exportYaml(cli), text);
});

test('an edited export: the dry run prints the exact diff and writes nothing; the import applies in one go', async () => {
  const doc = YAML.parse(await exportYaml(cli));
  doc.collector.targets[1].interval = '30s';
  doc.collector.targets.push({ id: 'ui-two', module: 'portal', name: '第二个', type: 'tcp', interval: '1h', spec: { host: '127.0.0.1', port: 11 } });
  const plan = await cli.plan(readImportDoc(YAML.stringify(doc), 'edited.yaml'));
  const out = formatPlan(plan, true);
  assert.match(out, /~ target ui-one：修改\n {4}interval: "1h" → "30s"/);
  assert.match(out, /\+ target ui-two：新增/);
  assert.match(out, /共 2 项变化（--dry-run：未写入）/);
  assert.is((await db.query(`SELECT 1 FROM config_objects WHERE id = 'ui-two'`)).rowCount, 0);
  assert.is(await cli.apply(plan, { name: 'cli:test', role: 'admin' }), 2);
  const versions = await db.query<{ action: string }>(`SELECT action FROM config_versions WHERE id IN ('ui-one', 'ui-two') ORDER BY seq`);
  assert.equal(versions.rows.map((v) => v.action), ['create', 'import', 'import']);
  // The running system notices within its poll interval (no restart).
  await until('ui-two applied (live and mirrored)', async () => {
    // The health API reads the running configuration; the catalogue is mirrored on apply.
    const live = (await req('/collector/targets/ui-two')).status === 200;
    const mirrored = (await db.query(`SELECT 1 FROM targets WHERE id = 'ui-two' AND active`)).rowCount > 0;
    return live && mirrored;
  }, 10_000);
});

test('importing a change to a file-managed object is refused, nothing applied; --prune archives what the file lacks', async () => {
  const doc = YAML.parse(await exportYaml(cli));
  doc.collector.targets[0].name = '改了文件的';
  doc.collector.targets = doc.collector.targets.filter((t: any) => t.id !== 'ui-two');
  const bad = await cli.plan(doc);
  assert.is(bad.errors.length, 1);
  assert.match(bad.errors[0].message, /由配置文件管理/);
  let refused = false;
  await cli.apply(bad, { name: 'x' }).catch(() => (refused = true));
  assert.ok(refused, 'a plan with errors is not applied');
  doc.collector.targets[0].name = '文件里的';
  const keep = await cli.plan(doc);
  assert.equal(keep.changes.map((c) => `${c.op}:${c.id}`), ['keep:ui-two']);
  const prune = await cli.plan(doc, true);
  assert.equal(prune.changes.map((c) => `${c.op}:${c.id}`), ['delete:ui-two']);
  await cli.apply(prune, { name: 'cli:test' });
  assert.is((await db.query(`SELECT deleted FROM config_objects WHERE id = 'ui-two'`)).rows[0].deleted, true);
});

test('an import whose objects do not fit together is refused with the object and field', async () => {
  const plan = await cli.plan({ collector: { targets: [{ id: 'orphan', module: 'no-such', name: 'x', type: 'tcp', spec: { host: '127.0.0.1', port: 1 } }] } });
  assert.ok(plan.errors.some((e) => e.object?.id === 'orphan' && e.field === 'module'), JSON.stringify(plan.errors));
  // The same import as text (the CLI's and the admin API's path): each problem at its line of the file.
  const text = 'collector:\n  targets:\n    - id: orphan\n      module: no-such\n      name: x\n      type: tcp\n      spec: { host: 127.0.0.1, port: 1 }\n';
  const r = await importYaml(cli, text, { file: 'orphan.yaml', dryRun: false, actor: { name: 'cli:test' } });
  assert.is(r.applied, false);
  assert.ok(r.errors.some((e) => e.field === 'module' && e.line === 4), JSON.stringify(r.errors));
  assert.match(formatPlan(r.plan, false, r.errors), /! 第 4 行 target orphan module：/);
  assert.is((await db.query(`SELECT 1 FROM config_objects WHERE id = 'orphan'`)).rowCount, 0);
  let syntax: unknown;
  await importYaml(cli, 'collector:\n  targets: [\n', { file: 'broken.yaml', dryRun: true, actor: { name: 'x' } }).catch((e) => (syntax = e));
  assert.ok(syntax instanceof ImportSyntaxError && syntax.line !== undefined && /broken\.yaml/.test(syntax.message), String(syntax));
});

test('the routing tree (one object, not a list) round-trips: export → import unchanged; an edit is one change', async () => {
  for (const name of ['ops', 'security']) assert.is((await req('/alerts/config/receivers', 'POST', { data: { name, channels: [] } })).status, 201);
  const tree = { receiver: 'ops', groupWait: '10s', routes: [{ receiver: 'security', matchers: ['team="security"'] }] };
  const put = await req('/alerts/config/route/root', 'PUT', { data: tree, reason: '初始路由' });
  assert.is(put.status, 201, await put.clone().text());
  const text = await exportYaml(cli);
  const doc = YAML.parse(text);
  assert.equal(doc.alerts.route, tree, 'the tree as written, at alerts.route');
  const same = await cli.plan(readImportDoc(text, 'export.yaml'));
  assert.equal(same.errors, []);
  assert.equal(same.changes, []);
  doc.alerts.route.routes[0].continue = true;
  const plan = await cli.plan(readImportDoc(YAML.stringify(doc), 'edited.yaml'));
  assert.match(formatPlan(plan, true), /~ route root：修改\n {4}routes: /);
  assert.is(await cli.apply(plan, { name: 'cli:test', role: 'admin' }), 1);
  const h = await req('/alerts/config/route/root/history');
  assert.equal(((await h.json()) as any).items.map((v: any) => `${v.version}:${v.action}`), ['2:import', '1:create']);
  assert.equal(YAML.parse(await exportYaml(cli)).alerts.route.routes[0].continue, true);
  // A tree that names no receiver is refused with the object and the field.
  const bad = await cli.plan({ alerts: { route: { receiver: 'nobody' } } });
  assert.ok(bad.errors.some((e) => e.object?.kind === 'route' && e.field === 'receiver'), JSON.stringify(bad.errors));
});

test.after(async () => {
  await sys.stop();
  await db.close();
});
test.run();
