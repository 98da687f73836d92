/**
 * The intake's reads (and the verdict update of a re-check): typed functions over reporter_records,
 * reporter_record_versions and reporter_intake_rejects that return the camelCase records of contract/reporter.ts.
 * The versioned writes are store.ts's. Routes call these and never hold SQL.
 */
import type { Queryable } from '../../core/db';
import { likeAnywhere } from '../../core/input';
import type { IntakeReject, RecordStats, RecordVersion, ReporterRecord } from '../../contract/reporter';
import { DATA_TYPES, type DataType, type RecordStatus, type ValidationError, type ValidationResult } from '../standard/types';

export const RECORD_STATUSES: RecordStatus[] = ['pending', 'valid', 'invalid', 'held_reference', 'withdrawn'];

const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : String(v));
const isoOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : iso(v));

export async function recordStats(q: Queryable): Promise<RecordStats> {
  const res = await q.query<{ data_type: DataType; status: RecordStatus; n: string }>(
    `SELECT data_type, status, count(*) AS n FROM reporter_records GROUP BY 1, 2 ORDER BY 1, 2`,
  );
  const counts = {} as RecordStats['counts'];
  for (const t of DATA_TYPES) counts[t] = Object.fromEntries(RECORD_STATUSES.map((s) => [s, 0])) as Record<RecordStatus, number>;
  for (const r of res.rows) counts[r.data_type][r.status] = Number(r.n);
  return { counts };
}

/** Filters of GET /records, already checked by the route. Dates are yyyy-MM-dd; [from, to) on record_date, [deadlineFrom, deadlineTo) on deadline. */
export interface RecordFilter {
  dataType?: DataType;
  statuses?: RecordStatus[];
  deptCode?: string;
  source?: string;
  /** A prefix of the record id. */
  recordIdPrefix?: string;
  errorCode?: string;
  from?: string;
  to?: string;
  deadlineFrom?: string;
  deadlineTo?: string;
  /** Case-insensitive substring of the record id or the department code (README "Lists"). */
  q?: string;
  sort?: { key: RecordSortKey; desc: boolean };
}

export const RECORD_SORTS = ['lastArrivedAt', 'recordDate', 'deadline', 'recordId'] as const;
export type RecordSortKey = (typeof RECORD_SORTS)[number];
const RECORD_SORT_COL: Record<RecordSortKey, string> = { lastArrivedAt: 'last_arrived_at', recordDate: 'record_date', deadline: 'deadline', recordId: 'record_id' };

interface RecordRow {
  data_type: DataType;
  record_id: string;
  version: number;
  op: ReporterRecord['op'];
  status: RecordStatus;
  errors: ValidationError[];
  warnings: ValidationError[];
  source: ReporterRecord['source'];
  first_arrived_at: Date | string;
  last_arrived_at: Date | string;
  validated_at?: Date | string | null;
  record_date: string | null;
  deadline: string | null;
  dept_code: string | null;
  data?: Record<string, unknown>;
}

function toRecord(r: RecordRow): ReporterRecord {
  return {
    dataType: r.data_type,
    recordId: r.record_id,
    version: r.version,
    op: r.op,
    status: r.status,
    source: r.source,
    firstArrivedAt: iso(r.first_arrived_at),
    lastArrivedAt: iso(r.last_arrived_at),
    ...(r.validated_at !== undefined ? { validatedAt: isoOrNull(r.validated_at) } : {}),
    recordDate: r.record_date,
    deadline: r.deadline,
    deptCode: r.dept_code,
    errors: r.errors,
    warnings: r.warnings,
    ...(r.data !== undefined ? { data: r.data } : {}),
  };
}

export async function listRecords(q: Queryable, f: RecordFilter, o: { limit: number; offset: number; withData: boolean }): Promise<{ total: number; items: ReporterRecord[] }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (f.dataType) add('data_type = ?', f.dataType);
  if (f.statuses) add('status = ANY(?::text[])', f.statuses);
  if (f.deptCode) add('dept_code = ?', f.deptCode);
  if (f.source) add('source = ?', f.source);
  if (f.recordIdPrefix) add('record_id LIKE ?', `${f.recordIdPrefix.replace(/[%_\\]/g, '\\$&')}%`);
  if (f.errorCode) add(`errors @> ?::jsonb`, JSON.stringify([{ code: f.errorCode }]));
  if (f.from) add('record_date >= ?::date', f.from);
  if (f.to) add('record_date < ?::date', f.to);
  if (f.deadlineFrom) add('deadline >= ?::date', f.deadlineFrom);
  if (f.deadlineTo) add('deadline < ?::date', f.deadlineTo);
  if (f.q) {
    params.push(likeAnywhere(f.q));
    where.push(`(record_id ILIKE $${params.length} ESCAPE '\\' OR dept_code ILIKE $${params.length} ESCAPE '\\')`);
  }
  const sort = f.sort ?? { key: 'lastArrivedAt', desc: true };
  const dir = sort.desc ? 'DESC' : 'ASC';
  // Days may be empty: last either way. The default keeps the order of reporter_records_arrived_idx.
  const nulls = sort.key === 'recordDate' || sort.key === 'deadline' ? ' NULLS LAST' : '';
  const order = `${RECORD_SORT_COL[sort.key]} ${dir}${nulls}, data_type, record_id`;
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = await q.query<{ n: string }>(`SELECT count(*) AS n FROM reporter_records ${w}`, params);
  const rows = await q.query<RecordRow>(
    `SELECT data_type, record_id, version, op, status, errors, warnings, source, first_arrived_at, last_arrived_at,
            record_date::text AS record_date, deadline::text AS deadline, dept_code ${o.withData ? ', data' : ''}
       FROM reporter_records ${w} ORDER BY ${order} LIMIT ${Number(o.limit)} OFFSET ${Number(o.offset)}`,
    params,
  );
  return { total: Number(total.rows[0].n), items: rows.rows.map(toRecord) };
}

