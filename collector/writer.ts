import type { Db, Queryable } from '../core/db';
import type { Logger } from '../core/log';
import { numArray as nums, pgBool as bool, textArray as texts } from '../core/db/arrays';
import { invalidateRollups } from '../core/db/jobs';
import { LATE_RESULT_MS } from './rollups';
import type { Clock } from '../core/time';
import type { Journal } from './journal';
import type { IncidentChange, TargetState } from './state';

/** One probe result as stored (times in ms since the epoch; JSON-safe, so it can sit in the journal). */
export interface ResultRow {
  resultId: string;
  ts: number;
  targetId: string;
  moduleId: string;
  type: string;
  success: boolean;
  durationMs: number;
  statusCode?: number | null;
  /** The probe's phases (PhaseTimings), one column each: resolve_ms, connect_ms, tls_ms, processing_ms, transfer_ms. */
  resolveMs?: number | null;
  connectMs?: number | null;
  tlsMs?: number | null;
  processingMs?: number | null;
  transferMs?: number | null;
  errorCode?: string | null;
  error?: string | null;
  detail?: Record<string, unknown> | null;
}

export type WriteEntry = { k: 'r'; r: ResultRow } | { k: 'i'; i: IncidentChange & { moduleId: string } };

export interface WriterOptions {
  db: Db;
  journal: Journal;
  log: Logger;
  clock: Clock;
  batchSize: number;
  batchAgeMs: number;
  bufferSize: number;
  onWritten?(rows: number): void;
  onWriteError?(): void;
}

const STATE_COLS = ['target_id', 'state', 'since', 'consecutive_failures', 'consecutive_successes', 'last_ts', 'last_success', 'last_duration_ms', 'last_error_code', 'last_error', 'last_detail'];
/** Results per statement (bounded so one statement's memory stays small; a batch is at most 20,000, a replay 5,000). */
const CHUNK = 10_000;
const ms = (col: string) => `timestamptz 'epoch' + ${col} * interval '1 millisecond'`;

/**
 * One statement for a batch: the results as 16 column arrays and the target states as 11 (unnest), so the text is
 * the same for every batch and the server parses a short statement instead of thousands of `$n`. Times travel as
 * integer ms since the epoch and are converted exactly (`'epoch' + ms * 1 ms`; to_timestamp(ms / 1000.0) can miss
 * by a microsecond, and (result_id, ts) is the idempotency key against rows written earlier, journal replays
 * included); detail and last_detail as JSON text, cast per element (NULL stays NULL). The state upsert is a
 * data-modifying CTE, run whether or not the final SELECT reads it. Answers the number of results inserted.
 */
const WRITE_SQL = `
WITH r AS (
  INSERT INTO probe_results (ts, result_id, target_id, module_id, type, success, duration_ms, status_code, resolve_ms, connect_ms, tls_ms, processing_ms, transfer_ms, error_code, error, detail)
  SELECT ${ms('x.ts')}, x.result_id, x.target_id, x.module_id, x.type, x.success, x.duration_ms, x.status_code, x.resolve_ms, x.connect_ms, x.tls_ms, x.processing_ms, x.transfer_ms, x.error_code, x.error, x.detail::jsonb
    FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::float8[], $8::int[], $9::float8[], $10::float8[], $11::float8[], $12::float8[], $13::float8[], $14::text[], $15::text[], $16::text[])
      AS x(ts, result_id, target_id, module_id, type, success, duration_ms, status_code, resolve_ms, connect_ms, tls_ms, processing_ms, transfer_ms, error_code, error, detail)
  ON CONFLICT DO NOTHING
  RETURNING 1
), s AS (
  INSERT INTO target_state (${STATE_COLS.join(', ')})
  SELECT y.target_id, y.state, ${ms('y.since')}, y.consecutive_failures, y.consecutive_successes, ${ms('y.last_ts')}, y.last_success, y.last_duration_ms, y.last_error_code, y.last_error, y.last_detail::jsonb
    FROM unnest($17::text[], $18::text[], $19::bigint[], $20::int[], $21::int[], $22::bigint[], $23::boolean[], $24::float8[], $25::text[], $26::text[], $27::text[])
      AS y(${STATE_COLS.join(', ')})
  ON CONFLICT (target_id) DO UPDATE SET ${STATE_COLS.slice(1).map((c) => `${c} = EXCLUDED.${c}`).join(', ')}
)
SELECT count(*)::int AS inserted FROM r`;
const REPLAY_BATCH = 5000;

/**
 * Results reach probe_results exactly once, in batches (by size or by age), with target_state and incident changes in
 * the same transaction (the common batch, on time and without incident changes, is one statement: WRITE_SQL). While the database is away results wait in memory up to `bufferSize`; beyond
 * that the oldest go to the journal on disk. When the database answers again the journal is replayed first (oldest
 * first, so an incident is opened before it is closed), then memory. Replays are idempotent: results conflict on
 * (result_id, ts) and incidents on their id. A batch with a result older than `LATE_RESULT_MS` also records its time
 * range (`invalidateRollups`, same transaction), so that the 1-minute and 1-hour rollups take it in.
 */
