import type { Queryable } from '../../core/db';
import type { TargetState, TargetStateName } from '../state';
import { likeAnywhere } from '../../core/input';

/**
 * Modules and targets as the database mirrors them (collector/sync.ts), with each target's current state
 * (target_state), its incidents, and the per-module availability the overview reads. Times in ms since the epoch.
 */

export interface StateCounts {
  up: number;
  degraded: number;
  down: number;
  unknown: number;
}

export interface ModuleRecord {
  id: string;
  name: string;
  description: string;
  slo: number;
  tags: Record<string, unknown>;
  /** The earliest `since` of its down targets. */
  downSince: number | null;
  targets: StateCounts & { total: number };
}

export interface TargetRecord {
  id: string;
  moduleId: string;
  moduleName: string | null;
  name: string;
  type: string;
  intervalMs: number;
  tags: Record<string, string>;
  state: TargetStateName;
  since: number | null;
  consecutiveFailures: number;
  last: { ts: number; success: boolean | null; durationMs: number | null; errorCode: string | null; error: string | null } | null;
}

export interface OpenIncident {
  id: string;
  startedAt: number;
  firstErrorCode: string | null;
  firstError: string | null;
}

export interface TargetDetailRecord extends TargetRecord {
  active: boolean;
  spec: Record<string, unknown>;
  failureThreshold: number;
  successThreshold: number;
  lastDetail: Record<string, unknown> | null;
  openIncident: OpenIncident | null;
  /** Successful share of the last 24 h (1-hour rollup), 0..1; null without results. */
  availability24h: number | null;
}

export interface IncidentRecord {
  id: string;
  targetId: string;
  targetName: string | null;
  moduleId: string;
  moduleName: string | null;
  startedAt: number;
  endedAt: number | null;
  firstErrorCode: string | null;
  firstError: string | null;
}

export interface ModuleAvailabilityRecord {
  id: string;
  name: string;
  slo: number;
  states: StateCounts;
  /** Successes and probes over the windows: 24 h from the 1-hour rollup, 7 d / 30 d from module_availability. */
  windows: Record<'24h' | '7d' | '30d', { ok: number; n: number }>;
}

export interface Listed<T> {
  items: T[];
  total: number;
}

const ms = (v: Date | string | null | undefined) => (v == null ? null : new Date(v).getTime());

/** Every target's state as the engine starts with it (and the open incident, to close it when the target is up). */
export async function loadTargetStates(db: Queryable): Promise<TargetState[]> {
  const r = await db.query<{
    target_id: string; state: TargetStateName; since: Date; consecutive_failures: number; consecutive_successes: number;
    last_ts: Date | null; last_success: boolean | null; last_duration_ms: number | null; last_detail: Record<string, unknown> | null; incident: string | null;
  }>(
    `SELECT s.*, (SELECT i.id FROM incidents i WHERE i.target_id = s.target_id AND i.ended_at IS NULL ORDER BY i.started_at DESC LIMIT 1) AS incident
       FROM target_state s`,
  );
  return r.rows.map((row) => ({
    targetId: row.target_id,
    state: row.state,
    since: new Date(row.since).getTime(),
    consecutiveFailures: row.consecutive_failures,
    consecutiveSuccesses: row.consecutive_successes,
    lastTs: row.last_ts ? new Date(row.last_ts).getTime() : undefined,
    lastSuccess: row.last_success ?? undefined,
    lastDurationMs: row.last_duration_ms ?? undefined,
    lastDetail: row.last_detail,
    incidentId: row.incident,
  }));
}

