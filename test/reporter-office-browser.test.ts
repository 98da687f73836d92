// The regulatory office's day in the running system (issue #15), through Debian's Chromium: the whole system (collector,
// reporter, dashboard) runs and the collector keeps probing a local site; the regulator imports a mixed CSV and a
// mixed .xlsx on the 数据直报 page, downloads the error report (.xlsx, three parts), filters the correction queue,
// corrects two records in the form, re-sends (立即上报) and the provincial gateway simulator holds them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { parseConfig } from '../app/config';
import { startSystem, type System } from '../app/system';
import { silentLogger } from '../core/log';
import { openTestDb } from './helpers/db';
import { until } from './helpers/until';
import { startProvinceSim, type ProvinceSim } from '../ops/province-sim/server';
import { makeFixtures, recordsToCsv, recordsToXlsx } from '../reporter/fixtures/records';

const ARTIFACTS = 'test-artifacts/reporter-office';
mkdirSync(ARTIFACTS, { recursive: true });
const PASSWORD = 'Jianguan-test-2026';
const secret = 'office-secret-5d1e';
const now = Date.now();
const f = makeFixtures({ seed: 1515, items: 6, officers: 8, inspections: 24, penalties: 0, invalidShare: 0.25, invalidTypes: ['INSPECTION'], now });
const clean = makeFixtures({ seed: 1515, items: 6, officers: 8, inspections: 24, penalties: 0, now });
// The mixed CSV: the ITEMs and one broken row (a catalogue code of 3 digits).
const badItem = { ...f.ITEM[0], recordId: 'ITEM-BAD-1', implCode: f.ITEM[0].implCode.slice(0, 19) + 'X9', catalogCode: '123' };

let site: Server;
let hits = 0;
let sim: ProvinceSim;
let system: System;
let browser: Browser;
let page: Page;
let base = '';
const db = await openTestDb();

test.before(async () => {
  site = createServer((_req, res) => {
    hits++;
    res.end('<html><body>门户首页</body></html>');
  });
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
  const siteUrl = `http://127.0.0.1:${(site.address() as { port: number }).port}/`;
  sim = await startProvinceSim({ port: 0, appKey: 'city-370700', appSecret: secret });
  const dir = mkdtempSync(join(tmpdir(), 'office-'));
  writeFileSync(join(dir, 'secret'), secret + '\n');
  // Parsed as if it were a file in that fresh folder: the collector's journal (./data) goes there, not into the
  // checkout's ./data, which a running `npm start` or another run of this file holds.
  const config = parseConfig(`
server: { host: 127.0.0.1, port: 0 }
log: { level: silent }
auth:
  seedUsers:
    - { username: regulator, password: ${PASSWORD}, role: regulator }
dashboard: { refreshSeconds: 0 }
collector:
  modules: [{ id: m1, name: 政府门户网站 }]
  targets:
    - { id: portal-home, module: m1, name: 门户首页, type: http, interval: 5s, spec: { url: "${siteUrl}" } }
reporter:
  province: { url: "${sim.url}", secret: { file: ${join(dir, 'secret')} }, timeout: 5s }
  schedule: { incremental: "0 0 1 1 *", full: "0 0 1 1 *", reconcile: "0 0 1 1 *", runOnStart: false }
  delivery: { receiptPollInterval: 20ms }
`, join(dir, 'config.yaml'));
  system = await startSystem({ config, db, log: silentLogger() });
  base = system.url!;
  // The officers are there already (their own import, through the API).
  const token = (await system.auth.createToken({ name: 'setup', role: 'regulator', createdBy: 'test' })).token;
  const r = await fetch(`${base}/api/reporter/imports?type=OFFICER&name=officers.csv`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: recordsToCsv('OFFICER', f.OFFICER) });
  assert.is(r.status, 200, await r.clone().text());
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN', acceptDownloads: true });
  page = await ctx.newPage();
  page.on('pageerror', (err) => console.log(`page error: ${err.message}`));
  await page.goto(base + '/');
  await page.fill('input[name=username]', 'regulator');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('form.login button[type=submit]');
  await page.waitForSelector('header.top');
});

test.after(async () => {
  await browser?.close();
  await system?.stop();
  await sim?.stop();
  await new Promise((r) => site.close(r));
  await db.close();
});

async function open(hash: string) {
  // The same URL again is only a hash "change" that the page ignores: reload then, so the page reads what the API holds now.
  if (page.url() === `${base}/${hash}`) await page.reload();
  else await page.goto(`${base}/${hash}`);
  await page.waitForSelector('main.content[data-ready="1"]', { timeout: 20_000 });
}

