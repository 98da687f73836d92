/**
 * The clerk's report in three parts — errors to correct, records waiting for a referenced record (with which one),
 * warnings — for one import (its findings, with the file's row numbers) or for the whole correction queue (the
 * current records: what the city's validator or the province rejected, what waits, what carries a warning; the row
 * number is the one of the import that last brought the record, when it came by import). Each part as CSV (UTF-8
 * with BOM, CRLF, formula-guarded cells), or all three as one .xlsx workbook with one worksheet per part (written
 * with ExcelJS's streaming WorkbookWriter, page by page from the database). Chinese headers of the standard;
 * personal ID numbers masked in every message.
 */
import { PassThrough, type Readable } from 'node:stream';
import type { Queryable } from '../../core/db';
import type { ImportFindingKind } from '../../contract/reporter';
import type { DataType } from '../standard/types';
import { DATA_TYPE_ZH, labelOf } from '../standard/codes';
import { maskIdNumbers } from '../../core/mask';
import { csvLine } from './report';

export const PARTS: ImportFindingKind[] = ['error', 'waiting', 'warning'];

/** The three parts' Chinese names (sheet and file names, headings). */
export const PART_ZH: Record<ImportFindingKind, string> = { error: '待更正的错误', waiting: '等待关联记录', warning: '警告' };

/** One line of a report part. */
export interface ReportLine {
  dataType?: DataType;
  /** The import the row number belongs to (queue report). */
  importId?: number | null;
  rowNo: number | null;
  recordId: string;
  field: string;
  code: string;
  message: string;
  ref?: string | null;
  /** Who found it (queue report): the city's validator or the province. */
  foundBy?: 'city' | 'province';
}

const HEAD: Record<ImportFindingKind, string[]> = {
  error: ['行号', '记录编码', '列名', '字段', '错误代码', '错误说明'],
  waiting: ['行号', '记录编码', '列名', '字段', '等待的记录类型', '等待的记录编码', '说明'],
  warning: ['行号', '记录编码', '列名', '字段', '警告代码', '警告说明'],
};

const REF_TYPE: Record<string, DataType> = { implCode: 'ITEM', inspectionRef: 'INSPECTION' };

/** The header of a part; the queue's report has the record type, the import and who found it in front. */
export function reportHeader(kind: ImportFindingKind, queue: boolean): string[] {
  return queue ? ['数据类型', '导入编号', ...HEAD[kind], ...(kind === 'error' ? ['发现方'] : [])] : HEAD[kind];
}

/**
 * One line's cells. The message has its ID numbers masked always; a record's code and the record it waits for
 * (which may be an ID number too, e.g. a person's number used as a record code) unless `reveal` (the regulator).
 */
export function reportCells(kind: ImportFindingKind, l: ReportLine, queue: boolean, reveal = false): (string | number)[] {
  const id = (s: string) => (reveal ? s : maskIdNumbers(s));
  const head: (string | number)[] = [l.rowNo ?? '', id(l.recordId), labelOf(l.dataType, l.field) ?? l.field, l.field];
  const msg = maskIdNumbers(l.message);
  let cells: (string | number)[];
  if (kind === 'waiting') {
    const t = REF_TYPE[l.field];
    cells = [...head, t ? `${DATA_TYPE_ZH[t]}（${t}）` : '', id(l.ref ?? ''), msg];
  } else cells = [...head, l.code, msg];
  if (!queue) return cells;
  const t = l.dataType ? `${DATA_TYPE_ZH[l.dataType]}（${l.dataType}）` : '';
  return [t, l.importId ?? '', ...cells, ...(kind === 'error' ? [l.foundBy === 'province' ? '省平台拒收' : '本市校验'] : [])];
}

const STEP = 5_000;

/** One import's part, from its findings, in row order. */
export async function* importLines(q: Queryable, importId: number, kind: ImportFindingKind): AsyncGenerator<ReportLine> {
  for (let offset = 0; ; offset += STEP) {
    const res = await q.query<{ row_no: number; record_id: string | null; field: string; code: string; message: string; ref: string | null; data_type: DataType }>(
      `SELECT f.row_no, f.record_id, f.field, f.code, f.message, f.ref, i.data_type
         FROM reporter_import_findings f JOIN reporter_imports i ON i.id = f.import_id WHERE f.import_id = $1 AND f.kind = $2
        ORDER BY f.row_no, f.field, f.code LIMIT $3 OFFSET $4`,
      [importId, kind, STEP, offset],
    );
    // The type names the column in the type's own header (COERCION's result is 强制结果, INSPECTION's 检查结果).
    for (const r of res.rows) yield { dataType: r.data_type, rowNo: r.row_no, recordId: r.record_id ?? '', field: r.field, code: r.code, message: r.message, ref: r.ref };
    if (res.rows.length < STEP) return;
  }
}