export async function listModules(db: Queryable, page: { limit: number; offset: number }): Promise<Listed<ModuleRecord>> {
  const r = await db.query<{
    id: string; name: string; description: string; slo: number; tags: Record<string, unknown>; targets: number; up: number; degraded: number; down: number; unknown: number; down_since: Date | null; total: number;
  }>(
    `SELECT m.id, m.name, m.description, m.slo, m.tags,
            count(t.id)::int AS targets,
            count(*) FILTER (WHERE s.state = 'up')::int AS up,
            count(*) FILTER (WHERE s.state = 'degraded')::int AS degraded,
            count(*) FILTER (WHERE s.state = 'down')::int AS down,
            count(*) FILTER (WHERE t.id IS NOT NULL AND coalesce(s.state, 'unknown') = 'unknown')::int AS unknown,
            min(s.since) FILTER (WHERE s.state = 'down') AS down_since,
            count(*) OVER ()::int AS total
       FROM modules m
       LEFT JOIN targets t ON t.module_id = m.id AND t.active
       LEFT JOIN target_state s ON s.target_id = t.id
      WHERE m.active
      GROUP BY m.id ORDER BY m.id LIMIT $1 OFFSET $2`,
    [page.limit, page.offset],
  );
  return {
    total: r.rows[0]?.total ?? 0,
    items: r.rows.map((m) => ({
      id: m.id, name: m.name, description: m.description, slo: m.slo, tags: m.tags, downSince: ms(m.down_since),
      targets: { total: m.targets, up: m.up, degraded: m.degraded, down: m.down, unknown: m.unknown },
    })),
  };
}

const TARGET_COLS = `t.id, t.module_id, m.name AS module_name, t.name, t.type, t.interval_ms, t.tags,
  coalesce(s.state, 'unknown') AS state, s.since, s.consecutive_failures, s.last_ts, s.last_success, s.last_duration_ms,
  s.last_error_code, s.last_error`;

type TargetRow = {
  id: string; module_id: string; module_name: string | null; name: string; type: string; interval_ms: number; tags: Record<string, string>;
  state: TargetStateName; since: Date | null; consecutive_failures: number | null; last_ts: Date | null; last_success: boolean | null;
  last_duration_ms: number | null; last_error_code: string | null; last_error: string | null;
};

const target = (r: TargetRow): TargetRecord => ({
  id: r.id, moduleId: r.module_id, moduleName: r.module_name, name: r.name, type: r.type, intervalMs: r.interval_ms, tags: r.tags, state: r.state,
  since: ms(r.since), consecutiveFailures: r.consecutive_failures ?? 0,
  last: r.last_ts ? { ts: new Date(r.last_ts).getTime(), success: r.last_success, durationMs: r.last_duration_ms, errorCode: r.last_error_code, error: r.last_error } : null,
});

/** What a target list asks for: the filters (all optional, ANDed), a search over id, name and address, a sort. */
export interface TargetQuery {
  module?: string | null;
  states?: TargetStateName[];
  type?: string | null;
  /** A tag: key (present) or key=value. */
  tag?: { key: string; value?: string } | null;
  /** The department that owns it: the target's tags.department, else its module's. */
  department?: string | null;
  /** Free text: part of the id, name, URL or host (case-insensitive). */
  q?: string;
  /** state: worst first (down, degraded, unknown, up); name; since: last state change; module; id. */
  sort?: { key: TargetSortKey; desc: boolean };
}

export const TARGET_SORTS = ['module', 'state', 'name', 'since', 'id'] as const;
export type TargetSortKey = (typeof TARGET_SORTS)[number];

const TARGET_ORDER: Record<TargetSortKey, string> = {
  module: 't.module_id',
  state: `CASE coalesce(s.state, 'unknown') WHEN 'down' THEN 0 WHEN 'degraded' THEN 1 WHEN 'unknown' THEN 2 ELSE 3 END`,
  name: 't.name',
  since: 's.since',
  id: 't.id',
};

