import { Hono } from 'hono';
import { httpError, page, requirePermission, type AppEnv } from '../../core/http';
import type { ModuleStatus, ModuleSummary, ProbeResultPage, TargetDetail, TargetSummary } from '../../contract/collector';
import type { Page } from '../../contract/common';
import { activeMaintenance, type ActiveMaintenance } from '../store/maintenance-windows';
import { recentResults } from '../store/results';
import { listDepartments, listModules, listTargets, TARGET_SORTS, targetDetail, type TargetRecord } from '../store/targets';
import { csvEnum, listQuery, queryInput } from '../../core/input';
import { z } from 'zod';
import { instant, type RouteDeps } from './deps';

export type { ModuleStatus };

/** A module's status from its targets' states: maintenance wins, then any down, then any degraded, then up. */
export function rollUp(counts: { up: number; degraded: number; down: number; unknown: number }, inMaintenance: boolean): ModuleStatus {
  if (inMaintenance) return 'maintenance';
  if (counts.down > 0) return 'down';
  if (counts.degraded > 0) return 'degraded';
  if (counts.up > 0) return 'up';
  return 'unknown';
}

const targetJson = (r: TargetRecord, maint: ActiveMaintenance): TargetSummary => ({
  id: r.id,
  module: r.moduleId,
  moduleName: r.moduleName,
  name: r.name,
  type: r.type,
  intervalMs: r.intervalMs,
  tags: r.tags,
  state: r.state,
  since: instant(r.since),
  maintenance: maint.targets.has(r.id) || maint.modules.has(r.moduleId),
  consecutiveFailures: r.consecutiveFailures,
  last: r.last ? { ...r.last, ts: instant(r.last.ts) } : null,
});

const name = (what: string) => z.string().max(200, { message: `${what}最长 200 个字符` });

/** GET /targets: ?module= &state=down,degraded &type= &department= &tag=key or key=value &q= &sort=state|-since|name|module|id. */
export const targetListQuery = listQuery(
  {
    module: name('模块 id').optional(),
    state: csvEnum(['up', 'degraded', 'down', 'unknown'] as const).optional(),
    type: name('类型').optional(),
    department: name('部门').optional(),
    tag: z
      .string()
      .regex(/^[^=]{1,100}(=.{0,200})?$/, { message: '应为 标签名 或 标签名=值（如 env=prod）' })
      .transform((v) => {
        const i = v.indexOf('=');
        return i < 0 ? { key: v } : { key: v.slice(0, i), value: v.slice(i + 1) };
      })
      .optional(),
  },
  { sorts: TARGET_SORTS, defaultSort: 'module', limit: 100, max: 1000 },
);

/** GET /modules, /targets, /departments, /targets/:id, /targets/:id/results. */
export function healthRoutes(d: RouteDeps) {
  const r = new Hono<AppEnv>();

  r.get('/modules', requirePermission('read'), async (c) => {
    const { limit, offset } = page(c);
    const [mods, maint] = await Promise.all([listModules(d.db, { limit, offset }), activeMaintenance(d.db, d.clock())]);
    const body: Page<ModuleSummary> = {
      total: mods.total,
      limit,
      offset,
      items: mods.items.map((m) => ({
        id: m.id,
        name: m.name,
        description: m.description,
        slo: m.slo,
        tags: m.tags,
        status: rollUp(m.targets, maint.modules.has(m.id)),
        downSince: instant(m.downSince),
        targets: m.targets,
      })),
    };
    return c.json(body);
  });

  r.get('/targets', requirePermission('read'), async (c) => {
    const p = queryInput(c, targetListQuery);
    if (!p.ok) return p.response;
    const { limit, offset, q, sort, module, state, type, tag, department } = p.value;
    const [targets, maint] = await Promise.all([
      listTargets(d.db, { module: module ?? null, states: state, type: type ?? null, tag: tag ?? null, department: department ?? null, q, sort }, { limit, offset }),
      activeMaintenance(d.db, d.clock()),
    ]);
    const body: Page<TargetSummary> = { total: targets.total, limit, offset, items: targets.items.map((x) => targetJson(x, maint)) };
    return c.json(body);
  });

  // The departments of the targets (tags.department, else the module's), for the list's 部门 filter.
  r.get('/departments', requirePermission('read'), async (c) => {
    const items = await listDepartments(d.db);
    return c.json({ total: items.length, limit: items.length, offset: 0, items });
  });

  r.get('/targets/:id', requirePermission('read'), async (c) => {
    const id = c.req.param('id');
    const now = d.clock();
    const [t, maint] = await Promise.all([targetDetail(d.db, id, now), activeMaintenance(d.db, now)]);
    if (!t) return httpError(c, 404, 'no_target', `没有这个监测对象: ${id}`);
    const i = t.openIncident;
    const body: TargetDetail = {
      ...targetJson(t, maint),
      active: t.active,
      spec: t.spec,
      failureThreshold: t.failureThreshold,
      successThreshold: t.successThreshold,
      lastDetail: t.lastDetail,
      openIncident: i ? { ...i, startedAt: instant(i.startedAt) } : null,
      availability24h: t.availability24h == null ? null : t.availability24h * 100,
    };
    return c.json(body);
  });

  r.get('/targets/:id/results', requirePermission('read'), async (c) => {
    const { limit, offset } = page(c, 50, 500);
    const failures = ['1', 'true', 'yes'].includes(c.req.query('failures') ?? '');
    const rows = await recentResults(d.db, c.req.param('id'), { failuresOnly: failures, limit, offset });
    const body: ProbeResultPage = { limit, offset, items: rows.map((x) => ({ ...x, ts: instant(x.ts) })) };
    return c.json(body);
  });
  return r;
}