async function upload(type: string, name: string, buffer: Buffer) {
  await page.selectOption('select.import-type', type);
  await page.setInputFiles('input.import-file', { name, mimeType: 'application/octet-stream', buffer });
  await page.click('button.import-go');
  await page.waitForSelector(`.import-result`, { timeout: 60_000 });
  await page.waitForFunction((n) => document.querySelector('.tablewrap.imports tbody tr td:nth-child(4)')?.textContent === n, name, { timeout: 60_000 });
  return (await page.textContent('.import-result'))!;
}

const bad = [...f.invalid.INSPECTION.keys()];
let hitsBefore = 0;

test('import a mixed CSV and a mixed .xlsx on the page while the collector probes', async () => {
  await open('#/reporting');
  hitsBefore = hits;
  const a = await upload('ITEM', '监管事项.csv', Buffer.from(recordsToCsv('ITEM', [...f.ITEM, badItem], { bom: true })));
  assert.match(a, '接受 6');
  assert.match(a, '拒绝 1');
  assert.ok(bad.length >= 3, 'some inspections are broken');
  const b = await upload('INSPECTION', '检查记录.xlsx', await recordsToXlsx('INSPECTION', f.INSPECTION, { dates: true }));
  assert.match(b, `接受 ${24 - bad.length}`);
  assert.match(b, `拒绝 ${bad.length}`);
  assert.match(b, 'Excel 工作簿');
});

test('the error report downloads as .xlsx: three worksheets, Chinese headers, the sheet row of each broken record', async () => {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('.import-result a.dl-xlsx')]);
  const saved = `${ARTIFACTS}/import-report.xlsx`;
  await dl.saveAs(saved);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(saved);
  assert.equal(wb.worksheets.map((w) => w.name), ['待更正的错误', '等待关联记录', '警告']);
  const ws = wb.getWorksheet('待更正的错误')!;
  assert.equal((ws.getRow(1).values as unknown[]).slice(1, 3), ['行号', '记录编码']);
  for (const id of bad) {
    const row = ws.getRows(2, ws.rowCount - 1)!.find((r) => r.getCell(2).value === id);
    assert.ok(row, `${id} in the report`);
    assert.is(row!.getCell(1).value, f.INSPECTION.findIndex((x) => x.recordId === id) + 2, 'the sheet row (header = 1)');
  }
  // The whole queue's report is offered too.
  assert.ok(await page.$('.queue-links a.qdl-xlsx'));
});

test('the queue filtered on the server: by type and by text; the tile stays the whole queue', async () => {
  const tile = async () => Number((await page.textContent('.stat.tile-corrections .stat-num'))!.replace(/[^\d]/g, ''));
  const whole = bad.length + 1;
  assert.is(await tile(), whole);
  await page.selectOption('select.qf-type', 'INSPECTION');
  await page.click('button.qf-go');
  await page.waitForFunction((n) => document.querySelectorAll('.tablewrap.corrections tbody tr').length === n, bad.length);
  assert.is(await tile(), whole);
  // Text: a part of the record id (INS-2 also finds INS-20, INS-21 …: a substring, as typed).
  const term = bad[bad.length - 1];
  const n = bad.filter((b) => b.includes(term)).length;
  await page.fill('input.qf-text', term);
  await page.click('button.qf-go');
  await page.waitForFunction((k) => document.querySelectorAll('.tablewrap.corrections tbody tr').length === k, n);
  assert.match((await page.textContent('.card:has(.tablewrap.corrections) h3'))!, `筛选出 ${n} 条`);
  assert.match((await page.textContent('.tablewrap.corrections'))!, term);
  await page.click('button.qf-clear');
  await page.waitForFunction((n) => document.querySelectorAll('.tablewrap.corrections tbody tr').length === n, whole);
});

