import type { Queryable } from '../../core/db';
import { readSource } from './safe';

/**
 * Browser real-user monitoring, read from the Faro receiver's tables (sql/040_faro.sql: faro_exceptions,
 * faro_measurements). Only this module knows their shape.
 */
export interface BrowserExceptionRate {
  app: string;
  count: number;
}

/** Number of browser JS exceptions per app in the window. */
export async function browserExceptionCounts(db: Queryable, windowMs: number, now: number): Promise<BrowserExceptionRate[]> {
  const rows = await readSource<{ app: string; n: number }>(
    db,
    'faro_exceptions',
    `SELECT app, count(*)::int AS n FROM faro_exceptions WHERE ts > $1 AND ts <= $2 GROUP BY app`,
    [new Date(now - windowMs), new Date(now)],
  );
  return rows.map((r) => ({ app: r.app, count: Number(r.n) }));
}

export interface WebVitalQuantile {
  app: string;
  n: number;
  value: number;
}

/** A quantile (p75 by default, as Core Web Vitals are judged) of one web vital per app in the window. */
export async function webVitalQuantiles(db: Queryable, metric: string, quantile: number, windowMs: number, now: number): Promise<WebVitalQuantile[]> {
  const rows = await readSource<{ app: string; n: number; q: number }>(
    db,
    'faro_measurements',
    `SELECT app, count(*)::int AS n, percentile_cont($4::float8) WITHIN GROUP (ORDER BY value) AS q
       FROM faro_measurements WHERE name = $1 AND ts > $2 AND ts <= $3 GROUP BY app`,
    [metric, new Date(now - windowMs), new Date(now), quantile],
  );
  return rows.map((r) => ({ app: r.app, n: Number(r.n), value: Number(r.q) }));
}
