import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { parseConfig } from '../app/config';
import { startSystem, type System } from '../app/system';
import { toGbk } from './helpers/gbk';
import { openTestDb, backend } from './helpers/db';
import { seedAlerts, seedContentTarget, seedDefacedTarget, seedMonitoring, seedReporting } from './dashboard-seed';
import { sampleBody } from '../collector/faro/testkit';
import { chinaDate, chinaWallClock } from '../core/china-time';
import { makeFixtures, recordsToCsv } from '../reporter/fixtures/records';


// End to end: the real server, seeded data, Debian's Chromium logging in as every role and opening every page.
const ARTIFACTS = 'test-artifacts/dashboard';
mkdirSync(ARTIFACTS, { recursive: true });
const FARO_KEY = 'dash-key-0123456789abcdef';
const PASSWORDS: Record<string, string> = { admin: 'Guanli-test-2026', ops: 'Yunwei-test-2026', security: 'Anquan-test-2026', regulator: 'Jianguan-test-2026', shuju: 'Lianluo-test-2026' };
const config = parseConfig(`
server: { host: 127.0.0.1, port: 0 }
log: { level: silent }
auth:
  initialAdmin: { username: admin, password: ${PASSWORDS.admin} }
  seedUsers:
    - { username: ops, password: ${PASSWORDS.ops}, role: ops }
    - { username: security, password: ${PASSWORDS.security}, role: security }
    - { username: regulator, password: ${PASSWORDS.regulator}, role: regulator }
    - { username: shuju, password: ${PASSWORDS.shuju}, role: department, department: 数据资源科 }
faro:
  apps:
    - { name: dashboard, key: ${FARO_KEY} }
    - { name: portal, key: portal-key-0123456789 }
  rateLimit: { perSecond: 100, burst: 500 }
dashboard:
  faroApp: dashboard
  refreshSeconds: 0
collector:
  modules: [{ id: m9, name: 政府门户网站 }]
  targets:
    - { id: portal-home, module: m9, name: 门户首页防篡改, type: content, spec: { url: "http://127.0.0.1:9/" } }
    - { id: portal-news, module: m9, name: 新闻中心防篡改, type: content, spec: { url: "http://127.0.0.1:9/news" } }
`);

const db = await openTestDb();
const now = Date.now();
const t0 = Date.now();
await seedMonitoring(db, { now, modules: 6, targetsPerModule: 5, days: 35, rawHours: 3 });
await seedAlerts(db, now);
await seedReporting(db, now);
await seedContentTarget(db, now);
await seedDefacedTarget(db, now);
console.log(`seeded in ${Date.now() - t0} ms`);
// Real-user data for another app over the last day (the RUM trend needs several buckets).
const system: System = await startSystem({ config, db, roles: ['dashboard'] });
const base = system.url!;
for (let i = 0; i < 24; i++) {
  const body = sampleBody(now - i * 3_600_000, { session: `portal-${i % 6}`, page: i % 2 ? 'https://www.example.gov.cn/' : 'https://www.example.gov.cn/service/list' });
  body.measurements[0].values.lcp = 1800 + i * 40;
  const r = await fetch(`${base}/api/collector/faro/collect`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'portal-key-0123456789' }, body: JSON.stringify(body) });
  if (r.status !== 202) throw new Error(`seeding RUM data: ${r.status} ${await r.text()}`);
}
const token = (await system.auth.createToken({ name: 'browser-test', role: 'ops', createdBy: 'test' })).token;
const apiGet = async (path: string) => (await fetch(base + path, { headers: { authorization: `Bearer ${token}` } })).json();
const secToken = (await system.auth.createToken({ name: 'browser-test-security', role: 'security', createdBy: 'test' })).token;
const apiAs = async (_role: 'security', path: string) => (await fetch(base + path, { headers: { authorization: `Bearer ${secToken}` } })).json();

const browser: Browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});

const cspViolations: string[] = [];

async function login(role: string, opts: { timezoneId?: string } = {}): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', ...opts });
  const page = await ctx.newPage();
  page.on('pageerror', (err) => console.log(`[${role}] page error: ${err.message}`));
  // Every page runs under the server's Content-Security-Policy: a refused script, style or request is a failure.
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to (load|execute|apply|connect)/i.test(m.text())) cspViolations.push(`[${role}] ${m.text()}`);
  });
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
  await page.waitForTimeout(300); // charts initialise on the next animation frame
}

