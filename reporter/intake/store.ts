/**
 * Writes validated records: one current row per (data_type, record_id) in reporter_records, every version in
 * reporter_record_versions, and input that cannot be keyed in reporter_intake_rejects. Nothing is dropped: an invalid
 * record is stored with status invalid and its errors.
 *
 * A record sent again with different data is a correction (version + 1). Sent again with identical data it is the
 * same version; only its verdict (status, errors, warnings) and last arrival are refreshed.
 */
import { createHash } from 'node:crypto';
import type { Db, Queryable } from '../../core/db';
import type { ReporterDeadlinesConfig } from '../config';
import { deadlineFor, recordDate, type WorkingCalendar } from '../standard/calendar';
import { RECORD_ID_RE } from '../standard/validate';
import type { DataType, RecordSource, RecordStatus, ValidationError, ValidationResult } from '../standard/types';

export interface StoreMeta {
  source: RecordSource;
  /** User / token name, import file name, or 'staging'. */
  receivedBy: string;
  now: number;
  calendar: WorkingCalendar;
  deadlines: ReporterDeadlinesConfig;
}

export interface IntakeItem {
  result: ValidationResult & { duplicateOf?: number };
  /** contentHash(result.data), when the caller has it already (the pipeline computes it once per record). */
  hash?: string;
  /** The input as it came (kept for unkeyable input). */
  raw: unknown;
  /** Row of an import file / index in an API array. */
  rowNo?: number;
}

export type Outcome = 'accepted' | 'held_reference' | 'rejected' | 'unchanged' | 'withdrawn' | 'not_found';

export interface RecordOutcome {
  index: number;
  recordId: string;
  outcome: Outcome;
  status?: RecordStatus;
  version?: number;
  errors: ValidationError[];
  warnings: ValidationError[];
}

interface Current {
  version: number;
  hash: string;
  op: string;
  /** Written by this chunk (not yet in the database). */
  fresh?: boolean;
}

export function contentHash(data: unknown): string {
  return createHash('sha256').update(JSON.stringify(data)).digest('hex');
}

const OUTCOME: Record<ValidationResult['status'], Outcome> = { valid: 'accepted', held_reference: 'held_reference', invalid: 'rejected' };

const RECORD_COLS = [
  'data_type', 'record_id', 'version', 'op', 'status', 'data', 'errors', 'warnings', 'source', 'first_arrived_at',
  'last_arrived_at', 'validated_at', 'record_date', 'deadline', 'dept_code', 'impl_code', 'inspection_ref', 'content_hash', 'updated_at',
];
const RECORD_UPDATE = RECORD_COLS.filter((c) => !['data_type', 'record_id', 'first_arrived_at'].includes(c))
  .map((c) => `${c} = EXCLUDED.${c}`)
  .join(', ');
const VERSION_COLS = ['data_type', 'record_id', 'version', 'op', 'source', 'arrived_at', 'received_by', 'status', 'data', 'errors', 'warnings', 'content_hash'];

const col = (rows: unknown[][], i: number) => rows.map((r) => (r[i] === undefined ? null : r[i]));

/**
 * One batch's new current rows in one statement: the per-row columns as arrays through unnest, the batch's constants
 * (type, source, time) as single parameters — half the time of a multi-row VALUES list with ~19,000 parameters on
 * the server (bench/reporter-import.ts). `rows` are RECORD_COLS rows.
 */
async function upsertRecords(q: Queryable, dataType: DataType, source: RecordSource, at: Date, rows: unknown[][]) {
  await q.query(
    `INSERT INTO reporter_records (${RECORD_COLS.join(', ')})
     SELECT $1, u.record_id, u.version, 'UPSERT', u.status, u.data::jsonb, u.errors::jsonb, u.warnings::jsonb, $2, $3, $3, $3,
            u.record_date, u.deadline, u.dept_code, u.impl_code, u.inspection_ref, u.content_hash, $3
       FROM unnest($4::text[], $5::int[], $6::text[], $7::text[], $8::text[], $9::text[], $10::date[], $11::date[], $12::text[], $13::text[], $14::text[], $15::text[])
            AS u(record_id, version, status, data, errors, warnings, record_date, deadline, dept_code, impl_code, inspection_ref, content_hash)
     ON CONFLICT (data_type, record_id) DO UPDATE SET ${RECORD_UPDATE}`,
    [dataType, source, at, ...[1, 2, 4, 5, 6, 7, 12, 13, 14, 15, 16, 17].map((i) => col(rows, i))],
  );
}

