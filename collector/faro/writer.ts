import type { Db } from '../../core/db';
import type { Logger } from '../../core/log';
import { TABLES, emptyRows, rowCount, type FaroTable, type RowsByTable } from './rows';
import { sessionHourRows, vitalHistogramRows } from './vitals';

interface Waiter {
  rows: RowsByTable;
  resolve(): void;
  reject(err: Error): void;
}

export class WriterBusyError extends Error {}
/** The database refused these rows themselves (a data error), not the connection: retrying would not help. */
export class UnstorableError extends Error {}

// SQLSTATE classes 22 (data exception) and 23 (integrity constraint violation) are about the rows, not the server.
const isDataError = (err: unknown) => /^2[23]/.test(String((err as { code?: string })?.code ?? ''));

/**
 * Group commit: requests hand their rows over and wait; every `maxDelayMs` (or sooner when `maxRows` are pending)
 * one transaction writes everything pending. A request is answered 202 only after its rows are committed, so a
 * database failure becomes a 503 the SDK retries, never a silent drop. Too much pending (the database is slow)
 * also answers 503 at once instead of growing memory without bound.
 */
export class FaroWriter {
  private pending: Waiter[] = [];
  private pendingRows = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  written = 0;
  batches = 0;

  constructor(
    private db: Db,
    private log: Logger,
    private opts: { maxRows: number; maxDelayMs: number; maxPendingRows?: number },
  ) {}

  get backlog() {
    return this.pendingRows;
  }

  write(rows: RowsByTable): Promise<void> {
    const n = rowCount(rows);
    if (n === 0) return Promise.resolve();
    if (this.pendingRows + n > (this.opts.maxPendingRows ?? this.opts.maxRows * 20)) {
      return Promise.reject(new WriterBusyError('too many rows waiting for the database'));
    }
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ rows, resolve, reject });
      this.pendingRows += n;
      this.schedule();
    });
  }

  private schedule() {
    if (this.flushing) return; // the running flush picks the rest up when it ends
    if (this.pendingRows >= this.opts.maxRows) {
      clearTimeout(this.timer);
      this.timer = undefined;
      void this.flush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, this.opts.maxDelayMs);
    }
  }

  /** Writes everything pending now; resolves when the database answered (tests and shutdown call it). */
  async flush(): Promise<void> {
    if (this.flushing) {
      await this.flushing;
      if (this.pending.length) return this.flush();
      return;
    }
    if (!this.pending.length) return;
    const batch: Waiter[] = [];
    let n = 0;
    while (this.pending.length && (n === 0 || n + rowCount(this.pending[0].rows) <= this.opts.maxRows * 2)) {
      const w = this.pending.shift()!;
      n += rowCount(w.rows);
      batch.push(w);
    }
    this.pendingRows -= n;
    this.flushing = this.writeBatch(batch, n);
    try {
      await this.flushing;
    } finally {
      this.flushing = undefined;
      if (this.pending.length) this.schedule();
    }
  }

  private async writeBatch(batch: Waiter[], n: number) {
    const merged = emptyRows();
    for (const w of batch) for (const t in w.rows) merged[t as FaroTable].push(...w.rows[t as FaroTable]);
    try {
      await this.insert(merged);
      this.written += n;
      this.batches++;
      for (const w of batch) w.resolve();
    } catch (err) {
      if (batch.length > 1 && isDataError(err)) {
        // One request's rows spoil the batch: write each request alone so the others are not refused with it.
        for (const w of batch) {
          try {
            await this.insert(w.rows);
            this.written += rowCount(w.rows);
            w.resolve();
          } catch (e) {
            w.reject(isDataError(e) ? new UnstorableError((e as Error).message) : (e as Error));
          }
        }
        return;
      }
      this.log.error({ err, rows: n }, 'faro batch write failed; the senders get 503 and retry');
      for (const w of batch) w.reject(isDataError(err) ? new UnstorableError((err as Error).message) : (err as Error));
    }
  }

  private async insert(rows: RowsByTable) {
    const hist = vitalHistogramRows(rows.faro_measurements);
    const sessions = sessionHourRows(rows);
    await this.db.tx(async (q) => {
      for (const t of Object.keys(TABLES) as FaroTable[]) {
        if (rows[t].length) await this.db.insertMany(t, [...TABLES[t]], rows[t], '', q);
      }
      if (hist.length) {
        await this.db.insertMany('faro_vitals_1h', ['bucket', 'app', 'page_url', 'name', 'bin', 'n'], hist,
          'ON CONFLICT (app, name, page_url, bucket, bin) DO UPDATE SET n = faro_vitals_1h.n + EXCLUDED.n', q);
      }
      if (sessions.length) await this.db.insertMany('faro_sessions_1h', ['bucket', 'app', 'session_id'], sessions, 'ON CONFLICT DO NOTHING', q);
    });
  }

  async stop() {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.pending.length || this.flushing) await this.flush();
  }
}
