import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, readFileSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { parseConfig } from '../app/config';
import { startSystem, type System } from '../app/system';
import { openTestDb, backend } from './helpers/db';
import { seedAlerts, seedMonitoring } from './dashboard-seed';

// Issue #13 in the browser: the target list's search and pager, a bulk acknowledge on the alerts page, the admin
// page (a user created, a token created — shown once — and revoked, the audit log filtered and exported).
const ARTIFACTS = 'test-artifacts/dashboard';
mkdirSync(ARTIFACTS, { recursive: true });
const PASSWORDS: Record<string, string> = { admin: 'Guanli-test-2026', ops: 'Yunwei-test-2026' };
const config = parseConfig(`
server: { host: 127.0.0.1, port: 0 }
log: { level: silent }
auth:
  initialAdmin: { username: admin, password: ${PASSWORDS.admin} }
  seedUsers:
    - { username: ops, password: ${PASSWORDS.ops}, role: ops }
dashboard: { refreshSeconds: 0 }
`);

const db = await openTestDb();
const now = Date.now();
await seedMonitoring(db, { now, modules: 6, targetsPerModule: 5, days: 1, directRollups: true });
await seedAlerts(db, now);
// Two more firing ops alerts: the bulk acknowledge takes all three of the team's at once.
await db.insertMany('alerts', ['fingerprint', 'rule', 'rule_type', 'labels', 'annotations', 'severity', 'team', 'module_id', 'target_id', 'state', 'value', 'active_at', 'starts_at', 'last_eval'],
  ['m3-t1', 'm4-t2'].map((t) => [`fp-bulk-${t}`, 'target_down', 'probe', JSON.stringify({ alertname: 'target_down', team: 'ops', target: t, module: t.split('-')[0] }), JSON.stringify({ summary: `接口 ${t} 不可用` }),
    'critical', 'ops', t.split('-')[0], t, 'firing', 1, new Date(now - 3_600_000), new Date(now - 3_500_000), new Date(now)]));
const system: System = await startSystem({ config, db, roles: ['dashboard'] });
const base = system.url!;
const opsToken = (await system.auth.createToken({ name: 'lists-browser', role: 'ops', createdBy: 'test' })).token;
const apiGet = async (path: string, token = opsToken) => fetch(base + path, { headers: { authorization: `Bearer ${token}` } });

const browser: Browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});

async function login(role: string): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN', acceptDownloads: true });
  const page = await ctx.newPage();
  page.on('pageerror', (err) => console.log(`[${role}] page error: ${err.message}`));
  await page.goto(base + '/');
  await page.fill('input[name=username]', role);
  await page.fill('input[name=password]', PASSWORDS[role]);
  await page.click('form.login button[type=submit]');
  await page.waitForSelector('header.top');
  return page;
}
async function open(page: Page, hash: string) {
  await page.goto(`${base}/${hash}`);
  await page.waitForSelector('main.content[data-ready="1"]', { timeout: 20_000 });
}
const totalIs = (page: Page, list: string, n: number) => page.waitForSelector(`.${list} .pager .list-total:text-is("共 ${n} 条")`, { timeout: 10_000 });
const shot = (page: Page, name: string) => page.screenshot({ path: `${ARTIFACTS}/${name}-${backend}.png`, fullPage: true });

test('targets: the list pages through 30 targets with 共 N 条, searches on the server, sorts by a header', async () => {
  const page = await login('ops');
  await open(page, '#/overview');
  await totalIs(page, 'targets-list', 30);
  assert.is(await page.locator('.targets-list tbody tr').count(), 20, 'first page of 20');
  assert.is(await page.textContent('.targets-list .page-no'), '第 1 / 2 页');
  // Worst first: the down target leads.
  assert.match((await page.textContent('.targets-list tbody tr:first-child'))!, /m0-t0/);
  await page.click('.targets-list button.next');
  await page.waitForSelector('.targets-list .page-no:text-is("第 2 / 2 页")');
  assert.is(await page.locator('.targets-list tbody tr').count(), 10);
  await page.fill('.targets-list input.list-search', 'm3-t');
  await totalIs(page, 'targets-list', 5);
  assert.is(await page.textContent('.targets-list .page-no'), '第 1 / 1 页', 'a new search starts at page 1');
  await page.click('.targets-list th[data-sort=name]');
  await page.waitForSelector('.targets-list th[data-sort=name][aria-sort=ascending]');
  await page.waitForFunction(() => document.querySelector('.targets-list tbody tr:first-child')?.textContent?.includes('接口 m3-t0'));
  await page.click('.targets-list th[data-sort=name]');
  await page.waitForFunction(() => document.querySelector('.targets-list tbody tr:first-child')?.textContent?.includes('接口 m3-t4'));
  await page.selectOption('.targets-list select[name=state]', 'down');
  await totalIs(page, 'targets-list', 0);
  await shot(page, 'lists-targets');
  // The target page's picker: a search, not a <select> of every target.
  await open(page, '#/target/m0-t0');
  assert.is(await page.$('select.target-pick'), null);
  await page.fill('input.target-pick', 'm5-t3');
  await page.waitForSelector('button.picker-item[data-id="m5-t3"]');
  await page.click('button.picker-item[data-id="m5-t3"]');
  await page.waitForFunction(() => location.hash.startsWith('#/target/m5-t3'));
  await page.context().close();
});

