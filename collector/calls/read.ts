import type { Queryable } from '../../core/db';
import type { CallerStat, CallTotals, CallTrendPoint, InterfaceCallDetail, InterfaceCallStat, InterfaceLevel } from '../../contract/calls';

/**
 * Reads of the call rollups for the API. Ranges up to 6 hours read the 1-minute rollup, longer ones the 1-hour
 * rollup (never the raw rows); city-wide reads over a day or more (the overview, the top interfaces and
 * departments) the rollups without the caller or without the interface (overviewRows). Percentiles do not add up across buckets: a range's p95 is the call-weighted mean of
 * its buckets' p95 (exact for one bucket, an approximation above; the interface page says "≈").
 */
export type Step = '1m' | '1h';
export const stepFor = (from: number, to: number): Step => (to - from <= 6 * 3_600_000 ? '1m' : '1h');

export interface Filter {
  interfaceCode?: string;
  callerDept?: string;
  /** Read the interface × caller rollups even where the overview's would do (the test that compares both). */
  pairs?: boolean;
}

const HOUR = 3_600_000;
const DAY = 86_400_000;

/** The overview's rollups (sql/061_call_rollups_overview.sql): per interface, per department × system, the city. */
type Grain = 'interface' | 'dept' | 'city';
const GRAIN: Record<Grain, { keys: string; hour: string; day: string | null }> = {
  interface: { keys: 'interface_code', hour: 'call_iface_1h', day: 'call_iface_1d' },
  dept: { keys: 'caller_dept, caller_system', hour: 'call_dept_1h', day: 'call_dept_1d' },
  city: { keys: '', hour: 'call_city_1h', day: null },
};

/** Whether a city-wide read (no interface, no department) over this range takes the overview's rollups. */
const overview = (from: number, to: number, f: Filter) =>
  !f.pairs && f.interfaceCode === undefined && f.callerDept === undefined && to - from >= DAY && stepFor(from, to) === '1h';

/**
 * The rows of a city-wide range ≥ 1 day at `grain`, as a FROM item `c` with hourly (or daily) buckets: the same hour
 * buckets as rowsOf's '1h' (from ≤ hour < to), taken from coarser rollups. Whole UTC days from the daily rollup (city:
 * none, the trend is hourly), the hours around them from the hourly one, and — as rowsOf does, for the same reason —
 * the hours since `cut` (hourCut) from the minute rollup re-bucketed by hour. On the Timescale build a day is read
 * from the daily rollup from 3 h after its end (its policy materialises it an hour after); `now` null: the rollups
 * are refreshed to the same instant (the Apache build) or the range is in the past.
 */
function overviewRows(grain: Grain, from: number, to: number, now: number | null, params: unknown[], cut: number | null): string {
  const g = GRAIN[grain];
  const cols = `${g.keys ? `${g.keys}, ` : ''}n, ok, avg_ms, p50_ms, p95_ms, p99_ms, records, bytes`;
  const at = (ms: number) => `$${params.push(new Date(ms))}::timestamptz`;
  const hcut = now === null || cut === null ? to : Math.max(from, Math.min(to, cut));
  const parts: string[] = [];
  const hours = (a: string, b: string) => parts.push(`SELECT bucket, ${cols} FROM ${g.hour} WHERE bucket >= ${a} AND bucket < ${b}`);
  const d1 = Math.ceil(from / DAY) * DAY;
  const d2 = Math.min(Math.floor(to / DAY) * DAY, now === null ? Infinity : Math.floor((Math.floor(now / HOUR) * HOUR - 3 * HOUR) / DAY) * DAY);
  if (g.day && d2 > d1) {
    if (from < d1) hours('$1', at(d1));
    parts.push(`SELECT bucket, ${cols} FROM ${g.day} WHERE bucket >= ${at(d1)} AND bucket < ${at(d2)}`);
    if (d2 < hcut) hours(at(d2), at(hcut));
  } else if (from < hcut) hours('$1', at(hcut));
  if (hcut < to) {
    const c = at(hcut);
    parts.push(`SELECT time_bucket(INTERVAL '1 hour', bucket) AS bucket, ${cols} FROM call_stats_1m
      WHERE bucket >= ${c} AND time_bucket(INTERVAL '1 hour', bucket) >= $1 AND time_bucket(INTERVAL '1 hour', bucket) < $2`);
  }
  // (The outer bounds change nothing; they type $1 and $2 when no part names them.)
  return `(SELECT * FROM (${parts.join('\n UNION ALL ')}) u WHERE bucket >= $1::timestamptz AND bucket < $2::timestamptz) c`;
}

