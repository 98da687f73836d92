/**
 * Bulk import of one record type from a file (the command is app/cli/import.ts) or an upload (POST /api/reporter/imports).
 * CSV with the Chinese column headers of data-standard.md (UTF-8 with or without BOM, or GBK; several values in one cell
 * separated by ; or ；), or JSON Lines. The file is streamed and written in batches; the caller is told of progress;
 * the run ends with a summary and an error report (row, recordId, field, code, message) plus the rejected rows in
 * the input's format, to correct and import again. Every row is kept: rejected ones with status invalid.
 */
import { createReadStream, statSync } from 'node:fs';
import { Readable, pipeline } from 'node:stream';
import { basename } from 'node:path';
import { userInfo } from 'node:os';
import { parse } from 'csv-parse';
import { FIELDS, headerMap, DATA_TYPE_ZH } from '../standard/codes';
import type { DataType, ValidationResult } from '../standard/types';
import type { Intake, PreparedBatch, SubmitItem } from './service';
import { ErrorReport } from './report';
import { classify, createImport, finishImport, recordProgress, type ImportCounts, type NewFinding } from './imports';
import { maskIdNumbers } from '../../core/mask';
import { firstSheetRows } from './xlsx';

export type ImportFormat = 'csv' | 'jsonl' | 'xlsx';

/** The format a file name implies: .jsonl/.json/.ndjson JSON Lines, .xlsx Excel, anything else CSV. */
export function formatOf(name: string | undefined): ImportFormat {
  if (name && /\.(jsonl?|ndjson)$/i.test(name)) return 'jsonl';
  if (name && /\.xlsx$/i.test(name)) return 'xlsx';
  return 'csv';
}
/** How the bytes are read: `auto` = UTF-8 (with or without BOM) when they are valid UTF-8, else GB18030 (GBK's superset). */
export type ImportEncoding = 'auto' | 'utf-8' | 'gb18030';

interface CommonOptions {
  intake: Intake;
  dataType: DataType;
  /** Check only: validate and write the report, store nothing (no import row either). */
  dryRun?: boolean;
  /** Who imports (audit, version history); default `import:<os user>:<file>`. */
  receivedBy?: string;
  encoding?: ImportEncoding;
  /** Called after each batch with bytes read so far. */
  onProgress?(p: { bytes: number; totalBytes: number; rows: number; accepted: number; rejected: number }): void;
}

export interface ImportOptions extends CommonOptions {
  file: string;
  format?: ImportFormat;
  /** Error report path; default `<file>.errors.csv`. */
  errorsFile?: string;
}

export interface StreamImportOptions extends CommonOptions {
  /** The file's bytes (an upload's body). */
  input: AsyncIterable<Uint8Array>;
  format: ImportFormat;
  /** The file's name as the client gave it (shown in the import log). */
  fileName?: string;
  /** Expected size (progress), when known. */
  totalBytes?: number;
  /** Stop with ImportTooLargeError past this many bytes. */
  maxBytes?: number;
  /** Where it came from: the API's upload or the command. */
  via: 'api' | 'cli';
  /** Audit entry details (the caller's role and address). */
  audit?: { role?: string; ip?: string };
  /** The command's file report (rows, recordId, field, code, message + the rejected rows); the API has none. */
  report?: ErrorReport;
}

export interface ImportSummary extends ImportCounts {
  /** The import log's id (GET /api/reporter/imports/:id); absent for a dry run. */
  importId?: number;
  dataType: DataType;
  file: string;
  encoding: string;
  /** Lines per part of the report: errors to correct, rows waiting for a referenced record, warnings. */
  findings: { error: number; waiting: number; warning: number };
  errorsFile?: string;
  /** Lines in the error report file (one per error or warning). */
  errorLines: number;
  rejectedRowsFile?: string;
  /** Header columns that are not fields of this type (ignored), and fields with no column. */
  unknownColumns: string[];
  missingColumns: string[];
  seconds: number;
}

