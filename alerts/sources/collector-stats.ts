import type { Queryable } from '../../core/db';
import { ms, readSource } from './safe';

/** The collector's self-statistics (sql/011_collector.sql: collector_stats, one row per instance every statsEvery). */
export const SELF_HEALTH_METRICS = ['buffer_depth', 'journal_bytes', 'lag_p50_ms', 'lag_p99_ms', 'write_errors'] as const;
export type SelfHealthMetric = (typeof SELF_HEALTH_METRICS)[number];

export interface CollectorStat {
  ts: number;
  instance: string;
  values: Record<SelfHealthMetric, number | null>;
}

/** Rows of the window, oldest first. */
export async function loadCollectorStats(db: Queryable, windowMs: number, now: number): Promise<CollectorStat[]> {
  const rows = await readSource<Record<string, unknown>>(
    db,
    'collector_stats',
    `SELECT ts, instance, buffer_depth, journal_bytes, lag_p50_ms, lag_p99_ms, write_errors FROM collector_stats
      WHERE ts > $1 AND ts <= $2 ORDER BY ts LIMIT 100000`,
    [new Date(now - windowMs), new Date(now)],
  );
  return rows.map((r) => ({
    ts: ms(r.ts) ?? 0,
    instance: String(r.instance),
    values: Object.fromEntries(SELF_HEALTH_METRICS.map((m) => [m, r[m] == null ? null : Number(r[m])])) as CollectorStat['values'],
  }));
}