/** Data points of every ECharts instance inside `selector`, read from the live instances. */
async function chartPoints(page: Page, selector: string): Promise<number[]> {
  return page.evaluate((sel) => {
    const ec = (window as any).echarts;
    return [...document.querySelectorAll(sel)].map((el) => {
      const inst = ec.getInstanceByDom(el);
      if (!inst) return -1;
      const series = (inst.getOption().series ?? []) as { data?: unknown[] }[];
      return series.reduce((n, s) => n + (s.data?.filter((d) => d !== null && d !== undefined).length ?? 0), 0);
    });
  }, selector);
}

/** The page as another user's step left it: a reload (a goto to the same hash would keep the old view). */
async function reopen(page: Page, hash: string) {
  await page.goto(`${base}/${hash}`);
  await page.reload();
  await page.waitForSelector('main.content[data-ready="1"]', { timeout: 20_000 });
}

const shot = (page: Page, name: string) => page.screenshot({ path: `${ARTIFACTS}/${name}-${backend}.png`, fullPage: true });

test('each role sees only its pages in the navigation; a deep link survives a reload', async () => {
  const expected: Record<string, string[]> = {
    admin: ['总览', '目标详情', '告警', '通报', '数据直报', '前端体验', '接口调用', '配置', '系统', '管理'],
    ops: ['总览', '目标详情', '告警', '通报', '前端体验', '接口调用', '配置', '系统'],
    security: ['总览', '目标详情', '告警', '通报', '接口调用', '配置'],
    regulator: ['总览', '告警', '数据直报'],
    shuju: ['通报'],
  };
  for (const role of Object.keys(expected)) {
    const page = await login(role);
    const nav = await page.$$eval('header.top nav a', (as) => as.map((a) => a.textContent));
    assert.equal(nav, expected[role], role);
    await page.context().close();
  }
  const page = await login('ops');
  await open(page, '#/target/m0-t0?range=7d');
  await page.reload();
  await page.waitForSelector('main.content[data-ready="1"]');
  assert.is(await page.$eval('select.range', (s) => (s as HTMLSelectElement).value), '7d');
  assert.is(await page.$eval('input.target-pick', (s) => (s as HTMLInputElement).value), 'm0-t0');
  await open(page, '#/reporting');
  assert.ok((await page.textContent('main.content'))!.includes('无权'), 'ops may not open the reporting page by URL');
  await page.context().close();
});

test('overview: module tiles coloured by state, counts, availability chart with data', async () => {
  const page = await login('ops');
  await open(page, '#/overview?range=24h');
  const tiles = await page.$$eval('a.tile', (as) => as.map((a) => a.className));
  assert.is(tiles.length, 7, 'six seeded modules and the portal');
  assert.ok(tiles.some((c) => c.includes('s-down')), 'module m0 has a down target');
  assert.ok(tiles.some((c) => c.includes('s-degraded')));
  const pts = await chartPoints(page, '.chart.availability');
  assert.ok(pts[0] >= 3, `availability chart has 24h/7d/30d bars: ${pts}`);
  assert.ok((await page.textContent('main.content'))!.includes('连接被拒绝'), 'the open incident is listed with its error');
  assert.is(await page.locator('.demo-data').count(), 0, 'no 演示数据 note without demo history');
  // As collector.demoHistoryDays leaves it (collector/demo-history.ts): the overview marks the history 演示数据.
  await db.query(`INSERT INTO demo_history (from_ts, to_ts, days, targets, results, incidents, took_ms) VALUES ($1, $2, 30, 31, 1000, 4, 10)`, [new Date(now - 30 * 86_400_000), new Date(now - 600_000)]);
  await page.reload();
  await page.waitForSelector('.demo-data .demo-badge');
  assert.match((await page.textContent('.demo-data'))!, /演示数据.*30 天.*4 次模拟故障/);
  await db.query('DELETE FROM demo_history');
  await shot(page, 'overview');
  await page.context().close();
});

