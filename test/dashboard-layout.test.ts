import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { parseConfig } from '../app/config';
import { startSystem, type System } from '../app/system';
import { openTestDb } from './helpers/db';
import { seedAlerts, seedContentTarget, seedMonitoring, seedReporting } from './dashboard-seed';

// Every page at a laptop (1,366 × 768) and a phone (390 × 844), in the light and the dark theme, as the admin (who
// sees every page): no console error, no failed request, no sideways scroll; a screenshot of each for review.
const ARTIFACTS = 'test-artifacts/layout';
mkdirSync(ARTIFACTS, { recursive: true });
const PASSWORD = 'Guanli-test-2026';
const FARO_KEY = 'layout-key-0123456789abcdef';
const config = parseConfig(`
server: { host: 127.0.0.1, port: 0 }
log: { level: silent }
auth:
  initialAdmin: { username: admin, password: ${PASSWORD} }
faro:
  apps:
    - { name: dashboard, key: ${FARO_KEY} }
  rateLimit: { perSecond: 200, burst: 1000 }
dashboard:
  faroApp: dashboard
  refreshSeconds: 0
  statusPage:
    title: 某市政务服务运行状态
    modules:
      - { module: m0, name: 网上办事大厅 }
      - { module: m1, name: 证照查询 }
collector:
  modules: [{ id: m9, name: 政府门户网站 }]
  targets:
    - { id: portal-home, module: m9, name: 门户首页防篡改, type: content, spec: { url: "http://127.0.0.1:9/" } }
`);

const db = await openTestDb();
const now = Date.now();
await seedMonitoring(db, { now, modules: 4, targetsPerModule: 3, days: 35, rawHours: 2 });
await seedAlerts(db, now);
await seedReporting(db, now);
await seedContentTarget(db, now);
const system: System = await startSystem({ config, db, roles: ['dashboard'] });
const base = system.url!;
// A silence with a long reason: at 1,366 px its 原因 column must be readable, not cut off.
const token = (await system.auth.createToken({ name: 'layout-test', role: 'ops', createdBy: 'test' })).token;
const silence = await fetch(`${base}/api/alerts/silences`, {
  method: 'POST',
  headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  body: JSON.stringify({ team: 'ops', matchers: ['target="m0-t0"'], endsAt: new Date(now + 86_400_000).toISOString(), comment: '机房变更窗口内静默：核心交换机割接，预计两小时，期间共享交换平台接口会有短暂中断，请勿重复派单，割接结束后由值班人员解除' }),
});
assert.is(silence.status, 201, await silence.clone().text());

