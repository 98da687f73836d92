// The import through the running server (POST /api/reporter/imports): a file as the streamed body, UTF-8 with BOM,
// GBK and JSON Lines, the counts and the import id in the answer, the report in three parts as the clerk's CSV.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'csv-parse/sync';
import { parseConfig } from '../app/config';
import { startSystem } from '../app/system';
import { silentLogger } from '../core/log';
import { toGbk } from './helpers/gbk';
import { openTestDb } from './helpers/db';
import { makeFixtures, recordsToCsv, recordsToXlsx } from '../reporter/fixtures/records';

const db = await openTestDb();
const config = parseConfig(`
server: { host: 127.0.0.1, port: 0 }
log: { level: silent }
reporter:
  intake: { maxImportBytes: 200000, writeBatchSize: 20 }
`);
const sys = await startSystem({ config, db, log: silentLogger(), roles: [] });
const clerk = (await sys.auth.createToken({ name: 'clerk', role: 'regulator', createdBy: 'test' })).token;
const ops = (await sys.auth.createToken({ name: 'ops', role: 'ops', createdBy: 'test' })).token;
const f = makeFixtures({ seed: 15, items: 4, officers: 6, inspections: 60, penalties: 30, invalidShare: 0.1, now: Date.now() });
// The first officer's own record is broken: the inspections naming its certificate get a W_OFFICER that says so.
const brokenOfficer = { ...f.OFFICER[0], idNo: '12345' };



async function upload(query: string, body: string | Buffer, token = clerk) {
  const res = await fetch(`${sys.url}/api/reporter/imports?${query}`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' }, body: body as BodyInit,
  });
  return { status: res.status, body: (await res.json()) as any };
}
const get = async (path: string) => fetch(`${sys.url}/api/reporter${path}`, { headers: { authorization: `Bearer ${clerk}` } });

test('ITEM as GBK, OFFICER as UTF-8 with BOM: accepted, the encoding recorded, an import id', async () => {
  const a = await upload('type=ITEM&name=items.csv', toGbk(recordsToCsv('ITEM', f.ITEM)));
  assert.is(a.status, 200, JSON.stringify(a.body));
  assert.is(a.body.accepted, 4);
  assert.is(a.body.encoding, 'gb18030');
  assert.is(a.body.status, 'done');
  assert.is(a.body.via, 'api');
  assert.is(a.body.actor, 'token:clerk');
  const b = await upload('type=OFFICER&name=officers.csv', recordsToCsv('OFFICER', [brokenOfficer, ...f.OFFICER.slice(1)], { bom: true }));
  assert.is(b.status, 200);
  assert.is(b.body.encoding, 'utf-8');
  assert.is(b.body.accepted, 5);
  assert.is(b.body.rejected, 1);
  assert.ok(b.body.id > a.body.id);
});