/** The upload went past its limit: nothing after it was read. */
export class ImportTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`文件超过导入上限 ${(limit / 1048576).toFixed(0)} MiB，请拆分后分别导入（已导入超限前的行）`);
    this.name = 'ImportTooLargeError';
  }
}

/** The file cannot be read as the type at all (wrong header, wrong encoding): a 400 for the API, exit 1 for the command. */
export class ImportUnreadableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportUnreadableError';
  }
}

interface Row {
  rowNo: number;
  input: unknown;
  raw: string[] | string;
  /** Set when the row could not be read at all (bad JSON). */
  readError?: string;
  /** Excel cells that hold no usable value (an error value, a formula without a result, digits Excel cut off). */
  cellErrors?: { field: string; message: string }[];
}

/**
 * Imports one file through the intake pipeline (one submission: duplicates are marked across the whole file, the
 * held records re-checked and the import audited once at the end). Throws (before writing any record) only when the
 * file cannot be read as the given type at all.
 */
export async function importFile(opts: ImportOptions): Promise<ImportSummary & { errorsFile: string }> {
  const format = opts.format ?? formatOf(opts.file);
  const errorsFile = opts.errorsFile ?? opts.file.replace(/\.(csv|jsonl?|ndjson|xlsx)$/i, '') + '.errors.csv';
  const stream = createReadStream(opts.file);
  try {
    const s = await importStream({
      ...opts, input: stream, format, fileName: basename(opts.file), totalBytes: statSync(opts.file).size, via: 'cli',
      receivedBy: opts.receivedBy ?? `import:${safeUser()}:${basename(opts.file)}`, report: new ErrorReport(errorsFile, format === 'jsonl' ? 'jsonl' : 'csv'),
    });
    return { ...s, file: opts.file, errorsFile };
  } finally {
    stream.destroy();
  }
}