/**
 * The whole queue's part, one line per reason, by type and record. error: invalid records (the city's errors) and
 * valid ones whose current version the province rejected (its errors); waiting: held_reference records (their
 * E_REFERENCE, naming the record); warning: every current record (not withdrawn) with a warning.
 */
export async function* queueLines(q: Queryable, kind: ImportFindingKind, f: { dataType?: DataType } = {}): AsyncGenerator<ReportLine> {
  const where =
    kind === 'error' ? `(r.status = 'invalid' OR (r.status = 'valid' AND d.rejected_version = r.version))`
    : kind === 'waiting' ? `r.status = 'held_reference'`
    : `r.status <> 'withdrawn' AND jsonb_array_length(r.warnings) > 0`;
  const list = kind === 'warning' ? `r.warnings` : kind === 'error' ? `CASE WHEN r.status = 'valid' THEN coalesce(d.rejected_errors, '[]'::jsonb) ELSE r.errors END` : `r.errors`;
  const params: unknown[] = [];
  let filter = '';
  if (f.dataType) {
    params.push(f.dataType);
    filter = ` AND r.data_type = $1`;
  }
  // The row in the import that last brought the record (its latest finding), when it came by import.
  const sql = `SELECT r.data_type, r.record_id, r.status, r.data, ${list} AS errs, lf.import_id, lf.row_no
      FROM reporter_records r
      LEFT JOIN report_deliveries d ON d.data_type = r.data_type AND d.record_id = r.record_id
      LEFT JOIN LATERAL (
        SELECT f.import_id, f.row_no FROM reporter_import_findings f JOIN reporter_imports i ON i.id = f.import_id
         WHERE r.source = 'import' AND f.record_id = r.record_id AND i.data_type = r.data_type
         ORDER BY f.import_id DESC LIMIT 1) lf ON true
     WHERE ${where}${filter}
     ORDER BY r.data_type, r.record_id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`;
  for (let offset = 0; ; offset += STEP) {
    const res = await q.query<{ data_type: DataType; record_id: string; status: string; data: unknown; errs: unknown; import_id: string | null; row_no: number | null }>(sql, [...params, STEP, offset]);
    for (const r of res.rows) {
      const errs = (typeof r.errs === 'string' ? JSON.parse(r.errs) : r.errs) as { field?: string; code?: string; message?: string }[] | null;
      const data = (typeof r.data === 'string' ? JSON.parse(r.data) : r.data) as Record<string, unknown> | null;
      const seen = new Set<string>();
      for (const e of errs ?? []) {
        // One line per reason (a reason repeated in the list is one line).
        const key = `${e.field}|${e.code}|${e.message}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const field = e.field ?? 'record';
        yield {
          dataType: r.data_type, importId: r.import_id === null ? null : Number(r.import_id), rowNo: r.row_no, recordId: r.record_id,
          field, code: e.code ?? '', message: e.message ?? '', foundBy: kind === 'error' && r.status === 'valid' ? 'province' : 'city',
          ref: kind === 'waiting' && typeof data?.[field] === 'string' ? (data[field] as string) : null,
        };
      }
    }
    if (res.rows.length < STEP) return;
  }
}

/** One part as CSV text (UTF-8 BOM so that Excel shows the Chinese, CRLF, formula-guarded cells). */
export async function reportCsv(lines: AsyncIterable<ReportLine>, kind: ImportFindingKind, queue: boolean, reveal = false): Promise<string> {
  const out: string[] = ['\uFEFF' + csvLine(reportHeader(kind, queue))];
  for await (const l of lines) out.push(csvLine(reportCells(kind, l, queue, reveal), true));
  return out.join('');
}

/**
 * All three parts as one .xlsx workbook, a worksheet per part named by its Chinese name (an empty part has its header
 * only), streamed as it is written. In .xlsx a cell is never a formula unless written as one: no guard needed.
 */
export function reportXlsx(parts: (kind: ImportFindingKind) => AsyncIterable<ReportLine>, queue: boolean, reveal = false): Readable {
  const out = new PassThrough();
  void (async () => {
    // Loaded on first use: ExcelJS is a large module tree, and a start that never writes a workbook skips it.
    const { default: ExcelJS } = await import('exceljs');
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
    for (const kind of PARTS) {
      const ws = wb.addWorksheet(PART_ZH[kind], { views: [{ state: 'frozen', ySplit: 1 }] });
      const header = reportHeader(kind, queue);
      ws.columns = header.map((h) => ({ width: /说明/.test(h) ? 60 : /类型|编码/.test(h) ? 24 : 12 }));
      const head = ws.addRow(header);
      head.font = { bold: true };
      head.commit();
      for await (const l of parts(kind)) ws.addRow(reportCells(kind, l, queue, reveal)).commit();
      ws.commit();
    }
    await wb.commit();
  })().catch((err) => out.destroy(err as Error));
  return out;
}

/** Content-Disposition for a download with a Chinese file name (and an ASCII fallback). */
export function attachment(ascii: string, zh: string): string {
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(zh)}`;
}
