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
import type { DataType, ValidationResult } from '../standard/types';
import type { Intake, SubmitItem } from './service';
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
  heldReference: number;
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

interface Row {
  rowNo: number;
  input: unknown;
  raw: string[] | string;
  /** Set when the row could not be read at all (bad JSON). */
  readError?: string;
}

/**
 * Imports one file through the intake pipeline (one submission: duplicates are marked across the whole file, the
 * held records re-checked and the import audited once at the end). Throws (before writing anything) only when the
 * file cannot be read as the given type at all.
 */
export async function importFile(opts: ImportOptions): Promise<ImportSummary> {
  const t0 = Date.now();
  const { intake, dataType } = opts;
  const format = opts.format ?? (/\.jsonl?$|\.ndjson$/i.test(opts.file) ? 'jsonl' : 'csv');
  const totalBytes = statSync(opts.file).size;
  const errorsFile = opts.errorsFile ?? opts.file.replace(/\.(csv|jsonl?|ndjson)$/i, '') + '.errors.csv';
  const report = new ErrorReport(errorsFile, format);
  const receivedBy = opts.receivedBy ?? `import:${safeUser()}:${basename(opts.file)}`;
  const sum: ImportSummary = {
    dataType, file: opts.file, rows: 0, accepted: 0, heldReference: 0, rejected: 0, unchanged: 0, warned: 0,
    errorsFile, errorLines: 0, unknownColumns: [], missingColumns: [], seconds: 0,
  };
  const submission = intake.open(dataType, {
    source: 'import', actor: receivedBy, duplicates: 'file', dryRun: opts.dryRun,
    audit: { action: 'reporter.records.import', details: { file: basename(opts.file) } },
  });
  let bytes = 0;
  const stream = createReadStream(opts.file);
  stream.on('data', (b) => (bytes += b.length));

  const flush = async (rows: Row[]) => {
    if (rows.length === 0) return;
    const items: SubmitItem[] = rows.map((r) => ({
      input: r.input, raw: r.input ?? r.raw, rowNo: r.rowNo, verdict: r.readError ? unreadable(dataType, r.readError) : undefined,
    }));
    const { outcomes, late } = await submission.submit(items);
    for (const [row, e] of late) await report.add(row, [e]);
    for (let i = 0; i < rows.length; i++) {
      const o = outcomes[i];
      sum.rows++;
      if (o.outcome === 'accepted') sum.accepted++;
      else if (o.outcome === 'held_reference') sum.heldReference++;
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
  await submission.close();
  sum.errorLines = report.count;
  if (report.rowCount > 0) sum.rejectedRowsFile = report.rowsPath;
  sum.seconds = (Date.now() - t0) / 1000;
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

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
