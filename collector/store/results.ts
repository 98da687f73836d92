import type { Queryable } from '../../core/db';
import { CHINA_BUCKET_ORIGIN } from '../../core/china-time';
import type { PhaseTimings } from '../probes/types';

/**
 * Probe results (probe_results) and their rollups (probe_results_1m/1h, collector/rollups.ts) as series. The phase
 * columns carry the probe's phase names (resolve_ms, connect_ms, tls_ms, processing_ms, transfer_ms).
 */

export type Phases = Required<{ [K in keyof PhaseTimings]: number | null }>;

export interface ResultRecord {
  resultId: string;
  ts: number;
  success: boolean;
  durationMs: number;
  statusCode: number | null;
  phases: Phases;
  errorCode: string | null;
  error: string | null;
  detail: Record<string, unknown> | null;
}

export interface SeriesBucket {
  t: number;
  n: number;
  ok: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  phases: Phases;
}

export type SeriesSource = 'raw' | '1m' | '1h';

const PHASES = ['resolve', 'connect', 'tls', 'processing', 'transfer'] as const;

/** A target's results, newest first. */
export async function recentResults(db: Queryable, targetId: string, o: { failuresOnly: boolean; limit: number; offset: number }): Promise<ResultRecord[]> {
  const r = await db.query<{
    result_id: string; ts: Date; success: boolean; duration_ms: number; status_code: number | null; resolve_ms: number | null; connect_ms: number | null;
    tls_ms: number | null; processing_ms: number | null; transfer_ms: number | null; error_code: string | null; error: string | null; detail: Record<string, unknown> | null;
  }>(
    `SELECT result_id, ts, success, duration_ms, status_code, resolve_ms, connect_ms, tls_ms, processing_ms, transfer_ms, error_code, error, detail
       FROM probe_results
      WHERE target_id = $1 ${o.failuresOnly ? 'AND NOT success' : ''}
      ORDER BY ts DESC LIMIT $2 OFFSET $3`,
    [targetId, o.limit, o.offset],
  );
  return r.rows.map((x) => ({
    resultId: x.result_id, ts: new Date(x.ts).getTime(), success: x.success, durationMs: x.duration_ms, statusCode: x.status_code,
    phases: { resolve: x.resolve_ms, connect: x.connect_ms, tls: x.tls_ms, processing: x.processing_ms, transfer: x.transfer_ms },
    errorCode: x.error_code, error: x.error, detail: x.detail,
  }));
}

const RAW = `SELECT time_bucket($4::interval, ts, ${CHINA_BUCKET_ORIGIN}) AS t, count(*)::float8 AS n, count(*) FILTER (WHERE success)::float8 AS ok,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) AS p50, percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95,
    percentile_cont(0.99) WITHIN GROUP (ORDER BY duration_ms) AS p99, ${PHASES.map((p) => `avg(${p}_ms) AS ${p}`).join(', ')}
  FROM probe_results WHERE target_id = $1 AND ts >= $2 AND ts < $3 GROUP BY 1 ORDER BY 1`;

// Percentiles of a rollup bucket cannot be merged exactly: a coarser step uses their count-weighted mean.
const ROLLUP = (table: string) => `SELECT time_bucket($4::interval, bucket, ${CHINA_BUCKET_ORIGIN}) AS t, sum(n)::float8 AS n, sum(ok)::float8 AS ok,
    sum(p50_ms * n) / nullif(sum(n), 0) AS p50, sum(p95_ms * n) / nullif(sum(n), 0) AS p95, sum(p99_ms * n) / nullif(sum(n), 0) AS p99,
    ${PHASES.map((p) => `sum(${p}_ms * n) / nullif(sum(n) FILTER (WHERE ${p}_ms IS NOT NULL), 0) AS ${p}`).join(',\n    ')}
  FROM ${table} WHERE target_id = $1 AND bucket >= $2 AND bucket < $3 GROUP BY 1 ORDER BY 1`;

const num = (v: unknown) => (v == null ? null : Number(v));

/** Buckets of `stepMs` (aligned to UTC+8 days) over [from, to) from the raw rows or a rollup. */
export async function seriesBuckets(db: Queryable, targetId: string, source: SeriesSource, from: number, to: number, stepMs: number): Promise<SeriesBucket[]> {
  const sql = source === 'raw' ? RAW : ROLLUP(source === '1m' ? 'probe_results_1m' : 'probe_results_1h');
  const r = await db.query<Record<string, unknown>>(sql, [targetId, new Date(from), new Date(to), `${stepMs / 1000} seconds`]);
  return r.rows.map((x) => ({
    t: new Date(x.t as string).getTime(), n: Number(x.n), ok: Number(x.ok), p50: num(x.p50), p95: num(x.p95), p99: num(x.p99),
    phases: { resolve: num(x.resolve), connect: num(x.connect), tls: num(x.tls), processing: num(x.processing), transfer: num(x.transfer) },
  }));
}
