import { Hono } from 'hono';
import { httpError, page, requirePermission, type AppEnv } from '../../core/http';
import { iso, timeParam, type RouteDeps } from './deps';
import { activeMaintenance, rollUp } from './health';

const DAY = 86_400_000;

/** Share of the error budget (100 − slo)% left over a period, given the measured availability %; null without data. */
export function errorBudgetLeft(availabilityPct: number | null, sloPct: number): number | null {
  if (availabilityPct === null) return null;
  const budget = 100 - sloPct;
  if (budget <= 0) return availabilityPct >= 100 ? 100 : 0;
  const used = 100 - availabilityPct;
  return Math.round(Math.max(-100, (1 - used / budget) * 100) * 100) / 100;
}

const pct = (ok: unknown, n: unknown) => (Number(n) > 0 ? Math.round((Number(ok) / Number(n)) * 1e6) / 1e4 : null);

const SUMMARY_MAX_AGE_MS = 60_000;

/**
 * Recomputes the 7 d / 30 d per-module availability from the 1-hour rollup into module_availability. Summing every
 * target's hours is the expensive part of the overview (720,000 rows at 1,000 targets): it runs at most once a minute
 * per process, in the background, while requests read the last result (stale-while-revalidate).
 */
export async function refreshModuleAvailability(d: RouteDeps, now: number) {
  await d.db.query(
    `INSERT INTO module_availability (module_id, win, ok, n, computed_at)
     SELECT module_id, w.win, sum(ok) FILTER (WHERE bucket >= w.since), sum(n) FILTER (WHERE bucket >= w.since), $3
       FROM probe_results_1h
       CROSS JOIN (VALUES ('7d', $1::timestamptz), ('30d', $2::timestamptz)) AS w(win, since)
      WHERE bucket >= $2
      GROUP BY module_id, w.win
      HAVING sum(n) FILTER (WHERE bucket >= w.since) > 0
     ON CONFLICT (module_id, win) DO UPDATE SET ok = EXCLUDED.ok, n = EXCLUDED.n, computed_at = EXCLUDED.computed_at`,
    [new Date(now - 7 * DAY), new Date(now - 30 * DAY), new Date(now)],
  );
}