/** Imports a stream of bytes (an upload, a file): see importFile. Records the import and its report parts in the import log. */
export async function importStream(opts: StreamImportOptions): Promise<ImportSummary> {
  const t0 = Date.now();
  const { intake, dataType, format, report } = opts;
  const totalBytes = opts.totalBytes ?? 0;
  const receivedBy = opts.receivedBy ?? `import:${safeUser()}:${opts.fileName ?? 'upload'}`;
  const sum: ImportSummary = {
    dataType, file: opts.fileName ?? '', encoding: '', bytes: 0, rows: 0, accepted: 0, heldReference: 0, rejected: 0, unchanged: 0, warned: 0,
    findings: { error: 0, waiting: 0, warning: 0 }, errorsFile: report?.path, errorLines: 0, unknownColumns: [], missingColumns: [], seconds: 0,
  };
  const importId = opts.dryRun ? undefined : await createImport(intake.db, { dataType, format, fileName: opts.fileName, via: opts.via, actor: receivedBy, now: intake.clock() });
  sum.importId = importId;
  const submission = intake.open(dataType, {
    source: 'import', actor: receivedBy, duplicates: 'file', dryRun: opts.dryRun,
    audit: { action: 'reporter.records.import', role: opts.audit?.role, ip: opts.audit?.ip, details: { file: opts.fileName, importId, via: opts.via } },
  });
  const counted = countBytes(opts.input, sum, opts.maxBytes);

  // One batch after another, but pipelined: while batch n is stored (and its findings written), the next one is read,
  // parsed and validated (Submission.prepare writes nothing). Stores, report lines and progress stay in file order.
  let inFlight: Promise<void> | undefined;
  const drain = async () => {
    const p = inFlight;
    inFlight = undefined;
    await p;
  };
  const flush = async (rows: Row[]) => {
    if (rows.length === 0) return;
    const items: SubmitItem[] = rows.map((r) => ({
      input: r.input, raw: r.input ?? r.raw, rowNo: r.rowNo,
      verdict: r.readError ? unreadable(dataType, r.readError) : r.cellErrors?.length ? badCells(dataType, r.input, r.cellErrors) : undefined,
    }));
    const prepared = await submission.prepare(items);
    await drain();
    inFlight = finish(rows, prepared);
    // Awaited by the next flush or drain; until then a failure must not count as unhandled.
    inFlight.catch(() => undefined);
  };
  const finish = async (rows: Row[], prepared: PreparedBatch) => {
    const { outcomes, results, late } = await submission.store(prepared);
    const findings: NewFinding[] = [];
    for (const [row, e] of late) {
      await report?.add(row, [e]);
      findings.push({ kind: 'error', rowNo: row, recordId: e.recordId, field: e.field, code: e.code, message: e.message });
    }
    for (let i = 0; i < rows.length; i++) {
      const o = outcomes[i];
      sum.rows++;
      if (o.outcome === 'accepted') sum.accepted++;
      else if (o.outcome === 'held_reference') sum.heldReference++;
      else if (o.outcome === 'unchanged') sum.unchanged++;
      else sum.rejected++;
      if (o.warnings.length) sum.warned++;
      const parts = classify(rows[i].rowNo, o, results[i]?.data ?? {});
      findings.push(...parts);
      const found = [...o.errors, ...o.warnings];
      if (found.length) await report?.add(rows[i].rowNo, found);
      // The rows to correct and import again: not the ones only waiting for a referenced record.
      if (parts.some((p) => p.kind === 'error')) await report?.addRow(rows[i].raw);
    }
    for (const p of findings) sum.findings[p.kind]++;
    if (importId !== undefined) await recordProgress(intake.db, importId, sum, findings, { encoding: sum.encoding });
    opts.onProgress?.({ bytes: sum.bytes, totalBytes, rows: sum.rows, accepted: sum.accepted, rejected: sum.rejected });
  };

  const size = intake.reporter.intake.writeBatchSize;
  let batch: Row[] = [];
  try {
    try {
      const source =
        format === 'xlsx' ? xlsxRows(counted, dataType, sum, report)
        : format === 'csv' ? csvRows(decode(counted, opts.encoding ?? 'auto', sum), dataType, sum, report)
        : jsonlRows(decode(counted, opts.encoding ?? 'auto', sum));
      for await (const row of source) {
        batch.push(row);
        if (batch.length >= size) {
          await flush(batch);
          batch = [];
        }
      }
      await flush(batch);
      await drain();
    } finally {
      // A read error may end the loop while a batch is being stored: it finishes (or fails) before the report closes.
      await inFlight?.catch(() => undefined);
      await report?.close();
    }
    await submission.close();
  } catch (err) {
    if (importId !== undefined) {
      await finishImport(intake.db, importId, { now: intake.clock(), status: 'failed', error: (err as Error).message, unknownColumns: sum.unknownColumns, missingColumns: sum.missingColumns })
        .catch(() => undefined);
    }
    throw err;
  }
  if (importId !== undefined) {
    await finishImport(intake.db, importId, { now: intake.clock(), status: 'done', unknownColumns: sum.unknownColumns, missingColumns: sum.missingColumns });
  }
  sum.errorLines = report?.count ?? 0;
  if (report && report.rowCount > 0) sum.rejectedRowsFile = report.rowsPath;
  sum.seconds = (Date.now() - t0) / 1000;
  return sum;
}

async function* countBytes(input: AsyncIterable<Uint8Array>, sum: ImportSummary, max?: number): AsyncGenerator<Uint8Array> {
  for await (const chunk of input) {
    sum.bytes += chunk.length;
    if (max !== undefined && sum.bytes > max) throw new ImportTooLargeError(max);
    yield chunk;
  }
}

/**
 * Bytes → text. `auto`: a UTF-8 BOM, or a first 64 KiB that is valid UTF-8, is UTF-8; anything else is read as
 * GB18030 (the superset of GBK and GB2312 that Chinese Excel writes). A BOM is dropped by the decoder. The WHATWG
 * decoders of Node's ICU do the work.
 */
