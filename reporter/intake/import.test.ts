import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { parse } from 'csv-parse/sync';
import { openTestDb } from '../../test/helpers/db';
import { manualClock } from '../../core/time';
import { makeFixtures, recordsToCsv, recordsToXlsx } from '../fixtures/records';
import { importFile } from './import';
import { Intake } from './service';

const db = await openTestDb();
const clock = manualClock(Date.UTC(2026, 10, 24, 4, 0, 0));
const intake = new Intake({ db, clock });
const dir = mkdtempSync(join(tmpdir(), 'reporter-import-'));
const f = makeFixtures({ seed: 21, items: 8, officers: 12, inspections: 300, penalties: 150, invalidShare: 0.1, now: clock() });
const status = async (type: string, id: string) =>
  (await db.query<{ status: string }>(`SELECT status FROM reporter_records WHERE data_type = $1 AND record_id = $2`, [type, id])).rows[0]?.status;

test('CSV with BOM and Chinese headers: ITEM and OFFICER', async () => {
  const items = join(dir, 'items.csv');
  writeFileSync(items, recordsToCsv('ITEM', f.ITEM, { bom: true }));
  const s = await importFile({ intake, dataType: 'ITEM', file: items });
  assert.is(s.rows, 8);
  assert.is(s.accepted, 8);
  assert.equal(s.missingColumns, []);
  const officers = join(dir, 'officers.csv');
  writeFileSync(officers, recordsToCsv('OFFICER', f.OFFICER)); // no BOM
  assert.is((await importFile({ intake, dataType: 'OFFICER', file: officers })).accepted, 12);
});

test('JSON Lines: INSPECTION with invalid rows kept, an unreadable line reported, progress called', async () => {
  const file = join(dir, 'ins.jsonl');
  const lines = f.INSPECTION.map((r) => JSON.stringify(r));
  // A broken line holding an ID number: the parser's message quotes the line, the report must not.
  lines.splice(5, 0, '{"recordId": "broken", "partyCertNo": 11010519491231002X}', '');
  writeFileSync(file, lines.join('\n') + '\n');
  let progress = 0;
  const s = await importFile({ intake, dataType: 'INSPECTION', file, onProgress: () => progress++ });
  const bad = f.invalid.INSPECTION.size;
  assert.ok(bad > 10);
  assert.is(s.rows, 301);
  assert.is(s.rejected, bad + 1);
  assert.is(s.accepted, 300 - bad);
  assert.ok(progress >= 1);
  const report = parse(readFileSync(s.errorsFile, 'utf8'), { bom: true, columns: true }) as Record<string, string>[];
  assert.equal(Object.keys(report[0]), ['row', 'recordId', 'field', 'code', 'message']);
  const broken = report.find((r) => r.field === 'record')!;
  assert.is(broken.row, '6');
  assert.is(broken.code, 'E_FORMAT');
  for (const [id, code] of f.invalid.INSPECTION) {
    assert.ok(report.some((r) => r.recordId === id && r.code === code), `${id} ${code} in the report`);
    assert.is(await status('INSPECTION', id), 'invalid');
  }
  // No full ID number anywhere in the report.
  assert.not.match(readFileSync(s.errorsFile, 'utf8'), /\d{17}[\dX]/);
  const rejects = await db.query(`SELECT row_no FROM reporter_intake_rejects WHERE source = 'import'`);
  assert.equal(rejects.rows.map((r: any) => r.row_no), [6]);
  assert.ok(existsSync(s.rejectedRowsFile!));
});

