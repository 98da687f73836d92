import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { parseConfig } from '../app/config';
import { startSystem } from '../app/system';
import { openTestDb, backend } from './helpers/db';
import { refreshRollups } from '../core/db/jobs';
import { CALL_ROLLUPS } from '../collector/calls/rollups';

// The 接口调用 page end to end: calls sent over the real ingest, Debian's Chromium signed in as ops, the city view,
// one interface (with its probe target beside the traffic) and one department.
const ARTIFACTS = 'test-artifacts/dashboard';
mkdirSync(ARTIFACTS, { recursive: true });
const PASSWORD = 'Yunwei-test-2026';
// Parsed as if it were a file in a fresh folder: the collector's journal (./data) goes there, not into the
// checkout's ./data, which a running `npm start` may hold.
const config = parseConfig(`
server: { host: 127.0.0.1, port: 0 }
log: { level: silent }
auth:
  seedUsers: [{ username: ops, password: ${PASSWORD}, role: ops }]
dashboard: { refreshSeconds: 0 }
collector:
  modules: [{ id: exchange, name: 共享交换平台 }]
  targets:
    - { id: rk-probe, module: exchange, name: 人口库接口探测, type: tcp, tags: { interface: RK001 }, spec: { host: 127.0.0.1, port: 9 } }
calls:
  countSince: 2026-01-01T00:00:00+08:00
  baseline: { city: 14000000, provincial: 8000000 }
  interfaces:
    - { code: RK001, name: 人口基本信息查询, level: provincial, sensitive: true }
    - { code: FR001, name: 法人基本信息查询 }
`, join(mkdtempSync(join(tmpdir(), 'dashboard-calls-')), 'config.yaml'));
const db = await openTestDb();
// The collector role mirrors the targets and the catalogue; its probes fail against port 9, which is all the same here.
const system = await startSystem({ config, db, roles: ['collector', 'dashboard'] });
const base = system.url!;
const token = (await system.auth.createToken({ name: 'shipper', role: 'ops', createdBy: 'test' })).token;
const now = Date.now();
const lines = Array.from({ length: 600 }, (_, i) =>
  JSON.stringify({ time: new Date(now - 3_600_000 + i * 5_000).toISOString(), interface: i % 3 ? 'RK001' : 'FR001', callerDept: ['市公安局', '市民政局', '市税务局'][i % 3 === 0 ? 0 : i % 2 ? 1 : 2],
    callerSystem: 'sys', status: i % 25 ? 200 : 503, latencyMs: 20 + (i % 40), records: 3, id: `c-${i}` }));
const res = await fetch(`${base}/api/collector/calls/ingest`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' }, body: lines.join('\n') });
if (res.status !== 200) throw new Error(`seeding calls: ${res.status} ${await res.text()}`);
// The Apache build's rollups are refreshed by the maintenance pass; run one now rather than wait for it.
await refreshRollups(db, CALL_ROLLUPS);

const browser: Browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
let page: Page;

async function open(hash: string) {
  await page.goto(`${base}/${hash}`);
  await page.waitForSelector('main.content[data-ready="1"]', { timeout: 20_000 });
  await page.waitForTimeout(300);
}

test('sign in as ops: the nav has 接口调用; the city view shows totals, the cumulative counters, the trend and the ranking', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
  page = await ctx.newPage();
  page.on('pageerror', (err) => console.log(`page error: ${err.message}`));
  await page.goto(base + '/');
  await page.fill('input[name=username]', 'ops');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('form.login button[type=submit]');
  await page.waitForSelector('header.top');
  assert.ok(await page.locator('nav a', { hasText: '接口调用' }).count(), 'nav entry');
  await open('#/calls?range=6h');
  const text = await page.textContent('main.content');
  assert.match(text!, '累计调用省级数据 800 万次');
  assert.match(text!, '累计调用市级数据 1,400 万次');
  const rows = await page.locator('.calls-top tbody tr').allTextContents();
  assert.is(rows.length, 2);
  assert.match(rows[0], '人口基本信息查询（RK001）');
  assert.match(rows[0], '敏感');
  assert.match(rows[0], '400');
  const bars = await page.evaluate(() => {
    const el = document.querySelector('.calls-trend');
    const inst = el && (window as any).echarts.getInstanceByDom(el);
    return inst ? (inst.getOption().series[0].data as unknown[]).length : 0;
  });
  assert.ok(bars >= 50, `trend bars: ${bars}`);
  await page.screenshot({ path: `${ARTIFACTS}/calls-${backend}.png`, fullPage: true });
});

test('one interface: status codes, its probe target beside the traffic, the top callers; on to one department', async () => {
  await page.locator('.calls-top a', { hasText: 'RK001' }).click();
  await page.waitForSelector('.page.calls.interface');
  await page.waitForSelector('main.content[data-ready="1"]');
  const codes = await page.locator('.status-codes tbody tr').allTextContents();
  assert.ok(codes.some((r) => r.includes('503')), codes.join('|'));
  assert.match((await page.textContent('.page.calls.interface'))!, '人口库接口探测');
  const callers = await page.locator('.top-callers tbody tr').allTextContents();
  assert.equal(callers.length, 2);
  await page.screenshot({ path: `${ARTIFACTS}/calls-interface-${backend}.png`, fullPage: true });
  await page.locator('.top-callers a', { hasText: '市民政局' }).click();
  await page.waitForSelector('.page.calls.caller');
  const used = await page.locator('.caller-interfaces tbody tr').allTextContents();
  assert.is(used.length, 1);
  assert.match(used[0], 'RK001');
});

test.after(async () => {
  await browser.close();
  await system.stop();
  await db.close();
});
test.run();
