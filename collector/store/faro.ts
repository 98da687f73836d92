import type { Queryable } from '../../core/db';
import { CHINA_BUCKET_ORIGIN } from '../../core/china-time';
import { BIN_VALUE_SQL } from '../faro/histogram';
import { likeAnywhere } from '../../core/input';

/**
 * The read side of browser monitoring (Faro): web-vital p75 from raw rows (exact) or the hourly histograms
 * (faro_vitals_1h), pages, exceptions grouped by fingerprint, sessions (faro_sessions_1h). Times in ms; camelCase.
 */

export interface VitalBucket { bucket: number; name: string; p75: number; n: number }
export interface PageVitals { app: string; pageUrl: string; samples: number; sessions?: number; lcpP75: number | null; inpP75: number | null; clsP75: number | null; ttfbP75: number | null }
export interface ErrorGroup { fingerprint: string; app: string; type: string; message: string; count: number; sessions: number; firstSeen: number; lastSeen: number; lastPage: string | null; lastBrowser: string | null }
export interface ExceptionRecord { ts: number; app: string; sessionId: string | null; pageUrl: string | null; browser: string | null; browserVersion: string | null; os: string | null; type: string; message: string; frames: unknown; context: unknown; traceId: string | null }
export interface AffectedSession { sessionId: string; app: string; errors: number; distinctErrors: number; lastSeen: number; lastPage: string | null; browser: string | null }

const ms = (v: Date | string) => new Date(v).getTime();
const num = (v: unknown) => (v == null ? null : Number(v));
const HOUR = 3_600_000;
const hourFloor = (t: number) => Math.floor(t / HOUR) * HOUR;

export interface Filter { from: number; to: number; app?: string; page?: string }

/** Measurements per app over the last day (for the configured apps' list). */
export async function appActivity(db: Queryable, since: number): Promise<Map<string, { n: number; last: number }>> {
  const r = await db.query<{ app: string; n: number; last: Date }>(`SELECT app, count(*)::int AS n, max(ts) AS last FROM faro_measurements WHERE ts > $1 GROUP BY app`, [new Date(since)]);
  return new Map(r.rows.map((x) => [x.app, { n: x.n, last: ms(x.last) }]));
}

/** p75 of each web vital per bucket: exact over raw rows, or read off the hourly histograms (from rounded down to the hour). */
export async function vitalsP75(db: Queryable, f: Filter, names: string[], bucketSec: number, exact: boolean): Promise<VitalBucket[]> {
  const params: unknown[] = [`${bucketSec} seconds`, new Date(exact ? f.from : hourFloor(f.from)), new Date(f.to), names];
  let where = '';
  if (f.app) where += ` AND app = $${params.push(f.app)}`;
  if (f.page) where += ` AND page_url = $${params.push(f.page)}`;
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
  const r = await db.query<{ bucket: Date; name: string; p75: unknown; n: number }>(sql, params);
  return r.rows.map((x) => ({ bucket: ms(x.bucket), name: x.name, p75: Number(x.p75), n: x.n }));
}

/** p75 of lcp, inp, cls, ttfb per page (sessions only from raw rows). */
export async function pagesP75(db: Queryable, f: Filter, exact: boolean, page: { limit: number; offset: number }): Promise<PageVitals[]> {
  const params: unknown[] = [new Date(exact ? f.from : hourFloor(f.from)), new Date(f.to), page.limit, page.offset];
  const where = f.app ? ` AND app = $${params.push(f.app)}` : '';
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
  const r = await db.query<{ app: string; page_url: string; samples: number; sessions?: number; lcp_p75: unknown; inp_p75: unknown; cls_p75: unknown; ttfb_p75: unknown }>(sql, params);
  return r.rows.map((x) => ({
    app: x.app, pageUrl: x.page_url, samples: x.samples, ...(x.sessions !== undefined ? { sessions: x.sessions } : {}),
    lcpP75: num(x.lcp_p75), inpP75: num(x.inp_p75), clsP75: num(x.cls_p75), ttfbP75: num(x.ttfb_p75),
  }));
}