test('correct two records in the form, re-send, the province holds them', async () => {
  for (const id of bad.slice(0, 2)) {
    const broken = f.INSPECTION.find((x) => x.recordId === id)! as unknown as Record<string, unknown>;
    const good = clean.INSPECTION.find((x) => x.recordId === id)! as unknown as Record<string, unknown>;
    const changed = Object.keys(good).filter((k) => JSON.stringify(good[k]) !== JSON.stringify(broken[k]));
    assert.ok(changed.length > 0);
    await page.click(`button.correct[data-record="INSPECTION/${id}"]`);
    await page.waitForSelector('form.correct-form');
    assert.match((await page.textContent('.correct-summary'))!, '校验未通过');
    for (const k of changed) {
      const v = good[k];
      await page.fill(`form.correct-form [name="${k}"]`, Array.isArray(v) ? v.join(';') : String(v ?? ''));
    }
    await page.waitForFunction(() => document.querySelector('.correct-summary')?.textContent?.startsWith('校验通过'), null, { timeout: 10_000 });
    await page.click('button.correct-save');
    await page.waitForSelector('form.correct-form', { state: 'detached' });
    await page.waitForSelector(`button.correct[data-record="INSPECTION/${id}"]`, { state: 'detached' });
  }
  assert.not.ok(sim.store.isLive('INSPECTION', bad[0]), 'not sent before the run');
  await page.click('button.run-now');
  const t0 = Date.now();
  while (!(sim.store.isLive('INSPECTION', bad[0]) && sim.store.isLive('INSPECTION', bad[1])) && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 100));
  for (const id of bad.slice(0, 2)) {
    assert.ok(sim.store.isLive('INSPECTION', id), `the province holds ${id}`);
    const held = sim.store.get('INSPECTION', id)!;
    const good = clean.INSPECTION.find((x) => x.recordId === id)!;
    assert.is(held.data.checkDate, good.checkDate);
  }
  // The valid records went too; the uncorrected broken ones did not.
  assert.ok(sim.store.isLive('ITEM', f.ITEM[0].recordId));
  for (const id of bad.slice(2)) assert.not.ok(sim.store.isLive('INSPECTION', id), `${id} is still broken and not sent`);
  assert.not.ok(sim.store.isLive('ITEM', badItem.recordId));
  // Probing went on all the while (every 5 s): the office's work can now be shorter than one interval, so give the
  // collector up to two more intervals to show it still probes in the same running system.
  await until(`a probe after the office's work (${hitsBefore} before)`, () => hits > hitsBefore, 12_000, 100);
  assert.ok(hits > hitsBefore, `the collector kept probing through the office's work (${hitsBefore} → ${hits})`);
  await page.screenshot({ path: `${ARTIFACTS}/reporting.png`, fullPage: true });
});

test('the batch log: 共 N 条 from the server, filtered by type, searched by batch id, sorted by a header', async () => {
  const token = (await system.auth.createToken({ name: 'setup-batches', role: 'regulator', createdBy: 'test' })).token;
  const api = async (qs: string) => (await (await fetch(`${base}/api/reporter/batches?${qs}`, { headers: { authorization: `Bearer ${token}` } })).json()) as { total: number; items: { batchId: string; dataType: string; recordCount: number }[] };
  const all = await api('limit=1000');
  assert.ok(all.total >= 2, `batches were sent (${all.total})`);
  await open('#/reporting');
  const totalIs = (n: number) => page.waitForFunction((want) => document.querySelector('.batch-log .list-total')?.textContent === want, `共 ${n} 条`, { timeout: 10_000 });
  await totalIs(all.total);
  const type = all.items[0].dataType;
  await page.selectOption('.batch-log select[name=dataType]', type);
  await totalIs(all.items.filter((b) => b.dataType === type).length);
  await page.selectOption('.batch-log select[name=dataType]', '');
  await totalIs(all.total);
  const pick = all.items[all.items.length - 1].batchId;
  await page.fill('.batch-log input.list-search', pick);
  await totalIs(1);
  assert.match((await page.textContent('.batch-log tbody tr:first-child'))!, pick);
  await page.fill('.batch-log input.list-search', '');
  await totalIs(all.total);
  // Every sortable header carries aria-sort ("none" until it sorts), and the header is drawn anew only with the
  // sorted page: wait for "ascending" (the log is sorted by time, so the first click sorts this column ascending), not
  // for the attribute, which the old header already has while the sorted page is on its way.
  await page.click('.batch-log th[data-sort=recordCount]');
  await page.waitForSelector('.batch-log th[data-sort=recordCount][aria-sort=ascending]', { timeout: 10_000 });
  const sorted = await api('sort=recordCount&limit=1');
  await page.waitForFunction((id) => document.querySelector('.batch-log tbody tr:first-child')?.textContent?.includes(id), sorted.items[0].batchId, { timeout: 10_000 });
});

