/**
 * The intake pipeline: every way a record comes in (the API, the file import, the staging table) calls `submit` (or
 * `open` for a submission that arrives in several batches, as a streamed file does). One pass per batch: load the
 * references, run the one validator, mark duplicates within the submission (one SHA-256 per record, reused by the
 * store), store the verdict, count the outcomes for the metrics; once per submission, re-check the records held for a
 * missing reference and write the audit entry. Withdrawals go through `withdraw`; records held back only by
 * E_REFERENCE are re-checked by `recheckHeld` (also before every delivery run: staging.ts `beforeDeliveryRun`).
 *
 * The area builds one Intake and hands it to the routes and the delivery side; `configure` applies a reloaded
 * `reporter:` section to it.
 */
import { Counter, type Registry } from 'prom-client';
import type { Db } from '../../core/db';
import { AuthService, type AuditEntry } from '../../core/auth/service';
import { reporterConfig, type ReporterConfig } from '../config';
import type { Logger } from '../../core/log';
import { silentLogger } from '../../core/log';
import { systemClock, type Clock } from '../../core/time';
import { chinaDate } from '../../core/china-time';
import { calendarWarnings, createCalendar, type WorkingCalendar } from '../standard/calendar';
import { validateRecord, type FullValidateOptions } from '../standard/validate';
import type { DataType, RecordSource, ValidationError, ValidationResult } from '../standard/types';
import { loadReferences } from './references';
import { hashJson, storeResults, withdrawRecord, type IntakeItem, type RecordOutcome, type StoreMeta } from './store';
import { DuplicateTracker, type DuplicateScope, type Marked } from './duplicates';
import { heldRecords, setVerdicts } from './queries';

type ReporterSection = ReporterConfig;

const ANALYZED_COLUMNS = 'data_type, record_id, version, op, status, source, last_arrived_at, record_date, deadline, dept_code, impl_code, inspection_ref';

export interface IntakeOptions {
  db: Db;
  /** The `reporter:` section; defaults apply when absent. */
  reporter?: ReporterSection;
  clock?: Clock;
  log?: Logger;
  /** Where to register reporter_intake_records_total (once per registry). */
  metrics?: Registry;
  /** Writes audit entries; default the core's audit log (AuthService.audit) on `db`. */
  audit?: (e: AuditEntry) => Promise<void>;
}

// prom-client refuses a second metric of one name in one registry, and an Intake may be built again on a registry
// that has the counter already (a second area on one process's registry, tests): the registry itself answers.
function intakeCounter(reg: Registry): Counter<'data_type' | 'source' | 'outcome'> {
  const name = 'reporter_intake_records_total';
  return (
    (reg.getSingleMetric(name) as Counter<'data_type' | 'source' | 'outcome'> | undefined) ??
    new Counter({
      name,
      help: 'Records received by the reporter intake, by type, source (api, import, staging) and outcome',
      labelNames: ['data_type', 'source', 'outcome'],
      registers: [reg],
    })
  );
}

/** One input of a submission. */
export interface SubmitItem {
  input: unknown;
  /** The input as it came (kept for input that cannot be keyed); default `input`. */
  raw?: unknown;
  /** Row of the file, staging id, or position; default index + 1. */
  rowNo?: number;
  /** A verdict made by the reader instead of the validator (a line that is not JSON). */
  verdict?: ValidationResult;
}

/** Counts of one submission, as every answer and summary gives them. */
export interface OutcomeCounts {
  accepted: number;
  heldReference: number;
  rejected: number;
  unchanged: number;
}

export interface SubmitOptions {
  source: RecordSource;
  /** Who submits: user or token name, `import:<user>:<file>`, or 'staging' (audit, version history). */
  actor: string;
  /** Flag one id with different content as E_DUPLICATE within the submission; none for staging rows (successive corrections). */
  duplicates?: DuplicateScope;
  /** Validate and answer only: store, count and audit nothing. */
  dryRun?: boolean;
  /** The audit entry written when the submission closes (target: the data type; details: the counts and these). */
  audit?: { action: string; role?: string; ip?: string; details?: Record<string, unknown> };
}