export async function errorGroups(db: Queryable, f: Filter, page: { limit: number; offset: number }): Promise<ErrorGroup[]> {
  const params: unknown[] = [new Date(f.from), new Date(f.to), page.limit, page.offset];
  const where = f.app ? ` AND app = $${params.push(f.app)}` : '';
  const r = await db.query<{ fingerprint: string; app: string; type: string; message: string; count: number; sessions: number; first_seen: Date; last_seen: Date; last_page: string | null; last_browser: string | null }>(
    `SELECT fingerprint, app, min(type) AS type, (array_agg(message ORDER BY ts DESC))[1] AS message,
            count(*)::int AS count, count(DISTINCT session_id)::int AS sessions,
            min(ts) AS first_seen, max(ts) AS last_seen, (array_agg(page_url ORDER BY ts DESC))[1] AS last_page,
            (array_agg(browser ORDER BY ts DESC))[1] AS last_browser
       FROM faro_exceptions WHERE ts >= $1 AND ts < $2${where}
      GROUP BY fingerprint, app ORDER BY count DESC, last_seen DESC LIMIT $3 OFFSET $4`,
    params,
  );
  return r.rows.map((x) => ({
    fingerprint: x.fingerprint, app: x.app, type: x.type, message: x.message, count: x.count, sessions: x.sessions,
    firstSeen: ms(x.first_seen), lastSeen: ms(x.last_seen), lastPage: x.last_page, lastBrowser: x.last_browser,
  }));
}

export async function errorSeries(db: Queryable, f: Filter, bucketSec: number): Promise<{ bucket: number; n: number }[]> {
  const params: unknown[] = [new Date(f.from), new Date(f.to), `${bucketSec} seconds`];
  const where = f.app ? ` AND app = $${params.push(f.app)}` : '';
  const r = await db.query<{ bucket: Date; n: number }>(
    `SELECT time_bucket($3::interval, ts, ${CHINA_BUCKET_ORIGIN}) AS bucket, count(*)::int AS n
       FROM faro_exceptions WHERE ts >= $1 AND ts < $2${where} GROUP BY 1 ORDER BY 1`,
    params,
  );
  return r.rows.map((x) => ({ bucket: ms(x.bucket), n: x.n }));
}

/** The occurrences of one exception group, newest first. */
export async function exceptionsOf(db: Queryable, fingerprint: string, page: { limit: number; offset: number }): Promise<ExceptionRecord[]> {
  const r = await db.query<{ ts: Date; app: string; session_id: string | null; page_url: string | null; browser: string | null; browser_version: string | null; os: string | null; type: string; message: string; frames: unknown; context: unknown; trace_id: string | null }>(
    `SELECT ts, app, session_id, page_url, browser, browser_version, os, type, message, frames, context, trace_id
       FROM faro_exceptions WHERE fingerprint = $1 ORDER BY ts DESC LIMIT $2 OFFSET $3`,
    [fingerprint, page.limit, page.offset],
  );
  return r.rows.map((x) => ({
    ts: ms(x.ts), app: x.app, sessionId: x.session_id, pageUrl: x.page_url, browser: x.browser, browserVersion: x.browser_version, os: x.os,
    type: x.type, message: x.message, frames: x.frames, context: x.context, traceId: x.trace_id,
  }));
}

