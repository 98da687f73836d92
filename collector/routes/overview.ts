import { Hono } from 'hono';
import { requirePermission, type AppEnv } from '../../core/http';
import type { Incident, Overview } from '../../contract/collector';
import type { Page } from '../../contract/common';
import { activeMaintenance } from '../store/maintenance-windows';
import { listIncidents, moduleAvailability, moduleAvailabilityComputedAt, openIncidentCount, refreshModuleAvailability as refreshStore, stateCounts } from '../store/targets';
import { instant, type RouteDeps } from './deps';
import { boolParam, instant as instantParam, listQuery, queryInput } from '../../core/input';
import { z } from 'zod';

/** GET /incidents: ?state=open|closed (or open=true|false) &module= &target= &from= &to= (overlapping) &q= &sort=-start|start. */
export const incidentListQuery = listQuery(
  {
    state: z.enum(['open', 'closed'], { message: '应为 open（未恢复）或 closed（已恢复）' }).optional(),
    open: boolParam.optional(),
    module: z.string().max(200).optional(),
    target: z.string().max(200).optional(),
    from: instantParam.optional(),
    to: instantParam.optional(),
  },
  { sorts: ['start'] as const, defaultSort: '-start', limit: 100, max: 1000 },
);
import { rollUp } from './health';
import { demoHistoryOf } from '../demo-history';

/** Share of the error budget (100 − slo)% left over a period, given the measured availability %; null without data. */
export function errorBudgetLeft(availabilityPct: number | null, sloPct: number): number | null {
  if (availabilityPct === null) return null;
  const budget = 100 - sloPct;
  if (budget <= 0) return availabilityPct >= 100 ? 100 : 0;
  const used = 100 - availabilityPct;
  return Math.round(Math.max(-100, (1 - used / budget) * 100) * 100) / 100;
}

const pct = (ok: number, n: number) => (n > 0 ? Math.round((ok / n) * 1e6) / 1e4 : null);

const SUMMARY_MAX_AGE_MS = 60_000;

/**
 * Recomputes the 7 d / 30 d per-module availability from the 1-hour rollup into module_availability. Summing every
 * target's hours is the expensive part of the overview (720,000 rows at 1,000 targets): it runs at most once a minute
 * per process, in the background, while requests read the last result (stale-while-revalidate).
 */
export async function refreshModuleAvailability(d: RouteDeps, now: number) {
  await refreshStore(d.db, now);
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
    const at = await moduleAvailabilityComputedAt(d.db);
    if (at === null) await refresh(now);
    else if (now - at > SUMMARY_MAX_AGE_MS) void refresh(now).catch(() => undefined);
    const [counts, mods, open, maint, demo] = await Promise.all([stateCounts(d.db), moduleAvailability(d.db, now), openIncidentCount(d.db), activeMaintenance(d.db, now), demoHistoryOf(d.db)]);
    const body: Overview = {
      at: instant(now),
      targets: { total: counts.up + counts.degraded + counts.down + counts.unknown, ...counts },
      openIncidents: open,
      modules: mods.map((m) => {
        const a30 = pct(m.windows['30d'].ok, m.windows['30d'].n);
        return {
          id: m.id,
          name: m.name,
          status: rollUp(m.states, maint.modules.has(m.id)),
          slo: m.slo,
          availability: { '24h': pct(m.windows['24h'].ok, m.windows['24h'].n), '7d': pct(m.windows['7d'].ok, m.windows['7d'].n), '30d': a30 },
          errorBudgetLeftPct: errorBudgetLeft(a30, m.slo),
        };
      }),
      demoHistory: demo && { from: instant(demo.from), to: instant(demo.to), days: demo.days, results: demo.results, incidents: demo.incidents },
    };
    return c.json(body);
  });

  r.get('/incidents', requirePermission('read'), async (c) => {
    const p = queryInput(c, incidentListQuery);
    if (!p.ok) return p.response;
    const { limit, offset, q, sort, module, target, from, to } = p.value;
    const open = p.value.state ? p.value.state === 'open' : (p.value.open ?? null);
    const now = d.clock();
    const rows = await listIncidents(d.db, { module: module ?? null, target: target ?? null, from: from ?? null, to: to ?? null, open, q, sortDesc: sort.desc }, { limit, offset });
    const body: Page<Incident> = {
      total: rows.total,
      limit,
      offset,
      items: rows.items.map((i) => ({
        id: i.id, target: i.targetId, targetName: i.targetName, module: i.moduleId, moduleName: i.moduleName,
        start: instant(i.startedAt), end: instant(i.endedAt), ongoing: i.endedAt === null, durationMs: (i.endedAt ?? now) - i.startedAt,
        firstErrorCode: i.firstErrorCode, firstError: i.firstError,
      })),
    };
    return c.json(body);
  });
  return r;
}
