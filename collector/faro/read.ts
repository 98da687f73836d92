import { Hono, type Context } from 'hono';
import type { Db } from '../../core/db';
import { httpError, page, requirePermission, type AppEnv } from '../../core/http';
import type { Clock } from '../../core/time';
import type { FaroConfig } from './config';
import { WEB_VITALS } from './vitals';
import type { FaroApp, FaroErrors, FaroEvent, FaroException, FaroLog, FaroPages, FaroSessions, FaroVitals } from '../../contract/collector';
import type { Page } from '../../contract/common';
import { appActivity, errorGroups, errorSeries, exceptionsOf, listEvents, listLogs, pagesP75, sessions, vitalsP75, type SignalFilter } from '../store/faro';
import { csvEnum, instant, listQuery, problemResponse, queryInput } from '../../core/input';
import { z } from 'zod';

const EXACT_MAX_MS = 6 * 3_600_000;
const DAY = 86_400_000;

/** Faro's LogLevel values (faro-core), the only levels ?level= accepts. */
export const FARO_LOG_LEVELS = ['trace', 'debug', 'info', 'log', 'warn', 'error'] as const;

/** ?x=a,b of free names (apps, event names): at most 20, each 1 … 200 characters. */
const names = (what: string) =>
  z.string().transform((v, ctx) => {
    const parts = v.split(',').map((s) => s.trim()).filter(Boolean);
    if (parts.length > 20 || parts.some((p) => p.length > 200)) {
      ctx.addIssue({ code: 'custom', message: `${what}最多 20 个（逗号分隔），每个最长 200 个字符` });
      return z.NEVER;
    }
    return parts;
  });

const signalFilters = {
  app: names('应用').optional(),
  page: z.string().max(2048, { message: '页面最长 2048 个字符' }).optional(),
  session: z.string().max(200, { message: '会话 id 最长 200 个字符' }).optional(),
  from: instant.optional(),
  to: instant.optional(),
};

/** GET /logs: ?app= &page= (URL or /path) &session= &level=warn,error &from= &to= (default the last 24 h) &q= &sort=-ts|ts. */
export const faroLogListQuery = listQuery({ ...signalFilters, level: csvEnum(FARO_LOG_LEVELS).optional() }, { sorts: ['ts'] as const, defaultSort: '-ts', limit: 50, max: 500 });
/** GET /events: the same with ?name=session_start,view_changed instead of a level. */
export const faroEventListQuery = listQuery({ ...signalFilters, name: names('事件名').optional() }, { sorts: ['ts'] as const, defaultSort: '-ts', limit: 50, max: 500 });

/** Bucket widths a person reads at a glance (1 min … 1 day); the default is the first giving at most 60 points. */
const NICE_BUCKETS = [60, 300, 600, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86_400];


/** from/to as ISO text or epoch ms; default the last 24 h. A bucket that yields about 60 points unless given. */
export function timeRange(c: Context, clock: Clock) {
  const parse = (v: string | undefined, def: number) => {
    if (!v) return def;
    const n = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
    return Number.isFinite(n) ? n : NaN;
  };
  const to = parse(c.req.query('to'), clock());
  const from = parse(c.req.query('from'), to - 86_400_000);
  const bucketQ = Number(c.req.query('bucket'));
  const bucketSec = Number.isFinite(bucketQ) && bucketQ >= 60 ? Math.floor(bucketQ) : (NICE_BUCKETS.find((b) => b * 1000 * 60 >= to - from) ?? 86_400);
  return { from, to, bucketSec, ok: Number.isFinite(from) && Number.isFinite(to) && from < to };
}

