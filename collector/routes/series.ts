import { Hono } from 'hono';
import { httpError, requirePermission, type AppEnv } from '../../core/http';
import { parseDuration } from '../../core/time';
import { iso, timeParam, type RouteDeps } from './deps';
import { CHINA_BUCKET_ORIGIN } from '../../core/china-time';

const MIN = 60_000;
const HOUR = 3_600_000;
const MAX_POINTS = 2000;

/**
 * Where a range is read from: longer than 6 h → the 1-hour rollup, longer than 30 min → the 1-minute rollup, else raw
 * rows. The step is never finer than the source and never yields more than 2,000 points.
 */
export function seriesPlan(fromMs: number, toMs: number, stepMs?: number): { source: 'raw' | '1m' | '1h'; stepMs: number } {
  const range = toMs - fromMs;
  const source = range > 6 * HOUR ? '1h' : range > 30 * MIN ? '1m' : 'raw';
  const floor = source === '1h' ? HOUR : source === '1m' ? MIN : 1000;
  let step = Math.max(stepMs ?? Math.ceil(range / 200), floor, Math.ceil(range / MAX_POINTS));
  step = Math.ceil(step / floor) * floor;
  return { source, stepMs: step };
}

const RAW = `SELECT time_bucket($4::interval, ts, ${CHINA_BUCKET_ORIGIN}) AS t, count(*)::float8 AS n, count(*) FILTER (WHERE success)::float8 AS ok,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) AS p50, percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95,
    percentile_cont(0.99) WITHIN GROUP (ORDER BY duration_ms) AS p99, avg(dns_ms) AS resolve, avg(connect_ms) AS connect,
    avg(tls_ms) AS tls, avg(ttfb_ms) AS processing, avg(transfer_ms) AS transfer
  FROM probe_results WHERE target_id = $1 AND ts >= $2 AND ts < $3 GROUP BY 1 ORDER BY 1`;

// Percentiles of a rollup bucket cannot be merged exactly: a coarser step uses their count-weighted mean.
const ROLLUP = (table: string) => `SELECT time_bucket($4::interval, bucket, ${CHINA_BUCKET_ORIGIN}) AS t, sum(n)::float8 AS n, sum(ok)::float8 AS ok,
    sum(p50_ms * n) / nullif(sum(n), 0) AS p50, sum(p95_ms * n) / nullif(sum(n), 0) AS p95, sum(p99_ms * n) / nullif(sum(n), 0) AS p99,
    sum(dns_ms * n) / nullif(sum(n) FILTER (WHERE dns_ms IS NOT NULL), 0) AS resolve,
    sum(connect_ms * n) / nullif(sum(n) FILTER (WHERE connect_ms IS NOT NULL), 0) AS connect,
    sum(tls_ms * n) / nullif(sum(n) FILTER (WHERE tls_ms IS NOT NULL), 0) AS tls,
    sum(ttfb_ms * n) / nullif(sum(n) FILTER (WHERE ttfb_ms IS NOT NULL), 0) AS processing,
    sum(transfer_ms * n) / nullif(sum(n) FILTER (WHERE transfer_ms IS NOT NULL), 0) AS transfer
  FROM ${table} WHERE target_id = $1 AND bucket >= $2 AND bucket < $3 GROUP BY 1 ORDER BY 1`;

const round = (v: unknown) => (v == null ? null : Math.round(Number(v) * 100) / 100);

/** GET /targets/:id/series?from&to&step — availability %, p50/p95/p99 and the phase breakdown per step. */
export function seriesRoutes(d: RouteDeps) {
  const r = new Hono<AppEnv>();
  r.get('/targets/:id/series', requirePermission('read'), async (c) => {
    const now = d.clock();
    const to = timeParam(c.req.query('to')) ?? now;
    const from = timeParam(c.req.query('from')) ?? to - HOUR;
    if (!Number.isFinite(from) || !Number.isFinite(to) || from >= to) {
      return httpError(c, 400, 'bad_range', 'from/to 应为 ISO 时间或毫秒数，且 from < to (e.g. ?from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z)');
    }
    let stepMs: number | undefined;
    const stepText = c.req.query('step');
    if (stepText) {
      try {
        stepMs = /^\d+$/.test(stepText) ? Number(stepText) * 1000 : parseDuration(stepText);
      } catch {
        return httpError(c, 400, 'bad_step', `step 应为时长，如 60s、5m、1h；收到 ${stepText}`);
      }
    }
    const plan = seriesPlan(from, to, stepMs);
    const sql = plan.source === 'raw' ? RAW : ROLLUP(plan.source === '1m' ? 'probe_results_1m' : 'probe_results_1h');
    const rows = await d.db.query<Record<string, unknown>>(sql, [c.req.param('id'), new Date(from), new Date(to), `${plan.stepMs / 1000} seconds`]);
    let n = 0;
    let ok = 0;
    const w = { p50: 0, p95: 0, p99: 0 };
    const points = rows.rows.map((x) => {
      const bn = Number(x.n);
      n += bn;
      ok += Number(x.ok);
      for (const k of ['p50', 'p95', 'p99'] as const) w[k] += Number(x[k] ?? 0) * bn;
      return {
        t: iso(x.t),
        n: bn,
        availability: bn ? round((Number(x.ok) / bn) * 100) : null,
        p50: round(x.p50),
        p95: round(x.p95),
        p99: round(x.p99),
        phases: { resolve: round(x.resolve), connect: round(x.connect), tls: round(x.tls), processing: round(x.processing), transfer: round(x.transfer) },
      };
    });
    return c.json({
      target: c.req.param('id'),
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      stepMs: plan.stepMs,
      source: plan.source,
      summary: { n, availability: n ? round((ok / n) * 100) : null, p50: n ? round(w.p50 / n) : null, p95: n ? round(w.p95 / n) : null, p99: n ? round(w.p99 / n) : null },
      points,
    });
  });
  return r;
}