test('alerts: ops selects the page and acknowledges its team\'s firing alerts in one action', async () => {
  const page = await login('ops');
  await open(page, '#/alerts?tab=firing');
  await totalIs(page, 'alerts-list', 4);
  assert.is(await page.locator('.alerts-list input.row-select').count(), 3, 'only the ops alerts can be selected by ops');
  await page.check('.alerts-list input.select-all');
  assert.is(await page.textContent('.alerts-list .list-selected'), '已选 3 条');
  await page.click('.alerts-list button.bulk-ack');
  await page.fill('form.modal textarea[name=comment]', '批量确认');
  await page.click('form.modal button[type=submit]');
  await page.waitForFunction(() => document.querySelectorAll('.alerts-list span.acked').length === 3, undefined, { timeout: 10_000 });
  const acked = await (await apiGet('/api/alerts/alerts?acked=true')).json();
  assert.is(acked.total, 3);
  assert.ok(acked.items.every((a: { ack: { by: string; comment: string } }) => a.ack.by === 'ops' && a.ack.comment === '批量确认'));
  await page.selectOption('.alerts-list select[name=acked]', 'false');
  await totalIs(page, 'alerts-list', 1);
  await shot(page, 'lists-alerts-bulk');
  await page.context().close();
});

test('admin: creates a user, creates a token (shown once) and revokes it, filters and exports the audit log', async () => {
  const page = await login('admin');
  await open(page, '#/admin');
  await page.click('button.new-user');
  await page.fill('form.modal input[name=username]', 'zhangsan');
  await page.fill('form.modal input[name=displayName]', '张三');
  await page.selectOption('form.modal select[name=role]', 'security');
  await page.fill('form.modal input[name=password]', 'Xinyonghu-test-2026');
  await page.click('form.modal button[type=submit]');
  await page.waitForSelector('.users td:text-is("zhangsan")', { timeout: 10_000 });
  const users = await (await apiGet('/api/auth/users', (await system.auth.createToken({ name: 'check', role: 'admin', createdBy: 'test' })).token)).json();
  assert.is(users.items.find((u: { username: string }) => u.username === 'zhangsan')?.role, 'security');

  await page.click('button.new-token');
  await page.fill('form.modal input[name=name]', '省平台对接');
  await page.click('form.modal button[type=submit]');
  const token = (await page.textContent('.token-once code.token-value', { timeout: 10_000 }))!.trim();
  assert.ok(token.length > 20, 'the token is shown');
  assert.is((await apiGet('/api/collector/targets?limit=1', token)).status, 200, 'the shown token works');
  await page.click('.token-once button.close-token');
  assert.not.ok((await page.textContent('main.content'))!.includes(token), 'shown once: not on the page afterwards');
  await page.click('button.token-revoke[data-token="省平台对接"]');
  await page.fill('form.modal input[name=confirm]', '省平台对接');
  await page.click('form.modal button[type=submit]');
  await page.waitForSelector('.tokens span.revoked', { timeout: 10_000 });
  assert.is((await apiGet('/api/collector/targets?limit=1', token)).status, 401, 'the revoked token is refused');

  await page.fill('.audit-filters input[name=action]', 'token.*');
  await page.click('.audit-filters button.audit-apply');
  await totalIs(page, 'audit-list', 2);
  assert.equal((await page.locator('.audit-list tbody tr td:nth-child(4)').allTextContents()).sort(), ['token.create', 'token.revoke']);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('.audit-filters button.audit-csv')]);
  const csv = readFileSync((await download.path())!, 'utf8');
  assert.ok(csv.includes('时间,操作人,角色,动作,对象,IP,详情'));
  assert.is(csv.trim().split('\n').length, 3, 'header and the two token entries');
  await page.fill('.audit-filters input[name=action]', '');
  await page.fill('.audit-list input.list-search', 'zhangsan');
  await page.waitForSelector('.audit-list td:text-is("user.create")', { timeout: 10_000 });
  await shot(page, 'lists-admin');
  await page.context().close();
});

test.after(async () => {
  await browser.close();
  await system.stop();
  await db.close();
});
test.run();
