import type { Db } from '../../core/db';
import type { CallsConfig } from './config';
import type { CallRow, LineResult } from './record';
import { writeCalls, type CallSource } from './store';
import type { CallIngestSummary, CallLineError } from '../../contract/calls';

/**
 * The one intake pipeline of call records, whatever the way in (HTTP NDJSON, a file, the staging table): validated
 * lines are stored in batches, each batch in one transaction; a bad line becomes a per-line error and never stops
 * the rest. `onBatch` reports progress after every committed batch (the file import's bar).
 */
export class CallIntake {
  private rows: CallRow[] = [];
  readonly summary: CallIngestSummary = { lines: 0, accepted: 0, inserted: 0, duplicates: 0, rejected: 0, errors: [] };

  constructor(
    private db: Db,
    private cfg: () => CallsConfig,
    private source: CallSource,
    private opts: { batchRows?: number; clock?: () => number; onBatch?: (s: CallIngestSummary) => void } = {},
  ) {}

  /**
   * One line's result; stores a batch when it is full. Answers a promise only then (await it), so a loop over a
   * request's lines does not pay a microtask per line.
   */
  add(line: number, r: LineResult): Promise<void> | undefined {
    this.summary.lines++;
    if (!r.ok) {
      this.reject({ line, message: r.message });
      return undefined;
    }
    this.summary.accepted++;
    this.rows.push(r.row);
    return this.rows.length >= (this.opts.batchRows ?? 10_000) ? this.flush() : undefined;
  }

  reject(e: CallLineError) {
    this.summary.rejected++;
    if (this.summary.errors.length < this.cfg().maxErrorsListed) this.summary.errors.push(e);
  }

  /** Stores what is pending; resolves once it is committed. */
  async flush(): Promise<void> {
    if (!this.rows.length) return;
    const batch = this.rows;
    this.rows = [];
    const w = await writeCalls(this.db, batch, this.source, this.cfg(), undefined, (this.opts.clock ?? Date.now)());
    this.summary.inserted += w.inserted;
    this.summary.duplicates += w.duplicates;
    this.opts.onBatch?.(this.summary);
  }

  async finish(): Promise<CallIngestSummary> {
    await this.flush();
    return this.summary;
  }
}

/** Splits text into lines (1-based numbers), skipping blank ones; CRLF and a leading BOM are tolerated. */
export function* linesOf(text: string): Generator<[number, string]> {
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let n = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    n++;
    let line = text.slice(start, end);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim()) yield [n, line];
    start = end + 1;
  }
}
