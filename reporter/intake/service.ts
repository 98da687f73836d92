/**
 * The intake: every way a record comes in (API, bulk import, staging tables) goes through `ingest`, which loads the
 * references, runs the one validator and stores the verdict. Records held back only by E_REFERENCE are re-checked by
 * `recheckHeld` on every run.
 */
import { Counter, type Registry } from 'prom-client';
import type { Db } from '../../core/db';
import { reporterConfig, type ReporterConfig } from '../config';
import type { Logger } from '../../core/log';
import { silentLogger } from '../../core/log';
import { systemClock, type Clock } from '../../core/time';
import { createCalendar, type WorkingCalendar } from '../standard/calendar';
import { validateRecord, validateBatch, type FullValidateOptions } from '../standard/validate';
import type { DataType, RecordSource, ValidationResult } from '../standard/types';
import { loadReferences } from './references';
import { storeResults, withdrawRecord, type IntakeItem, type RecordOutcome, type StoreMeta } from './store';

type ReporterSection = ReporterConfig;

export interface IntakeOptions {
  db: Db;
  /** The `reporter:` section; defaults apply when absent. */
  reporter?: ReporterSection;
  clock?: Clock;
  log?: Logger;
  /** Where to register reporter_intake_records_total (once per registry). */
  metrics?: Registry;
}

const COUNTERS = new WeakMap<Registry, Counter<'data_type' | 'source' | 'outcome'>>();
function intakeCounter(reg: Registry) {
  let c = COUNTERS.get(reg);
  if (!c) {
    c = new Counter({
      name: 'reporter_intake_records_total',
      help: 'Records received by the reporter intake, by type, source (api, import, staging) and outcome',
      labelNames: ['data_type', 'source', 'outcome'],
      registers: [reg],
    });
    COUNTERS.set(reg, c);
  }
  return c;
}

export interface IngestMeta {
  source: RecordSource;
  receivedBy: string;
  /** Flag one id with different content as E_DUPLICATE (an import, an API array). Staging rows are successive corrections. */
  markDuplicates?: boolean;
  /** Row numbers for the error report (import); default index + 1. */
  rowNos?: number[];
}

export interface IngestResult {
  outcomes: RecordOutcome[];
  results: ValidationResult[];
}

export class Intake {
  readonly db: Db;
  readonly reporter: ReporterSection;
  readonly calendar: WorkingCalendar;
  readonly clock: Clock;
  readonly log: Logger;
  private readonly counter?: Counter<'data_type' | 'source' | 'outcome'>;

  constructor(opts: IntakeOptions) {
    this.db = opts.db;
    this.reporter = opts.reporter ?? reporterConfig.parse({});
    this.calendar = createCalendar(this.reporter.calendar);
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log ?? silentLogger();
    if (opts.metrics) this.counter = intakeCounter(opts.metrics);
  }

  /** Counts outcomes for the metrics (the import and the API call this through ingest / storeResults users). */
  count(dataType: DataType, source: RecordSource, outcomes: { outcome: string }[]) {
    if (!this.counter) return;
    const n = new Map<string, number>();
    for (const o of outcomes) n.set(o.outcome, (n.get(o.outcome) ?? 0) + 1);
    for (const [outcome, k] of n) this.counter.inc({ data_type: dataType, source, outcome }, k);
  }

  validateOptions(now: number): Omit<FullValidateOptions, 'refs'> {
    return { now, cityRegionCode: this.reporter.intake.cityRegionCode };
  }

  private meta(m: IngestMeta, now: number): StoreMeta {
    return { source: m.source, receivedBy: m.receivedBy, now, calendar: this.calendar, deadlines: this.reporter.deadlines };
  }