/** GET /overview and /incidents. Availability over days reads the 1-hour rollup only. */
export function overviewRoutes(d: RouteDeps) {
  const r = new Hono<AppEnv>();
  let refreshing: Promise<void> | null = null;
  const refresh = (now: number) =>
    (refreshing ??= refreshModuleAvailability(d, now).finally(() => {
      refreshing = null;
    }));

  r.get('/overview', requirePermission('read'), async (c) => {
    const now = d.clock();
    const age = await d.db.query<{ at: Date | null }>(`SELECT min(computed_at) AS at FROM module_availability`);
    const at = age.rows[0]?.at ? new Date(age.rows[0].at).getTime() : null;
    if (at === null) await refresh(now);
    else if (now - at > SUMMARY_MAX_AGE_MS) void refresh(now).catch(() => undefined);
    const [states, mods, open] = await Promise.all([
      d.db.query<{ state: string; n: number }>(
        `SELECT coalesce(s.state, 'unknown') AS state, count(*)::int AS n FROM targets t LEFT JOIN target_state s ON s.target_id = t.id
          WHERE t.active GROUP BY 1`,
      ),
      d.db.query<Record<string, unknown>>(
        `SELECT m.id, m.name, m.slo, st.up, st.degraded, st.down, st.unknown,
                a.ok24, a.n24, a7.ok AS ok7, a7.n AS n7, a30.ok AS ok30, a30.n AS n30
           FROM modules m
           LEFT JOIN LATERAL (
             SELECT count(*) FILTER (WHERE s.state = 'up')::int AS up, count(*) FILTER (WHERE s.state = 'degraded')::int AS degraded,
                    count(*) FILTER (WHERE s.state = 'down')::int AS down,
                    count(*) FILTER (WHERE coalesce(s.state, 'unknown') = 'unknown')::int AS unknown
               FROM targets t LEFT JOIN target_state s ON s.target_id = t.id WHERE t.module_id = m.id AND t.active) st ON true
           LEFT JOIN (
             SELECT module_id, sum(ok) AS ok24, sum(n) AS n24
               FROM probe_results_1h WHERE bucket >= $1 GROUP BY module_id) a ON a.module_id = m.id
           LEFT JOIN module_availability a7 ON a7.module_id = m.id AND a7.win = '7d'
           LEFT JOIN module_availability a30 ON a30.module_id = m.id AND a30.win = '30d'
          WHERE m.active ORDER BY m.id`,
        [new Date(now - DAY)],
      ),
      d.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM incidents WHERE ended_at IS NULL`),
    ]);
    const maint = await activeMaintenance(d.db, now);
    const counts: Record<string, number> = { up: 0, degraded: 0, down: 0, unknown: 0 };
    for (const s of states.rows) counts[s.state] = s.n;
    return c.json({
      at: new Date(now).toISOString(),
      targets: { total: Object.values(counts).reduce((a, b) => a + b, 0), ...counts },
      openIncidents: open.rows[0]?.n ?? 0,
      modules: mods.rows.map((m) => {
        const a30 = pct(m.ok30, m.n30);
        return {
          id: m.id,
          name: m.name,
          status: rollUp({ up: Number(m.up ?? 0), degraded: Number(m.degraded ?? 0), down: Number(m.down ?? 0), unknown: Number(m.unknown ?? 0) }, maint.modules.has(String(m.id))),
          slo: m.slo,
          availability: { '24h': pct(m.ok24, m.n24), '7d': pct(m.ok7, m.n7), '30d': a30 },
          errorBudgetLeftPct: errorBudgetLeft(a30, Number(m.slo)),
        };
      }),
    });
  });

  r.get('/incidents', requirePermission('read'), async (c) => {
    const { limit, offset } = page(c);
    const now = d.clock();
    const from = timeParam(c.req.query('from'));
    const to = timeParam(c.req.query('to'));
    if ((from !== undefined && !Number.isFinite(from)) || (to !== undefined && !Number.isFinite(to))) return httpError(c, 400, 'bad_range', 'from/to 应为 ISO 时间或毫秒数');
    const open = c.req.query('open');
    const rows = await d.db.query<Record<string, unknown>>(
      `SELECT i.id, i.target_id, i.module_id, i.started_at, i.ended_at, i.first_error_code, i.first_error,
              t.name AS target_name, m.name AS module_name, count(*) OVER ()::int AS total
         FROM incidents i LEFT JOIN targets t ON t.id = i.target_id LEFT JOIN modules m ON m.id = i.module_id
        WHERE ($1::text IS NULL OR i.module_id = $1) AND ($2::text IS NULL OR i.target_id = $2)
          AND ($3::timestamptz IS NULL OR coalesce(i.ended_at, 'infinity') >= $3) AND ($4::timestamptz IS NULL OR i.started_at < $4)
          AND ($5::boolean IS NULL OR (i.ended_at IS NULL) = $5)
        ORDER BY i.started_at DESC LIMIT $6 OFFSET $7`,
      [c.req.query('module') || null, c.req.query('target') || null, from ? new Date(from) : null, to ? new Date(to) : null,
        open === undefined ? null : ['1', 'true'].includes(open), limit, offset],
    );
    return c.json({
      total: rows.rows[0]?.total ?? 0,
      limit,
      offset,
      items: rows.rows.map((i) => {
        const start = new Date(i.started_at as string).getTime();
        const end = i.ended_at ? new Date(i.ended_at as string).getTime() : now;
        return {
          id: i.id, target: i.target_id, targetName: i.target_name, module: i.module_id, moduleName: i.module_name,
          start: iso(i.started_at), end: iso(i.ended_at), ongoing: !i.ended_at, durationMs: end - start,
          firstErrorCode: i.first_error_code, firstError: i.first_error,
        };
      }),
    });
  });
  return r;
}
