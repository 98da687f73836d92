import { Hono, type Context } from 'hono';
import type { Db } from '../../core/db';
import { httpError, page, requirePermission, type AppEnv } from '../../core/http';
import type { Clock } from '../../core/time';
import type { FaroConfig } from './config';
import { WEB_VITALS } from './vitals';
import { BIN_VALUE_SQL } from './histogram';
import { CHINA_BUCKET_ORIGIN } from '../../core/china-time';

const EXACT_MAX_MS = 6 * 3_600_000;

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

  app.get('/apps', rd, async (c) => {
    const r = await d.db.query<{ app: string; n: number; last: Date }>(
      `SELECT app, count(*)::int AS n, max(ts) AS last FROM faro_measurements WHERE ts > $1 GROUP BY app`, [new Date(d.clock() - 86_400_000)]);
    const seen = new Map(r.rows.map((x) => [x.app, x]));
    return c.json({ items: d.getConfig().apps.map((a) => ({ name: a.name, measurements24h: seen.get(a.name)?.n ?? 0, lastSeen: seen.get(a.name)?.last ?? null })) });
  });

  // Up to 6 hours (or with ?exact=1): exact percentile_cont over raw rows. Longer: p75 read off the hourly histograms.
  app.get('/vitals', rd, async (c) => {
    const t = timeRange(c, d.clock);
    if (!t.ok) return bad(c);
    const names = (c.req.query('names') ?? WEB_VITALS.join(',')).split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
    const exact = t.to - t.from <= EXACT_MAX_MS || c.req.query('exact') === '1';
    const bucketSec = exact ? t.bucketSec : Math.max(3600, Math.ceil(t.bucketSec / 3600) * 3600);
    const params: unknown[] = [`${bucketSec} seconds`, new Date(exact ? t.from : Math.floor(t.from / 3_600_000) * 3_600_000), new Date(t.to), names];
    let where = '';
    if (c.req.query('app')) where += ` AND app = $${params.push(c.req.query('app'))}`;
    if (c.req.query('page')) where += ` AND page_url = $${params.push(c.req.query('page'))}`;
    const sql = exact
      ? `SELECT time_bucket($1::interval, ts, ${CHINA_BUCKET_ORIGIN}) AS bucket, name,
                percentile_cont(0.75) WITHIN GROUP (ORDER BY value) AS p75, count(*)::int AS n
           FROM faro_measurements
          WHERE type = 'web-vitals' AND ts >= $2 AND ts < $3 AND name = ANY($4::text[])${where}
          GROUP BY 1, 2 ORDER BY 1, 2`
      : `WITH h AS (
           SELECT time_bucket($1::interval, bucket, ${CHINA_BUCKET_ORIGIN}) AS b, name, bin, sum(n)::float8 AS n
             FROM faro_vitals_1h WHERE bucket >= $2 AND bucket < $3 AND name = ANY($4::text[])${where}
            GROUP BY 1, 2, 3),
         c AS (SELECT b, name, bin, sum(n) OVER (PARTITION BY b, name ORDER BY bin) AS cum, sum(n) OVER (PARTITION BY b, name) AS tot FROM h)
         SELECT DISTINCT ON (b, name) b AS bucket, name, ${BIN_VALUE_SQL} AS p75, tot::int AS n
           FROM c WHERE cum >= 0.75 * tot ORDER BY b, name, bin`;
    const r = await d.db.query<{ bucket: Date; name: string; p75: number; n: number }>(sql, params);
    return c.json({ from: new Date(t.from), to: new Date(t.to), bucketSeconds: bucketSec, source: exact ? 'raw' : 'histogram', items: r.rows.map((x) => ({ ...x, p75: Number(x.p75) })) });
  });

  // p75 per page; over 6 hours from the hourly histograms (samples = measurements, sessions only from raw rows).
  app.get('/pages', rd, async (c) => {
    const t = timeRange(c, d.clock);
    if (!t.ok) return bad(c);
    const { limit, offset } = page(c, 20, 200);
    const exact = t.to - t.from <= EXACT_MAX_MS || c.req.query('exact') === '1';
    const params: unknown[] = [new Date(exact ? t.from : Math.floor(t.from / 3_600_000) * 3_600_000), new Date(t.to), limit, offset];
    const where = c.req.query('app') ? ` AND app = $${params.push(c.req.query('app'))}` : '';
    const p75 = (name: string) => `percentile_cont(0.75) WITHIN GROUP (ORDER BY value) FILTER (WHERE name = '${name}') AS ${name}_p75`;
    const sql = exact
      ? `SELECT app, page_url, count(*)::int AS samples, count(DISTINCT session_id)::int AS sessions, ${['lcp', 'inp', 'cls', 'ttfb'].map(p75).join(', ')}
           FROM faro_measurements WHERE type = 'web-vitals' AND name IN ('lcp', 'inp', 'cls', 'ttfb') AND ts >= $1 AND ts < $2${where}
          GROUP BY 1, 2 ORDER BY samples DESC, page_url LIMIT $3 OFFSET $4`
      : `WITH h AS (
           SELECT app, page_url, name, bin, sum(n)::float8 AS n FROM faro_vitals_1h
            WHERE bucket >= $1 AND bucket < $2 AND name IN ('lcp', 'inp', 'cls', 'ttfb')${where} GROUP BY 1, 2, 3, 4),
         c AS (SELECT app, page_url, name, bin, sum(n) OVER (PARTITION BY app, page_url, name ORDER BY bin) AS cum,
                      sum(n) OVER (PARTITION BY app, page_url, name) AS tot FROM h),
         p AS (SELECT DISTINCT ON (app, page_url, name) app, page_url, name, ${BIN_VALUE_SQL} AS v, tot FROM c WHERE cum >= 0.75 * tot
                ORDER BY app, page_url, name, bin)
         SELECT app, page_url, sum(tot)::int AS samples, ${['lcp', 'inp', 'cls', 'ttfb'].map((n) => `max(v) FILTER (WHERE name = '${n}') AS ${n}_p75`).join(', ')}
           FROM p GROUP BY 1, 2 ORDER BY samples DESC, page_url LIMIT $3 OFFSET $4`;
    const r = await d.db.query(sql, params);
    return c.json({ source: exact ? 'raw' : 'histogram', items: r.rows });
  });

  app.get('/errors', rd, async (c) => {
    const t = timeRange(c, d.clock);
    if (!t.ok) return bad(c);
    const { limit, offset } = page(c, 50, 500);
    const params: unknown[] = [new Date(t.from), new Date(t.to), limit, offset];
    const where = c.req.query('app') ? ` AND app = $${params.push(c.req.query('app'))}` : '';
    const r = await d.db.query(
      `SELECT fingerprint, app, min(type) AS type, (array_agg(message ORDER BY ts DESC))[1] AS message,
              count(*)::int AS count, count(DISTINCT session_id)::int AS sessions,
              min(ts) AS first_seen, max(ts) AS last_seen, (array_agg(page_url ORDER BY ts DESC))[1] AS last_page,
              (array_agg(browser ORDER BY ts DESC))[1] AS last_browser
         FROM faro_exceptions WHERE ts >= $1 AND ts < $2${where}
        GROUP BY fingerprint, app ORDER BY count DESC, last_seen DESC LIMIT $3 OFFSET $4`, params);
    const sp: unknown[] = [new Date(t.from), new Date(t.to), `${t.bucketSec} seconds`];
    const sWhere = c.req.query('app') ? ` AND app = $${sp.push(c.req.query('app'))}` : '';
    const series = await d.db.query<{ bucket: Date; n: number }>(
      `SELECT time_bucket($3::interval, ts, ${CHINA_BUCKET_ORIGIN}) AS bucket, count(*)::int AS n
         FROM faro_exceptions WHERE ts >= $1 AND ts < $2${sWhere} GROUP BY 1 ORDER BY 1`, sp);
    return c.json({ items: r.rows, series: series.rows, bucketSeconds: t.bucketSec });
  });

  app.get('/errors/:fingerprint', rd, async (c) => {
    const { limit, offset } = page(c, 20, 200);
    const r = await d.db.query(
      `SELECT ts, app, session_id, page_url, browser, browser_version, os, type, message, frames, context, trace_id
         FROM faro_exceptions WHERE fingerprint = $1 ORDER BY ts DESC LIMIT $2 OFFSET $3`, [c.req.param('fingerprint'), limit, offset]);
    if (!r.rows.length && offset === 0) return httpError(c, 404, 'not_found', 'no exception with this fingerprint');
    return c.json({ items: r.rows });
  });

  app.get('/sessions', rd, async (c) => {
    const t = timeRange(c, d.clock);
    if (!t.ok) return bad(c);
    const { limit, offset } = page(c, 50, 500);
    const params: unknown[] = [new Date(t.from), new Date(t.to)];
    const where = c.req.query('app') ? ` AND app = $${params.push(c.req.query('app'))}` : '';
    const totals = await d.db.query<{ sessions: number }>(
      `SELECT count(DISTINCT session_id)::int AS sessions FROM faro_sessions_1h
        WHERE bucket >= $1 AND bucket < $2${where}`,
      [new Date(Math.floor(t.from / 3_600_000) * 3_600_000), ...params.slice(1)]);
    const affected = await d.db.query(
      `SELECT session_id, app, count(*)::int AS errors, count(DISTINCT fingerprint)::int AS distinct_errors,
              max(ts) AS last_seen, (array_agg(page_url ORDER BY ts DESC))[1] AS last_page, (array_agg(browser ORDER BY ts DESC))[1] AS browser
         FROM faro_exceptions WHERE ts >= $1 AND ts < $2${where} AND session_id IS NOT NULL
        GROUP BY session_id, app ORDER BY last_seen DESC LIMIT $${params.push(limit)} OFFSET $${params.push(offset)}`, params);
    const withErrors = await d.db.query<{ n: number }>(
      `SELECT count(DISTINCT session_id)::int AS n FROM faro_exceptions WHERE ts >= $1 AND ts < $2${where}`, params.slice(0, where ? 3 : 2));
    return c.json({ sessions: totals.rows[0]?.sessions ?? 0, sessionsWithErrors: withErrors.rows[0]?.n ?? 0, items: affected.rows });
  });

  return app;
}
