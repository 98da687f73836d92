import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import { backend } from './helpers/db';
import { ARTIFACTS, browserYaml, startBrowserSystem, until } from './helpers/browser';

// Versions in the browser (README: 统一配置): an operator edits a silence on the alerts page, opens its 历史 and
// rolls back to the first version; the admin sets the routing tree in its JSON editor (a wrong one gets field-level
// messages), edits it, and rolls it back from its history.
const sys = await startBrowserSystem('dash-versions', (dir) => browserYaml({ ops: 'ops', boss: 'admin' }) + `collector:
  journalDir: ${dir}/journal
  modules: [{ id: share, name: 共享交换平台 }]
alerts:
  receivers: [{ name: ops, channels: [] }, { name: oncall, channels: [] }]
`, { roles: ['alerts'] });
const { db, base, system } = sys;
const token = (await system.auth.createToken({ name: 'reader', role: 'ops', createdBy: 'test' })).token;
const api = async (path: string, method = 'GET', body?: unknown) =>
  (await fetch(base + path, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } })).json() as Promise<any>;
async function login(user: string): Promise<Page> {
  const { page } = await sys.login(user);
  await sys.open(page, '#/alerts');
  return page;
}
const h2paths = (h: any) => h.items[0].diff.map((d: any) => d.path);

test('operator: edit a silence, open its history, roll back to the first version', async () => {
  const s = await api('/api/alerts/silences', 'POST', { team: 'ops', matchers: ['target="share-query"'], endsAt: new Date(Date.now() + 3_600_000).toISOString(), comment: '接口升级' });
  assert.ok(s.id, JSON.stringify(s));
  const page = await login('ops');
  await page.click(`button.edit-silence[data-id="${s.id}"]`);
  await page.waitForSelector('form.modal');
  await page.fill('form.modal textarea[name=comment]', '接口升级（延长）');
  await page.fill('form.modal input[name=reason]', '升级推迟');
  await page.click('form.modal button[type=submit]');
  await until('the edit saved', async () => (await api(`/api/alerts/silences/${s.id}`)).comment === '接口升级（延长）');
  await page.waitForSelector(`button.silence-history[data-id="${s.id}"]`);
  await page.click(`button.silence-history[data-id="${s.id}"]`);
  await page.waitForSelector('form.history-dialog table');
  const text = (await page.textContent('form.history-dialog')) ?? '';
  assert.match(text, /升级推迟/);
  assert.match(text, /comment：.*接口升级.*→.*接口升级（延长）/);
  assert.equal(h2paths(await api(`/api/alerts/silences/${s.id}/history`)), ['comment'], 'times left alone are not changed (the picker has no seconds)');
  assert.is(await page.locator('form.history-dialog button.rollback').count(), 1, 'one rollback: to version 1 (2 is the current one)');
  await page.screenshot({ path: `${ARTIFACTS}/silence-history-${backend}.png`, fullPage: true });
  await page.click('form.history-dialog button.rollback[data-version="1"]');
  await until('rolled back', async () => (await api(`/api/alerts/silences/${s.id}`)).comment === '接口升级');
  const h = await api(`/api/alerts/silences/${s.id}/history`);
  assert.equal(h.items.map((v: any) => `${v.version}:${v.action}:${v.actor}`), ['3:rollback:ops', '2:update:ops', '1:create:token:reader']);
  const audit = await db.query<{ action: string }>(`SELECT action FROM audit_log WHERE target = $1 ORDER BY id`, [`silence:${s.id}`]);
  assert.equal(audit.rows.map((r) => r.action), ['alerts.silence.create', 'alerts.silence.update', 'alerts.silence.rollback']);
  assert.is(await page.locator('button.edit-route').count(), 0, 'the routing tree is the admin\'s');
  await page.context().close();
});

test('admin: set the routing tree in its editor (field-level messages first), edit it, roll it back', async () => {
  const page = await login('boss');
  assert.match((await page.textContent('main')) ?? '', /尚未设置路由树/);
  await page.click('button.edit-route');
  await page.waitForSelector('form.route-editor');
  // The server's messages by field: a duration that is none, then a receiver that does not exist.
  await page.fill('form.route-editor textarea', JSON.stringify({ receiver: 'ops', groupWait: 'soon' }));
  await page.click('form.route-editor button.save-route');
  await page.waitForSelector('ul.route-problems li');
  assert.match((await page.textContent('ul.route-problems')) ?? '', /groupWait：.*30s/);
  await page.fill('form.route-editor textarea', JSON.stringify({ receiver: 'nobody' }));
  await page.click('form.route-editor button.save-route');
  await page.waitForSelector('ul.route-problems li:has-text("nobody")');
  assert.match((await page.textContent('ul.route-problems')) ?? '', /receiver：.*nobody/);
  await page.fill('form.route-editor textarea', JSON.stringify({ receiver: 'ops' }));
  await page.click('form.route-editor button.save-route');
  await page.waitForSelector('ul.route-tree');
  assert.match((await page.textContent('ul.route-tree')) ?? '', /所有告警 → ops/);
  await page.click('button.edit-route');
  await page.waitForSelector('form.route-editor');
  await page.fill('form.route-editor textarea', JSON.stringify({ receiver: 'ops', routes: [{ receiver: 'oncall', matchers: ['severity="critical"'] }] }));
  await page.click('form.route-editor button.save-route');
  await page.waitForSelector('ul.route-tree .route-receiver:text("oncall")');
  await page.click('button.route-history');
  await page.waitForSelector('form.history-dialog table');
  await page.click('form.history-dialog button.rollback[data-version="1"]');
  await until('the tree rolled back', async () => {
    const r = await api('/api/alerts/config/route/root');
    return r.version === 3 && !r.data.routes;
  });
  await page.waitForSelector('form.history-dialog', { state: 'detached' });
  await page.context().close();
});

test.after(async () => {
  await sys.close();
});
test.run();