export interface BatchResult {
  outcomes: RecordOutcome[];
  results: ValidationResult[];
  /** Report lines for rows of earlier batches that a row of this one turned into duplicates: [rowNo, error]. */
  late: [number, ValidationError][];
}

/** A batch validated and marked by Submission.prepare, to be stored by Submission.store. */
export interface PreparedBatch {
  items: SubmitItem[];
  results: Marked[];
  jsons: string[];
  hashes: string[];
  rowNos: number[];
  late: [number, ValidationError][];
}

const OUTCOME = { valid: 'accepted', held_reference: 'held_reference', invalid: 'rejected' } as const;

export function countOutcomes(outcomes: { outcome: string }[]): OutcomeCounts {
  const c: OutcomeCounts = { accepted: 0, heldReference: 0, rejected: 0, unchanged: 0 };
  for (const o of outcomes) {
    if (o.outcome === 'accepted') c.accepted++;
    else if (o.outcome === 'held_reference') c.heldReference++;
    else if (o.outcome === 'rejected') c.rejected++;
    else if (o.outcome === 'unchanged') c.unchanged++;
  }
  return c;
}

/** A submission in progress: batches of one type, one duplicate scope, one audit entry at the end. */
export class Submission {
  private readonly tracker?: DuplicateTracker;
  private readonly counts: OutcomeCounts = { accepted: 0, heldReference: 0, rejected: 0, unchanged: 0 };
  private records = 0;

  constructor(
    private readonly intake: Intake,
    readonly dataType: DataType,
    private readonly opts: SubmitOptions,
    private readonly now: number,
  ) {
    if (opts.duplicates) this.tracker = new DuplicateTracker(opts.duplicates);
  }

  /** Validates, marks duplicates and (unless a dry run) stores one batch, in chunks of intake.writeBatchSize. */
  async submit(items: SubmitItem[]): Promise<BatchResult> {
    return this.store(await this.prepare(items));
  }

  /**
   * The first half of `submit`: loads the references, validates, hashes and marks duplicates — nothing is written.
   * A streamed import prepares the next batch while the previous one is being stored (the store of batches stays in
   * order: call `store` in the order of `prepare`). The references a batch loads are never records of its own type
   * (ITEMs, OFFICERs and INSPECTIONs for an INSPECTION, PENALTY or COERCION), so what the previous batch writes
   * cannot change them.
   */
  async prepare(items: SubmitItem[]): Promise<PreparedBatch> {
    const { intake, dataType, now } = this;
    const inputs = items.map((it) => it.input);
    const refs = await loadReferences(intake.db, dataType, inputs.filter((_, i) => !items[i].verdict));
    const vopts = { ...intake.validateOptions(now), refs };
    const results: Marked[] = items.map((it) => it.verdict ?? validateRecord(dataType, it.input, vopts));
    // The data's JSON text once per record: hashed here, sent by the store.
    const jsons = results.map((r) => JSON.stringify(r.data));
    const hashes = jsons.map(hashJson);
    const rowNos = items.map((it, i) => it.rowNo ?? this.records + i + 1);
    const late = this.tracker?.mark(results, hashes, rowNos) ?? [];
    this.records += items.length;
    return { items, results, jsons, hashes, rowNos, late };
  }