test('the records list: 共 N 条 from the server, filtered by type and status, searched by record id, sorted by a header', async () => {
  const token = (await system.auth.createToken({ name: 'setup-records', role: 'regulator', createdBy: 'test' })).token;
  const api = async (qs: string) => (await (await fetch(`${base}/api/reporter/records?${qs}`, { headers: { authorization: `Bearer ${token}` } })).json()) as { total: number; items: { recordId: string; dataType: string; status: string }[] };
  const all = await api('limit=1000');
  assert.ok(all.total > 20, `more records than one page (${all.total})`);
  await open('#/reporting');
  const totalIs = (n: number) => page.waitForFunction((want) => document.querySelector('.record-list .list-total')?.textContent === want, `共 ${n} 条`, { timeout: 10_000 });
  await totalIs(all.total);
  assert.is(await page.locator('.record-list tbody tr').count(), 20, 'one page of 20');
  await page.selectOption('.record-list select[name=dataType]', 'INSPECTION');
  await page.selectOption('.record-list select[name=status]', 'invalid');
  await totalIs(all.items.filter((r) => r.dataType === 'INSPECTION' && r.status === 'invalid').length);
  await page.selectOption('.record-list select[name=dataType]', '');
  await page.selectOption('.record-list select[name=status]', '');
  await totalIs(all.total);
  const pick = all.items[all.items.length - 1].recordId;
  await page.fill('.record-list input.list-search', pick.toLowerCase());
  await totalIs(all.items.filter((r) => r.recordId.toLowerCase().includes(pick.toLowerCase())).length);
  assert.match((await page.textContent('.record-list tbody'))!, pick);
  await page.fill('.record-list input.list-search', '');
  await totalIs(all.total);
  // As in the batch log: wait for the sorted header ("ascending", the list being sorted by arrival until now).
  await page.click('.record-list th[data-sort=recordId]');
  await page.waitForSelector('.record-list th[data-sort=recordId][aria-sort=ascending]', { timeout: 10_000 });
  const first = (await api('sort=recordId&limit=1')).items[0].recordId;
  await page.waitForFunction((id) => document.querySelector('.record-list tbody tr:first-child code')?.textContent === id, first, { timeout: 10_000 });
});

test('a COERCION (contract v1.1) in the form: its code tables offered with their Chinese labels, corrected, sent', async () => {
  const token = (await system.auth.createToken({ name: 'setup-coe', role: 'regulator', createdBy: 'test' })).token;
  const withCoe = makeFixtures({ seed: 1515, items: 6, officers: 8, inspections: 24, penalties: 0, coercions: 3, now });
  const ins = f.INSPECTION.find((x) => !bad.includes(x.recordId))!;
  const c = { ...withCoe.COERCION[0], recordId: 'COE-OFFICE-1', inspectionRef: ins.recordId, implCode: ins.implCode, deptCode: ins.deptCode, deptName: ins.deptName, kind: '1' as const, measureType: '05', executionType: undefined, extendedDays: undefined, endDate: undefined };
  const r = await fetch(`${base}/api/reporter/records/COERCION`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(c) });
  assert.is(((await r.json()) as { rejected: number }).rejected, 1);
  await open('#/reporting');
  await page.click('button.correct[data-record="COERCION/COE-OFFICE-1"]');
  await page.waitForSelector('form.correct-form');
  assert.match((await page.textContent('form.correct-form label[data-field="measureType"]'))!, '强制措施类型');
  assert.match((await page.textContent('form.correct-form label[data-field="measureType"] .field-note'))!, 'E_CODE_TABLE');
  assert.equal(await page.$$eval('form.correct-form datalist#codes-measureType option', (os) => os.map((o) => (o as HTMLOptionElement).value)), ['01', '02', '03', '04', '99']);
  assert.match((await page.textContent('form.correct-form label[data-field="executionType"] .field-codes'))!, '05 代履行');
  assert.match((await page.textContent('form.correct-form label[data-field="result"]'))!, '强制结果');
  await page.fill('form.correct-form [name="measureType"]', '03');
  await page.waitForFunction(() => document.querySelector('.correct-summary')?.textContent?.startsWith('校验通过'), null, { timeout: 10_000 });
  await page.click('button.correct-save');
  await page.waitForSelector('form.correct-form', { state: 'detached' });
  await page.click('button.run-now');
  const t0 = Date.now();
  while (!sim.store.isLive('COERCION', 'COE-OFFICE-1') && Date.now() - t0 < 60_000) await new Promise((res) => setTimeout(res, 100));
  assert.is(sim.store.get('COERCION', 'COE-OFFICE-1')?.data.measureType, '03');
});

test.run();
