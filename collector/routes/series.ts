import { Hono } from 'hono';
import { httpError, requirePermission, type AppEnv } from '../../core/http';
import { parseDuration } from '../../core/time';
import type { Series } from '../../contract/collector';
import { seriesBuckets } from '../store/results';
import { instant, timeParam, type RouteDeps } from './deps';

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

const round = (v: number | null) => (v == null ? null : Math.round(v * 100) / 100);

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
    const rows = await seriesBuckets(d.db, c.req.param('id'), plan.source, from, to, plan.stepMs);
    let n = 0;
    let ok = 0;
    const w = { p50: 0, p95: 0, p99: 0 };
    const points = rows.map((x) => {
      const bn = x.n;
      n += bn;
      ok += x.ok;
      for (const k of ['p50', 'p95', 'p99'] as const) w[k] += (x[k] ?? 0) * bn;
      return {
        t: instant(x.t),
        n: bn,
        availability: bn ? round((x.ok / bn) * 100) : null,
        p50: round(x.p50),
        p95: round(x.p95),
        p99: round(x.p99),
        phases: { resolve: round(x.phases.resolve), connect: round(x.phases.connect), tls: round(x.phases.tls), processing: round(x.phases.processing), transfer: round(x.phases.transfer) },
      };
    });
    const body: Series = {
      target: c.req.param('id'),
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      stepMs: plan.stepMs,
      source: plan.source,
      summary: { n, availability: n ? round((ok / n) * 100) : null, p50: n ? round(w.p50 / n) : null, p95: n ? round(w.p95 / n) : null, p99: n ? round(w.p99 / n) : null },
      points,
    };
    return c.json(body);
  });
  return r;
}
