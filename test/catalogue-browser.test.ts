import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http from 'node:http';
import { backend } from './helpers/db';
import { toGbk } from './helpers/gbk';
import { ARTIFACTS, browserYaml, startBrowserSystem, until as waitUntil } from './helpers/browser';

// The catalogue import in the browser (README: 接口目录导入): an operator uploads the exchange platform's catalogue
// (GBK CSV, as Excel exports it) on the 配置 page, reads the preview (the new interfaces, the bad row by row and
// column), applies it, and the imported interface is probed against a real server on 127.0.0.1; then switches the
// imported ones off with the list's bulk action.
const svc = http.createServer((req, res) => {
  if (req.url === '/rk/query') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"code":0}');
  res.writeHead(404).end();
});
await new Promise<void>((r) => svc.listen(0, '127.0.0.1', () => r()));
const svcBase = `http://127.0.0.1:${(svc.address() as { port: number }).port}`;
const sys = await startBrowserSystem('catalogue-browser', (dir) => browserYaml({ ops: 'ops' }) + `collector:
  journalDir: ${dir}/journal
  batch: { size: 10, age: 50ms }
  modules: [{ id: share, name: 共享交换平台 }]
`);
const { db, base, system } = sys;
const token = (await system.auth.createToken({ name: 'reader', role: 'ops', createdBy: 'test' })).token;
const apiGet = async (path: string) => (await fetch(base + path, { headers: { authorization: `Bearer ${token}` } })).json() as Promise<any>;
const open = sys.open;
const until: typeof waitUntil = (what, fn, ms = 20_000) => waitUntil(what, fn, ms);
const catalogue = toGbk([
  '接口编码,接口名称,接口地址,请求方式,所属系统,提供部门,重要程度,是否涉敏,期望状态码,断言,检测间隔',
  `RK-001,人口基本信息查询,${svcBase}/rk/query,GET,共享交换平台,市公安局,高,是,200,$.code == 0,5s`,
  `RK-002,人口户籍查询,${svcBase}/rk/query,GET,人口库,市公安局,中,否,200,,5s`,
  'BAD-001,坏接口,not-a-url,GET,人口库,市公安局,高,否,,,',
].join('\r\n') + '\r\n');

test('operator: upload the catalogue, preview, apply; the interface is probed; bulk disable from the list', async () => {
  const { ctx, page } = await sys.login('ops');

  await open(page, '#/config');
  await page.setInputFiles('input.catalogue-file', { name: '接口目录.csv', mimeType: 'text/csv', buffer: catalogue });
  await page.click('button.catalogue-preview');
  await page.waitForSelector('.catalogue-summary');
  const summary = (await page.textContent('.catalogue-summary')) ?? '';
  assert.match(summary, /预览「接口目录\.csv」（CSV，GBK）：共 3 行/);
  assert.match(summary, /新增 2/);
  assert.match(summary, /出错 1 行/);
  assert.match(summary, /新建模块 1/); // 共享交换平台 exists (found by name); 人口库 is new
  const errors = (await page.textContent('.catalogue-errors')) ?? '';
  assert.match(errors, /4接口地址BAD-001bad_url/);
  assert.match((await page.textContent('.catalogue-changes')) ?? '', /人口基本信息查询/);
  // A preview writes nothing.
  assert.is((await db.query(`SELECT 1 FROM config_objects WHERE kind = 'target'`)).rowCount, 0);
  await page.screenshot({ path: `${ARTIFACTS}/catalogue-preview-${backend}.png`, fullPage: true });

  await page.click('button.catalogue-apply');
  await page.waitForSelector('.catalogue-summary:has-text("已导入")');
  const rk = await until('rk-001 probed', async () => {
    const t = await apiGet('/api/collector/targets/rk-001');
    return t?.last?.success === true && t;
  });
  assert.is(rk.module, 'share');
  assert.is(rk.tags.sensitive, 'true');
  assert.is(rk.tags.department, '市公安局');

  // The list shows the imported ones with their department and the 涉敏 tag; the 部门 filter finds them.
  await page.waitForSelector('.config-targets tbody tr');
  assert.match((await page.textContent('.config-targets')) ?? '', /涉敏/);
  await page.selectOption('.config-targets select[name=department]', '市公安局');
  await page.waitForSelector('.config-targets .list-total:has-text("共 2 条")');
  await page.click('.config-targets input.select-all');
  await page.click('.config-targets button.bulk-disable');
  await until('both disabled', async () => {
    const r = await apiGet('/api/collector/config/targets');
    return r.items.filter((o: any) => o.data.enabled === false).length === 2;
  });
  await page.screenshot({ path: `${ARTIFACTS}/catalogue-applied-${backend}.png`, fullPage: true });
  const audit = await db.query<{ action: string }>(`SELECT action FROM audit_log WHERE actor = 'ops' AND action LIKE 'config.%' ORDER BY id`);
  assert.equal(audit.rows.map((a) => a.action), ['config.catalogue.import', 'config.target.disable', 'config.target.disable']);
  await ctx.close();
});

test.after(async () => {
  await sys.close();
  svc.close();
});
test.run();
