import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { stringify } from 'csv-stringify/sync';
import { httpError, page, requirePermission, type AppEnv } from '../../core/http';
import { queryInput } from '../../core/input';
import type { CallCumulative, CallerDetail, CallOverview, InterfaceCallDetail } from '../../contract/calls';
import { chinaDay } from '../../core/china-time';
import type { Db } from '../../core/db';
import { tsdbMode } from '../../core/db/jobs';
import { ingestRoutes, type IngestDeps } from './ingest-route';
import {
  callerStats, callerSystems, callTotals, countUnknownInterfaces, callTrend, cumulativeByLevel, exportRows, interfaceInfo, interfaceStats, probesFor, statusCodes, stepFor, unknownInterfaces,
} from './read';

const DAY = 86_400_000;
const MAX_RANGE = 400 * DAY;

const rangeQuery = z.object({
  from: z.string().optional(),
  to: z.string().optional(),
  sort: z.enum(['calls', 'failures', 'p95']).default('calls'),
}).passthrough();

const time = (v: string | undefined) => (v === undefined ? undefined : /^\d+$/.test(v) ? Number(v) : Date.parse(v));

/** from/to from the query (ISO 8601 or epoch ms); default the last 24 hours. */
function rangeOf(c: Context<AppEnv>, now: number, live: boolean): { from: number; to: number; now: number | null; sort: 'calls' | 'failures' | 'p95' } | Response {
  const q = queryInput(c, rangeQuery);
  if (!q.ok) return q.response;
  const to = time(q.value.to) ?? now;
  const from = time(q.value.from) ?? to - DAY;
  if (!Number.isFinite(from) || !Number.isFinite(to)) return httpError(c, 400, 'bad_time', 'from/to 应为 ISO 8601 时间或毫秒时间戳 (from/to must be ISO 8601 or epoch ms)');
  if (from >= to) return httpError(c, 400, 'bad_range', 'from 应早于 to (from must be before to)');
  if (to - from > MAX_RANGE) return httpError(c, 400, 'range_too_long', '时间范围最长 400 天；请缩短范围 (range longer than 400 days)');
  return { from, to, now: live ? now : null, sort: q.value.sort };
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Whether the rollups have a real-time part (continuous aggregates: the Timescale build); see read.ts rowsOf. */
const realtime = async (db: Db) => (await tsdbMode(db)) === 'timescale';

/** Everything under /api/collector/calls: the ingest (calls:ingest) and the read API (read). */
export function callRoutes(d: IngestDeps) {
  const r = new Hono<AppEnv>();
  r.route('/', ingestRoutes(d));

  r.get('/overview', requirePermission('read'), async (c) => {
    const g = rangeOf(c, d.clock(), await realtime(d.db));
    if (g instanceof Response) return g;
    const [t, trend, unknown] = await Promise.all([callTotals(d.db, g.from, g.to, g.now), callTrend(d.db, g.from, g.to, g.now), countUnknownInterfaces(d.db)]);
    const body: CallOverview = { from: iso(g.from), to: iso(g.to), step: stepFor(g.from, g.to), totals: t.totals, trend, interfaces: t.interfaces, callers: t.callers, unknownInterfaces: unknown };
    return c.json(body);
  });

  r.get('/interfaces', requirePermission('read'), async (c) => {
    const g = rangeOf(c, d.clock(), await realtime(d.db));
    if (g instanceof Response) return g;
    return c.json(await interfaceStats(d.db, g.from, g.to, { now: g.now, sort: g.sort, ...page(c, 20, 500) }));
  });

  r.get('/interfaces/:code', requirePermission('read'), async (c) => {
    const g = rangeOf(c, d.clock(), await realtime(d.db));
    if (g instanceof Response) return g;
    const code = c.req.param('code');
    const info = await interfaceInfo(d.db, code);
    if (!info) return httpError(c, 404, 'not_found', `没有接口 ${code} 的调用记录 (no calls of this interface)`);
    const [t, trend, codes, callers, probes] = await Promise.all([
      callTotals(d.db, g.from, g.to, g.now, { interfaceCode: code }), callTrend(d.db, g.from, g.to, g.now, { interfaceCode: code }), statusCodes(d.db, code, g.from, g.to),
      callerStats(d.db, g.from, g.to, { now: g.now, interfaceCode: code, ...page(c, 10, 500) }), probesFor(d.db, code),
    ]);
    const body: InterfaceCallDetail = {
      interface: info,
      totals: { ...t.totals, p50Ms: t.p50Ms, p99Ms: t.p99Ms }, trend, statusCodes: codes, topCallers: callers.items, probes,
    };
    return c.json(body);
  });

  r.get('/callers', requirePermission('read'), async (c) => {
    const g = rangeOf(c, d.clock(), await realtime(d.db));
    if (g instanceof Response) return g;
    return c.json(await callerStats(d.db, g.from, g.to, { now: g.now, ...page(c, 20, 500) }));
  });

  r.get('/callers/:dept', requirePermission('read'), async (c) => {
    const g = rangeOf(c, d.clock(), await realtime(d.db));
    if (g instanceof Response) return g;
    const dept = c.req.param('dept');
    const systems = await callerSystems(d.db, dept);
    if (!systems.length) return httpError(c, 404, 'not_found', `没有部门 ${dept} 的调用记录 (no calls by this department)`);
    const [t, trend, ifaces] = await Promise.all([
      callTotals(d.db, g.from, g.to, g.now, { callerDept: dept }), callTrend(d.db, g.from, g.to, g.now, { callerDept: dept }),
      interfaceStats(d.db, g.from, g.to, { now: g.now, sort: g.sort, callerDept: dept, ...page(c, 20, 500) }),
    ]);
    const body: CallerDetail = { callerDept: dept, totals: t.totals, trend, systems, interfaces: ifaces };
    return c.json(body);
  });

  r.get('/unknown', requirePermission('read'), async (c) => {
    const p = page(c, 50, 1000);
    return c.json(await unknownInterfaces(d.db, p.limit, p.offset));
  });

  r.get('/cumulative', requirePermission('read'), async (c) => {
    const cfg = d.config();
    const by = await cumulativeByLevel(d.db);
    const levels = (['city', 'provincial', 'national'] as const).map((level) => {
      const v = by.get(level) ?? { calls: 0, failures: 0, records: 0 };
      return { level, calls: v.calls + cfg.baseline[level], failures: v.failures, records: v.records, baseline: cfg.baseline[level] };
    });
    const body: CallCumulative = { since: cfg.countSince ? iso(Date.parse(cfg.countSince)) : null, levels };
    return c.json(body);
  });

  // The monthly report's table: one line per interface × caller over the range, Chinese headers, BOM for Excel.
  r.get('/export.csv', requirePermission('read'), async (c) => {
    const g = rangeOf(c, d.clock(), await realtime(d.db));
    if (g instanceof Response) return g;
    const rows = await exportRows(d.db, g.from, g.to, g.now);
    const csv = stringify(rows.map((x) => [x.interfaceCode, x.name, x.level, x.callerDept, x.callerSystem, x.calls, x.failures, x.errorRate, x.avgMs ?? '', x.p95Ms ?? '', x.records, x.bytes]), {
      header: true, columns: ['接口编码', '接口名称', '级别', '调用部门', '调用系统', '调用次数', '失败次数', '失败率(%)', '平均耗时(毫秒)', 'P95耗时(毫秒)', '返回记录数', '字节数'],
    });
    c.header('Content-Type', 'text/csv; charset=utf-8');
    c.header('Content-Disposition', `attachment; filename="calls-${chinaDay(g.from)}-${chinaDay(g.to - 1)}.csv"`);
    return c.body('\ufeff' + csv);
  });
  return r;
}