/** The batch's new versions in one statement (as upsertRecords); `rows` are VERSION_COLS rows. */
async function insertVersions(q: Queryable, dataType: DataType, source: RecordSource, receivedBy: string, at: Date, rows: unknown[][]) {
  await q.query(
    `INSERT INTO reporter_record_versions (${VERSION_COLS.join(', ')})
     SELECT $1, u.record_id, u.version, 'UPSERT', $2, $3, $4, u.status, u.data::jsonb, u.errors::jsonb, u.warnings::jsonb, u.content_hash
       FROM unnest($5::text[], $6::int[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
            AS u(record_id, version, status, data, errors, warnings, content_hash)`,
    [dataType, source, at, receivedBy, ...[1, 2, 7, 8, 9, 10, 11].map((i) => col(rows, i))],
  );
}

/** Serialises writers of one record type, so two intake paths cannot hand out the same version number. */
export async function lockType(q: Queryable, dataType: DataType) {
  await q.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`reporter_records:${dataType}`]);
}

/** Stores one chunk of validated records of one type in one transaction. Returns an outcome per item, in order. */
export async function storeResults(db: Db, dataType: DataType, items: IntakeItem[], meta: StoreMeta): Promise<RecordOutcome[]> {
  const at = new Date(meta.now);
  const outcomes: RecordOutcome[] = new Array(items.length);
  return db.tx(async (q) => {
    await lockType(q, dataType);
    const keyed: number[] = [];
    const rejects: unknown[][] = [];
    items.forEach((it, i) => {
      const r = it.result;
      if (r.recordId && RECORD_ID_RE.test(r.recordId)) keyed.push(i);
      else {
        rejects.push([dataType, meta.source, at, meta.receivedBy, it.rowNo ?? i + 1, JSON.stringify(it.raw ?? null), JSON.stringify(r.errors)]);
        outcomes[i] = { index: i, recordId: r.recordId, outcome: 'rejected', status: 'invalid', errors: r.errors, warnings: r.warnings };
      }
    });
    const ids = [...new Set(keyed.map((i) => items[i].result.recordId))];
    const current = new Map<string, Current>();
    if (ids.length > 0) {
      const res = await q.query<{ record_id: string; version: number; content_hash: string; op: string }>(
        `SELECT record_id, version, content_hash, op FROM reporter_records WHERE data_type = $1 AND record_id = ANY($2::text[])`,
        [dataType, ids],
      );
      for (const r of res.rows) current.set(r.record_id, { version: r.version, hash: r.content_hash, op: r.op });
    }
    const rows = new Map<string, unknown[]>(); // last new version per id
    const refresh = new Map<string, ValidationResult>(); // same data again: new verdict only
    const versions: unknown[][] = [];
    for (const i of keyed) {
      const it = items[i];
      const r = it.result;
      const base = { index: i, recordId: r.recordId, errors: r.errors, warnings: r.warnings };
      if (it.result.duplicateOf !== undefined) {
        const first = outcomes[it.result.duplicateOf];
        outcomes[i] = { ...base, outcome: first?.outcome === 'accepted' ? 'unchanged' : (first?.outcome ?? 'unchanged'), status: first?.status, version: first?.version };
        continue;
      }
      const hash = it.hash ?? contentHash(r.data);
      const cur = current.get(r.recordId);
      if (cur && cur.hash === hash && cur.op === 'UPSERT') {
        if (!cur.fresh) refresh.set(r.recordId, r);
        // Same data again: 'unchanged' if it passes; a record that still fails is reported as rejected (or held) again.
        outcomes[i] = { ...base, outcome: r.status === 'valid' ? 'unchanged' : OUTCOME[r.status], status: r.status, version: cur.version };
        continue;
      }
      const version = (cur?.version ?? 0) + 1;
      current.set(r.recordId, { version, hash, op: 'UPSERT', fresh: true });
      refresh.delete(r.recordId);
      const data = JSON.stringify(r.data);
      const errors = JSON.stringify(r.errors);
      const warnings = JSON.stringify(r.warnings);
      rows.set(r.recordId, [
        dataType, r.recordId, version, 'UPSERT', r.status, data, errors, warnings, meta.source, at, at, at,
        recordDate(dataType, r.data) ?? null,
        // Invalid records have a deadline too: one never delivered counts as late.
        deadlineFor(dataType, r.data, meta.calendar, meta.deadlines) ?? null,
        str(r.data.deptCode), str(r.data.implCode), str(r.data.inspectionRef), hash, at,
      ]);
      versions.push([dataType, r.recordId, version, 'UPSERT', meta.source, at, meta.receivedBy, r.status, data, errors, warnings, hash]);
      outcomes[i] = { ...base, outcome: OUTCOME[r.status], status: r.status, version };
    }
    if (rows.size > 0) await upsertRecords(q, dataType, meta.source, at, [...rows.values()]);
    if (versions.length > 0) await insertVersions(q, dataType, meta.source, meta.receivedBy, at, versions);
    if (refresh.size > 0) {
      const list = [...refresh.values()];
      await q.query(
        `UPDATE reporter_records r
            SET status = u.status, errors = u.errors::jsonb, warnings = u.warnings::jsonb,
                last_arrived_at = $2, validated_at = $2, updated_at = $2
           FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) AS u(record_id, status, errors, warnings)
          WHERE r.data_type = $1 AND r.record_id = u.record_id`,
        [dataType, at, list.map((r) => r.recordId), list.map((r) => r.status), list.map((r) => JSON.stringify(r.errors)), list.map((r) => JSON.stringify(r.warnings))],
      );
    }
    if (rejects.length > 0) {
      await db.insertMany('reporter_intake_rejects', ['data_type', 'source', 'arrived_at', 'received_by', 'row_no', 'payload', 'errors'], rejects, '', q);
    }
    return outcomes;
  });
}