  /** The second half of `submit`: stores a prepared batch (unless a dry run) and counts its outcomes. */
  async store(p: PreparedBatch): Promise<BatchResult> {
    const { intake, dataType, opts, now } = this;
    const { items, results, jsons, hashes, rowNos, late } = p;
    let outcomes: RecordOutcome[];
    if (opts.dryRun) {
      outcomes = results.map((r, i) => ({
        index: i, recordId: r.recordId, outcome: r.duplicateOf !== undefined ? 'unchanged' : OUTCOME[r.status], errors: r.errors, warnings: r.warnings,
      }));
    } else {
      outcomes = [];
      const size = intake.reporter.intake.writeBatchSize;
      for (let start = 0; start < results.length; start += size) {
        const chunk: IntakeItem[] = [];
        for (let i = start; i < Math.min(results.length, start + size); i++) {
          const r = results[i];
          // duplicateOf indexes the whole batch; a store chunk sees only its own items. A first occurrence in an
          // earlier chunk is already stored, so the repeat is simply the same data again (store: 'unchanged').
          const dup = r.duplicateOf === undefined ? undefined : r.duplicateOf >= start ? r.duplicateOf - start : undefined;
          chunk.push({ result: dup === r.duplicateOf ? r : { ...r, duplicateOf: dup }, hash: hashes[i], json: jsons[i], raw: items[i].raw ?? items[i].input, rowNo: rowNos[i] });
        }
        const stored = await storeResults(intake.db, dataType, chunk, intake.storeMeta(opts, now));
        for (const o of stored) outcomes.push({ ...o, index: o.index + start });
        await intake.noteWritten(stored.length);
      }
      intake.count(dataType, opts.source, outcomes);
    }
    const c = countOutcomes(outcomes);
    for (const k of Object.keys(c) as (keyof OutcomeCounts)[]) this.counts[k] += c[k];
    return { outcomes, results, late };
  }

  /**
   * Ends the submission: re-checks records held for a missing reference (new ITEM, INSPECTION or OFFICER records may
   * release them) and writes the audit entry. Returns the counts of the whole submission.
   */
  async close(): Promise<OutcomeCounts> {
    const { intake, dataType, opts } = this;
    if (opts.dryRun) return { ...this.counts };
    intake.log.debug({ dataType, source: opts.source, records: this.records }, 'records ingested');
    // Nothing refers to a PENALTY or a COERCION: only other types can release held records.
    if (dataType !== 'PENALTY' && dataType !== 'COERCION') await intake.recheckHeld();
    if (opts.audit) {
      await intake.audit({
        actor: opts.actor, role: opts.audit.role, ip: opts.audit.ip, action: opts.audit.action, target: dataType,
        details: { ...opts.audit.details, records: this.records, ...this.counts },
      });
    }
    return { ...this.counts };
  }
}

export class Intake {
  readonly db: Db;
  reporter: ReporterSection;
  calendar: WorkingCalendar;
  readonly clock: Clock;
  readonly log: Logger;
  private readonly counter?: Counter<'data_type' | 'source' | 'outcome'>;
  private readonly auditSink: (e: AuditEntry) => Promise<void>;

  constructor(opts: IntakeOptions) {
    this.db = opts.db;
    this.reporter = opts.reporter ?? reporterConfig.parse({});
    this.calendar = createCalendar(this.reporter.calendar);
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log ?? silentLogger();
    if (opts.metrics) this.counter = intakeCounter(opts.metrics);
    if (opts.audit) this.auditSink = opts.audit;
    else {
      const auth = new AuthService(opts.db, this.clock, 0);
      this.auditSink = (e) => auth.audit(e);
    }
  }

  private statsRows = 0;
  private writtenSince = 0;

  /**
   * Keeps the planner's statistics of reporter_records in step with a table that grows by bulk imports: ANALYZE once
   * the rows written since the last one reach max(200, the rows it counted then) — log n times over a growing table.
   * Without it the database (embedded: no autovacuum at all) keeps the plans made while the table was tiny: the foreign-key
   * check of every new version then walked all rows of the type by (data_type, record_date) instead of the primary
   * key, and an import of 20,000 rows slowed down quadratically (bench/reporter-import.ts: 450 → 2,000+ records/s).
   */
  async noteWritten(n: number) {
    // On the server too: autovacuum analyzes a minute or more later, long after an import has made its plans.
    this.writtenSince += n;
    if (this.writtenSince < Math.max(200, this.statsRows)) return;
    this.writtenSince = 0;
    try {
      // The key and scalar columns the plans filter on, not data/errors/warnings: sorting 30,000 sampled jsonb
      // values for their statistics was most of the ANALYZE's time, and no plan of the reporter reads them (the
      // server's autovacuum still analyzes the whole table later).
      await this.db.query(`ANALYZE reporter_records (${ANALYZED_COLUMNS})`);
      const r = await this.db.query<{ n: number | string }>(`SELECT reltuples AS n FROM pg_class WHERE oid = 'reporter_records'::regclass`);
      this.statsRows = Math.max(0, Number(r.rows[0]?.n ?? 0));
    } catch (err) {
      this.log.debug({ err: (err as Error).message }, 'ANALYZE reporter_records failed');
    }
  }