const browser: Browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
const page: Page = await ctx.newPage();
const problems: string[] = [];
page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
page.on('console', (m) => {
  if (m.type() === 'error' || /Faro did not start/.test(m.text())) problems.push(`console ${m.type()}: ${m.text()}`);
});
page.on('response', (r) => {
  if (r.status() >= 400) problems.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`);
});
page.on('requestfailed', (r) => problems.push(`failed ${r.method()} ${new URL(r.url()).pathname}: ${r.failure()?.errorText}`));

const PAGES = ['overview', 'target', 'target/portal-home', 'alerts', 'notices', 'reporting', 'rum', 'calls', 'config', 'system', 'admin'];
const SIZES = [{ name: 'laptop', width: 1366, height: 768 }, { name: 'phone', width: 390, height: 844 }];
const THEMES = ['light', 'dark'] as const;

/** Opens a page inside the app (a hash change: no reload, so the live stream and Faro's requests are not cut). */
async function visit(hash: string) {
  const id = hash.split('/')[0];
  await page.evaluate((h) => { location.hash = h; }, `#/${hash}`);
  await page.waitForSelector(`main.content[data-page="${id}"][data-ready="1"]`, { timeout: 20_000 });
  await page.waitForLoadState('networkidle').catch(() => undefined); // the live stream keeps one request open
  await page.waitForTimeout(350); // charts initialise on the next animation frame
}

const overflow = () => page.evaluate(() => {
  const s = document.scrollingElement!;
  // What sticks out, to say which element is too wide.
  const wide = [...document.querySelectorAll('body *')].filter((el) => el.getBoundingClientRect().right > s.clientWidth + 1 && !el.closest('.tablewrap, .chart, .diff, pre, .config-json'))
    .slice(0, 3).map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} (${Math.round(el.getBoundingClientRect().right)})`);
  return { scrollWidth: s.scrollWidth, clientWidth: s.clientWidth, wide };
});

test('the sign-in page has the 配色 and language controls and no request fails before sign-in', async () => {
  await page.goto(base + '/');
  await page.waitForSelector('form.login');
  assert.ok(await page.$('form.login select.theme'), '配色 on the sign-in form');
  assert.ok(await page.$('form.login select.lang'), 'language on the sign-in form');
  await page.screenshot({ path: `${ARTIFACTS}/login-laptop-light.png` });
  await page.fill('input[name=username]', 'admin');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('form.login button[type=submit]');
  await page.waitForSelector('header.top');
  await page.waitForSelector('main.content[data-ready="1"]');
  assert.equal(problems, [], problems.join('\n'));
});

test('every page at 1,366 × 768 and 390 × 844, light and dark: no console error, no failed request, no sideways scroll', async () => {
  const t0 = Date.now();
  let shots = 0;
  for (const size of SIZES) {
    await page.setViewportSize({ width: size.width, height: size.height });
    for (const theme of THEMES) {
      // The header's own control (on a phone it is behind the menu button).
      if (size.name === 'phone') {
        const open = await page.$eval('header.top', (el) => el.classList.contains('menu-open'));
        if (!open) await page.click('button.menu-toggle');
      }
      await page.selectOption('header.top select.theme', theme);
      assert.is(await page.evaluate(() => document.documentElement.dataset.theme), theme);
      for (const p of PAGES) {
        await visit(p);
        const where = `${p} at ${size.name} ${theme}`;
        const o = await overflow();
        assert.ok(o.scrollWidth <= o.clientWidth, `${where}: page scrolls sideways (${o.scrollWidth} > ${o.clientWidth}): ${o.wide.join(', ')}`);
        // The header's controls are all inside the screen (not cut off); on a phone the menu folds behind a button.
        const cut = await page.$$eval('header.top .tools > *, header.top .brand, header.top .menu-toggle', (els) =>
          els.filter((e) => (e as HTMLElement).offsetParent !== null && e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).map((e) => e.className));
        assert.equal(cut, [], `${where}: header controls cut off`);
        if (theme === 'dark') {
          const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
          assert.is(bg, 'rgb(15, 23, 34)', `${where}: dark background`);
          // Charts are drawn in ECharts' dark theme, on the card's background.
          const chartBgs = await page.evaluate(() => [...document.querySelectorAll('.chart')].map((el) => (window as any).echarts.getInstanceByDom(el)?.getOption().backgroundColor));
          assert.ok(chartBgs.every((b) => b === 'transparent'), `${where}: charts in the dark theme: ${chartBgs}`);
        }
        await page.screenshot({ path: `${ARTIFACTS}/${p.replace('/', '-')}-${size.name}-${theme}.png`, fullPage: true });
        shots++;
        assert.equal(problems, [], `${where}:\n${problems.join('\n')}`);
      }
    }
  }
  // The status page (public, server-rendered) at both sizes.
  for (const size of SIZES) {
    await page.setViewportSize({ width: size.width, height: size.height });
    const sp = await browser.newPage({ viewport: { width: size.width, height: size.height } });
    const bad: string[] = [];
    sp.on('response', (r) => { if (r.status() >= 400) bad.push(`${r.status()} ${r.url()}`); });
    sp.on('console', (m) => { if (m.type() === 'error') bad.push(m.text()); });
    await sp.goto(`${base}/status`);
    const o = await sp.evaluate(() => ({ w: document.scrollingElement!.scrollWidth, c: document.scrollingElement!.clientWidth }));
    assert.ok(o.w <= o.c, `status page at ${size.name} scrolls sideways (${o.w} > ${o.c})`);
    assert.equal(bad, []);
    await sp.screenshot({ path: `${ARTIFACTS}/status-${size.name}.png`, fullPage: true });
    await sp.close();
  }
  console.log(`${shots} pages checked and saved to ${ARTIFACTS} in ${Date.now() - t0} ms`);
});

test('phone: the menu folds behind a button that opens and closes it', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await visit('overview');
  assert.is(await page.isVisible('header.top nav'), false, 'menu folded');
  await page.click('button.menu-toggle');
  assert.is(await page.isVisible('header.top nav'), true, 'menu open');
  assert.is(await page.getAttribute('button.menu-toggle', 'aria-expanded'), 'true');
  await page.click('header.top nav a[href^="#/alerts"]');
  await page.waitForSelector('main.content[data-page="alerts"][data-ready="1"]');
  assert.is(await page.isVisible('header.top nav'), false, 'choosing a page folds the menu again');
});

test('1,366 × 768: the silences table shows its 原因 column in full', async () => {
  await page.setViewportSize({ width: 1366, height: 768 });
  await visit('alerts');
  const fit = await page.$eval('.silences-list .tablewrap', (w) => ({ scroll: w.scrollWidth, client: w.clientWidth }));
  assert.ok(fit.scroll <= fit.client, `silences table fits its box (${fit.scroll} > ${fit.client})`);
  const reason = await page.$eval('.silences-list span.reason', (el) => {
    const r = el.getBoundingClientRect();
    const box = el.closest('.tablewrap')!.getBoundingClientRect();
    return { right: r.right, boxRight: box.right, text: el.textContent };
  });
  assert.ok(reason.right <= reason.boxRight, `reason inside the table's box: ${reason.right} > ${reason.boxRight}`);
  assert.ok(reason.text!.includes('割接结束后由值班人员解除'));
});