test('CSV PENALTY: full-width ； separators, E_DUPLICATE across batches, error report rows re-importable after a fix', async () => {
  const small = new Intake({ db, clock, reporter: { ...intake.reporter, intake: { ...intake.reporter.intake, writeBatchSize: 50 } } });
  const rows = f.PENALTY.map((p) => ({ ...p }));
  const dupOf = rows[3];
  rows.push({ ...dupOf, facts: '不同的违法事实' }); // same id, different content, in a later batch
  rows.push({ ...rows[10] }); // identical repeat: one record
  const file = join(dir, 'pen.csv');
  writeFileSync(file, recordsToCsv('PENALTY', rows, { sep: '；' }));
  const s = await importFile({ intake: small, dataType: 'PENALTY', file });
  const bad = f.invalid.PENALTY.size;
  assert.is(s.rows, 152);
  assert.is(s.unchanged, 1);
  // The duplicate pair: the later row is rejected, and the report names the earlier row too.
  const report = parse(readFileSync(s.errorsFile, 'utf8'), { bom: true, columns: true }) as Record<string, string>[];
  const dups = report.filter((r) => r.code === 'E_DUPLICATE');
  assert.equal(dups.map((d) => d.row).sort(), ['152', '5']);
  assert.is(await status('PENALTY', dupOf.recordId), 'invalid');
  // Row 5 was accepted in the first batch; the conflict found in a later batch turns the record invalid.
  assert.is(s.accepted + s.heldReference, 150 - bad);
  assert.is(s.rejected, bad + 1);
  // Fix the rejected rows file: take the valid fixture values back, drop the duplicate, import again.
  const fixedRows = f.PENALTY.filter((p) => f.invalid.PENALTY.has(p.recordId) || p.recordId === dupOf.recordId);
  const fixedFile = join(dir, 'pen-fixed.csv');
  const rejected = parse(readFileSync(s.rejectedRowsFile!, 'utf8'), { bom: true, columns: true }) as Record<string, string>[];
  assert.is(rejected.length, bad + 1);
  assert.ok(Object.keys(rejected[0]).includes('处罚决定书文号'));
  const clean = makeFixtures({ seed: 21, items: 8, officers: 12, inspections: 300, penalties: 150, now: clock() });
  writeFileSync(fixedFile, recordsToCsv('PENALTY', clean.PENALTY.filter((p) => fixedRows.some((x) => x.recordId === p.recordId)), { bom: true }));
  const again = await importFile({ intake, dataType: 'PENALTY', file: fixedFile });
  assert.is(again.rejected, 0);
  assert.is(await status('PENALTY', dupOf.recordId), 'valid');
  const hist = await db.query(`SELECT version FROM reporter_record_versions WHERE data_type = 'PENALTY' AND record_id = $1 ORDER BY version`, [dupOf.recordId]);
  assert.equal(hist.rows.map((r: any) => r.version), [1, 2, 3]);
});

test('a file with the wrong headers is refused with advice, nothing written', async () => {
  const file = join(dir, 'wrong.csv');
  writeFileSync(file, 'a,b,c\n1,2,3\n');
  const before = (await db.query<{ n: string }>(`SELECT count(*) AS n FROM reporter_records`)).rows[0].n;
  try {
    await importFile({ intake, dataType: 'ITEM', file });
    assert.unreachable('should throw');
  } catch (err) {
    assert.match((err as Error).message, '记录编码');
  }
  assert.is((await db.query<{ n: string }>(`SELECT count(*) AS n FROM reporter_records`)).rows[0].n, before);
});

test('the audit trail has one row per import', async () => {
  const r = await db.query(`SELECT 1 FROM audit_log WHERE action = 'reporter.records.import'`);
  assert.is(r.rows.length, 5);
});

test('--dry-run checks and reports, and stores nothing', async () => {
  const g = makeFixtures({ seed: 33, items: 3, invalidShare: 0.5, invalidTypes: ['ITEM'], now: clock() });
  const file = join(dir, 'dry.csv');
  writeFileSync(file, recordsToCsv('ITEM', g.ITEM.map((x) => ({ ...x, recordId: `DRY-${x.recordId}` }))));
  const count = async () => (await db.query<{ n: string }>(`SELECT count(*) AS n FROM reporter_records`)).rows[0].n;
  const before = await count();
  const s = await importFile({ intake, dataType: 'ITEM', file, dryRun: true });
  assert.is(s.rows, 3);
  assert.ok(g.invalid.ITEM.size > 0);
  assert.is(s.rejected, g.invalid.ITEM.size);
  assert.ok(s.errorLines >= g.invalid.ITEM.size);
  assert.is(await count(), before);
});

test('.xlsx: the same headers and pipeline; date cells read as UTC+8 wall-clock, codes as numbers and error cells name row and column', async () => {
  // The inspections again, as a workbook with real date cells: read back to the same text, so every row is unchanged.
  const file = join(dir, 'ins.xlsx');
  writeFileSync(file, await recordsToXlsx('INSPECTION', f.INSPECTION, { dates: true }));
  const s = await importFile({ intake, dataType: 'INSPECTION', file });
  assert.is(s.encoding, 'xlsx');
  assert.is(s.rows, 300);
  assert.is(s.unchanged + s.rejected, 300, JSON.stringify(s));
  assert.is(s.accepted, 0);
  assert.ok(s.errorsFile.endsWith('ins.errors.csv'));
  // New records: a code typed as a number (01 → 1), an #N/A cell, a formula with its result, a date-time cell.
  const base = f.INSPECTION.filter((r) => !f.invalid.INSPECTION.has(r.recordId)).slice(0, 3);
  const rows = [
    { ...base[0], recordId: 'XL-1', checkForm: 1 },
    { ...base[1], recordId: 'XL-2', partyName: { error: '#N/A' } },
    { ...base[2], recordId: 'XL-3', actionName: { formula: 'A1&"检查"', result: '公式得出的名称' }, updatedAt: new Date(Date.UTC(2026, 10, 23, 9, 30, 0)) },
  ];
  const file2 = join(dir, 'new.xlsx');
  writeFileSync(file2, await recordsToXlsx('INSPECTION', rows, { dates: true }));
  const t = await importFile({ intake, dataType: 'INSPECTION', file: file2 });
  assert.is(t.rows, 3);
  assert.is(t.accepted, 1, JSON.stringify(t));
  assert.is(t.rejected, 2);
  const report = parse(readFileSync(t.errorsFile, 'utf8'), { bom: true, columns: true }) as Record<string, string>[];
  const form = report.find((r) => r.recordId === 'XL-1')!;
  assert.is(form.row, '2');
  assert.is(form.field, 'checkForm');
  const na = report.find((r) => r.recordId === 'XL-2')!;
  assert.is(na.row, '3');
  assert.is(na.field, 'partyName');
  assert.match(na.message, /第 3 行 [A-Z]+ 列（行政相对人名称）/);
  assert.match(na.message, '#N/A');
  const stored = await db.query<{ data: any }>(`SELECT data FROM reporter_records WHERE data_type = 'INSPECTION' AND record_id = 'XL-3'`);
  const d = typeof stored.rows[0].data === 'string' ? JSON.parse(stored.rows[0].data) : stored.rows[0].data;
  assert.is(d.actionName, '公式得出的名称');
  assert.is(d.checkDate, base[2].checkDate);
  // The rejected rows, as CSV beside the report, to correct and import again.
  const again = parse(readFileSync(t.rejectedRowsFile!, 'utf8'), { bom: true, columns: true }) as Record<string, string>[];
  assert.equal(again.map((r) => r['记录编码']), ['XL-1', 'XL-2']);
});