async function* decode(input: AsyncIterable<Uint8Array>, encoding: ImportEncoding, sum: ImportSummary): AsyncGenerator<string> {
  let dec: TextDecoder | null = encoding === 'auto' ? null : new TextDecoder(encoding, { fatal: encoding === 'utf-8' });
  let head: Uint8Array[] = [];
  let headBytes = 0;
  const pick = (bytes: Uint8Array[]) => {
    const all = Buffer.concat(bytes);
    const bom = all.length >= 3 && all[0] === 0xef && all[1] === 0xbb && all[2] === 0xbf;
    let utf8 = bom;
    if (!bom) {
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(all, { stream: true });
        utf8 = true;
      } catch {
        utf8 = false;
      }
    }
    return new TextDecoder(utf8 ? 'utf-8' : 'gb18030', { fatal: utf8 });
  };
  const run = (d: TextDecoder, b: Uint8Array, stream: boolean) => {
    try {
      return d.decode(b, { stream });
    } catch {
      throw new ImportUnreadableError(`文件前部是 UTF-8 编码，但第 ${sum.bytes} 字节附近不是合法的 UTF-8：请将整个文件另存为"CSV UTF-8"或统一为 GBK 编码后重新导入`);
    }
  };
  for await (const chunk of input) {
    if (!dec) {
      head.push(chunk);
      headBytes += chunk.length;
      if (headBytes < 65_536) continue;
      dec = pick(head);
      sum.encoding = dec.encoding;
      const t = run(dec, Buffer.concat(head), true);
      head = [];
      if (t) yield t;
      continue;
    }
    sum.encoding ||= dec.encoding;
    const t = run(dec, chunk, true);
    if (t) yield t;
  }
  if (!dec) {
    dec = pick(head);
    sum.encoding = dec.encoding;
    const t = run(dec, Buffer.concat(head), false);
    if (t) yield t;
    return;
  }
  sum.encoding ||= dec.encoding;
  const t = run(dec, new Uint8Array(0), false);
  if (t) yield t;
}

/** The Chinese header row → field keys per column; unknown and missing columns noted; no 记录编码 column: unreadable. */
function readHeader(cells: string[], dataType: DataType, sum: ImportSummary, report?: ErrorReport): (string | undefined)[] {
  const map = headerMap(dataType);
  const header = cells.map((h) => h.replace(/^\uFEFF/, '').trim());
  const keys = header.map((h) => map.get(h));
  sum.unknownColumns = header.filter((h, i) => h && !keys[i]);
  const present = new Set(keys.filter(Boolean));
  sum.missingColumns = FIELDS[dataType].filter(([k]) => !present.has(k)).map(([, zh]) => zh);
  if (present.size === 0 || !present.has('recordId')) {
    throw new ImportUnreadableError(
      `第一行应为${DATA_TYPE_ZH[dataType]}（${dataType}）的中文列名，如 ${FIELDS[dataType].slice(0, 4).map(([, zh]) => zh).join('、')}……；` +
        `未找到"记录编码"列。请检查导入类型是否正确、文件是否为 UTF-8 或 GBK 编码的 CSV，或第一个工作表的第一行是否为列名（Excel）`,
    );
  }
  report?.setHeader(header);
  return keys;
}

