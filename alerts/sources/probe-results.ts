import type { Queryable } from '../../core/db';
import { ms, num, readSource } from './safe';

export interface AvailabilityRow {
  targetId: string;
  moduleId: string;
  n: number;
  ok: number;
}

/** Probe counts per target over a window, from the 1-minute rollup (never the raw table for long windows). */
export async function loadAvailability(db: Queryable, windowMs: number, now: number): Promise<AvailabilityRow[]> {
  const rows = await readSource<Record<string, unknown>>(
    db,
    'probe_results_1m',
    `SELECT target_id, module_id, sum(n)::float8 AS n, sum(ok)::float8 AS ok
       FROM probe_results_1m WHERE bucket >= $1 AND bucket < $2 GROUP BY target_id, module_id`,
    [new Date(now - windowMs), new Date(now)],
  );
  return rows.map((r) => ({ targetId: String(r.target_id), moduleId: String(r.module_id), n: Number(r.n), ok: Number(r.ok) }));
}

export interface LatencyRow {
  targetId: string;
  moduleId: string;
  n: number;
  quantileMs: number;
}

/** A quantile of successful probes' duration per target over a recent window (raw rows; windows ≤ 1 h). */
export async function loadLatency(db: Queryable, windowMs: number, quantile: number, now: number): Promise<LatencyRow[]> {
  const rows = await readSource<Record<string, unknown>>(
    db,
    'probe_results',
    `SELECT target_id, module_id, count(*)::int AS n,
            percentile_cont($3::float8) WITHIN GROUP (ORDER BY duration_ms) AS q
       FROM probe_results WHERE ts > $1 AND ts <= $2 AND success GROUP BY target_id, module_id`,
    [new Date(now - windowMs), new Date(now), quantile],
  );
  return rows.map((r) => ({ targetId: String(r.target_id), moduleId: String(r.module_id), n: Number(r.n), quantileMs: Number(r.q) }));
}

export interface LatestResult {
  targetId: string;
  ts: number;
  success: boolean;
  errorCode: string | null;
  error: string | null;
  detail: Record<string, unknown>;
}

/**
 * The newest result per target of the given probe types within a look-back (the cert, content and DNS rules read
 * their facts from `detail`). Only results that carry a detail are considered.
 */
export async function loadLatestResults(db: Queryable, types: string[], lookbackMs: number, now: number): Promise<LatestResult[]> {
  const rows = await readSource<Record<string, unknown>>(
    db,
    'probe_results',
    `SELECT DISTINCT ON (target_id) target_id, ts, success, error_code, error, detail
       FROM probe_results
      WHERE ts > $1 AND ts <= $2 AND type = ANY($3::text[]) AND detail IS NOT NULL
      ORDER BY target_id, ts DESC`,
    [new Date(now - lookbackMs), new Date(now), types],
  );
  return rows.map((r) => ({
    targetId: String(r.target_id),
    ts: ms(r.ts) ?? 0,
    success: Boolean(r.success),
    errorCode: (r.error_code as string) ?? null,
    error: (r.error as string) ?? null,
    detail: (r.detail as Record<string, unknown>) ?? {},
  }));
}

export { num };