  /** Applies a (reloaded) `reporter:` section; warns about calendar years that are missing. */
  configure(reporter: ReporterSection) {
    this.reporter = reporter;
    this.calendar = createCalendar(reporter.calendar);
    this.warnCalendar();
  }

  /** Warns (in the log) about the years the working-day calendar lacks. */
  warnCalendar() {
    for (const w of calendarWarnings(this.calendar, chinaDate(this.clock()))) this.log.warn(w);
  }

  /** Counts outcomes for the metrics. */
  count(dataType: DataType, source: RecordSource, outcomes: { outcome: string }[]) {
    if (!this.counter) return;
    const n = new Map<string, number>();
    for (const o of outcomes) n.set(o.outcome, (n.get(o.outcome) ?? 0) + 1);
    for (const [outcome, k] of n) this.counter.inc({ data_type: dataType, source, outcome }, k);
  }

  audit(e: AuditEntry) {
    return this.auditSink(e);
  }

  validateOptions(now: number): Omit<FullValidateOptions, 'refs'> {
    return { now, cityRegionCode: this.reporter.intake.cityRegionCode };
  }

  storeMeta(m: { source: RecordSource; actor: string }, now: number): StoreMeta {
    return { source: m.source, receivedBy: m.actor, now, calendar: this.calendar, deadlines: this.reporter.deadlines };
  }

  /** Starts a submission that arrives in batches (a streamed file); `submit` for one that arrives at once. */
  open(dataType: DataType, opts: SubmitOptions): Submission {
    return new Submission(this, dataType, opts, this.clock());
  }

  /** One submission in one batch (an API request, a run of staging rows). */
  async submit(dataType: DataType, items: SubmitItem[], opts: SubmitOptions): Promise<BatchResult & { counts: OutcomeCounts }> {
    const s = this.open(dataType, opts);
    const r = await s.submit(items);
    return { ...r, counts: await s.close() };
  }

  async withdraw(dataType: DataType, recordId: string, m: { source: RecordSource; actor: string }): Promise<RecordOutcome> {
    const o = await withdrawRecord(this.db, dataType, recordId, { source: m.source, receivedBy: m.actor, now: this.clock() });
    this.count(dataType, m.source, [o]);
    return o;
  }

  /**
   * Re-validates records held back only by E_REFERENCE (INSPECTION first, so a PENALTY or COERCION whose INSPECTION is released in
   * the same pass goes too). Only the verdict changes: it is the same version. Returns how many were released.
   */
  async recheckHeld(limit = 20_000): Promise<{ checked: number; released: number }> {
    let checked = 0;
    let released = 0;
    const now = this.clock();
    for (const dataType of ['INSPECTION', 'PENALTY', 'COERCION'] as const) {
      const rows = await heldRecords(this.db, dataType, limit);
      if (rows.length === 0) continue;
      const datas = rows.map((r) => r.data);
      const refs = await loadReferences(this.db, dataType, datas);
      const opts = { ...this.validateOptions(now), refs };
      const changed: ValidationResult[] = [];
      rows.forEach((row, i) => {
        const v = validateRecord(dataType, datas[i], opts);
        checked++;
        if (v.status !== 'held_reference' || errorKey(v.errors) !== errorKey(row.errors)) changed.push(v);
      });
      if (changed.length === 0) continue;
      released += changed.filter((v) => v.status === 'valid').length;
      await setVerdicts(this.db, dataType, changed, now);
    }
    if (released > 0) this.log.info({ released }, 'records held for a missing reference were released');
    return { checked, released };
  }
}

/** Errors compared by field, code and message (jsonb does not keep key order, so JSON text cannot be compared). */
function errorKey(errors: ValidationResult['errors']): string {
  return (errors ?? []).map((e) => `${e.field}|${e.code}|${e.message}`).join('\n');
}