/** CSV rows as objects keyed by field name, from the Chinese header. */
async function* csvRows(text: AsyncIterable<string>, dataType: DataType, sum: ImportSummary, report?: ErrorReport): AsyncGenerator<Row> {
  const parser = parse({ bom: true, relax_column_count: true, skip_empty_lines: true });
  // pipeline: a read or decode error ends the parser with it, so the loop below throws it.
  pipeline(Readable.from(text), parser, () => undefined);
  let keys: (string | undefined)[] | null = null;
  let n = 1;
  for await (const cells of parser as AsyncIterable<string[]>) {
    if (!keys) {
      keys = readHeader(cells, dataType, sum, report);
      continue;
    }
    n++;
    const rec: Record<string, unknown> = {};
    for (let i = 0; i < cells.length; i++) {
      const k = keys[i];
      if (k && cells[i] !== '') rec[k] = cells[i];
    }
    // Multi-value cells stay strings: the validator splits them on ; and ；.
    yield { rowNo: n, input: rec, raw: cells };
  }
}

/**
 * The first worksheet of an .xlsx (see xlsx.ts: the upload is spooled to a temp file and the zip opened by its
 * directory, so a workbook stored with xl/workbook.xml last is read every time; rows stream from the sheet's zip
 * entry, never the whole workbook in memory). Row 1 is the Chinese header, as in the CSV; rowNo is the sheet's own
 * row number (what Excel shows on the left). Other worksheets are ignored. Values as Excel stores them (see cellText).
 */
async function* xlsxRows(input: AsyncIterable<Uint8Array>, dataType: DataType, sum: ImportSummary, report?: ErrorReport): AsyncGenerator<Row> {
  sum.encoding = 'xlsx';
  let keys: (string | undefined)[] | null = null;
  let header: string[] = [];
  try {
    for await (const row of firstSheetRows(input)) {
      const values = (row.values as unknown[]) ?? [];
      if (!keys) {
        header = [];
        for (let i = 1; i < values.length; i++) header.push(cellText(values[i], '').text ?? '');
        keys = readHeader(header, dataType, sum, report);
        continue;
      }
      const rec: Record<string, unknown> = {};
      const raw: string[] = [];
      const cellErrors: { field: string; message: string }[] = [];
      for (let i = 1; i < values.length; i++) {
        const k = keys[i - 1];
        const c = cellText(values[i], k ?? '');
        raw.push(c.text ?? '');
        if (!k) continue;
        if (c.error) cellErrors.push({ field: k, message: `第 ${row.number} 行 ${columnLetter(i)} 列（${header[i - 1]}）${c.error}` });
        else if (c.text !== undefined && c.text !== '') rec[k] = c.text;
      }
      if (raw.every((v) => v.trim() === '')) continue;
      yield { rowNo: row.number, input: rec, raw, cellErrors: cellErrors.length ? cellErrors : undefined };
    }
  } catch (err) {
    if (err instanceof ImportUnreadableError || err instanceof ImportTooLargeError) throw err;
    throw new ImportUnreadableError(`无法读取 Excel 文件（${String((err as Error).message).slice(0, 160)}）：请确认文件是 Excel 2007 及以后的 .xlsx 工作簿（不是 .xls 或改了扩展名的 CSV），必要时在 Excel 中另存为 .xlsx 后重新导入`);
  }
  if (!keys) {
    throw new ImportUnreadableError(`Excel 文件中没有数据：第一个工作表的第一行应为${DATA_TYPE_ZH[dataType]}（${dataType}）的中文列名`);
  }
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * One Excel cell as the text the validator reads, the rule of the office's spreadsheets:
 * - text cells as they are (rich text joined); a code with leading zeros (检查形式 01, 证件类型 001) keeps them only
 *   when the cell is text — a number cell 1 is "1" (and then fails the code table, naming the cell);
 * - number cells as Excel shows them, 15 significant digits (0.30000000000000004 → 0.3); an integer past 15 digits
 *   (an 18-digit ID or credit code typed as a number) has already lost its last digits in Excel: an error that says
 *   to format the column as text;
 * - date cells (a number with a date format) are wall-clock times of the office, i.e. UTC+8: 更新时间 becomes
 *   `yyyy-MM-dd HH:mm:ss`, any other date `yyyy-MM-dd` (with the time when the cell has one, which the validator
 *   then rejects for a date field);
 * - formulas by their cached result; an error value (#N/A, #VALUE!) or a formula never calculated is an error.
 */
export function cellText(v: unknown, field: string): { text?: string; error?: string } {
  if (v === null || v === undefined) return {};
  if (typeof v === 'string') return { text: v };
  if (typeof v === 'boolean') return { text: v ? 'TRUE' : 'FALSE' };
  if (typeof v === 'number') {
    if (Number.isInteger(v) && !Number.isSafeInteger(v)) {
      return { text: String(v), error: `是超过 15 位的数字 ${v.toPrecision(15)}，Excel 已丢失末尾几位：请把这一列设为"文本"格式后重新输入（或在数字前加英文单引号 '）` };
    }
    return { text: String(Number(v.toPrecision(15))) };
  }
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) return { error: '不是有效的日期' };
    const d = `${v.getUTCFullYear()}-${pad(v.getUTCMonth() + 1)}-${pad(v.getUTCDate())}`;
    const t = `${pad(v.getUTCHours())}:${pad(v.getUTCMinutes())}:${pad(v.getUTCSeconds())}`;
    return { text: field === 'updatedAt' || t !== '00:00:00' ? `${d} ${t}` : d };
  }
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.richText)) return { text: (o.richText as { text?: string }[]).map((r) => r.text ?? '').join('') };
    if ('error' in o) return { text: String(o.error), error: `是 Excel 错误值 ${String(o.error)}：请改为实际的值（不要用出错的公式）` };
    if ('formula' in o || 'sharedFormula' in o) {
      if (o.result === undefined || o.result === null) return { error: '是没有计算结果的公式：请在 Excel 中重新计算并保存，或改为数值' };
      return cellText(o.result, field);
    }
    if (typeof o.text === 'string') return { text: o.text };
  }
  return { text: String(v) };
}