/** A page of active targets and how many match in all (the count uses the same WHERE; two queries, no per-row ones). */
export async function listTargets(db: Queryable, f: TargetQuery, page: { limit: number; offset: number }): Promise<Listed<TargetRecord>> {
  const where = ['t.active'];
  const params: unknown[] = [];
  const add = (sql: string, ...v: unknown[]) => {
    let out = sql;
    for (const x of v) {
      params.push(x);
      out = out.replace('?', `$${params.length}`);
    }
    where.push(out);
  };
  if (f.module) add('t.module_id = ?', f.module);
  if (f.states?.length) add(`coalesce(s.state, 'unknown') = ANY(?::text[])`, f.states);
  if (f.type) add('t.type = ?', f.type);
  if (f.tag) f.tag.value === undefined ? add('jsonb_exists(t.tags, ?)', f.tag.key) : add('t.tags @> ?::jsonb', JSON.stringify({ [f.tag.key]: f.tag.value }));
  if (f.department) add(`coalesce(t.tags->>'department', m.tags->>'department') = ?`, f.department);
  // targets.search_text (sql/051) is lower(id name url-or-host).
  if (f.q) add(`t.search_text LIKE ? ESCAPE '\\'`, likeAnywhere(f.q.toLowerCase()));
  const sort = f.sort ?? { key: 'module', desc: false };
  const dir = sort.desc ? 'DESC' : 'ASC';
  const order = `${TARGET_ORDER[sort.key]} ${dir}${sort.key === 'since' ? (sort.desc ? ' NULLS LAST' : ' NULLS FIRST') : ''}, t.id ${dir}`;
  // The count needs the state only to filter by it.
  const from = `FROM targets t ${f.states?.length ? 'LEFT JOIN target_state s ON s.target_id = t.id' : ''} ${f.department ? 'LEFT JOIN modules m ON m.id = t.module_id' : ''} WHERE ${where.join(' AND ')}`;
  const [r, n] = await Promise.all([
    db.query<TargetRow>(
      `SELECT ${TARGET_COLS} FROM targets t LEFT JOIN modules m ON m.id = t.module_id LEFT JOIN target_state s ON s.target_id = t.id
        WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, page.limit, page.offset],
    ),
    db.query<{ n: number }>(`SELECT count(*)::int AS n ${from}`, params),
  ]);
  return { total: n.rows[0]?.n ?? 0, items: r.rows.map(target) };
}

/** The departments that own targets (their own tags.department, else their module's), for the list's filter. */
export async function listDepartments(db: Queryable): Promise<{ department: string; targets: number }[]> {
  const r = await db.query<{ department: string; n: number }>(
    `SELECT coalesce(t.tags->>'department', m.tags->>'department') AS department, count(*)::int AS n
       FROM targets t LEFT JOIN modules m ON m.id = t.module_id
      WHERE t.active AND coalesce(t.tags->>'department', m.tags->>'department', '') <> ''
      GROUP BY 1 ORDER BY 1`,
  );
  return r.rows.map((x) => ({ department: x.department, targets: x.n }));
}

export async function targetDetail(db: Queryable, id: string, now: number): Promise<TargetDetailRecord | null> {
  const r = await db.query<TargetRow & {
    spec: Record<string, unknown>; failure_threshold: number; success_threshold: number; active: boolean; last_detail: Record<string, unknown> | null;
    open_incident: { id: string; started_at: string; first_error_code: string | null; first_error: string | null } | null; avail_24h: number | null;
  }>(
    `SELECT ${TARGET_COLS}, t.spec, t.failure_threshold, t.success_threshold, t.active, s.last_detail,
            (SELECT row_to_json(i) FROM (SELECT id, started_at, first_error_code, first_error FROM incidents
                WHERE target_id = t.id AND ended_at IS NULL ORDER BY started_at DESC LIMIT 1) i) AS open_incident,
            (SELECT sum(ok)::float8 / nullif(sum(n), 0) FROM probe_results_1h WHERE target_id = t.id AND bucket >= $2) AS avail_24h
       FROM targets t
       LEFT JOIN modules m ON m.id = t.module_id
       LEFT JOIN target_state s ON s.target_id = t.id
      WHERE t.id = $1`,
    [id, new Date(now - 24 * 3600_000)],
  );
  const t = r.rows[0];
  if (!t) return null;
  const i = t.open_incident;
  return {
    ...target(t),
    active: t.active,
    spec: t.spec,
    failureThreshold: t.failure_threshold,
    successThreshold: t.success_threshold,
    lastDetail: t.last_detail ?? null,
    openIncident: i ? { id: i.id, startedAt: new Date(i.started_at).getTime(), firstErrorCode: i.first_error_code, firstError: i.first_error } : null,
    availability24h: t.avail_24h == null ? null : Number(t.avail_24h),
  };
}

/** How many active targets are in each state. */
export async function stateCounts(db: Queryable): Promise<StateCounts> {
  const r = await db.query<{ state: TargetStateName; n: number }>(
    `SELECT coalesce(s.state, 'unknown') AS state, count(*)::int AS n FROM targets t LEFT JOIN target_state s ON s.target_id = t.id
      WHERE t.active GROUP BY 1`,
  );
  const counts: StateCounts = { up: 0, degraded: 0, down: 0, unknown: 0 };
  for (const s of r.rows) counts[s.state] = s.n;
  return counts;
}

export async function openIncidentCount(db: Queryable): Promise<number> {
  return (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM incidents WHERE ended_at IS NULL`)).rows[0]?.n ?? 0;
}

/** Every active module with its targets' states and its successes over 24 h, 7 d and 30 d. */
export async function moduleAvailability(db: Queryable, now: number): Promise<ModuleAvailabilityRecord[]> {
  const r = await db.query<{ id: string; name: string; slo: number; up: number | null; degraded: number | null; down: number | null; unknown: number | null; ok24: unknown; n24: unknown; ok7: unknown; n7: unknown; ok30: unknown; n30: unknown }>(
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
    [new Date(now - 86_400_000)],
  );
  const w = (ok: unknown, n: unknown) => ({ ok: Number(ok ?? 0), n: Number(n ?? 0) });
  return r.rows.map((m) => ({
    id: m.id, name: m.name, slo: Number(m.slo),
    states: { up: Number(m.up ?? 0), degraded: Number(m.degraded ?? 0), down: Number(m.down ?? 0), unknown: Number(m.unknown ?? 0) },
    windows: { '24h': w(m.ok24, m.n24), '7d': w(m.ok7, m.n7), '30d': w(m.ok30, m.n30) },
  }));
}

/**
 * Recomputes the 7 d / 30 d per-module availability from the 1-hour rollup into module_availability (the expensive
 * part of the overview: every target's hours).
 */
export async function refreshModuleAvailability(db: Queryable, now: number): Promise<void> {
  const DAY = 86_400_000;
  await db.query(
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

/** The oldest computation in module_availability (null: never computed). */
export async function moduleAvailabilityComputedAt(db: Queryable): Promise<number | null> {
  const r = await db.query<{ at: Date | null }>(`SELECT min(computed_at) AS at FROM module_availability`);
  return ms(r.rows[0]?.at);
}

export async function listIncidents(
  db: Queryable,
  f: { module: string | null; target: string | null; from: number | null; to: number | null; open: boolean | null; q?: string; sortDesc?: boolean },
  page: { limit: number; offset: number },
): Promise<Listed<IncidentRecord>> {
  const where = `($1::text IS NULL OR i.module_id = $1) AND ($2::text IS NULL OR i.target_id = $2)
        AND ($3::timestamptz IS NULL OR coalesce(i.ended_at, 'infinity') >= $3) AND ($4::timestamptz IS NULL OR i.started_at < $4)
        AND ($5::boolean IS NULL OR (i.ended_at IS NULL) = $5)
        AND ($6::text IS NULL OR i.target_id ILIKE $6 ESCAPE '\\' OR t.name ILIKE $6 ESCAPE '\\' OR i.first_error ILIKE $6 ESCAPE '\\')`;
  const params = [f.module, f.target, f.from != null ? new Date(f.from) : null, f.to != null ? new Date(f.to) : null, f.open, f.q ? likeAnywhere(f.q) : null];
  const [r, n] = await Promise.all([
    db.query<{ id: string; target_id: string; module_id: string; started_at: Date; ended_at: Date | null; first_error_code: string | null; first_error: string | null; target_name: string | null; module_name: string | null }>(
      `SELECT i.id, i.target_id, i.module_id, i.started_at, i.ended_at, i.first_error_code, i.first_error, t.name AS target_name, m.name AS module_name
         FROM incidents i LEFT JOIN targets t ON t.id = i.target_id LEFT JOIN modules m ON m.id = i.module_id
        WHERE ${where} ORDER BY i.started_at ${f.sortDesc === false ? 'ASC' : 'DESC'}, i.id LIMIT $7 OFFSET $8`,
      [...params, page.limit, page.offset],
    ),
    db.query<{ n: number }>(`SELECT count(*)::int AS n FROM incidents i LEFT JOIN targets t ON t.id = i.target_id WHERE ${where}`, params),
  ]);
  return {
    total: n.rows[0]?.n ?? 0,
    items: r.rows.map((i) => ({
      id: i.id, targetId: i.target_id, targetName: i.target_name, moduleId: i.module_id, moduleName: i.module_name,
      startedAt: new Date(i.started_at).getTime(), endedAt: ms(i.ended_at), firstErrorCode: i.first_error_code, firstError: i.first_error,
    })),
  };
}