/** Sessions seen (hourly session table), sessions with an error, and the affected sessions newest first. */
export async function sessions(db: Queryable, f: Filter, page: { limit: number; offset: number }): Promise<{ sessions: number; sessionsWithErrors: number; items: AffectedSession[] }> {
  const params: unknown[] = [new Date(f.from), new Date(f.to)];
  const where = f.app ? ` AND app = $${params.push(f.app)}` : '';
  const totals = await db.query<{ sessions: number }>(
    `SELECT count(DISTINCT session_id)::int AS sessions FROM faro_sessions_1h
      WHERE bucket >= $1 AND bucket < $2${where}`,
    [new Date(hourFloor(f.from)), ...params.slice(1)],
  );
  const affected = await db.query<{ session_id: string; app: string; errors: number; distinct_errors: number; last_seen: Date; last_page: string | null; browser: string | null }>(
    `SELECT session_id, app, count(*)::int AS errors, count(DISTINCT fingerprint)::int AS distinct_errors,
            max(ts) AS last_seen, (array_agg(page_url ORDER BY ts DESC))[1] AS last_page, (array_agg(browser ORDER BY ts DESC))[1] AS browser
       FROM faro_exceptions WHERE ts >= $1 AND ts < $2${where} AND session_id IS NOT NULL
      GROUP BY session_id, app ORDER BY last_seen DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, page.limit, page.offset],
  );
  const withErrors = await db.query<{ n: number }>(`SELECT count(DISTINCT session_id)::int AS n FROM faro_exceptions WHERE ts >= $1 AND ts < $2${where}`, params);
  return {
    sessions: totals.rows[0]?.sessions ?? 0,
    sessionsWithErrors: withErrors.rows[0]?.n ?? 0,
    items: affected.rows.map((x) => ({ sessionId: x.session_id, app: x.app, errors: x.errors, distinctErrors: x.distinct_errors, lastSeen: ms(x.last_seen), lastPage: x.last_page, browser: x.browser })),
  };
}

// ---- the logs and events lists (GET /faro/logs, /faro/events; README "Lists") -----------------------------------

export interface LogRecord { ts: number; app: string; sessionId: string | null; pageUrl: string | null; browser: string | null; level: string; message: string; context: Record<string, unknown> | null; traceId: string | null }
export interface EventRecord { ts: number; app: string; sessionId: string | null; pageUrl: string | null; browser: string | null; name: string; domain: string | null; attributes: Record<string, unknown> | null; traceId: string | null }

/** What both lists filter on. `page`: a whole URL (as stored, without query string) or a path starting with "/". */
export interface SignalFilter { from: number; to: number; apps?: string[]; page?: string; session?: string; q?: string; sortDesc?: boolean }

/** The WHERE shared by a list's page and its count; `$1`, `$2` are the time range. */
function signalWhere(f: SignalFilter, params: unknown[], search: string[]): string {
  let where = 'ts >= $1 AND ts < $2';
  if (f.apps?.length) where += ` AND app = ANY($${params.push(f.apps)}::text[])`;
  if (f.page) {
    where += f.page.startsWith('/')
      ? ` AND regexp_replace(page_url, '^[a-zA-Z][a-zA-Z0-9+.-]*://[^/]*', '') = $${params.push(f.page)}`
      : ` AND page_url = $${params.push(f.page)}`;
  }
  if (f.session) where += ` AND session_id = $${params.push(f.session)}`;
  if (f.q) {
    const p = `$${params.push(likeAnywhere(f.q))}`;
    where += ` AND (${search.map((c) => `${c} ILIKE ${p} ESCAPE '\\'`).join(' OR ')})`;
  }
  return where;
}

async function listSignals<R>(db: Queryable, table: string, cols: string, where: string, params: unknown[], f: SignalFilter, page: { limit: number; offset: number }): Promise<{ total: number; rows: R[] }> {
  const [r, n] = await Promise.all([
    db.query<R>(`SELECT ${cols} FROM ${table} WHERE ${where} ORDER BY ts ${f.sortDesc === false ? 'ASC' : 'DESC'} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`, [...params, page.limit, page.offset]),
    db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, params),
  ]);
  return { total: Number(n.rows[0]?.n ?? 0), rows: r.rows };
}

type SignalRow = { ts: Date; app: string; session_id: string | null; page_url: string | null; browser: string | null; trace_id: string | null };
const signalOf = (x: SignalRow) => ({ ts: ms(x.ts), app: x.app, sessionId: x.session_id, pageUrl: x.page_url, browser: x.browser });
const objectOrNull = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

/** Logs newest first; `q` searches the message and the context. */
export async function listLogs(db: Queryable, f: SignalFilter & { levels?: string[] }, page: { limit: number; offset: number }): Promise<{ total: number; items: LogRecord[] }> {
  const params: unknown[] = [new Date(f.from), new Date(f.to)];
  let where = signalWhere(f, params, ['message', 'context::text']);
  if (f.levels?.length) where += ` AND level = ANY($${params.push(f.levels)}::text[])`;
  const r = await listSignals<SignalRow & { level: string; message: string; context: unknown }>(db, 'faro_logs', 'ts, app, session_id, page_url, browser, level, message, context, trace_id', where, params, f, page);
  return { total: r.total, items: r.rows.map((x) => ({ ...signalOf(x), level: x.level, message: x.message, context: objectOrNull(x.context), traceId: x.trace_id })) };
}

/** Events newest first; `q` searches the name, the domain and the attributes. */
export async function listEvents(db: Queryable, f: SignalFilter & { names?: string[] }, page: { limit: number; offset: number }): Promise<{ total: number; items: EventRecord[] }> {
  const params: unknown[] = [new Date(f.from), new Date(f.to)];
  let where = signalWhere(f, params, ['name', 'domain', 'attributes::text']);
  if (f.names?.length) where += ` AND name = ANY($${params.push(f.names)}::text[])`;
  const r = await listSignals<SignalRow & { name: string; domain: string | null; attributes: unknown }>(db, 'faro_events', 'ts, app, session_id, page_url, browser, name, domain, attributes, trace_id', where, params, f, page);
  return { total: r.total, items: r.rows.map((x) => ({ ...signalOf(x), name: x.name, domain: x.domain, attributes: objectOrNull(x.attributes), traceId: x.trace_id })) };
}