/**
 * Withdraws a record (op DELETE): a new version with status withdrawn, so the delivery side sends a DELETE. The data
 * of the last version is kept. Withdrawing a withdrawn record changes nothing; an unknown record is 'not_found'.
 */
export async function withdrawRecord(db: Db, dataType: DataType, recordId: string, meta: Pick<StoreMeta, 'source' | 'receivedBy' | 'now'>): Promise<RecordOutcome> {
  const at = new Date(meta.now);
  return db.tx(async (q) => {
    await lockType(q, dataType);
    const res = await q.query<{ version: number; op: string; data: unknown; content_hash: string }>(
      `SELECT version, op, data, content_hash FROM reporter_records WHERE data_type = $1 AND record_id = $2`,
      [dataType, recordId],
    );
    const cur = res.rows[0];
    const base = { index: 0, recordId, errors: [], warnings: [] };
    if (!cur) return { ...base, outcome: 'not_found' };
    if (cur.op === 'DELETE') return { ...base, outcome: 'unchanged', status: 'withdrawn', version: cur.version };
    const version = cur.version + 1;
    await q.query(
      `UPDATE reporter_records SET version = $3, op = 'DELETE', status = 'withdrawn', errors = '[]', warnings = '[]', source = $4,
              last_arrived_at = $5, validated_at = $5, updated_at = $5
        WHERE data_type = $1 AND record_id = $2`,
      [dataType, recordId, version, meta.source, at],
    );
    await q.query(
      `INSERT INTO reporter_record_versions (${VERSION_COLS.join(', ')}) VALUES ($1, $2, $3, 'DELETE', $4, $5, $6, 'withdrawn', $7, '[]', '[]', $8)`,
      [dataType, recordId, version, meta.source, at, meta.receivedBy, JSON.stringify(cur.data), cur.content_hash],
    );
    return { ...base, outcome: 'withdrawn', status: 'withdrawn', version };
  });
}

/** Keeps input that cannot be keyed (a staging row of an unknown type or op, a record_id that disagrees with its payload). */
export async function storeRejects(
  db: Db,
  rows: { dataType: string; source: RecordSource; receivedBy: string; rowNo: number; payload: unknown; errors: ValidationError[] }[],
  now: number,
) {
  const at = new Date(now);
  await db.insertMany(
    'reporter_intake_rejects',
    ['data_type', 'source', 'arrived_at', 'received_by', 'row_no', 'payload', 'errors'],
    rows.map((r) => [r.dataType, r.source, at, r.receivedBy, r.rowNo, JSON.stringify(r.payload), JSON.stringify(r.errors)]),
  );
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}