/** 1 → A, 27 → AA. */
function columnLetter(n: number): string {
  let s = '';
  for (; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** JSON Lines: one record per line (\n or \r\n); blank lines skipped; a line that is not JSON is a row with a read error. */
async function* jsonlRows(text: AsyncIterable<string>): AsyncGenerator<Row> {
  let n = 0;
  let rest = '';
  const one = (line0: string): Row | null => {
    n++;
    const line = (n === 1 ? line0.replace(/^\uFEFF/, '') : line0).replace(/\r$/, '');
    if (line.trim() === '') return null;
    try {
      return { rowNo: n, input: JSON.parse(line), raw: line };
    } catch (err) {
      return { rowNo: n, input: undefined, raw: line, readError: (err as Error).message };
    }
  };
  for await (const t of text) {
    const parts = (rest + t).split('\n');
    rest = parts.pop()!;
    for (const p of parts) {
      const r = one(p);
      if (r) yield r;
    }
  }
  if (rest !== '') {
    const r = one(rest);
    if (r) yield r;
  }
}

function unreadable(dataType: DataType, why: string): ValidationResult {
  return {
    dataType,
    recordId: '',
    data: {},
    errors: [{ recordId: '', field: 'record', code: 'E_FORMAT', message: maskIdNumbers(`本行不是合法的 JSON（${why.slice(0, 120)}），每行应为一条记录的 JSON 对象`), severity: 'error' }],
    warnings: [],
    status: 'invalid',
  };
}

/** A row with Excel cells that hold no value to check: rejected with one error per cell, naming row and column. */
function badCells(dataType: DataType, input: unknown, cells: { field: string; message: string }[]): ValidationResult {
  const recordId = typeof (input as { recordId?: unknown })?.recordId === 'string' ? (input as { recordId: string }).recordId : '';
  return {
    dataType,
    recordId,
    data: (input as Record<string, unknown>) ?? {},
    errors: cells.map((c) => ({ recordId, field: c.field, code: 'E_FORMAT', message: maskIdNumbers(c.message), severity: 'error' as const })),
    warnings: [],
    status: 'invalid',
  };
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