export class ResultWriter {
  private pending: WriteEntry[] = [];
  private oldestAt = 0;
  private dirtyStates = new Map<string, TargetState>();
  /** When the oldest state in `dirtyStates` was set: states ride with their results, and wait no longer than a batch. */
  private statesAt = 0;
  /** A state changed since the last batch: write at the next tick. */
  private urgent = false;
  private flushing: Promise<void> | null = null;
  private timer?: NodeJS.Timeout;
  private dbDown = false;
  private retryAt = 0;
  readonly totals = { written: 0, errors: 0, journaled: 0, replayed: 0 };

  constructor(private o: WriterOptions) {}

  /** Results (and incident changes) waiting in memory. */
  get depth() {
    return this.pending.length;
  }

  get journalBytes() {
    return this.o.journal.size;
  }

  get databaseDown() {
    return this.dbDown;
  }

  push(entry: WriteEntry) {
    if (this.pending.length === 0) this.oldestAt = this.o.clock();
    this.pending.push(entry);
    if (this.pending.length >= this.o.batchSize && !this.dbDown) void this.flush();
  }

  /**
   * The latest state of a target, written with the next batch (only the newest state per target is kept). A state
   * that `changed` (up → down, …) makes the batch due at the next tick, so live pages and the alert evaluator see a
   * transition within 250 ms, as ever; a state that only moved its last probe waits for the batch.
   */
  setState(s: TargetState, changed = false) {
    if (this.dirtyStates.size === 0) this.statesAt = this.o.clock();
    this.dirtyStates.set(s.targetId, s);
    if (changed) this.urgent = true;
  }

  start() {
    const tick = () => {
      const now = this.o.clock();
      // A state comes with its result, so it is written with the result's batch, by size or age like the results, or
      // at once when it changed. (Any dirty state used to make every 250 ms tick a batch: four statements a second
      // of 50 rows at 1,000 × 5 s, at twice the database's CPU per row of one batch a second, #18.)
      const due =
        this.pending.length >= this.o.batchSize ||
        (this.pending.length > 0 && now - this.oldestAt >= this.o.batchAgeMs) ||
        (this.dirtyStates.size > 0 && (this.urgent || now - this.statesAt >= this.o.batchAgeMs)) ||
        !this.o.journal.isEmpty;
      if (due && now >= this.retryAt) void this.flush();
      this.timer = setTimeout(tick, Math.min(250, this.o.batchAgeMs));
      this.timer.unref?.();
    };
    tick();
  }

  /** Writes what is waiting (serialised: one flush at a time). */
  flush(): Promise<void> {
    if (!this.flushing) this.flushing = this.doFlush().finally(() => (this.flushing = null));
    return this.flushing;
  }

  private async doFlush() {
    try {
      if (!this.o.journal.isEmpty) await this.replay();
      while (this.pending.length > 0 || this.dirtyStates.size > 0) {
        const batch = this.pending.splice(0, this.o.batchSize);
        const states = [...this.dirtyStates.values()];
        this.dirtyStates.clear();
        const urgent = this.urgent;
        this.urgent = false;
        try {
          await this.write(batch, states);
        } catch (err) {
          this.pending.unshift(...batch);
          for (const s of states) if (!this.dirtyStates.has(s.targetId)) this.dirtyStates.set(s.targetId, s);
          this.urgent ||= urgent;
          throw err;
        }
        this.oldestAt = this.o.clock();
      }
      if (this.dbDown) this.o.log.info({ journalBytes: this.o.journal.size }, 'database is back; buffered results written');
      this.dbDown = false;
    } catch (err) {
      this.totals.errors++;
      this.o.onWriteError?.();
      if (!this.dbDown) this.o.log.warn({ err: (err as Error).message, buffered: this.pending.length }, 'cannot write results; buffering (journal on disk beyond the buffer)');
      this.dbDown = true;
      this.retryAt = this.o.clock() + 1000;
      this.spillOverflow();
    }
  }

  /** Keeps at most `bufferSize` entries in memory; the oldest beyond that go to the journal (down to half, in one fsync). */
  private spillOverflow() {
    if (this.pending.length <= this.o.bufferSize) return;
    const spill = this.pending.splice(0, this.pending.length - Math.floor(this.o.bufferSize / 2));
    this.o.journal.append(spill);
    this.totals.journaled += spill.length;
  }

  private async replay() {
    if (!(await this.o.db.ping())) throw new Error('database unreachable');
    this.o.journal.rotate();
    for (const seg of this.o.journal.closedSegments()) {
      const entries = this.o.journal.read<WriteEntry>(seg.file);
      for (let i = 0; i < entries.length; i += REPLAY_BATCH) await this.write(entries.slice(i, i + REPLAY_BATCH), []);
      this.o.journal.remove(seg.file, seg.size);
      this.totals.replayed += entries.length;
      this.o.log.info({ file: seg.file, entries: entries.length }, 'journal segment replayed and removed');
    }
  }

