/**
 * Bulk import of one record type from a file (the command is app/cli/import.ts).
 * CSV with the Chinese column headers of data-standard.md (UTF-8 with or without BOM; several values in one cell
 * separated by ; or ；), or JSON Lines. The file is streamed and written in batches; the caller is told of progress;
 * the run ends with a summary and an error report (row, recordId, field, code, message) plus the rejected rows in
 * the input's format, to correct and import again. Every row is kept: rejected ones with status invalid.
 */
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { basename } from 'node:path';
import { userInfo } from 'node:os';
import { parse } from 'csv-parse';
import { FIELDS, headerMap, DATA_TYPE_ZH } from '../standard/codes';
import { validateRecord } from '../standard/validate';
import { isDataType, DATA_TYPES, type DataType, type ValidationError, type ValidationResult } from '../standard/types';
import { RECORD_ID_RE } from '../standard/validate';
import { loadReferences } from './references';
import { storeResults, contentHash, type IntakeItem } from './store';
import type { Intake } from './service';
import { ErrorReport } from './report';
import { maskIdNumbers } from '../../core/mask';

export interface ImportOptions {
  intake: Intake;
  dataType: DataType;
  file: string;
  format?: 'csv' | 'jsonl';
  /** Error report path; default `<file>.errors.csv`. */
  errorsFile?: string;
  /** Check only: validate and write the report, store nothing. */
  dryRun?: boolean;
  /** Who imports (audit, version history); default `import:<os user>`. */
  receivedBy?: string;
  /** Called after each batch with bytes read so far. */
  onProgress?(p: { bytes: number; totalBytes: number; rows: number; accepted: number; rejected: number }): void;
}

export interface ImportSummary {
  dataType: DataType;
  file: string;
  rows: number;
  accepted: number;
  held_reference: number;
  rejected: number;
  unchanged: number;
  /** Rows carrying W_OFFICER warnings (stored and sent). */
  warned: number;
  errorsFile: string;
  /** Lines in the error report (one per error or warning). */
  errorLines: number;
  rejectedRowsFile?: string;
  /** Header columns that are not fields of this type (ignored), and fields with no column. */
  unknownColumns: string[];
  missingColumns: string[];
  seconds: number;
}

const OUTCOME = { valid: 'accepted', held_reference: 'held_reference', invalid: 'rejected' } as const;

interface Row {
  rowNo: number;
  input: unknown;
  raw: string[] | string;
  /** Set when the row could not be read at all (bad JSON). */
  readError?: string;
}

interface Seen {
  row: number;
  hash: string;
  conflicted: boolean;
}

/** Imports one file. Throws (before writing anything) only when the file cannot be read as the given type at all. */
export async function importFile(opts: ImportOptions): Promise<ImportSummary> {
  const t0 = Date.now();
  const { intake, dataType } = opts;
  const format = opts.format ?? (/\.jsonl?$|\.ndjson$/i.test(opts.file) ? 'jsonl' : 'csv');
  const totalBytes = statSync(opts.file).size;
  const errorsFile = opts.errorsFile ?? opts.file.replace(/\.(csv|jsonl?|ndjson)$/i, '') + '.errors.csv';
  const report = new ErrorReport(errorsFile, format);
  const receivedBy = opts.receivedBy ?? `import:${safeUser()}:${basename(opts.file)}`;
  const sum: ImportSummary = {
    dataType, file: opts.file, rows: 0, accepted: 0, held_reference: 0, rejected: 0, unchanged: 0, warned: 0,
    errorsFile, errorLines: 0, unknownColumns: [], missingColumns: [], seconds: 0,
  };
  const seen = new Map<string, Seen>();
  const now = intake.clock();
  const meta = { source: 'import' as const, receivedBy, now, calendar: intake.calendar, deadlines: intake.reporter.deadlines };
  let bytes = 0;
  const stream = createReadStream(opts.file);
  stream.on('data', (b) => (bytes += b.length));

  const flush = async (rows: Row[]) => {
    if (rows.length === 0) return;
    const refs = await loadReferences(intake.db, dataType, rows.map((r) => r.input));
    const vopts = { ...intake.validateOptions(now), refs };
    const results = rows.map((r) => (r.readError ? unreadable(dataType, r.readError) : validateRecord(dataType, r.input, vopts)));
    const late = markDuplicatesAcross(results as IntakeItem['result'][], rows, seen);
    const items: IntakeItem[] = results.map((result, i) => ({ result, raw: rows[i].input ?? rows[i].raw, rowNo: rows[i].rowNo }));
    const outcomes = opts.dryRun
      ? items.map((it, i) => ({ index: i, recordId: it.result.recordId, outcome: it.result.duplicateOf !== undefined ? 'unchanged' : OUTCOME[it.result.status], errors: it.result.errors, warnings: it.result.warnings }))
      : await storeResults(intake.db, dataType, items, meta);
    if (!opts.dryRun) intake.count(dataType, 'import', outcomes);
    for (const [row, e] of late) await report.add(row, [e]);
    for (let i = 0; i < rows.length; i++) {
      const o = outcomes[i];
      sum.rows++;
      if (o.outcome === 'accepted') sum.accepted++;
      else if (o.outcome === 'held_reference') sum.held_reference++;
      else if (o.outcome === 'unchanged') sum.unchanged++;
      else sum.rejected++;
      if (o.warnings.length) sum.warned++;
      const findings = [...o.errors, ...o.warnings];
      if (findings.length) await report.add(rows[i].rowNo, findings);
      if (o.errors.length) await report.addRow(rows[i].raw);
    }
    opts.onProgress?.({ bytes, totalBytes, rows: sum.rows, accepted: sum.accepted, rejected: sum.rejected });
  };

  const size = intake.reporter.intake.writeBatchSize;
  let batch: Row[] = [];
  try {
    const source = format === 'csv' ? csvRows(stream, dataType, sum, report) : jsonlRows(stream);
    for await (const row of source) {
      batch.push(row);
      if (batch.length >= size) {
        await flush(batch);
        batch = [];
      }
    }
    await flush(batch);
  } finally {
    stream.destroy();
    await report.close();
  }
  if (opts.dryRun) {
    sum.errorLines = report.count;
    if (report.rowCount > 0) sum.rejectedRowsFile = report.rowsPath;
    sum.seconds = (Date.now() - t0) / 1000;
    return sum;
  }
  if (dataType !== 'PENALTY') await intake.recheckHeld();
  sum.errorLines = report.count;
  if (report.rowCount > 0) sum.rejectedRowsFile = report.rowsPath;
  sum.seconds = (Date.now() - t0) / 1000;
  await intake.db.query(`INSERT INTO audit_log (actor, action, target, details) VALUES ($1, 'reporter.records.import', $2, $3)`, [
    receivedBy,
    dataType,
    JSON.stringify({ file: basename(opts.file), rows: sum.rows, accepted: sum.accepted, held_reference: sum.held_reference, rejected: sum.rejected, unchanged: sum.unchanged }),
  ]);
  return sum;
}

