import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import type { Page } from 'playwright-core';
import { backend } from './helpers/db';
import { ARTIFACTS, browserYaml, startBrowserSystem } from './helpers/browser';

// The 配置 page's other kinds and the 管理 page's export → edit → import (README: 统一配置): an operator creates a
// module and an alert rule in the forms, sees the server's field messages, fixes them, rolls the rule back from its
// history, and every step is in the audit log; an admin exports the configuration, edits it, previews the dry-run
// diff (a bad value first, at its line), applies it, and the API shows the change. A receiver's secret is shown
// masked and kept when the form is saved with the mask.
const sys = await startBrowserSystem('dash-config-forms', (dir) => browserYaml({ ops: 'ops', admin: 'admin', anquan: 'security' }) + `collector:
  journalDir: ${dir}/journal
  modules: [{ id: share, name: 共享交换平台 }]
  targets:
    - { id: from-file, module: share, name: 文件里的接口, type: tcp, interval: 1h, spec: { host: 127.0.0.1, port: 9 } }
alerts:
  receivers: [{ name: ops, channels: [{ type: log }] }]
  route: { receiver: ops }
`);
const { dir, db, base, system } = sys;
const adminToken = (await system.auth.createToken({ name: 'setup', role: 'admin', createdBy: 'test' })).token;
const call = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(base + path, { method, headers: { authorization: `Bearer ${adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  return { status: res.status, body: (await res.json().catch(() => null)) as any };
};
// Stored beforehand by the admin: a target (edited later through the export), a security rule the operator may
// only read, and a shared receiver with a secret header.
for (const [path, data] of [
  ['/api/collector/config/targets', { id: 'share-api', module: 'share', name: '共享交换接口', type: 'tcp', interval: '30s', spec: { host: '127.0.0.1', port: 9 } }],
  ['/api/alerts/config/rules', { name: 'cert-soon', type: 'cert_expiry', team: 'security' }],
  ['/api/alerts/config/receivers', { name: 'pager', channels: [{ type: 'webhook', url: 'http://127.0.0.1:9/hook', headers: { Authorization: 'Bearer s3cret-value' } }] }],
] as const) {
  const r = await call('POST', path, { data });
  assert.is(r.status, 201, `${path}: ${JSON.stringify(r.body)}`);
}
const open = sys.open;
const login = (user: string) => sys.login(user, { acceptDialogs: true, acceptDownloads: true });
const fieldError = (page: Page, f: string) => page.textContent(`form.object-form [data-field="${f}"] .field-error`).then((t) => t ?? '');

test('operator: creates a module and a rule in the forms, fixes the field errors, rolls the rule back; audited; others read-only', async () => {
  const { ctx, page } = await login('ops');

  // A module: a bad SLO first; the server's message under the field, nothing saved.
  await open(page, '#/config?kind=module');
  assert.match((await page.textContent('.config-modules')) ?? '', /配置文件（只读）/);
  await page.click('button.add-object');
  await page.waitForSelector('form.object-form[data-kind=module]');
  await page.fill('form.object-form input[name=id]', 'population');
  await page.fill('form.object-form input[name=name]', '人口库');
  await page.fill('form.object-form input[name="tags.department"]', '市公安局');
  await page.fill('form.object-form input[name=slo]', '120');
  await page.click('form.object-form button.save');
  await page.waitForSelector('[data-field="slo"] .field-error:not(:empty)');
  assert.match(await fieldError(page, 'slo'), /100/);
  assert.is((await call('GET', '/api/collector/config/modules/population')).status, 404, 'nothing saved');
  await page.fill('form.object-form input[name=slo]', '99.5');
  await page.click('form.object-form button.save');
  await page.waitForSelector('.config-history tbody tr');
  const mod = (await call('GET', '/api/collector/config/modules/population')).body;
  assert.equal(mod.data, { id: 'population', name: '人口库', slo: 99.5, tags: { department: '市公安局' } });

  // A rule: a bad duration in a field and a bad value among the type's own keys (the JSON area); both shown, then fixed.
  await open(page, '#/config?kind=rule');
  await page.click('button.add-object');
  await page.waitForSelector('form.object-form[data-kind=rule]');
  await page.fill('form.object-form input[name=name]', 'population-down');
  await page.fill('form.object-form input[name=type]', 'target_down');
  await page.fill('form.object-form input[name=modules]', 'population');
  await page.fill('form.object-form input[name=for]', 'soon');
  await page.fill('form.object-form textarea.rest', '{"failures": 0}');
  await page.click('form.object-form button.save');
  await page.waitForSelector('[data-field="for"] .field-error:not(:empty)');
  await page.waitForSelector('[data-field="*"] .field-error:not(:empty)');
  assert.ok((await fieldError(page, 'for')).length > 3);
  assert.match(await fieldError(page, '*'), /failures/);
  await page.screenshot({ path: `${ARTIFACTS}/config-rule-field-error-${backend}.png`, fullPage: true });
  assert.is((await call('GET', '/api/alerts/config/rules/population-down')).status, 404, 'nothing saved');
  await page.fill('form.object-form input[name=for]', '1m');
  await page.fill('form.object-form textarea.rest', '{"failures": 3}');
  await page.click('form.object-form button.save');
  await page.waitForSelector('.config-history tbody tr');

  // Edit: critical; then back to version 1 from the history.
  await page.selectOption('form.object-form select[name=severity]', 'critical');
  await page.fill('form.object-form input[name=reason]', '升级为严重');
  await page.click('form.object-form button.save');
  await page.waitForSelector('.config-history tbody tr:nth-child(2)');
  assert.is((await call('GET', '/api/alerts/config/rules/population-down')).body.data.severity, 'critical');
  await page.click('.config-history button.rollback[data-version="1"]');
  await page.waitForSelector('.config-history tbody tr:nth-child(3)');
  assert.match((await page.textContent('.config-history')) ?? '', /回滚/);
  const rule = (await call('GET', '/api/alerts/config/rules/population-down')).body;
  assert.equal(rule.data, { name: 'population-down', type: 'target_down', modules: ['population'], for: '1m', failures: 3 });
  assert.is(rule.version, 3);
  await page.click('form.object-form button.toggle');
  await page.waitForFunction(() => !!document.querySelector('.config-history tbody tr:nth-child(4)'));
  assert.is((await call('GET', '/api/alerts/config/rules/population-down')).body.data.enabled, false);
  await page.screenshot({ path: `${ARTIFACTS}/config-rule-history-${backend}.png`, fullPage: true });

  // The security team's rule and the shared receiver: read-only for ops, the secret masked.
  await open(page, '#/config/cert-soon?kind=rule');
  assert.is(await page.$('form.object-form'), null);
  assert.is(await page.$('.config-history button.rollback'), null);
  await open(page, '#/config/pager?kind=receiver');
  assert.is(await page.$('form.object-form'), null);
  const shown = (await page.textContent('pre.config-json')) ?? '';
  assert.match(shown, /\*\*\*/);
  assert.not.match(await page.content(), /s3cret-value/);
  await ctx.close();

  const audit = await db.query<{ actor: string; action: string; target: string }>(`SELECT actor, action, target FROM audit_log WHERE target IN ('module:population', 'rule:population-down') ORDER BY id`);
  assert.equal(audit.rows.map((a) => `${a.target} ${a.action}`), [
    'module:population config.module.create',
    'rule:population-down config.rule.create', 'rule:population-down config.rule.update', 'rule:population-down config.rule.rollback', 'rule:population-down config.rule.disable',
  ]);
  assert.ok(audit.rows.every((a) => a.actor === 'ops'));
  // The audit API (the 管理 page's list) has them too.
  const listed = (await call('GET', '/api/auth/audit?actor=ops&action=config.*&limit=50')).body;
  assert.ok(listed.items.some((r: any) => r.action === 'config.rule.rollback' && r.target === 'rule:population-down'), JSON.stringify(listed).slice(0, 300));
});

test('security: edits its own rule in the form; the ops rule and the modules are read-only for it', async () => {
  const { ctx, page } = await login('anquan');
  await open(page, '#/config/cert-soon?kind=rule');
  await page.waitForSelector('form.object-form[data-kind=rule]');
  await page.fill('form.object-form input[name=for]', '10m');
  await page.click('form.object-form button.save');
  await page.waitForSelector('.config-history tbody tr:nth-child(2)');
  assert.is((await call('GET', '/api/alerts/config/rules/cert-soon')).body.data.for, '10m');
  await open(page, '#/config/population-down?kind=rule');
  assert.is(await page.$('form.object-form'), null);
  assert.is(await page.$('.config-history button.rollback'), null);
  await open(page, '#/config?kind=module');
  assert.is(await page.$('button.add-object'), null, 'security adds no module');
  await open(page, '#/config/population?kind=module');
  assert.is(await page.$('form.object-form'), null);
  await ctx.close();
});

test('admin: a receiver saved with its masked secret keeps it; export → edit → dry-run diff → apply in the browser', async () => {
  const { ctx, page } = await login('admin');

  await open(page, '#/config/pager?kind=receiver');
  const channels = await page.inputValue('form.object-form textarea[name=channels]');
  assert.match(channels, /\*\*\*/);
  assert.not.match(channels, /s3cret-value/);
  await page.fill('form.object-form textarea[name=channels]', channels.replace('http://127.0.0.1:9/hook', 'http://127.0.0.1:9/hook2'));
  await page.click('form.object-form button.save');
  await page.waitForSelector('.config-history tbody tr:nth-child(2)');
  const rc = (await call('GET', '/api/alerts/config/receivers/pager')).body;
  assert.equal(rc.data.channels, [{ type: 'webhook', url: 'http://127.0.0.1:9/hook2', headers: { Authorization: 'Bearer s3cret-value' } }]);

  await open(page, '#/admin');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('a.config-export')]);
  const exported = readFileSync((await download.path())!, 'utf8');
  const doc = YAML.parse(exported);
  assert.ok(doc.collector.targets.some((t: any) => t.id === 'share-api' && t.interval === '30s'), exported.slice(0, 400));

  // A bad value first (pasted): its line and field, nothing applied.
  const target = doc.collector.targets.find((t: any) => t.id === 'share-api');
  target.interval = 'soon';
  const bad = YAML.stringify(doc);
  await page.fill('textarea.config-yaml', bad);
  await page.click('button.config-preview');
  await page.waitForSelector('.config-import-errors');
  const row = await page.$$eval('.config-import-errors tbody tr td', (tds) => tds.map((td) => td.textContent ?? ''));
  const badLine = bad.split('\n').findIndex((l) => l.includes('interval: soon')) + 1;
  assert.is(row[0], String(badLine), `the line of the bad value: ${row.join(' | ')}`);
  assert.match(row[1], /share-api/);
  assert.is(row[2], 'interval');
  assert.is(await page.$('button.config-apply'), null);

  // Fixed in the file, picked: the diff, then applied.
  target.interval = '45s';
  const good = join(dir, 'edited.yaml');
  writeFileSync(good, YAML.stringify(doc));
  await page.setInputFiles('input.config-file', good);
  await page.waitForFunction(() => (document.querySelector<HTMLTextAreaElement>('textarea.config-yaml')?.value ?? '').includes('45s'));
  await page.click('button.config-preview');
  // The bad preview's table may still be on the page: wait for this preview's answer, not for any diff table.
  await page.waitForFunction(() => /45s/.test(document.querySelector('.config-import-diff')?.textContent ?? ''), undefined, { timeout: 10_000 }).catch(() => undefined);
  const diff = (await page.textContent('.config-import-diff')) ?? '';
  assert.match(diff, /share-api/);
  assert.match(diff, /interval："30s" → "45s"/);
  assert.is((await call('GET', '/api/collector/config/targets/share-api')).body.data.interval, '30s', 'a dry run writes nothing');
  await page.screenshot({ path: `${ARTIFACTS}/config-import-preview-${backend}.png`, fullPage: true });
  await page.click('button.config-apply');
  await page.waitForFunction(() => /已应用/.test(document.querySelector('.config-import-summary')?.textContent ?? ''));
  const after = (await call('GET', '/api/collector/config/targets/share-api')).body;
  assert.is(after.data.interval, '45s');
  const hist = (await call('GET', '/api/collector/config/targets/share-api/history')).body.items;
  assert.is(hist[0].action, 'import');
  assert.is(hist[0].actor, 'admin');
  // The running scheduler has it too (the import applied without a restart).
  const running = (await call('GET', '/api/collector/targets/share-api')).body;
  assert.ok(running && running.id === 'share-api', JSON.stringify(running).slice(0, 200));
  await ctx.close();

  const audit = await db.query<{ actor: string; action: string; details: any }>(`SELECT actor, action, details FROM audit_log WHERE action IN ('config.export', 'config.import') ORDER BY id`);
  assert.equal(audit.rows.map((a) => `${a.actor} ${a.action}`), ['admin config.export', 'admin config.import']);
  assert.equal(audit.rows[1].details.changes, [{ kind: 'target', id: 'share-api', op: 'update', diff: [{ path: 'interval', before: '30s', after: '45s' }] }]);
});

test('the import API: admin only; a syntax error names its line; the export imports back unchanged', async () => {
  const opsToken = (await system.auth.createToken({ name: 'ops-api', role: 'ops', createdBy: 'test' })).token;
  const asOps = await fetch(base + '/api/config/import', { method: 'POST', headers: { authorization: `Bearer ${opsToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ yaml: 'collector: {}', dryRun: true }) });
  assert.is(asOps.status, 403);
  assert.is((await fetch(base + '/api/config/export', { headers: { authorization: `Bearer ${opsToken}` } })).status, 403);
  const syntax = await call('POST', '/api/config/import', { yaml: 'collector:\n  targets:\n    - { id: x\n', dryRun: true });
  assert.is(syntax.status, 422);
  assert.is(syntax.body.error.code, 'yaml_syntax');
  assert.ok(syntax.body.error.problems[0].line >= 3, JSON.stringify(syntax.body));
  const text = await (await fetch(base + '/api/config/export', { headers: { authorization: `Bearer ${adminToken}` } })).text();
  const again = await call('POST', '/api/config/import', { yaml: text, dryRun: false });
  assert.is(again.status, 200);
  assert.is(again.body.changed, 0);
  assert.is(again.body.applied, false);
});

test.after(async () => {
  await sys.close();
});
test.run();