test('target: latency phases stacked, availability calendar, failures with error text', async () => {
  const page = await login('ops');
  await open(page, '#/target/m0-t0?range=24h');
  const lat = await chartPoints(page, '.chart.latency');
  assert.ok(lat[0] > 20, `latency chart points: ${lat}`);
  const cal = await chartPoints(page, '.chart.calendar');
  assert.ok(cal[0] >= 30, `calendar days with data: ${cal}`);
  const fails = await page.$$eval('main.content td .err', (tds) => tds.map((t) => t.textContent));
  assert.ok(fails.some((t) => t!.includes('连接被拒绝')), 'recent failures show the error text');
  await shot(page, 'target');
  await page.context().close();
});

test('target: a changed page shows 已变化 and security approves the new baseline through the UI', async () => {
  const page = await login('security');
  await open(page, '#/target/portal-home');
  assert.ok((await page.textContent('main.content'))!.includes('已变化'));
  await page.click('button.approve');
  await page.click('form.modal button[type=submit]');
  await page.waitForSelector('text=已批准新基线', { timeout: 10_000 });
  const b = await apiGet('/api/collector/targets/portal-home/baseline');
  assert.is(b.approved.approvedBy, 'security');
  assert.is(b.approved.hash, b.candidate.hash);
  await page.waitForSelector('main.content:has-text("一致")');
  await shot(page, 'target-baseline');
  await page.context().close();
});

test('target: a defacement against the provisional baseline shows the diff; it is approved only after the second confirmation with a reason', async () => {
  const page = await login('security');
  await open(page, '#/target/portal-news');
  const text = (await page.textContent('main.content'))!;
  assert.ok(text.includes('已变化'), 'changed against the provisional baseline');
  assert.ok(text.includes('未确认基线'), 'the baseline is shown as not confirmed');
  // The diff card: normalised text, added green, removed red, the forbidden words marked — no raw HTML dump.
  const added = await page.$$eval('main.content .diff .diff-line.add .tx', (els) => els.map((e) => e.textContent));
  const removed = await page.$$eval('main.content .diff .diff-line.del .tx', (els) => els.map((e) => e.textContent));
  assert.equal(added, ['<h1>Hacked by 黑客联盟</h1>', '<p>澳门博彩 线上赌场</p>']);
  assert.equal(removed, ['<h1>市政府新闻中心</h1>', '<p>图片新闻</p>']);
  const marks = await page.$$eval('main.content .diff mark.forbidden', (els) => els.map((e) => e.textContent));
  assert.ok(marks.includes('Hacked by') && marks.includes('黑客') && marks.includes('博彩') && marks.includes('赌场'), `marked: ${marks}`);
  assert.is(await page.$eval('main.content .diff .diff-line.add', (e) => getComputedStyle(e).backgroundColor), 'rgb(230, 246, 224)');
  await shot(page, 'target-defaced-diff');
  // First dialog: the diff; then the second one names the words and will not go on without a reason.
  await page.click('button.approve');
  await page.waitForSelector('form.modal .diff .diff-line.add');
  await page.click('form.modal button[type=submit]');
  await page.waitForSelector('form.modal textarea[name=reason]');
  const second = (await page.textContent('form.modal'))!;
  assert.ok(second.includes('再次确认') && second.includes('hacked by') && second.includes('博彩'), second);
  await page.click('form.modal button[type=submit]');
  await page.waitForTimeout(300);
  assert.ok(await page.$('form.modal textarea[name=reason]'), 'an empty reason does not approve');
  assert.is((await apiGet('/api/collector/targets/portal-news/baseline')).approved, null, 'nothing approved yet');
  await page.fill('form.modal textarea[name=reason]', '演练页面，经安全负责人同意');
  await shot(page, 'target-defaced-confirm');
  await page.click('form.modal button[type=submit]');
  await page.waitForSelector('text=已批准新基线', { timeout: 10_000 });
  const b = await apiGet('/api/collector/targets/portal-news/baseline');
  assert.is(b.approved.approvedBy, 'security');
  assert.is(b.approved.hash, b.candidate.hash);
  assert.is(b.provisional, null);
  const audit = await system.db.query<{ actor: string; details: any }>(`SELECT actor, details FROM audit_log WHERE action = 'collector.baseline.approve' AND target = 'portal-news'`);
  assert.is(audit.rows.length, 1);
  const d = typeof audit.rows[0].details === 'string' ? JSON.parse(audit.rows[0].details) : audit.rows[0].details;
  assert.is(audit.rows[0].actor, 'security');
  assert.is(d.reason, '演练页面，经安全负责人同意');
  assert.ok(d.forbiddenWords.some((w: any) => w.word === 'hacked by'));
  await page.context().close();
});