/**
 * Timescale build, a live range: where the overview's hourly rollups stop and the minute rollup takes over — their
 * materialised watermark (the least of the three) when it is within the last 2 h, else `now`'s hour − 2 h as
 * rowsOf. Usually an hour less of minute rows than rowsOf's fixed cut, which every city-wide read pays. null: none.
 */
async function hourCut(db: Queryable, now: number | null): Promise<number | null> {
  if (now === null) return null;
  const h = Math.floor(now / HOUR) * HOUR;
  const r = await db.query<{ wm: number | string | null }>(
    `SELECT min(extract(epoch FROM _timescaledb_functions.to_timestamp(_timescaledb_functions.cagg_watermark(mat_hypertable_id)))) * 1000 AS wm
       FROM _timescaledb_catalog.continuous_agg WHERE user_view_name IN ('call_iface_1h', 'call_dept_1h', 'call_city_1h')`,
  ).catch(() => ({ rows: [] as { wm: null }[] }));
  const wm = Number(r.rows[0]?.wm ?? NaN);
  return Math.max(h - 2 * HOUR, Number.isFinite(wm) ? Math.min(wm, h) : -Infinity);
}

/** Per-group sums (calls, failures, records, bytes, call-weighted latencies) of the rows in `src`. */
const SUMS = 'sum(n) AS n, sum(n - ok) AS f, sum(records) AS r, sum(bytes) AS b, sum(avg_ms * n) AS a, sum(p50_ms * n) AS p50, sum(p95_ms * n) AS p95, sum(p99_ms * n) AS p99';

/**
 * The rollup rows a range reads at `step`, as a FROM item `c`. At '1h' the hours before `now`'s hour − 2 h come from
 * the hourly rollup and the rest from the minute rollup, re-bucketed by hour: the hourly rollup is refreshed up to
 * at most 2 h ago (policy end 1 h, every 30 min), so on the Timescale build its real-time part would aggregate the
 * raw rows of up to 2 h for every request (a scan without an index per interface or department); the minute
 * rollup's real-time part is a minute or two of raw rows. `now` is the clock's, not the range's end: a range in the
 * past reads the hourly rollup only (the minute rollup is kept for a shorter time). `now` null (the Apache build,
 * whose rollups are tables refreshed to the same instant, without a real-time part): the hourly rollup only.
 */
function rowsOf(step: Step, now: number | null, params: unknown[]): string {
  if (step === '1m') return 'call_stats_1m c';
  if (now === null) return 'call_stats_1h c';
  const cut = `$${params.push(new Date(Math.floor(now / HOUR) * HOUR - 2 * HOUR))}::timestamptz`;
  const cols = 'interface_code, caller_dept, caller_system, n, ok, avg_ms, p50_ms, p95_ms, p99_ms, records, bytes';
  return `(SELECT bucket, ${cols} FROM call_stats_1h WHERE bucket < ${cut}
     UNION ALL SELECT time_bucket(INTERVAL '1 hour', bucket) AS bucket, ${cols} FROM call_stats_1m WHERE bucket >= ${cut}) c`;
}

const TOTALS = `sum(n)::float8 AS calls, sum(n - ok)::float8 AS failures, sum(records)::float8 AS records, sum(bytes)::float8 AS bytes,
  sum(avg_ms * n) / NULLIF(sum(n), 0) AS avg_ms, sum(p95_ms * n) / NULLIF(sum(n), 0) AS p95_ms`;