  private async write(batch: WriteEntry[], states: TargetState[]) {
    const rows: JournalRow[] = [];
    const opens: unknown[][] = [];
    const closes: { id: string; endedAt: number }[] = [];
    let minTs = Infinity;
    let maxTs = -Infinity;
    for (const e of batch) {
      if (e.k === 'r') {
        rows.push(e.r);
        if (e.r.ts < minTs) minTs = e.r.ts;
        if (e.r.ts > maxTs) maxTs = e.r.ts;
      } else if (e.i.kind === 'open') opens.push([e.i.id, e.i.targetId, e.i.moduleId, new Date(e.i.startedAt), e.i.firstErrorCode ?? null, e.i.firstError ?? null]);
      else closes.push({ id: e.i.id, endedAt: e.i.endedAt });
    }
    const late = minTs < this.o.clock() - LATE_RESULT_MS;
    const statement = (q: Queryable, r: JournalRow[], st: TargetState[]) =>
      q.query<{ inserted: number }>(WRITE_SQL, [...resultColumns(r), ...stateColumns(st)]).then((res) => Number(res.rows[0].inserted));
    // The common batch (on time, no incident change, one chunk) is one statement, atomic by itself: no BEGIN/COMMIT.
    const inserted =
      !late && opens.length === 0 && closes.length === 0 && rows.length <= CHUNK
        ? await statement(this.o.db, rows, states)
        : await this.o.db.tx(async (q: Queryable) => {
            let n = 0;
            for (let i = 0; i < rows.length; i += CHUNK) n += await statement(q, rows.slice(i, i + CHUNK), []);
            // Late results (a replayed journal, a buffer written after an outage) lie behind what the rollups have
            // refreshed: record the range for the next maintenance pass. One comparison per batch; a row only when late.
            if (n > 0 && late) await invalidateRollups(q, 'probe_results', new Date(minTs), new Date(maxTs));
            if (opens.length) await this.o.db.insertMany('incidents', ['id', 'target_id', 'module_id', 'started_at', 'first_error_code', 'first_error'], opens, 'ON CONFLICT (id) DO NOTHING', q);
            for (const c of closes) await q.query(`UPDATE incidents SET ended_at = $2, updated_at = now() WHERE id = $1`, [c.id, new Date(c.endedAt)]);
            if (states.length) await statement(q, [], states);
            return n;
          });
    this.totals.written += inserted;
    this.o.onWritten?.(inserted);
  }


  /** Final flush; what cannot be written goes to the journal, so nothing is lost on shutdown. */
  async stop() {
    clearTimeout(this.timer);
    await this.flush();
    if (this.pending.length > 0) {
      this.o.journal.append(this.pending.splice(0));
    }
    this.o.journal.close();
  }
}

/** Journal segments written before the phase columns took the probe's names (sql/014) call two phases dnsMs, ttfbMs. */
type JournalRow = ResultRow & { dnsMs?: number | null; ttfbMs?: number | null };

/** ms since the epoch as `new Date(ms)` keeps them (truncated to whole ms), so a replay meets the same key. */
const wholeMs = (v: number) => Math.trunc(v);

function resultColumns(rows: JournalRow[]): string[] {
  return [
    nums(rows, (r) => wholeMs(r.ts)), texts(rows, (r) => r.resultId), texts(rows, (r) => r.targetId), texts(rows, (r) => r.moduleId), texts(rows, (r) => r.type),
    texts(rows, (r) => bool(r.success)), nums(rows, (r) => r.durationMs), nums(rows, (r) => r.statusCode),
    nums(rows, (r) => r.resolveMs ?? r.dnsMs), nums(rows, (r) => r.connectMs), nums(rows, (r) => r.tlsMs), nums(rows, (r) => r.processingMs ?? r.ttfbMs), nums(rows, (r) => r.transferMs),
    texts(rows, (r) => r.errorCode), texts(rows, (r) => r.error), texts(rows, (r) => (r.detail ? JSON.stringify(r.detail) : null)),
  ];
}

function stateColumns(states: TargetState[]): string[] {
  return [
    texts(states, (s) => s.targetId), texts(states, (s) => s.state), nums(states, (s) => wholeMs(s.since)), nums(states, (s) => s.consecutiveFailures), nums(states, (s) => s.consecutiveSuccesses),
    nums(states, (s) => (s.lastTs !== undefined ? wholeMs(s.lastTs) : null)), texts(states, (s) => bool(s.lastSuccess)), nums(states, (s) => s.lastDurationMs),
    texts(states, (s) => s.lastErrorCode), texts(states, (s) => s.lastError), texts(states, (s) => (s.lastDetail ? JSON.stringify(s.lastDetail) : null)),
  ];
}