test('alerts: ops acknowledges a firing alert through the UI', async () => {
  const page = await login('ops');
  await open(page, '#/alerts?tab=firing');
  const rows = await page.$$('main.content tbody tr');
  assert.ok(rows.length >= 2, 'two firing alerts seeded');
  await shot(page, 'alerts');
  const button = await page.$('button.ack');
  assert.ok(button, 'an ack button for the ops alert');
  const id = await button!.getAttribute('data-alert-id');
  await button!.click();
  await page.fill('form.modal textarea', '浏览器测试确认');
  await page.click('form.modal button[type=submit]');
  await page.waitForSelector('span.acked', { timeout: 10_000 });
  const a = await apiGet(`/api/alerts/alerts/${id}`);
  assert.is(a.ack?.by, 'ops');
  assert.is(a.ack?.comment, '浏览器测试确认');
  await page.context().close();
});

test('alerts: silences and maintenance windows are created and ended through the UI', async () => {
  const page = await login('ops');
  await open(page, '#/alerts');
  await page.click('button.new-silence');
  await page.fill('form.modal textarea[name=matchers]', 'target="m0-t0"');
  await page.fill('form.modal textarea[name=comment]', '变更窗口内静默');
  await page.click('form.modal button[type=submit]');
  await page.waitForSelector('text=target="m0-t0"', { timeout: 10_000 });
  const silences = await apiGet('/api/alerts/silences');
  assert.is(silences.items.length, 1);
  assert.is(silences.items[0].state, 'active');
  await page.click('button.new-maint');
  await page.selectOption('form.modal select[name=module]', 'm2');
  await page.click('form.modal button[type=submit]');
  await page.waitForSelector('text=模块 m2', { timeout: 10_000 });
  const windows = await apiGet('/api/alerts/maintenance');
  assert.is(windows.items[0].moduleId, 'm2');
  await shot(page, 'alerts-silences');
  await page.click('main.content section.card:has-text("静默") button:has-text("结束")');
  await page.waitForSelector('main.content section.card:has-text("静默") td:has-text("已结束")', { timeout: 10_000 });
  assert.is((await apiGet('/api/alerts/silences')).items[0].state, 'expired');
  await page.context().close();
});