test('.xlsx: read every time when xl/workbook.xml is stored last and the disk is slow; the first visible sheet in tab order', async () => {
  // ExcelJS stores xl/workbook.xml last. Its own streaming reader parks a worksheet that comes before the shared
  // strings in a temp file, and lost the entries after it whenever that temp file was slow (exceljs/exceljs#3064): the
  // import failed with "reading 'sheets'" on a valid file, as once on a loaded CI machine. Slow that temp file down.
  const tmp = createRequire(createRequire(import.meta.url).resolve('exceljs'))('tmp') as { file: (cb: unknown) => void };
  const realFile = tmp.file;
  tmp.file = (cb: unknown) => void setTimeout(() => realFile(cb), 150);
  const base = f.INSPECTION.filter((r) => !f.invalid.INSPECTION.has(r.recordId)).slice(0, 3);
  try {
    const small = join(dir, 'slow.xlsx');
    writeFileSync(small, await recordsToXlsx('INSPECTION', base.map((r, i) => ({ ...r, recordId: `SLOW-${i}` })), { dates: true }));
    for (let i = 0; i < 3; i++) {
      const s = await importFile({ intake, dataType: 'INSPECTION', file: small, dryRun: true });
      assert.is(s.rows, 3, JSON.stringify(s));
      assert.is(s.rejected, 0, JSON.stringify(s));
    }
  } finally {
    tmp.file = realFile;
  }
  // A hidden note sheet before the data is passed over; a visible one is what the office sees first, and is refused.
  const ExcelJS = (await import('exceljs')).default;
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await recordsToXlsx('INSPECTION', base.map((r, i) => ({ ...r, recordId: `TAB-${i}` })), { before: ['说明'] })) as never);
  wb.getWorksheet('说明')!.state = 'hidden';
  const hidden = join(dir, 'hidden-note.xlsx');
  writeFileSync(hidden, Buffer.from(await wb.xlsx.writeBuffer()));
  const h = await importFile({ intake, dataType: 'INSPECTION', file: hidden, dryRun: true });
  assert.is(h.rows, 3, JSON.stringify(h));
  const visible = join(dir, 'visible-note.xlsx');
  writeFileSync(visible, await recordsToXlsx('INSPECTION', base, { before: ['说明'] }));
  try {
    await importFile({ intake, dataType: 'INSPECTION', file: visible, dryRun: true });
    assert.unreachable('a note sheet first is not the data');
  } catch (err) {
    assert.match((err as Error).message, '记录编码');
  }
});

test('cellText: the rule for Excel values', async () => {
  const { cellText } = await import('./import');
  assert.equal(cellText('007', 'x'), { text: '007' });
  assert.equal(cellText(7, 'x'), { text: '7' });
  assert.equal(cellText(0.1 + 0.2, 'x'), { text: '0.3' });
  assert.ok(cellText(110105194912310021, 'partyCertNo').error?.includes('文本'));
  assert.equal(cellText(new Date(Date.UTC(2026, 0, 5)), 'checkDate'), { text: '2026-01-05' });
  assert.equal(cellText(new Date(Date.UTC(2026, 0, 5)), 'updatedAt'), { text: '2026-01-05 00:00:00' });
  assert.equal(cellText({ richText: [{ text: '甲' }, { text: '乙' }] }, 'x'), { text: '甲乙' });
  assert.ok(cellText({ formula: 'A1' }, 'x').error);
});

test.after(async () => {
  await db.close();
});

test.run();
