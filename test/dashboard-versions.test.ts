import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { parseConfig } from '../app/config';
import { startSystem, type System } from '../app/system';
import { silentLogger } from '../core/log';
import { openTestDb, backend } from './helpers/db';

// Versions in the browser (README: 统一配置): an operator edits a silence on the alerts page, opens its 历史 and
// rolls back to the first version; the admin sets the routing tree in its JSON editor (a wrong one gets field-level
// messages), edits it, and rolls it back from its history.
const ARTIFACTS = 'test-artifacts/dashboard';
mkdirSync(ARTIFACTS, { recursive: true });
const dir = mkdtempSync(join(tmpdir(), 'dash-versions-'));
const PW = 'Yunwei-test-2026';
const yaml = `
server: { host: 127.0.0.1, port: 0 }
log: { level: silent }
auth:
  seedUsers:
    - { username: ops, password: ${PW}, role: ops }
    - { username: boss, password: ${PW}, role: admin }
dashboard: { refreshSeconds: 0 }
collector:
  journalDir: ${dir}/journal
  modules: [{ id: share, name: 共享交换平台 }]
alerts:
  receivers: [{ name: ops, channels: [] }, { name: oncall, channels: [] }]
`;
const db = await openTestDb();
const system: System = await startSystem({ config: parseConfig(yaml, join(dir, 'config.yaml')), db, log: silentLogger(), roles: ['alerts'] });
const base = system.url!;
const token = (await system.auth.createToken({ name: 'reader', role: 'ops', createdBy: 'test' })).token;
const api = async (path: string, method = 'GET', body?: unknown) =>
  (await fetch(base + path, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } })).json() as Promise<any>;
const browser: Browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });

async function login(user: string): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
  const page = await ctx.newPage();
  await page.goto(base + '/');
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', PW);
  await page.click('form.login button[type=submit]');
  await page.waitForSelector('header.top');
  await page.goto(`${base}/#/alerts`);
  await page.waitForSelector('main.content[data-ready="1"]', { timeout: 20_000 });
  return page;
}
const h2paths = (h: any) => h.items[0].diff.map((d: any) => d.path);
async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

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
  await browser.close();
  await system.stop();
  await db.close();
});
test.run();