test('通报: security turns an alert into a notice; the department acknowledges and answers with an attachment; security sends it back, then closes it', async () => {
  const sec = await login('security');
  await open(sec, '#/alerts?tab=firing');
  const convert = await sec.$('button.to-notice');
  assert.ok(convert, 'a 转为通报 button beside a firing alert');
  const alertId = Number(await convert!.getAttribute('data-alert-id'));
  await convert!.click();
  await sec.fill('form.modal input[name=department]', '数据资源科');
  await sec.selectOption('form.modal select[name=level]', 'high');
  await sec.fill('form.modal textarea[name=requirement]', '核查并更换证书，反馈整改报告');
  await sec.click('form.modal button[type=submit]');
  await sec.waitForSelector('h2.notice-title', { timeout: 10_000 });
  const noticeId = Number(/#\/notices\/(\d+)/.exec(sec.url())![1]);
  const issued = await apiAs('security', `/api/alerts/notices/${noticeId}`);
  assert.is(issued.alertId, alertId);
  assert.is(issued.department, '数据资源科');
  assert.match(await sec.textContent('main.content') ?? '', issued.number);
  await shot(sec, 'notice-issued');

  const dept = await login('shuju');
  await dept.waitForSelector('main.content[data-ready="1"]');
  assert.match(dept.url(), '#/notices', 'a department user lands on its notices');
  await dept.click(`a.notice-link[href="#/notices/${noticeId}"]`);
  await dept.waitForSelector('button.ack-notice');
  await dept.click('button.ack-notice');
  await dept.waitForSelector('form.feedback');
  await dept.fill('form.feedback textarea', '已更换证书');
  await dept.setInputFiles('form.feedback input[type=file]', { name: '整改报告.txt', mimeType: 'text/plain', buffer: Buffer.from('证书已更换，有效期至 2027 年底') });
  await dept.click('form.feedback button[type=submit]');
  await dept.waitForSelector('span.badge.n-submitted', { timeout: 10_000 });

  await reopen(sec, `#/notices/${noticeId}`);
  await sec.click('button.return-notice');
  await sec.fill('form.modal textarea', '请附新证书的有效期截图');
  await sec.click('form.modal button[type=submit]');
  await sec.waitForSelector('span.badge.n-returned', { timeout: 10_000 });

  await reopen(dept, `#/notices/${noticeId}`);
  await dept.fill('form.feedback textarea', '已补充截图说明');
  await dept.click('form.feedback button[type=submit]');
  await dept.waitForSelector('span.badge.n-submitted', { timeout: 10_000 });
  await shot(dept, 'notice-department');

  await reopen(sec, `#/notices/${noticeId}`);
  await sec.click('button.close-notice');
  await sec.click('form.modal button[type=submit]');
  await sec.waitForSelector('span.badge.n-closed', { timeout: 10_000 });
  const done = await apiAs('security', `/api/alerts/notices/${noticeId}`);
  assert.equal(done.events.map((e: { action: string }) => e.action), ['issued', 'acknowledged', 'feedback', 'returned', 'feedback', 'closed']);
  assert.is(done.events[2].attachments[0].filename, '整改报告.txt');
  // The department sees nothing else of the system.
  await open(dept, '#/alerts');
  assert.match(await dept.textContent('main.content') ?? '', '无权');
  await sec.context().close();
  await dept.context().close();
});

test('the real Faro web SDK in Chromium reports an exception and web vitals to our receiver', async () => {
  const page = await login('admin');
  const warnings: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'warning' || m.type() === 'error') warnings.push(m.text());
  });
  await open(page, '#/overview');
  await page.reload();
  await page.waitForSelector('main.content[data-ready="1"]');
  assert.ok(await page.evaluate(() => Boolean((window as any).faro?.api)), 'Faro initialised in the page');
  assert.not.ok(warnings.some((w) => w.includes('Faro did not start')), warnings.join(' | '));
  await page.evaluate(() => {
    setTimeout(() => {
      throw new Error('浏览器测试异常 4711');
    }, 0);
  });
  await page.waitForTimeout(1500);
  await page.goto('about:blank'); // pagehide flushes LCP/CLS and the transport queue
  let errors: any, vitals: any;
  for (let i = 0; i < 40; i++) {
    errors = await apiGet('/api/collector/faro/errors?app=dashboard');
    vitals = await apiGet('/api/collector/faro/vitals?app=dashboard');
    if (errors.items?.length && vitals.items?.length) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const e = errors.items.find((x: any) => String(x.message).includes('浏览器测试异常'));
  assert.ok(e, `exception stored: ${JSON.stringify(errors.items)}`);
  assert.is(e.type, 'Error');
  assert.ok(e.sessions >= 1);
  const names = new Set(vitals.items.map((v: any) => v.name));
  assert.ok(names.has('ttfb') || names.has('fcp'), `web vitals stored: ${[...names]}`);
  await page.context().close();
});

test('RUM page: web-vital p75 trend and top errors with data', async () => {
  const page = await login('ops');
  await open(page, '#/rum?range=24h&app=portal');
  const v = await chartPoints(page, '.chart.vitals');
  assert.ok(v[0] >= 10, `vitals trend points: ${v}`);
  const errs = await chartPoints(page, '.chart.errors');
  assert.ok(errs[0] >= 10, `error count points: ${errs}`);
  assert.ok((await page.textContent('main.content'))!.includes('TypeError'));
  // 日志与事件: the SDK's logs, searched and filtered on the server, one page at a time.
  await page.waitForSelector('.faro-logs tbody tr');
  assert.match((await page.textContent('.faro-logs .list-tools .list-total'))!, /共 24 条/);
  assert.is(await page.locator('.faro-logs tbody tr').count(), 20, 'a page of 20');
  await page.click('.faro-logs .pager .next');
  await page.waitForFunction(() => document.querySelectorAll('.faro-logs tbody tr').length === 4);
  await page.fill('.faro-logs input.list-filter-text[name="session"]', 'portal-1');
  await page.press('.faro-logs input.list-filter-text[name="session"]', 'Enter');
  await page.waitForFunction(() => /共 4 条/.test(document.querySelector('.faro-logs .list-tools .list-total')?.textContent ?? ''));
  assert.is(await page.locator('.faro-logs tbody tr').count(), 4, 'the session filter starts again at the first page');
  await page.waitForSelector('.faro-events tbody tr');
  assert.ok((await page.textContent('.faro-events'))!.includes('session_start'));
  await shot(page, 'rum');
  await page.context().close();
});