function where(f: Filter, params: unknown[]): string {
  const w = ['bucket >= $1', 'bucket < $2'];
  if (f.interfaceCode !== undefined) w.push(`interface_code = $${params.push(f.interfaceCode)}`);
  if (f.callerDept !== undefined) w.push(`caller_dept = $${params.push(f.callerDept)}`);
  return w.join(' AND ');
}

const round = (v: unknown, d = 1) => (v == null ? null : Math.round(Number(v) * 10 ** d) / 10 ** d);

function totalsOf(r: Record<string, unknown>): CallTotals {
  const calls = Number(r.calls ?? 0);
  const failures = Number(r.failures ?? 0);
  return {
    calls, failures, errorRate: calls > 0 ? Math.round((failures / calls) * 1e6) / 1e4 : 0,
    records: Number(r.records ?? 0), bytes: Number(r.bytes ?? 0), avgMs: round(r.avg_ms), p95Ms: round(r.p95_ms),
  };
}

export async function callTotals(db: Queryable, from: number, to: number, now: number | null, f: Filter = {}) {
  const params: unknown[] = [new Date(from), new Date(to)];
  const step = stepFor(from, to);
  // One pass, grouped two ways at once (per interface, per department): the totals are the sum of the interface
  // groups, the distinct counts the number of groups — count(DISTINCT …) would sort every row of the range.
  // The overview's ranges ≥ 1 day: the same two groupings, from the per-interface and the per-department rollups.
  const all = '(WHERE gi = 0)';
  const cut = overview(from, to, f) ? await hourCut(db, now) : null;
  const groups = overview(from, to, f)
    ? `SELECT 0 AS gi, ${SUMS} FROM ${overviewRows('interface', from, to, now, params, cut)} GROUP BY interface_code
       UNION ALL SELECT 1, ${SUMS} FROM ${overviewRows('dept', from, to, now, params, cut)} GROUP BY caller_dept`
    : `SELECT GROUPING(interface_code) AS gi, ${SUMS}
         FROM ${rowsOf(step, now, params)} WHERE ${where(f, params)} GROUP BY GROUPING SETS ((interface_code), (caller_dept))`;
  const r = await db.query<Record<string, unknown>>(
    `WITH g AS (${groups})
     SELECT sum(n) FILTER ${all}::float8 AS calls, sum(f) FILTER ${all}::float8 AS failures, sum(r) FILTER ${all}::float8 AS records,
            sum(b) FILTER ${all}::float8 AS bytes, sum(a) FILTER ${all} / NULLIF(sum(n) FILTER ${all}, 0) AS avg_ms,
            sum(p95) FILTER ${all} / NULLIF(sum(n) FILTER ${all}, 0) AS p95_ms, sum(p50) FILTER ${all} / NULLIF(sum(n) FILTER ${all}, 0) AS p50_ms,
            sum(p99) FILTER ${all} / NULLIF(sum(n) FILTER ${all}, 0) AS p99_ms,
            (count(*) FILTER ${all})::int AS interfaces, (count(*) FILTER (WHERE gi = 1))::int AS callers
       FROM g`,
    params,
  );
  const row = r.rows[0] ?? {};
  return { totals: totalsOf(row), p50Ms: round(row.p50_ms), p99Ms: round(row.p99_ms), interfaces: Number(row.interfaces ?? 0), callers: Number(row.callers ?? 0) };
}

export async function callTrend(db: Queryable, from: number, to: number, now: number | null, f: Filter = {}): Promise<CallTrendPoint[]> {
  const params: unknown[] = [new Date(from), new Date(to)];
  const step = stepFor(from, to);
  const src = overview(from, to, f) ? `${overviewRows('city', from, to, now, params, await hourCut(db, now))} WHERE true` : `${rowsOf(step, now, params)} WHERE ${where(f, params)}`;
  const r = await db.query<Record<string, unknown>>(
    `SELECT bucket, ${TOTALS} FROM ${src} GROUP BY bucket ORDER BY bucket`,
    params,
  );
  return r.rows.map((row) => ({ ts: new Date(row.bucket as string).toISOString(), ...totalsOf(row) }));
}