test('keyboard: Tab reaches the header controls with a visible focus ring; a sortable header sorts with Enter', async () => {
  await page.setViewportSize({ width: 1366, height: 768 });
  await visit('overview');
  await page.focus('body');
  const seen = new Set<string>();
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate(() => {
      const a = document.activeElement as HTMLElement;
      const cs = getComputedStyle(a);
      return { cls: [a.tagName.toLowerCase(), ...a.classList].join('.'), outline: cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2 };
    });
    assert.ok(f.outline, `focus ring on ${f.cls}`);
    seen.add(f.cls);
  }
  for (const want of ['select.range', 'button.secondary.small.refresh', 'select.theme', 'select.lang', 'button.secondary.small.logout']) {
    assert.ok([...seen].includes(want), `Tab reaches ${want}: ${[...seen].join(' ')}`);
  }
  await page.focus('.targets-list th.sortable[data-sort="name"]');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.targets-list th.sortable[data-sort="name"][aria-sort="ascending"]');
});

test('English: the 语言 / Language control switches the shell and is kept across a reload', async () => {
  await page.selectOption('header.top select.lang', 'en');
  await page.waitForSelector('main.content[data-ready="1"]');
  const nav = await page.$$eval('header.top nav a', (as) => as.map((a) => a.textContent));
  assert.equal(nav.slice(0, 3), ['Overview', 'Target', 'Alerts']);
  assert.is(await page.evaluate(() => document.documentElement.lang), 'en');
  await visit('system');
  assert.ok((await page.textContent('main.content'))!.includes('Hypertables and chunks'));
  // English labels are longer: the header wraps rather than widening the page, at both sizes.
  for (const size of SIZES) {
    await page.setViewportSize({ width: size.width, height: size.height });
    for (const p of ['overview', 'target', 'system']) {
      await visit(p);
      const o = await overflow();
      assert.ok(o.scrollWidth <= o.clientWidth, `${p} in English at ${size.name}: page scrolls sideways (${o.scrollWidth} > ${o.clientWidth}): ${o.wide.join(', ')}`);
    }
  }
  await page.setViewportSize({ width: 1366, height: 768 });
  const before = problems.length;
  await page.reload();
  await page.waitForSelector('main.content[data-ready="1"]');
  // A reload ends the page's own live stream (and nothing else).
  const aborted = problems.splice(before).filter((p) => p !== 'failed GET /api/events: net::ERR_ABORTED');
  assert.equal(aborted, []);
  assert.is(await page.textContent('button.logout'), 'Sign out');
  await page.screenshot({ path: `${ARTIFACTS}/system-laptop-dark-en.png`, fullPage: true });
  await page.selectOption('header.top select.lang', 'zh-CN');
  await page.waitForSelector('header.top nav a:has-text("总览")');
  assert.equal(problems, [], problems.join('\n'));
});