test('system page and the regulator and security views render', async () => {
  const ops = await login('ops');
  await open(ops, '#/system');
  assert.ok((await chartPoints(ops, '.chart.writerate'))[0] > 10, 'collector write rate over the last hour');
  assert.ok((await ops.textContent('main.content'))!.includes('probe_results'), 'hypertables listed');
  await shot(ops, 'system');
  assert.not.ok(await ops.$('button.backup'), 'the backup is for admins only');
  await ops.context().close();
  // The admin downloads an online backup of the embedded database (a server is backed up with pg_dump instead).
  const adm = await login('admin');
  await open(adm, '#/system');
  if (backend === 'embedded') {
    const [download] = await Promise.all([adm.waitForEvent('download', { timeout: 120_000 }), adm.click('button.backup')]);
    assert.match(download.suggestedFilename(), /^city-ops-db-\d{8}T\d{6}Z\.tar\.gz$/);
    const saved = `${ARTIFACTS}/backup-download.tar.gz`;
    await download.saveAs(saved);
    assert.ok(gunzipSync(readFileSync(saved)).includes(Buffer.from('PG_VERSION')), 'a tar of the database folder');
    await adm.waitForSelector('.toast.ok');
    assert.match((await adm.textContent('.toast.ok'))!, '备份已下载');
  } else {
    assert.not.ok(await adm.$('button.backup'));
    assert.match((await adm.textContent('.backup-note'))!, 'ops/backup');
  }
  await shot(adm, 'system-admin');
  await adm.context().close();
  const reg = await login('regulator');
  await open(reg, '#/reporting?range=7d');
  const gauges = await chartPoints(reg, '.gauges .chart');
  if (chinaDate(now).slice(0, 7) === chinaDate(Date.now()).slice(0, 7)) {
    assert.is(gauges.length, 4, 'the four indicator gauges, each with a value');
  } else {
    // The test crossed into a new month (UTC+8) since seeding: a gauge of the new month has a value if the running
    // system reported something in it already, else it says why instead of drawing an empty dial (which of the two
    // depends on how far past midnight the test got: CI's year-end run saw four values).
    const reasons = await reg.locator('.gauges .gauge-none .gauge-reason').allTextContents();
    assert.is(gauges.length + reasons.length, 4, 'every gauge has a value or a reason');
    assert.ok(reasons.every((r) => /没有/.test(r)), reasons.join(' | '));
  }
  assert.ok((await chartPoints(reg, '.chart.ind-trend'))[0] >= 16, 'indicator trend over six months');
  assert.ok((await chartPoints(reg, '.chart.batches'))[0] >= 10, 'batches over the week');
  const text = (await reg.textContent('main.content'))!;
  assert.ok(text.includes('统一社会信用代码校验位错误') && text.includes('关联的监管事项不存在'), 'corrections show the city and the province reasons');
  assert.ok(text.includes('不一致'), 'the reconciliation mismatch is shown');
  const overdueApi = (await (await reg.request.get(`${base}/api/reporter/overdue?limit=100`)).json()) as { total: number; items: { recordId: string }[] };
  const overdueRows = await reg.locator('.tablewrap.overdue tbody tr').count();
  assert.is(overdueRows, Math.min(100, overdueApi.items.length), 'the overdue table lists what the API returns');
  assert.ok(overdueApi.total > 0, 'the seed holds overdue records');
  assert.ok((await reg.textContent('.tablewrap.overdue'))!.includes(overdueApi.items[0].recordId), 'oldest overdue record shown');
  // One number, one meaning: each tile is the count of its table.
  const tileNum = async (cls: string) => Number((await reg.textContent(`.stat.${cls} .stat-num`))!.replace(/[^\d]/g, ''));
  assert.is(await tileNum('tile-overdue'), overdueApi.total, 'the overdue tile is the overdue table\'s count');
  assert.match((await reg.textContent('.card:has(.tablewrap.overdue) h3'))!, `共 ${overdueApi.total.toLocaleString('zh-CN')} 条`);
  const corrApi = (await (await reg.request.get(`${base}/api/reporter/corrections?limit=200`)).json()) as { total: number; items: { dataType: string; recordId: string }[] };
  const checkCorrections = async (label: string) => {
    const total = (await (await reg.request.get(`${base}/api/reporter/corrections?limit=1`)).json()).total as number;
    const rows = await reg.locator('.tablewrap.corrections tbody tr').count();
    assert.is(await tileNum('tile-corrections'), total, `${label}: the correction tile is the API's total`);
    assert.is(rows, total, `${label}: one table row per record in the queue`);
    const keys = await reg.locator('.tablewrap.corrections tbody tr').evaluateAll((trs) => trs.map((tr) => `${tr.children[0].textContent}/${tr.children[1].textContent}`));
    assert.is(new Set(keys).size, keys.length, `${label}: no record twice`);
  };
  assert.ok(corrApi.total > 0 && corrApi.total <= 200, 'the seed holds a correction queue the page shows whole');
  await checkCorrections('seeded');
  await shot(reg, 'reporting');
  // Import a CSV in GBK through the page: progress, the result, the error part downloaded as CSV.
  const imp = makeFixtures({ seed: 77, items: 12, invalidShare: 0.3, invalidTypes: ['ITEM'], now });
  assert.ok(imp.invalid.ITEM.size > 0);
  const csv = recordsToCsv('ITEM', imp.ITEM.map((x) => ({ ...x, recordId: `IMP-${x.recordId}` })));
  await reg.selectOption('select.import-type', 'ITEM');
  await reg.setInputFiles('input.import-file', { name: '监管事项.csv', mimeType: 'text/csv', buffer: toGbk(csv) });
  await reg.click('button.import-go');
  await reg.waitForSelector('.import-result', { timeout: 60_000 });
  const result = (await reg.textContent('.import-result'))!;
  assert.match(result, `接受 ${12 - imp.invalid.ITEM.size}`);
  assert.match(result, `拒绝 ${imp.invalid.ITEM.size}`);
  assert.match(result, 'GBK');
  const [dl] = await Promise.all([reg.waitForEvent('download'), reg.click('.import-result a.dl-error')]);
  const saved = `${ARTIFACTS}/import-errors.csv`;
  await dl.saveAs(saved);
  const report = readFileSync(saved);
  assert.equal([...report.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with BOM');
  const lines = report.toString('utf8').slice(1).trim().split('\r\n');
  assert.is(lines[0], '行号,记录编码,列名,字段,错误代码,错误说明');
  for (const id of imp.invalid.ITEM.keys()) assert.ok(lines.some((l) => l.includes(`,IMP-${id},`)), `${id} in the downloaded report`);
  assert.ok(await reg.$('.tablewrap.imports tbody tr'), 'the import is listed');
  // The rejected rows joined the correction queue, and the tile still counts the table.
  await checkCorrections('after the import');
  await shot(reg, 'reporting-import');
  // Correct one imported record in the form: its error beside the field, checked as typed, saved as version 2.
  const clean = makeFixtures({ seed: 77, items: 12, now });
  const [badId] = [...imp.invalid.ITEM.keys()];
  const broken = imp.ITEM.find((x) => x.recordId === badId)! as unknown as Record<string, unknown>;
  const good = clean.ITEM.find((x) => x.recordId === badId)! as unknown as Record<string, unknown>;
  const changed = Object.keys(good).filter((k) => JSON.stringify(good[k]) !== JSON.stringify(broken[k]));
  assert.ok(changed.length > 0);
  await reg.click(`button.correct[data-record="ITEM/IMP-${badId}"]`);
  await reg.waitForSelector('form.correct-form');
  assert.match((await reg.textContent('.correct-summary'))!, '校验未通过');
  const notes = await reg.locator('form.correct-form .field-note.err').allTextContents();
  assert.ok(notes.some((n) => n.includes(imp.invalid.ITEM.get(badId)!)), `the error beside its field: ${notes.join(' | ')}`);
  for (const k of changed) {
    const v = good[k];
    await reg.fill(`form.correct-form [name="${k}"]`, Array.isArray(v) ? v.join(';') : String(v));
  }
  await reg.waitForFunction(() => document.querySelector('.correct-summary')?.textContent?.startsWith('校验通过'), null, { timeout: 10_000 });
  await reg.click('button.correct-save');
  await reg.waitForSelector('form.correct-form', { state: 'detached' });
  const saved2 = (await (await reg.request.get(`${base}/api/reporter/records/ITEM/IMP-${badId}`)).json()) as { record: { status: string; version: number; source: string } };
  assert.is(saved2.record.status, 'valid');
  assert.is(saved2.record.version, 2);
  await reg.waitForSelector(`button.correct[data-record="ITEM/IMP-${badId}"]`, { state: 'detached' });
  await checkCorrections('after the correction');
  // Withdraw another with a reason: audited with it.
  const [, otherId] = [...imp.invalid.ITEM.keys()];
  if (otherId) {
    await reg.click(`tr:has(button.correct[data-record="ITEM/IMP-${otherId}"]) button.withdraw`);
    await reg.fill('form.modal textarea[name="reason"]', '重复录入，撤回');
    await reg.click('form.modal button[type="submit"]');
    await reg.waitForSelector(`button.correct[data-record="ITEM/IMP-${otherId}"]`, { state: 'detached' });
    const audit = await db.query<{ details: unknown }>(`SELECT details FROM audit_log WHERE action = 'reporter.records.withdraw' AND target = $1`, [`ITEM/IMP-${otherId}`]);
    assert.match(JSON.stringify(audit.rows[0]?.details), '重复录入');
    await checkCorrections('after the withdrawal');
  }
  await open(reg, '#/overview');
  // Seeded runs started 26 h, 3 h and 30 min ago; count those on today's date in UTC+8 (the test may run near midnight).
  const cn = chinaDate;
  const todays = [26 * 3_600_000, 3 * 3_600_000, 30 * 60_000].filter((ago) => cn(now - ago) === cn(Date.now())).length;
  assert.ok((await reg.textContent('.report-line'))!.includes(todays ? `已运行 ${todays} 次` : '今天尚未运行'), 'today\'s reporting in one line');
  await shot(reg, 'overview-regulator');
  await reg.context().close();
  const sec = await login('security');
  await open(sec, '#/alerts');
  assert.ok(await sec.$('button.ack'), 'security may acknowledge its own alert');
  await sec.context().close();
});

test('every page writes its times in UTC+8 and says so once, whatever the browser\'s zone; no raw ISO time in a table', async () => {
  // A browser in Los Angeles (UTC-8 or -7): a page that used the browser's zone would be 15 or 16 hours off.
  const page = await login('admin', { timezoneId: 'America/Los_Angeles' });
  assert.ok(await page.evaluate(() => new Date().getTimezoneOffset() > 0), 'the browser runs west of UTC');
  const hrefs = await page.$$eval('header.top nav a', (as) => as.map((a) => a.getAttribute('href') ?? ''));
  assert.ok(hrefs.length >= 8, hrefs.join(' '));
  const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
  const raw: string[] = [];
  for (const href of hrefs) {
    await open(page, href);
    assert.is(await page.locator('.tz-note').count(), 1, `${href}: the zone is named once`);
    assert.match((await page.textContent('.tz-note'))!, 'UTC+8');
    const cells = await page.locator('main.content table td, main.content table th').allTextContents();
    raw.push(...cells.filter((t) => ISO.test(t)).map((t) => `${href}: ${t}`));
  }
  assert.equal(raw, [], 'table cells with a raw ISO time');
  // One instant checked end to end: the last delivery run as the API sends it and as the page writes it.
  const runs = (await (await page.request.get(`${base}/api/reporter/runs`)).json()) as { items: { startedAt: string }[] };
  assert.ok(runs.items.length > 0, 'the seed holds delivery runs');
  await open(page, '#/reporting');
  assert.is((await page.textContent('.stats .stat .stat-num'))!.trim(), chinaWallClock(Date.parse(runs.items[0].startedAt)));
  await page.context().close();
});

test('every page ran under the Content-Security-Policy without a violation', () => {
  assert.equal(cspViolations, []);
});

test.after(async () => {
  await browser.close();
  await system.stop();
  await db.close();
});
test.run();