export type InterfaceSort = 'calls' | 'failures' | 'p95';
const ORDER: Record<InterfaceSort, string> = { calls: 'calls DESC', failures: 'failures DESC, calls DESC', p95: 'p95_ms DESC NULLS LAST' };

export async function interfaceStats(db: Queryable, from: number, to: number, opts: { now: number | null; sort: InterfaceSort; limit: number; offset: number; callerDept?: string; pairs?: boolean }) {
  const params: unknown[] = [new Date(from), new Date(to)];
  const f: Filter = { callerDept: opts.callerDept, pairs: opts.pairs };
  const city = overview(from, to, f);
  const src = city ? overviewRows('interface', from, to, opts.now, params, await hourCut(db, opts.now)) : rowsOf(stepFor(from, to), opts.now, params);
  const w = city ? 'true' : where(f, params);
  const r = await db.query<Record<string, unknown>>(
    `SELECT s.*, coalesce(i.name, '') AS name, coalesce(i.level, 'city') AS level, coalesce(i.sensitive, false) AS sensitive, coalesce(i.known, false) AS known,
            count(*) OVER () AS total
       FROM (SELECT interface_code, ${TOTALS} FROM ${src} WHERE ${w} GROUP BY interface_code) s
       LEFT JOIN call_interfaces i ON i.code = s.interface_code
      ORDER BY ${ORDER[opts.sort]}, interface_code LIMIT ${opts.limit} OFFSET ${opts.offset}`,
    params,
  );
  const items: InterfaceCallStat[] = r.rows.map((row) => ({
    code: String(row.interface_code), name: String(row.name), level: row.level as InterfaceLevel, sensitive: Boolean(row.sensitive), known: Boolean(row.known), ...totalsOf(row),
  }));
  return { items, total: Number(r.rows[0]?.total ?? 0), limit: opts.limit, offset: opts.offset };
}

export async function callerStats(db: Queryable, from: number, to: number, opts: { now: number | null; interfaceCode?: string; limit: number; offset: number; pairs?: boolean }) {
  const params: unknown[] = [new Date(from), new Date(to)];
  const f: Filter = { interfaceCode: opts.interfaceCode, pairs: opts.pairs };
  const city = overview(from, to, f);
  const src = city ? overviewRows('dept', from, to, opts.now, params, await hourCut(db, opts.now)) : rowsOf(stepFor(from, to), opts.now, params);
  const w = city ? 'true' : where(f, params);
  const r = await db.query<Record<string, unknown>>(
    `SELECT caller_dept, caller_system, ${TOTALS}, count(*) OVER () AS total FROM ${src} WHERE ${w}
      GROUP BY caller_dept, caller_system ORDER BY calls DESC, caller_dept, caller_system LIMIT ${opts.limit} OFFSET ${opts.offset}`,
    params,
  );
  const items: CallerStat[] = r.rows.map((row) => ({ callerDept: String(row.caller_dept), callerSystem: String(row.caller_system), ...totalsOf(row) }));
  return { items, total: Number(r.rows[0]?.total ?? 0), limit: opts.limit, offset: opts.offset };
}

/** Calls per status code (the hourly rollup: the range widened to whole hours). */
export async function statusCodes(db: Queryable, code: string, from: number, to: number) {
  const r = await db.query<{ status_code: number; n: string }>(
    `SELECT status_code, sum(n)::float8 AS n FROM call_status_1h WHERE interface_code = $3 AND bucket >= time_bucket(INTERVAL '1 hour', $1::timestamptz) AND bucket < $2
      GROUP BY status_code ORDER BY n DESC`,
    [new Date(from), new Date(to), code],
  );
  return r.rows.map((x) => ({ status: Number(x.status_code), calls: Number(x.n) }));
}