/** Read side for the dashboard's 前端体验 page: web-vital p75 over time, errors grouped by fingerprint, sessions. */
export function createReadRoutes(d: { db: Db; clock: Clock; getConfig(): FaroConfig }) {
  const app = new Hono<AppEnv>();
  const rd = requirePermission('read');
  const bad = (c: Context) => httpError(c, 400, 'bad_range', 'from/to must be ISO-8601 times or epoch milliseconds with from < to');
  const iso = (ms: number) => new Date(ms).toISOString();
  const filter = (c: Context, t: { from: number; to: number }) => ({ from: t.from, to: t.to, app: c.req.query('app') || undefined, page: c.req.query('page') || undefined });

  app.get('/apps', rd, async (c) => {
    const seen = await appActivity(d.db, d.clock() - 86_400_000);
    const items: FaroApp[] = d.getConfig().apps.map((a) => {
      const s = seen.get(a.name);
      return { name: a.name, measurements24h: s?.n ?? 0, lastSeen: s ? iso(s.last) : null };
    });
    return c.json({ items });
  });

  // Up to 6 hours (or with ?exact=1): exact percentile_cont over raw rows. Longer: p75 read off the hourly histograms.
  app.get('/vitals', rd, async (c) => {
    const t = timeRange(c, d.clock);
    if (!t.ok) return bad(c);
    const names = (c.req.query('names') ?? WEB_VITALS.join(',')).split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
    const exact = t.to - t.from <= EXACT_MAX_MS || c.req.query('exact') === '1';
    const bucketSec = exact ? t.bucketSec : Math.max(3600, Math.ceil(t.bucketSec / 3600) * 3600);
    const rows = await vitalsP75(d.db, filter(c, t), names, bucketSec, exact);
    const body: FaroVitals = { from: iso(t.from), to: iso(t.to), bucketSeconds: bucketSec, source: exact ? 'raw' : 'histogram', items: rows.map((x) => ({ ...x, bucket: iso(x.bucket) })) };
    return c.json(body);
  });

  // p75 per page; over 6 hours from the hourly histograms (samples = measurements, sessions only from raw rows).
  app.get('/pages', rd, async (c) => {
    const t = timeRange(c, d.clock);
    if (!t.ok) return bad(c);
    const { limit, offset } = page(c, 20, 200);
    const exact = t.to - t.from <= EXACT_MAX_MS || c.req.query('exact') === '1';
    const body: FaroPages = { source: exact ? 'raw' : 'histogram', items: await pagesP75(d.db, { ...filter(c, t), page: undefined }, exact, { limit, offset }) };
    return c.json(body);
  });

  app.get('/errors', rd, async (c) => {
    const t = timeRange(c, d.clock);
    if (!t.ok) return bad(c);
    const { limit, offset } = page(c, 50, 500);
    const f = { ...filter(c, t), page: undefined };
    const [groups, series] = await Promise.all([errorGroups(d.db, f, { limit, offset }), errorSeries(d.db, f, t.bucketSec)]);
    const body: FaroErrors = {
      items: groups.map((g) => ({ ...g, firstSeen: iso(g.firstSeen), lastSeen: iso(g.lastSeen) })),
      series: series.map((x) => ({ ...x, bucket: iso(x.bucket) })),
      bucketSeconds: t.bucketSec,
    };
    return c.json(body);
  });

  app.get('/errors/:fingerprint', rd, async (c) => {
    const { limit, offset } = page(c, 20, 200);
    const rows = await exceptionsOf(d.db, c.req.param('fingerprint'), { limit, offset });
    if (!rows.length && offset === 0) return httpError(c, 404, 'not_found', '没有这个指纹的前端异常 (no exception with this fingerprint)');
    const items: FaroException[] = rows.map((x) => ({ ...x, ts: iso(x.ts) }));
    return c.json({ items });
  });

  // Logs and events: the list contract (README "Lists"): one page newest first and the total of the same WHERE.
  const signalFilter = (c: Context, v: z.output<typeof faroLogListQuery> | z.output<typeof faroEventListQuery>): SignalFilter | Response => {
    const to = v.to ?? d.clock();
    const from = v.from ?? to - DAY;
    if (from >= to) return problemResponse(c, { code: 'bad_parameter', field: 'from', message: '参数 from 不合法：应早于 to (from must be before to)' });
    return { from, to, apps: v.app, page: v.page, session: v.session, q: v.q, sortDesc: v.sort.desc };
  };

  app.get('/logs', rd, async (c) => {
    const p = queryInput(c, faroLogListQuery);
    if (!p.ok) return p.response;
    const f = signalFilter(c, p.value);
    if (f instanceof Response) return f;
    const { limit, offset } = p.value;
    const r = await listLogs(d.db, { ...f, levels: p.value.level }, { limit, offset });
    const body: Page<FaroLog> = { total: r.total, limit, offset, items: r.items.map((x) => ({ ...x, ts: iso(x.ts) })) };
    return c.json(body);
  });

  app.get('/events', rd, async (c) => {
    const p = queryInput(c, faroEventListQuery);
    if (!p.ok) return p.response;
    const f = signalFilter(c, p.value);
    if (f instanceof Response) return f;
    const { limit, offset } = p.value;
    const r = await listEvents(d.db, { ...f, names: p.value.name }, { limit, offset });
    const body: Page<FaroEvent> = { total: r.total, limit, offset, items: r.items.map((x) => ({ ...x, ts: iso(x.ts) })) };
    return c.json(body);
  });

  app.get('/sessions', rd, async (c) => {
    const t = timeRange(c, d.clock);
    if (!t.ok) return bad(c);
    const { limit, offset } = page(c, 50, 500);
    const s = await sessions(d.db, { ...filter(c, t), page: undefined }, { limit, offset });
    const body: FaroSessions = { ...s, items: s.items.map((x) => ({ ...x, lastSeen: iso(x.lastSeen) })) };
    return c.json(body);
  });

  return app;
}