/** One record with its data, or null. */
export async function getRecord(q: Queryable, dataType: DataType, recordId: string): Promise<ReporterRecord | null> {
  const res = await q.query<RecordRow>(
    `SELECT data_type, record_id, version, op, status, data, errors, warnings, source, first_arrived_at, last_arrived_at,
            validated_at, record_date::text AS record_date, deadline::text AS deadline, dept_code
       FROM reporter_records WHERE data_type = $1 AND record_id = $2`,
    [dataType, recordId],
  );
  return res.rows[0] ? toRecord(res.rows[0]) : null;
}

/** A page of a record's versions, newest first. */
export async function recordHistory(q: Queryable, dataType: DataType, recordId: string, o: { limit: number; offset: number }): Promise<RecordVersion[]> {
  const res = await q.query<{
    version: number; op: RecordVersion['op']; source: RecordVersion['source']; arrived_at: Date | string; received_by: string;
    status: RecordStatus; data: Record<string, unknown> | null; errors: ValidationError[]; warnings: ValidationError[];
  }>(
    `SELECT version, op, source, arrived_at, received_by, status, data, errors, warnings
       FROM reporter_record_versions WHERE data_type = $1 AND record_id = $2 ORDER BY version DESC LIMIT ${Number(o.limit)} OFFSET ${Number(o.offset)}`,
    [dataType, recordId],
  );
  return res.rows.map((h) => ({
    version: h.version, op: h.op, source: h.source, arrivedAt: iso(h.arrived_at), receivedBy: h.received_by,
    status: h.status, errors: h.errors, warnings: h.warnings, data: h.data,
  }));
}

/** Input that could not be keyed, newest first. */
export async function listRejects(q: Queryable, f: { source?: string }, o: { limit: number; offset: number }): Promise<{ total: number; items: IntakeReject[] }> {
  const params: unknown[] = [];
  let where = '';
  if (f.source) {
    params.push(f.source);
    where = 'WHERE source = $1';
  }
  const total = await q.query<{ n: string }>(`SELECT count(*) AS n FROM reporter_intake_rejects ${where}`, params);
  const rows = await q.query<{
    id: string | number; data_type: string; source: IntakeReject['source']; arrived_at: Date | string; received_by: string;
    row_no: number | null; payload: unknown; errors: ValidationError[];
  }>(
    `SELECT id, data_type, source, arrived_at, received_by, row_no, payload, errors FROM reporter_intake_rejects ${where}
      ORDER BY id DESC LIMIT ${Number(o.limit)} OFFSET ${Number(o.offset)}`,
    params,
  );
  return {
    total: Number(total.rows[0].n),
    items: rows.rows.map((r) => ({
      id: Number(r.id), dataType: r.data_type, source: r.source, arrivedAt: iso(r.arrived_at), receivedBy: r.received_by,
      row: r.row_no, errors: r.errors, payload: r.payload,
    })),
  };
}

/** Records held back only by E_REFERENCE, for the re-check. */
export async function heldRecords(q: Queryable, dataType: DataType, limit: number): Promise<{ recordId: string; data: Record<string, unknown>; errors: ValidationError[] }[]> {
  const res = await q.query<{ record_id: string; data: Record<string, unknown>; errors: ValidationError[] }>(
    `SELECT record_id, data, errors FROM reporter_records WHERE status = 'held_reference' AND data_type = $1 ORDER BY record_id LIMIT $2`,
    [dataType, limit],
  );
  return res.rows.map((r) => ({ recordId: r.record_id, data: r.data, errors: r.errors }));
}

/** A new verdict for held records, same version (only those still held: a correction that came meanwhile wins). */
export async function setVerdicts(q: Queryable, dataType: DataType, verdicts: ValidationResult[], now: number) {
  const at = new Date(now);
  await q.query(
    `UPDATE reporter_records r
        SET status = u.status, errors = u.errors::jsonb, warnings = u.warnings::jsonb, validated_at = $2, updated_at = $2
       FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) AS u(record_id, status, errors, warnings)
      WHERE r.data_type = $1 AND r.record_id = u.record_id AND r.status = 'held_reference'`,
    [dataType, at, verdicts.map((v) => v.recordId), verdicts.map((v) => v.status), verdicts.map((v) => JSON.stringify(v.errors)), verdicts.map((v) => JSON.stringify(v.warnings))],
  );
}
