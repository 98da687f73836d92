/**
 * The import's error report, for a clerk: `row,recordId,field,code,message` (one line per error or warning, UTF-8
 * with BOM so that Excel shows the Chinese), and beside it the rejected rows themselves in the input's own format
 * (`<report>.rows.csv` / `.rows.jsonl`), ready to be corrected and imported again.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { ValidationError } from '../standard/types';
import { maskIdNumbers } from '../../core/mask';

/** One CSV cell. `guard`: a leading = + - @ gets a ' so a spreadsheet does not run it as a formula (report only). */
export function csvCell(v: unknown, guard = false): string {
  const s = v === undefined || v === null ? '' : String(v);
  const safe = guard && /^[=+\-@]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvLine(cells: unknown[], guard = false): string {
  return cells.map((c) => csvCell(c, guard)).join(',') + '\r\n';
}

class Sink {
  private stream: WriteStream | null = null;
  lines = 0;
  constructor(
    readonly path: string,
    private readonly header?: string,
  ) {}
  open() {
    if (!this.stream) {
      this.stream = createWriteStream(this.path, { encoding: 'utf8' });
      if (this.header !== undefined) this.stream.write(this.header);
    }
    return this.stream;
  }
  async write(text: string) {
    this.open();
    this.lines++;
    if (!this.stream!.write(text)) await once(this.stream!, 'drain');
  }
  async close() {
    if (!this.stream) return;
    const s = this.stream;
    this.stream = null;
    await new Promise<void>((resolve, reject) => s.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
}

export class ErrorReport {
  private errors: Sink;
  private rows: Sink | null = null;
  readonly rowsPath: string;

  constructor(
    readonly path: string,
    private readonly format: 'csv' | 'jsonl',
  ) {
    this.errors = new Sink(path, '\uFEFF' + csvLine(['row', 'recordId', 'field', 'code', 'message']));
    this.rowsPath = path.replace(/\.csv$/i, '') + (format === 'csv' ? '.rows.csv' : '.rows.jsonl');
  }

  /** Error lines written so far. */
  get count() {
    return this.errors.lines;
  }
  get rowCount() {
    return this.rows?.lines ?? 0;
  }

  async add(row: number, findings: ValidationError[]) {
    for (const e of findings) await this.errors.write(csvLine([row, e.recordId, e.field, e.code, maskIdNumbers(e.message)], true));
  }

  /** The input's header (CSV), written before the first rejected row. */
  setHeader(header: string[]) {
    this.rows = new Sink(this.rowsPath, this.format === 'csv' ? '\uFEFF' + csvLine(header) : undefined);
  }

  async addRow(raw: string[] | string) {
    if (!this.rows) this.rows = new Sink(this.rowsPath);
    await this.rows.write(typeof raw === 'string' ? raw + '\n' : csvLine(raw));
  }

  async close() {
    // An empty report still gets its header, so "no errors" is visible as a file with one line.
    this.errors.open();
    await this.errors.close();
    await this.rows?.close();
  }
}