/** One interface as the catalogue holds it (registered or only seen in traffic); null when no call named it. */
export async function interfaceInfo(db: Queryable, code: string): Promise<InterfaceCallDetail['interface'] | null> {
  const r = await db.query<Record<string, unknown>>('SELECT code, name, level, sensitive, known, first_seen, last_seen FROM call_interfaces WHERE code = $1', [code]);
  const x = r.rows[0];
  if (!x) return null;
  const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);
  return { code: String(x.code), name: String(x.name), level: x.level as InterfaceLevel, sensitive: Boolean(x.sensitive), known: Boolean(x.known), firstSeen: iso(x.first_seen), lastSeen: iso(x.last_seen) };
}

/** How many interfaces were seen in traffic but are not in the catalogue. */
export async function countUnknownInterfaces(db: Queryable): Promise<number> {
  const r = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM call_interfaces WHERE NOT known');
  return Number(r.rows[0]?.n ?? 0);
}

/** Probe targets for an interface: tagged `interface: <code>`, or with the code as their id. */
export async function probesFor(db: Queryable, code: string) {
  const r = await db.query<Record<string, unknown>>(
    `SELECT t.id, t.name, coalesce(s.state, 'unknown') AS state, s.since, s.last_duration_ms
       FROM targets t LEFT JOIN target_state s ON s.target_id = t.id
      WHERE t.active AND (t.tags->>'interface' = $1 OR t.id = $1) ORDER BY t.id`,
    [code],
  );
  return r.rows.map((x) => ({
    targetId: String(x.id), name: String(x.name), state: String(x.state),
    since: x.since ? new Date(x.since as string).toISOString() : null, lastDurationMs: round(x.last_duration_ms),
  }));
}

export async function callerSystems(db: Queryable, dept: string) {
  const r = await db.query<Record<string, unknown>>('SELECT caller_system, first_seen, last_seen FROM call_callers WHERE caller_dept = $1 ORDER BY caller_system', [dept]);
  return r.rows.map((x) => ({ callerSystem: String(x.caller_system), firstSeen: new Date(x.first_seen as string).toISOString(), lastSeen: new Date(x.last_seen as string).toISOString() }));
}

export async function cumulativeByLevel(db: Queryable) {
  const r = await db.query<Record<string, unknown>>(
    `SELECT coalesce(i.level, 'city') AS level, sum(c.calls)::float8 AS calls, sum(c.failures)::float8 AS failures, sum(c.records)::float8 AS records
       FROM call_counters c LEFT JOIN call_interfaces i ON i.code = c.interface_code GROUP BY 1`,
  );
  return new Map(r.rows.map((x) => [x.level as InterfaceLevel, { calls: Number(x.calls), failures: Number(x.failures), records: Number(x.records) }]));
}

export async function unknownInterfaces(db: Queryable, limit: number, offset: number) {
  const r = await db.query<Record<string, unknown>>(
    `SELECT code, first_seen, last_seen, count(*) OVER () AS total FROM call_interfaces WHERE NOT known ORDER BY last_seen DESC NULLS LAST, code LIMIT ${limit} OFFSET ${offset}`,
  );
  const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);
  return { items: r.rows.map((x) => ({ code: String(x.code), firstSeen: iso(x.first_seen), lastSeen: iso(x.last_seen) })), total: Number(r.rows[0]?.total ?? 0), limit, offset };
}

/** Every interface × caller over the range, for the monthly report's CSV. */
export async function exportRows(db: Queryable, from: number, to: number, now: number | null) {
  const params: unknown[] = [new Date(from), new Date(to)];
  const r = await db.query<Record<string, unknown>>(
    `SELECT c.interface_code, coalesce(i.name, '') AS name, coalesce(i.level, 'city') AS level, c.caller_dept, c.caller_system, ${TOTALS}
       FROM ${rowsOf(stepFor(from, to), now, params)} LEFT JOIN call_interfaces i ON i.code = c.interface_code
      WHERE bucket >= $1 AND bucket < $2 GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 4, 5`,
    params,
  );
  return r.rows.map((row) => ({ interfaceCode: String(row.interface_code), name: String(row.name), level: String(row.level), callerDept: String(row.caller_dept), callerSystem: String(row.caller_system), ...totalsOf(row) }));
}