test('English: the converted pages take their headings, columns, buttons, labels and options from the catalogue', async () => {
  await page.selectOption('header.top select.lang', 'en');
  await page.waitForSelector('main.content[data-ready="1"]');
  const CJK = /[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]/;
  // What the page itself writes (the seeded data — module names, silence reasons — is Chinese and stays so).
  for (const p of ['alerts', 'notices', 'calls', 'admin', 'reporting', 'target/portal-home', 'rum', 'config']) {
    await visit(p);
    const texts = await page.$$eval('main.content :is(h3, h4, th, button, label > span, .stat-label, option)', (els) => els.map((e) => e.textContent ?? ''));
    assert.ok(texts.length > 5, `${p}: found the page's own texts (${texts.length})`);
    assert.equal(texts.filter((x) => CJK.test(x)), [], `${p} in English still writes Chinese`);
  }
  await page.selectOption('header.top select.lang', 'zh-CN');
  await page.waitForSelector('header.top nav a:has-text("总览")');
  assert.equal(problems, [], problems.join('\n'));
});

test('a failed request shows what failed with 重试 (not 暂无数据), and 重试 loads it again', async () => {
  const cases = [
    { page: 'alerts', url: /\/api\/alerts\/maintenance(\?|$)/, text: '维护窗口加载失败：数据库超时' },
    { page: 'reporting', url: /\/api\/reporter\/runs(\?|$)/, text: '运行记录加载失败：数据库超时' },
    { page: 'admin', url: /\/api\/auth\/users(\?|$)/, text: '用户列表加载失败：数据库超时' },
    { page: 'rum', url: /\/api\/collector\/faro\/errors(\?|$)/, text: '前端错误加载失败：数据库超时' },
    { page: 'config', url: /\/api\/collector\/config\/targets(\?|$)/, text: '监测对象加载失败：数据库超时' },
  ];
  for (const c of cases) {
    const before = problems.length;
    await page.route(c.url, (r) => r.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ error: { code: 'internal', message: '数据库超时' } }) }));
    await visit(c.page);
    const failed = await page.$$eval('main.content .failed', (els) => els.map((e) => e.textContent ?? ''));
    assert.ok(failed.some((t) => t.includes(c.text) && t.includes('重试')), `${c.page}: ${failed.join(' | ')}`);
    await page.unroute(c.url);
    await page.click('main.content .failed button.retry');
    await page.waitForFunction(() => !document.querySelector('main.content .failed'), undefined, { timeout: 20_000 });
    // The injected 500 (and the browser's console line for it) and nothing else.
    const seen = problems.splice(before).filter((p) => !/^500 GET /.test(p) && !/status of 500/.test(p));
    assert.equal(seen, [], `${c.page}: ${seen.join('\n')}`);
  }
});

test('配色 is on <html> before the app script runs (no light flash): /theme.js in <head> sets it', async () => {
  // Same browser profile (the choice is in localStorage); the app bundle never loads on this page.
  await page.evaluate(() => localStorage.setItem('theme', 'dark'));
  const bare = await ctx.newPage();
  await bare.route(/\/assets\/app\..*\.js$/, (r) => r.abort());
  await bare.goto(base + '/');
  assert.is(await bare.evaluate(() => document.documentElement.dataset.theme), 'dark');
  assert.is(await bare.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(15, 23, 34)');
  await bare.evaluate(() => localStorage.setItem('theme', 'light'));
  await bare.reload();
  assert.is(await bare.evaluate(() => document.documentElement.dataset.theme), 'light');
  await bare.close();
});

test.after(async () => {
  await browser.close();
  await system.stop();
  await db.close();
});

test.run();
