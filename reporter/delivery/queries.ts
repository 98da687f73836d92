/**
 * The delivery side's reads for the API: typed functions over report_runs, report_batches, report_batch_items,
 * report_attempts, report_reconciliations and (with report_deliveries) reporter_records, returning the camelCase
 * records of contract/reporter.ts (instants as ISO strings, calendar days as yyyy-MM-dd text). The writes of a run
 * live with the run (outbox.ts, run.ts, receipts.ts, reconcile.ts). Routes call these and never hold SQL.
 */
import type { Queryable } from '../../core/db';
import { likeAnywhere } from '../../core/input';
import type { Attempt, Batch, BatchItem, Correction, OverdueRecord, Reconciliation, Run } from '../../contract/reporter';

export interface PageArgs {
  limit: number;
  offset: number;
}
export interface Listed<T> {
  items: T[];
  total: number;
}

const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : String(v));
const isoOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : iso(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

type Row = Record<string, unknown>;

async function list<T>(q: Queryable, sql: string, countSql: string, params: unknown[], p: PageArgs, map: (r: Row) => T): Promise<Listed<T>> {
  const [rows, total] = await Promise.all([
    q.query<Row>(`${sql} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`, [...params, p.limit, p.offset]),
    q.query<{ n: string }>(countSql, params),
  ]);
  return { items: rows.rows.map(map), total: Number(total.rows[0]?.n ?? 0) };
}

const RUN_COLS = `id, kind, trigger, actor, started_at, finished_at, status, stats, error`;
const toRun = (r: Row): Run => ({
  id: Number(r.id),
  kind: r.kind as Run['kind'],
  trigger: r.trigger as string,
  actor: (r.actor as string | null) ?? null,
  startedAt: iso(r.started_at),
  finishedAt: isoOrNull(r.finished_at),
  status: r.status as Run['status'],
  stats: (r.stats as Run['stats']) ?? null,
  error: (r.error as string | null) ?? null,
});

/** The latest run of each kind. */
export async function latestRuns(q: Queryable): Promise<Run[]> {
  const r = await q.query<Row>(`SELECT DISTINCT ON (kind) ${RUN_COLS} FROM report_runs ORDER BY kind, started_at DESC`);
  return r.rows.map(toRun);
}

export function listRuns(q: Queryable, p: PageArgs): Promise<Listed<Run>> {
  return list(q, `SELECT ${RUN_COLS} FROM report_runs ORDER BY started_at DESC, id DESC`, `SELECT count(*) AS n FROM report_runs`, [], p, toRun);
}

/** Batches not finished, by status. */
export async function openBatchCounts(q: Queryable): Promise<Record<string, number>> {
  const r = await q.query<{ status: string; n: string }>(`SELECT status, count(*) AS n FROM report_batches WHERE status IN ('pending', 'processing') GROUP BY 1`);
  return Object.fromEntries(r.rows.map((x) => [x.status, Number(x.n)]));
}

/** Whether these batch ids are all known (the demo's simulator snapshot belongs to this database). */
export async function countKnownBatches(q: Queryable, ids: string[]): Promise<number> {
  const r = await q.query<{ n: string }>(`SELECT count(*) AS n FROM report_batches WHERE batch_id = ANY($1::text[])`, [ids]);
  return Number(r.rows[0].n);
}

const BATCH_COLS = `batch_id, data_type, run_id, created_at, status, record_count, body_bytes, attempts, first_answer_at, finished_at, receipt_id, accepted, rejected, last_error`;
const toBatch = (r: Row): Batch => ({
  batchId: r.batch_id as string,
  dataType: r.data_type as Batch['dataType'],
  runId: numOrNull(r.run_id),
  createdAt: iso(r.created_at),
  status: r.status as Batch['status'],
  recordCount: Number(r.record_count),
  bodyBytes: Number(r.body_bytes),
  attempts: Number(r.attempts),
  firstAnswerAt: isoOrNull(r.first_answer_at),
  finishedAt: isoOrNull(r.finished_at),
  receiptId: (r.receipt_id as string | null) ?? null,
  accepted: numOrNull(r.accepted),
  rejected: numOrNull(r.rejected),
  lastError: (r.last_error as string | null) ?? null,
});

/** The filters, search and order of GET /batches (README "Lists"). */
export interface BatchFilter {
  statuses?: string[];
  dataTypes?: string[];
  /** Case-insensitive substring of the batch id, the receipt id or the last error. */
  q?: string;
  sort?: { key: 'createdAt' | 'recordCount' | 'status'; desc: boolean };
}

const BATCH_SORT = { createdAt: 'created_at', recordCount: 'record_count', status: 'status' } as const;

export function listBatches(q: Queryable, f: BatchFilter, p: PageArgs): Promise<Listed<Batch>> {
  const params: unknown[] = [];
  const where: string[] = [];
  for (const [v, col] of [[f.statuses, 'status'], [f.dataTypes, 'data_type']] as const) {
    if (v?.length) {
      params.push(v);
      where.push(`${col} = ANY($${params.length}::text[])`);
    }
  }
  if (f.q) {
    params.push(likeAnywhere(f.q));
    const n = params.length;
    where.push(`(batch_id ILIKE $${n} ESCAPE '\\' OR receipt_id ILIKE $${n} ESCAPE '\\' OR last_error ILIKE $${n} ESCAPE '\\')`);
  }
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const sort = f.sort ?? { key: 'createdAt', desc: true };
  const dir = sort.desc ? 'DESC' : 'ASC';
  const order = sort.key === 'createdAt' ? `created_at ${dir}, seq ${dir}` : `${BATCH_SORT[sort.key]} ${dir}, created_at DESC, seq DESC`;
  return list(q, `SELECT ${BATCH_COLS} FROM report_batches ${w} ORDER BY ${order}`, `SELECT count(*) AS n FROM report_batches ${w}`, params, p, toBatch);
}

/** One batch with its receipt, or null. */
export async function getBatch(q: Queryable, batchId: string): Promise<(Batch & { receipt: unknown }) | null> {
  const r = await q.query<Row>(`SELECT ${BATCH_COLS}, receipt FROM report_batches WHERE batch_id = $1`, [batchId]);
  return r.rows[0] ? { ...toBatch(r.rows[0]), receipt: r.rows[0].receipt ?? null } : null;
}

const toAttempt = (r: Row): Attempt => ({
  time: iso(r.time),
  batchId: (r.batch_id as string | null) ?? null,
  kind: r.kind as Attempt['kind'],
  attempt: Number(r.attempt),
  requestId: r.request_id as string,
  httpStatus: numOrNull(r.http_status),
  outcome: r.outcome as string,
  error: (r.error as string | null) ?? null,
  durationMs: Number(r.duration_ms),
  receipt: (r.receipt as Attempt['receipt']) ?? null,
});

/** Attempts of one batch in time order, or of every batch newest first. */
export function listAttempts(q: Queryable, batchId: string | null, p: PageArgs): Promise<Listed<Attempt>> {
  const cols = `time, batch_id, kind, attempt, request_id, http_status, outcome, error, duration_ms, receipt`;
  return batchId === null
    ? list(q, `SELECT ${cols} FROM report_attempts ORDER BY time DESC`, `SELECT count(*) AS n FROM report_attempts`, [], p, toAttempt)
    : list(q, `SELECT ${cols} FROM report_attempts WHERE batch_id = $1 ORDER BY time`, `SELECT count(*) AS n FROM report_attempts WHERE batch_id = $1`, [batchId], p, toAttempt);
}

export function listBatchItems(q: Queryable, batchId: string, p: PageArgs): Promise<Listed<BatchItem>> {
  return list(
    q,
    `SELECT data_type, record_id, version, op, verdict FROM report_batch_items WHERE batch_id = $1 ORDER BY record_id`,
    `SELECT count(*) AS n FROM report_batch_items WHERE batch_id = $1`,
    [batchId],
    p,
    (r) => ({ dataType: r.data_type as BatchItem['dataType'], recordId: r.record_id as string, version: Number(r.version), op: r.op as BatchItem['op'], verdict: (r.verdict as string | null) ?? null }),
  );
}

/**
 * The correction queue: records held back by the city's own validation, and records the province rejected in their
 * current version, each with its reasons. They leave the queue when a corrected version is accepted.
 */
/** The correction queue's filters (GET /corrections): all optional, combined with AND. */
export interface CorrectionFilter {
  dataType?: string;
  /** A reason code, e.g. E_CHECKSUM (any of the record's reasons). */
  code?: string;
  /** 实施机构 deptCode. */
  dept?: string;
  /** city (the city's validator) or province (rejected by the province). */
  foundBy?: 'city' | 'province';
  /** Free text: part of the record id, of a reason's message or of the record's data (e.g. the party's name). */
  q?: string;
}

/**
 * The correction queue: one row per record — invalid or held for a reference (the city's reasons), or valid but its
 * current version rejected by the province (the province's reasons) — with all its reasons once each; filtered
 * (CorrectionFilter), paged, with the total of the filtered queue.
 */
export function listCorrections(q: Queryable, f: CorrectionFilter, p: PageArgs): Promise<Listed<Correction>> {
  const params: unknown[] = [];
  const conds: string[] = [];
  const add = (v: unknown, sql: (n: string) => string) => {
    params.push(v);
    conds.push(sql(`$${params.length}`));
  };
  if (f.dataType) add(f.dataType, (n) => `r.data_type = ${n}`);
  if (f.dept) add(f.dept, (n) => `r.dept_code = ${n}`);
  if (f.foundBy) conds.push(f.foundBy === 'province' ? `r.status = 'valid'` : `r.status <> 'valid'`);
  if (f.code) add(JSON.stringify([{ code: f.code }]), (n) => `(CASE WHEN r.status = 'valid' THEN coalesce(d.rejected_errors, '[]'::jsonb) ELSE r.errors END) @> ${n}::jsonb`);
  if (f.q) {
    add(`%${f.q.replace(/[\\%_]/g, (m) => '\\' + m)}%`, (n) => `(r.record_id ILIKE ${n} OR r.errors::text ILIKE ${n} OR coalesce(d.rejected_errors::text, '') ILIKE ${n} OR r.data::text ILIKE ${n})`);
  }
  const filter = conds.map((c) => ` AND ${c}`).join('');
  const from = `FROM reporter_records r LEFT JOIN report_deliveries d ON d.data_type = r.data_type AND d.record_id = r.record_id
    WHERE (r.status IN ('invalid', 'held_reference') OR (r.status = 'valid' AND d.rejected_version = r.version)) ${filter}`;
  return list(
    q,
    `SELECT r.data_type, r.record_id, r.version, r.status, r.dept_code, r.deadline::text AS deadline, r.last_arrived_at,
            CASE WHEN r.status = 'valid' THEN 'province' ELSE 'city' END AS found_by,
            CASE WHEN r.status = 'valid' THEN d.rejected_errors ELSE r.errors END AS errors,
            d.rejected_batch, d.rejected_at
       ${from} ORDER BY r.deadline NULLS LAST, r.data_type, r.record_id`,
    `SELECT count(*) AS n ${from}`,
    params,
    p,
    (r) => ({
      dataType: r.data_type as Correction['dataType'],
      recordId: r.record_id as string,
      version: Number(r.version),
      status: r.status as Correction['status'],
      deptCode: (r.dept_code as string | null) ?? null,
      deadline: (r.deadline as string | null) ?? null,
      lastArrivedAt: iso(r.last_arrived_at),
      foundBy: r.found_by as Correction['foundBy'],
      errors: onceEach((r.errors as Correction['errors']) ?? []),
      rejectedBatch: (r.rejected_batch as string | null) ?? null,
      rejectedAt: isoOrNull(r.rejected_at),
    }),
  );
}

/** A record's reasons once each (a reason repeated in its list is one reason). */
function onceEach<T extends { field?: string; code?: string; message?: string }>(errs: T[]): T[] {
  const seen = new Set<string>();
  return errs.filter((e) => {
    const k = `${e.field ?? ''}|${e.code ?? ''}|${e.message ?? ''}`;
    return seen.has(k) ? false : (seen.add(k), true);
  });
}

/**
 * Records past their reporting deadline (before `today`, yyyy-MM-dd in UTC+8) that the province has not accepted
 * (never sent, rejected, held back, or still waiting for a verdict), oldest deadline first.
 */
export function listOverdue(q: Queryable, today: string, f: { dataType?: string; dept?: string }, p: PageArgs): Promise<Listed<OverdueRecord>> {
  const params: unknown[] = [today];
  let filter = '';
  for (const [v, col] of [[f.dataType, 'r.data_type'], [f.dept, 'r.dept_code']] as const) {
    if (v) {
      params.push(v);
      filter += ` AND ${col} = $${params.length}`;
    }
  }
  const from = `FROM reporter_records r LEFT JOIN report_deliveries d ON d.data_type = r.data_type AND d.record_id = r.record_id
    WHERE r.deadline < $1::date AND r.status <> 'withdrawn' AND d.accepted_version IS NULL ${filter}`;
  return list(
    q,
    `SELECT r.data_type, r.record_id, r.version, r.status, r.dept_code, r.record_date::text AS record_date, r.deadline::text AS deadline,
            ($1::date - r.deadline) AS days_overdue,
            CASE WHEN r.status IN ('invalid', 'held_reference') THEN 'city_invalid'
                 WHEN d.rejected_version IS NOT NULL THEN 'province_rejected'
                 WHEN d.first_delivered_at IS NULL THEN 'not_sent' ELSE 'awaiting_verdict' END AS reason,
            CASE WHEN r.status = 'valid' THEN d.rejected_errors ELSE r.errors END AS errors
       ${from} ORDER BY r.deadline, r.data_type, r.record_id`,
    `SELECT count(*) AS n ${from}`,
    params,
    p,
    (r) => ({
      dataType: r.data_type as OverdueRecord['dataType'],
      recordId: r.record_id as string,
      version: Number(r.version),
      status: r.status as OverdueRecord['status'],
      deptCode: (r.dept_code as string | null) ?? null,
      recordDate: (r.record_date as string | null) ?? null,
      deadline: r.deadline as string,
      daysOverdue: Number(r.days_overdue),
      reason: r.reason as OverdueRecord['reason'],
      errors: (r.errors as OverdueRecord['errors']) ?? null,
    }),
  );
}

export function listReconciliations(q: Queryable, p: PageArgs): Promise<Listed<Reconciliation>> {
  return list(
    q,
    `SELECT id, run_id, checked_at, data_type, period_from::text AS period_from, period_to::text AS period_to, city_count, province_count, match, error
       FROM report_reconciliations ORDER BY checked_at DESC, id DESC`,
    `SELECT count(*) AS n FROM report_reconciliations`,
    [],
    p,
    (r) => ({
      id: Number(r.id),
      runId: numOrNull(r.run_id),
      checkedAt: iso(r.checked_at),
      dataType: r.data_type as Reconciliation['dataType'],
      periodFrom: r.period_from as string,
      periodTo: r.period_to as string,
      cityCount: Number(r.city_count),
      provinceCount: numOrNull(r.province_count),
      match: r.match === true,
      error: (r.error as string | null) ?? null,
    }),
  );
}