test('PENALTY as JSON Lines before its INSPECTIONs: waiting, and the waiting part names the INSPECTION', async () => {
  const lines = f.PENALTY.map((p) => JSON.stringify(p)).join('\r\n');
  const r = await upload('type=PENALTY&format=jsonl&name=pen.jsonl', lines);
  assert.is(r.status, 200, JSON.stringify(r.body));
  assert.is(r.body.rows, 30);
  const withRef = f.PENALTY.filter((p) => p.inspectionRef && !f.invalid.PENALTY.has(p.recordId));
  assert.ok(withRef.length > 0);
  assert.is(r.body.heldReference, withRef.length);
  assert.is(r.body.rejected, f.invalid.PENALTY.size);
  assert.is(r.body.findings.waiting, withRef.length);
  const res = await get(`/imports/${r.body.id}/report.csv?part=waiting`);
  assert.is(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', 'text/csv');
  assert.match(res.headers.get('content-disposition') ?? '', "filename*=UTF-8''");
  const bytes = Buffer.from(await res.arrayBuffer());
  assert.equal([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const text = bytes.toString('utf8');
  assert.ok(text.startsWith('\uFEFF行号,记录编码,列名,字段,等待的记录类型,等待的记录编码,说明'), text.slice(0, 80));
  const rows = parse(text, { bom: true, columns: true }) as Record<string, string>[];
  assert.is(rows.length, withRef.length);
  const first = rows.find((x) => x['记录编码'] === withRef[0].recordId)!;
  assert.is(first['等待的记录编码'], withRef[0].inspectionRef);
  assert.is(first['等待的记录类型'], '行政检查行为（INSPECTION）');
  assert.is(first['列名'], '关联检查行为编号');
  // JSONL: the row number is the line.
  assert.is(first['行号'], String(f.PENALTY.indexOf(withRef[0]) + 1));
  // The error part holds only the rejected rows, not the waiting ones.
  const errs = parse(await (await get(`/imports/${r.body.id}/report.csv?part=error`)).text(), { bom: true, columns: true }) as Record<string, string>[];
  assert.equal([...new Set(errs.map((e) => e['记录编码']))].sort(), [...f.invalid.PENALTY.keys()].sort());
});

test('INSPECTION CSV: errors with the spreadsheet row, W_OFFICER says the officer record was rejected; the waiting penalties are released', async () => {
  const r = await upload('type=INSPECTION&name=ins.csv', recordsToCsv('INSPECTION', f.INSPECTION, { bom: true }));
  assert.is(r.status, 200, JSON.stringify(r.body));
  assert.is(r.body.rejected, f.invalid.INSPECTION.size);
  assert.is(r.body.accepted, 60 - f.invalid.INSPECTION.size);
  const errs = parse(await (await get(`/imports/${r.body.id}/report.csv?part=error`)).text(), { bom: true, columns: true }) as Record<string, string>[];
  assert.equal(Object.keys(errs[0]), ['行号', '记录编码', '列名', '字段', '错误代码', '错误说明']);
  for (const [id, code] of f.invalid.INSPECTION) {
    const line = errs.find((e) => e['记录编码'] === id && e['错误代码'] === code);
    assert.ok(line, `${id} ${code}`);
    // Header = row 1, so INS-n is row n + 1.
    assert.is(line!['行号'], String(Number(id.slice(4)) + 1));
  }
  const warns = parse(await (await get(`/imports/${r.body.id}/report.csv?part=warning`)).text(), { bom: true, columns: true }) as Record<string, string>[];
  assert.ok(warns.length > 0);
  assert.ok(warns.every((w) => w['警告代码'] === 'W_OFFICER'));
  const own = warns.filter((w) => w['警告说明'].includes(brokenOfficer.recordId));
  assert.ok(own.length > 0, JSON.stringify(warns[0]));
  assert.match(own[0]['警告说明'], '被拒绝');
  // The paged JSON of the same part.
  const page = (await (await get(`/imports/${r.body.id}/findings?kind=warning&limit=2`)).json()) as any;
  assert.is(page.total, warns.length);
  assert.is(page.items.length, 2);
  assert.is(page.items[0].fieldZh, '执法证号');
  // The penalties that waited for these inspections are valid now.
  const held = await db.query<{ n: string }>(`SELECT count(*) AS n FROM reporter_records WHERE data_type = 'PENALTY' AND status = 'held_reference'`);
  assert.is(Number(held.rows[0].n), 0);
});

test('.xlsx upload: the first worksheet through the same pipeline, recorded as xlsx; a damaged workbook 400', async () => {
  const more = makeFixtures({ seed: 16, items: 4, officers: 6, inspections: 10, penalties: 0, invalidShare: 0, now: Date.now() });
  const rows = more.INSPECTION.map((r, i) => ({ ...r, recordId: `XLS-${i + 1}`, implCode: f.ITEM[0].implCode, deptCode: f.ITEM[0].deptCode }));
  const r = await upload('type=INSPECTION&name=检查.xlsx', await recordsToXlsx('INSPECTION', rows, { dates: true }));
  assert.is(r.status, 200, JSON.stringify(r.body));
  assert.is(r.body.format, 'xlsx');
  assert.is(r.body.encoding, 'xlsx');
  assert.is(r.body.rows, 10);
  assert.is(r.body.rejected + r.body.accepted + r.body.heldReference, 10);
  const bad = await upload('type=INSPECTION&name=x.xlsx', 'PK not a zip');
  assert.is(bad.status, 400);
  assert.match(bad.body.error.message, '.xlsx');
});

test('the report as .xlsx: one worksheet per part with the Chinese headers and row numbers; the whole queue too', async () => {
  const ExcelJS = (await import('exceljs')).default;
  const list = (await (await get('/imports?limit=20')).json()) as any;
  const ins = list.items.find((i: any) => i.fileName === 'ins.csv');
  const res = await get(`/imports/${ins.id}/report.xlsx`);
  assert.is(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', 'spreadsheetml');
  assert.match(res.headers.get('content-disposition') ?? '', '.xlsx');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as never);
  assert.equal(wb.worksheets.map((w) => w.name), ['待更正的错误', '等待关联记录', '警告']);
  const errs = wb.getWorksheet('待更正的错误')!;
  assert.equal((errs.getRow(1).values as unknown[]).slice(1), ['行号', '记录编码', '列名', '字段', '错误代码', '错误说明']);
  assert.is(errs.rowCount - 1, ins.findings.error);
  const [id] = [...f.invalid.INSPECTION.keys()];
  const line = errs.getRows(2, errs.rowCount - 1)!.find((r) => r.getCell(2).value === id)!;
  assert.is(line.getCell(1).value, Number(id.slice(4)) + 1);
  assert.is(wb.getWorksheet('警告')!.rowCount - 1, ins.findings.warning);
  // The whole queue: the same parts over the current records, with type, import and row.
  const q = await get('/corrections/report.xlsx');
  assert.is(q.status, 200);
  const qb = new ExcelJS.Workbook();
  await qb.xlsx.load(Buffer.from(await q.arrayBuffer()) as never);
  const qe = qb.getWorksheet('待更正的错误')!;
  assert.equal((qe.getRow(1).values as unknown[]).slice(1, 4), ['数据类型', '导入编号', '行号']);
  const qline = qe.getRows(2, qe.rowCount - 1)!.find((r) => r.getCell(4).value === id)!;
  assert.ok(qline, 'the invalid inspection is in the queue report');
  assert.is(qline.getCell(1).value, '行政检查行为（INSPECTION）');
  assert.is(qline.getCell(2).value, ins.id);
  assert.is(qline.getCell(3).value, Number(id.slice(4)) + 1);
  const csv = parse(await (await get('/corrections/report.csv?part=error&dataType=INSPECTION')).text(), { bom: true, columns: true }) as Record<string, string>[];
  const ids = new Set(csv.map((r) => r['记录编码']));
  for (const k of f.invalid.INSPECTION.keys()) assert.ok(ids.has(k), k);
  assert.ok(csv.every((r) => r['数据类型'] === '行政检查行为（INSPECTION）'));
  assert.is((await get('/corrections/report.csv?part=x')).status, 400);
  assert.is((await get('/corrections/report.xlsx?dataType=NOPE')).status, 404);
});

test('refusals: a wrong header 400 (logged as failed), .xls 415, over the cap 413, no ingest permission 403, bad part 400', async () => {
  const wrong = await upload('type=ITEM&name=x.csv', 'a,b\n1,2\n');
  assert.is(wrong.status, 400);
  assert.is(wrong.body.error.code, 'unreadable_file');
  assert.match(wrong.body.error.message, '记录编码');
  const list = (await (await get('/imports?limit=1')).json()) as any;
  assert.is(list.items[0].status, 'failed');
  assert.match(list.items[0].error, '记录编码');
  assert.is((await upload('type=ITEM&name=old.xls', 'x')).status, 415);
  // Chunked (no content-length): counted as it arrives and cut off.
  const big = recordsToCsv('ITEM', f.ITEM) + 'x'.repeat(250_000);
  const chunked = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode(big)); c.close(); } });
  const over = await fetch(`${sys.url}/api/reporter/imports?type=ITEM`, {
    method: 'POST', headers: { authorization: `Bearer ${clerk}`, 'content-type': 'application/octet-stream' }, body: chunked, duplex: 'half',
  } as RequestInit);
  assert.is(over.status, 413);
  assert.is((await upload('type=ITEM', recordsToCsv('ITEM', f.ITEM), ops)).status, 403);
  assert.is((await get(`/imports/1/report.csv?part=all`)).status, 400);
  assert.is((await get(`/imports/999/report.csv`)).status, 404);
});

test('audited once per import, with the import id', async () => {
  const r = await db.query<{ details: any }>(`SELECT details FROM audit_log WHERE action = 'reporter.records.import' ORDER BY id`);
  assert.is(r.rows.length, 5); // 4 CSV/JSONL + 1 xlsx; the unreadable files are not (nothing was submitted)
  assert.ok(r.rows.every((x) => typeof (typeof x.details === 'string' ? JSON.parse(x.details) : x.details).importId === 'number'));
});

test.after(async () => {
  await sys.stop();
  await db.close();
});

test.run();
