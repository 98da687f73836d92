import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http from 'node:http';
import { backend } from './helpers/db';
import { ARTIFACTS, browserYaml, startBrowserSystem, until } from './helpers/browser';

// The operator's edit flow in the browser (README: 统一配置): add an interface pointed at a real HTTP server, see it
// probed within one interval, edit its assertion, break it, roll it back, and find every step in the audit log.
const svc = http.createServer((req, res) => {
  if (req.url === '/api/query') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"code":0,"data":[]}');
  res.writeHead(404).end();
});
await new Promise<void>((r) => svc.listen(0, '127.0.0.1', () => r()));
const svcUrl = `http://127.0.0.1:${(svc.address() as { port: number }).port}/api/query`;
const sys = await startBrowserSystem('dash-config', (dir) => browserYaml({ ops: 'ops' }) + `collector:
  journalDir: ${dir}/journal
  batch: { size: 10, age: 50ms }
  modules: [{ id: share, name: 共享交换平台 }]
  targets:
    - { id: from-file, module: share, name: 文件里的接口, type: tcp, interval: 1h, spec: { host: 127.0.0.1, port: 9 } }
`);
const { db, base, system } = sys;
const token = (await system.auth.createToken({ name: 'reader', role: 'ops', createdBy: 'test' })).token;
const apiGet = async (path: string) => (await fetch(base + path, { headers: { authorization: `Bearer ${token}` } })).json() as Promise<any>;
const open = sys.open;
/** The last probe result of the target after `after` (ms), from the health API. */
const lastAfter = (id: string, after: number) => until(`a probe of ${id} after ${new Date(after).toISOString()}`, async () => {
  const t = await apiGet(`/api/collector/targets/${id}`);
  return t?.last && new Date(t.last.ts).getTime() > after && t.last;
});

test('operator: add an interface, probed within one interval; edit, break and roll back its assertion; all audited', async () => {
  const { ctx, page } = await sys.login('ops', { acceptDialogs: true });

  await open(page, '#/config');
  assert.match((await page.textContent('table')) ?? '', /配置文件（只读）/);
  await page.click('button.add-target');
  await page.waitForSelector('form.config-form');
  await page.fill('form.config-form input[name=id]', 'share-query');
  await page.fill('form.config-form input[name=name]', '共享交换查询接口');
  await page.fill('form.config-form input[name=interval]', '5s');
  // A mistake first: the server's message appears under the field, nothing is saved.
  await page.fill('form.config-form input[name=url]', 'not-a-url');
  await page.click('form.config-form button.save');
  await page.waitForSelector('[data-field="spec.url"] .field-error:not(:empty)');
  assert.ok((await page.textContent('[data-field="spec.url"] .field-error'))!.length > 3);
  assert.is((await apiGet('/api/collector/config/targets/share-query'))?.id, undefined, 'nothing saved');
  await page.screenshot({ path: `${ARTIFACTS}/config-field-error-${backend}.png`, fullPage: true });

  await page.fill('form.config-form input[name=url]', svcUrl);
  await page.fill('form.config-form input[name=jsonPath]', '$.code');
  await page.fill('form.config-form input[name=jsonEquals]', '0');
  const saved = Date.now();
  await page.click('form.config-form button.save');
  await page.waitForSelector('table.config-history, .config-history', { timeout: 10_000 });
  // Probed within one interval (5 s) of the save.
  const first = await lastAfter('share-query', saved - 1);
  assert.is(first.success, true);
  assert.ok(new Date(first.ts).getTime() - saved < 5_000 + 1_000, 'first probe within one interval');

  // Break its assertion: code must be 1.
  await page.fill('form.config-form input[name=jsonEquals]', '1');
  await page.fill('form.config-form input[name=reason]', '改断言');
  const broke = Date.now();
  await page.click('form.config-form button.save');
  await page.waitForSelector('.config-history tbody tr:nth-child(2)');
  const bad = await until('a failing probe', async () => {
    const l = await lastAfter('share-query', broke);
    return l.success === false && l;
  });
  assert.is(bad.success, false);

  // Roll back to version 1 from the history.
  await page.click('.config-history button.rollback[data-version="1"]');
  await page.waitForSelector('.config-history tbody tr:nth-child(3)');
  assert.match((await page.textContent('.config-history')) ?? '', /回滚/);
  const rolled = Date.now();
  const good = await until('a passing probe after the rollback', async () => {
    const l = await lastAfter('share-query', rolled);
    return l.success === true && l;
  });
  assert.is(good.success, true);
  await page.screenshot({ path: `${ARTIFACTS}/config-history-${backend}.png`, fullPage: true });

  // Disable it from the form.
  await page.click('form.config-form button.toggle');
  await until('disabled', async () => (await apiGet('/api/collector/config/targets/share-query')).data.enabled === false);

  // The file's target is read-only in the page.
  await open(page, '#/config/from-file');
  assert.match((await page.textContent('main.content')) ?? '', /由配置文件管理/);
  assert.is(await page.$('form.config-form'), null);

  const audit = await db.query<{ actor: string; action: string; details: any }>(`SELECT actor, action, details FROM audit_log WHERE target = 'target:share-query' ORDER BY id`);
  assert.equal(audit.rows.map((a) => a.action), ['config.target.create', 'config.target.update', 'config.target.rollback', 'config.target.disable']);
  assert.ok(audit.rows.every((a) => a.actor === 'ops'));
  assert.equal(audit.rows[1].details.diff, [{ path: 'spec.json', before: [{ path: '$.code', equals: 0 }], after: [{ path: '$.code', equals: 1 }] }]);
  await ctx.close();
});

test.after(async () => {
  await sys.close();
  svc.close();
});
test.run();