  /** Validates and stores records of one type, in chunks of intake.writeBatchSize. */
  async ingest(dataType: DataType, inputs: unknown[], m: IngestMeta): Promise<IngestResult> {
    const now = this.clock();
    const refs = await loadReferences(this.db, dataType, inputs);
    const opts = { ...this.validateOptions(now), refs };
    const results = m.markDuplicates ? validateBatch(dataType, inputs, opts) : inputs.map((i) => validateRecord(dataType, i, opts));
    const outcomes: RecordOutcome[] = [];
    const size = this.reporter.intake.writeBatchSize;
    for (let start = 0; start < results.length; start += size) {
      const items: IntakeItem[] = [];
      for (let i = start; i < Math.min(results.length, start + size); i++) {
        const r = results[i] as IntakeItem['result'];
        // duplicateOf indexes the whole input; a store chunk sees only its own items. A first occurrence in an
        // earlier chunk is already stored, so the repeat is simply the same data again (store: 'unchanged').
        const dup = r.duplicateOf === undefined ? undefined : r.duplicateOf >= start ? r.duplicateOf - start : undefined;
        items.push({ result: dup === r.duplicateOf ? r : { ...r, duplicateOf: dup }, raw: inputs[i], rowNo: m.rowNos?.[i] ?? i + 1 });
      }
      const chunk = await storeResults(this.db, dataType, items, this.meta(m, now));
      for (const o of chunk) outcomes.push({ ...o, index: o.index + start });
    }
    this.count(dataType, m.source, outcomes);
    this.log.debug({ dataType, source: m.source, records: inputs.length }, 'records ingested');
    if (dataType === 'ITEM' || dataType === 'INSPECTION' || dataType === 'OFFICER') await this.recheckHeld();
    return { outcomes, results };
  }

  async withdraw(dataType: DataType, recordId: string, m: Omit<IngestMeta, 'markDuplicates' | 'rowNos'>): Promise<RecordOutcome> {
    const o = await withdrawRecord(this.db, dataType, recordId, { source: m.source, receivedBy: m.receivedBy, now: this.clock() });
    this.count(dataType, m.source, [o]);
    return o;
  }

  /**
   * Re-validates records held back only by E_REFERENCE (INSPECTION first, so a PENALTY whose INSPECTION is released in
   * the same pass goes too). Only the verdict changes: it is the same version. Returns how many were released.
   */
  async recheckHeld(limit = 20_000): Promise<{ checked: number; released: number }> {
    let checked = 0;
    let released = 0;
    const now = this.clock();
    for (const dataType of ['INSPECTION', 'PENALTY'] as const) {
      const res = await this.db.query<{ record_id: string; data: Record<string, unknown>; errors: unknown }>(
        `SELECT record_id, data, errors FROM reporter_records WHERE status = 'held_reference' AND data_type = $1 ORDER BY record_id LIMIT $2`,
        [dataType, limit],
      );
      if (res.rows.length === 0) continue;
      const datas = res.rows.map((r) => r.data);
      const refs = await loadReferences(this.db, dataType, datas);
      const opts = { ...this.validateOptions(now), refs };
      const changed: ValidationResult[] = [];
      res.rows.forEach((row, i) => {
        const v = validateRecord(dataType, datas[i], opts);
        checked++;
        if (v.status !== 'held_reference' || errorKey(v.errors) !== errorKey(row.errors as ValidationResult['errors'])) changed.push(v);
      });
      if (changed.length === 0) continue;
      released += changed.filter((v) => v.status === 'valid').length;
      const at = new Date(now);
      await this.db.query(
        `UPDATE reporter_records r
            SET status = u.status, errors = u.errors::jsonb, warnings = u.warnings::jsonb, validated_at = $2, updated_at = $2
           FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) AS u(record_id, status, errors, warnings)
          WHERE r.data_type = $1 AND r.record_id = u.record_id AND r.status = 'held_reference'`,
        [dataType, at, changed.map((v) => v.recordId), changed.map((v) => v.status), changed.map((v) => JSON.stringify(v.errors)), changed.map((v) => JSON.stringify(v.warnings))],
      );
    }
    if (released > 0) this.log.info({ released }, 'records held for a missing reference were released');
    return { checked, released };
  }
}

/** Errors compared by field, code and message (jsonb does not keep key order, so JSON text cannot be compared). */
function errorKey(errors: ValidationResult['errors']): string {
  return (errors ?? []).map((e) => `${e.field}|${e.code}|${e.message}`).join('\n');
}