/** CSV rows as objects keyed by field name, from the Chinese header. */
async function* csvRows(stream: NodeJS.ReadableStream, dataType: DataType, sum: ImportSummary, report: ErrorReport): AsyncGenerator<Row> {
  const parser = stream.pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: true }));
  const map = headerMap(dataType);
  let keys: (string | undefined)[] | null = null;
  let n = 1;
  for await (const cells of parser as AsyncIterable<string[]>) {
    if (!keys) {
      const header = cells.map((h) => h.replace(/^\uFEFF/, '').trim());
      keys = header.map((h) => map.get(h));
      sum.unknownColumns = header.filter((h, i) => h && !keys![i]);
      const present = new Set(keys.filter(Boolean));
      sum.missingColumns = FIELDS[dataType].filter(([k]) => !present.has(k)).map(([, zh]) => zh);
      if (present.size === 0 || !present.has('recordId')) {
        throw new Error(
          `第一行应为${DATA_TYPE_ZH[dataType]}（${dataType}）的中文列名，如 ${FIELDS[dataType].slice(0, 4).map(([, zh]) => zh).join('、')}……；` +
            `未找到"记录编码"列。请检查 --type 是否正确、文件是否为 UTF-8 编码的 CSV`,
        );
      }
      report.setHeader(header);
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

async function* jsonlRows(stream: NodeJS.ReadableStream): AsyncGenerator<Row> {
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let n = 0;
  for await (const line0 of lines) {
    n++;
    const line = n === 1 ? line0.replace(/^\uFEFF/, '') : line0;
    if (line.trim() === '') continue;
    try {
      yield { rowNo: n, input: JSON.parse(line), raw: line };
    } catch (err) {
      yield { rowNo: n, input: undefined, raw: line, readError: (err as Error).message };
    }
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

/**
 * E_DUPLICATE across the whole file (one id, different data); identical repeats are one record. Returns report lines
 * for earlier rows (already stored in an earlier batch) that a later row turned into duplicates.
 */
function markDuplicatesAcross(results: IntakeItem['result'][], rows: Row[], seen: Map<string, Seen>): [number, ValidationError][] {
  const late: [number, ValidationError][] = [];
  const inBatch = new Map<string, number>();
  const dup = (r: IntakeItem['result'], other: number): ValidationError => {
    const e: ValidationError = {
      recordId: r.recordId,
      field: 'recordId',
      code: 'E_DUPLICATE',
      message: `记录编码(recordId)：${r.recordId} 在本文件中出现多次且内容不同（另见第 ${other} 行），请只保留正确的一行后重新导入`,
      severity: 'error',
    };
    r.errors.push(e);
    r.status = 'invalid';
    r.record = undefined;
    return e;
  };
  results.forEach((r, i) => {
    if (!r.recordId || !RECORD_ID_RE.test(r.recordId)) return;
    const row = rows[i].rowNo;
    // 16 bytes of the hash are plenty to tell two versions of one record apart, and keep the map small.
    const hash = contentHash(r.data).slice(0, 32);
    const prev = seen.get(r.recordId);
    if (!prev) {
      seen.set(r.recordId, { row, hash, conflicted: false });
      inBatch.set(r.recordId, i);
      return;
    }
    const j = inBatch.get(r.recordId);
    if (prev.hash === hash && !prev.conflicted) {
      if (j !== undefined) r.duplicateOf = j;
      return;
    }
    dup(r, prev.row);
    if (!prev.conflicted) {
      if (j !== undefined) dup(results[j], row);
      else late.push([prev.row, { recordId: r.recordId, field: 'recordId', code: 'E_DUPLICATE', message: `记录编码(recordId)：${r.recordId} 在本文件中出现多次且内容不同（另见第 ${row} 行），请只保留正确的一行后重新导入`, severity: 'error' }]);
    }
    prev.conflicted = true;
    prev.row = row;
    prev.hash = hash;
    inBatch.set(r.recordId, i);
  });
  return late;
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
