import { Hono } from 'hono';
import { httpError, page, requirePermission, type AppEnv } from '../../core/http';
import type { Db } from '../../core/db';
import { iso, type RouteDeps } from './deps';

export type ModuleStatus = 'up' | 'degraded' | 'down' | 'maintenance' | 'unknown';

/** A module's status from its targets' states: maintenance wins, then any down, then any degraded, then up. */
export function rollUp(counts: { up: number; degraded: number; down: number; unknown: number }, inMaintenance: boolean): ModuleStatus {
  if (inMaintenance) return 'maintenance';
  if (counts.down > 0) return 'down';
  if (counts.degraded > 0) return 'degraded';
  if (counts.up > 0) return 'up';
  return 'unknown';
}

/**
 * Active maintenance windows (the alerts area's table). Read defensively: in a process where that table or its
 * function does not exist yet, there is simply no maintenance.
 */
export async function activeMaintenance(db: Db, at: number): Promise<{ modules: Set<string>; targets: Set<string> }> {
  const out = { modules: new Set<string>(), targets: new Set<string>() };
  try {
    const r = await db.query<{ module_id: string | null; target_id: string | null }>(
      `SELECT module_id, target_id FROM maintenance_windows WHERE expired_at IS NULL AND starts_at <= $1 AND ends_at > $1`,
      [new Date(at)],
    );
    for (const w of r.rows) {
      if (w.module_id) out.modules.add(w.module_id);
      if (w.target_id) out.targets.add(w.target_id);
    }
  } catch {
    /* no maintenance table here */
  }
  return out;
}

const TARGET_COLS = `t.id, t.module_id, m.name AS module_name, t.name, t.type, t.interval_ms, t.tags,
  coalesce(s.state, 'unknown') AS state, s.since, s.consecutive_failures, s.last_ts, s.last_success, s.last_duration_ms,
  s.last_error_code, s.last_error`;

function targetJson(r: Record<string, unknown>, maint: { modules: Set<string>; targets: Set<string> }) {
  return {
    id: r.id,
    module: r.module_id,
    moduleName: r.module_name,
    name: r.name,
    type: r.type,
    intervalMs: r.interval_ms,
    tags: r.tags,
    state: r.state,
    since: iso(r.since),
    maintenance: maint.targets.has(String(r.id)) || maint.modules.has(String(r.module_id)),
    consecutiveFailures: r.consecutive_failures ?? 0,
    last: r.last_ts ? { ts: iso(r.last_ts), success: r.last_success, durationMs: r.last_duration_ms, errorCode: r.last_error_code, error: r.last_error } : null,
  };
}

/** GET /modules, /targets, /targets/:id, /targets/:id/results. */
export function healthRoutes(d: RouteDeps) {
  const r = new Hono<AppEnv>();

  r.get('/modules', requirePermission('read'), async (c) => {
    const { limit, offset } = page(c);
    const rows = await d.db.query<Record<string, any>>(
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
      [limit, offset],
    );
    const maint = await activeMaintenance(d.db, d.clock());
    return c.json({
      total: rows.rows[0]?.total ?? 0,
      limit,
      offset,
      items: rows.rows.map((m) => ({
        id: m.id,
        name: m.name,
        description: m.description,
        slo: m.slo,
        tags: m.tags,
        status: rollUp(m as never, maint.modules.has(m.id)),
        downSince: iso(m.down_since),
        targets: { total: m.targets, up: m.up, degraded: m.degraded, down: m.down, unknown: m.unknown },
      })),
    });
  });

  r.get('/targets', requirePermission('read'), async (c) => {
    const { limit, offset } = page(c);
    const module = c.req.query('module') || null;
    const state = c.req.query('state') || null;
    const type = c.req.query('type') || null;
    if (state && !['up', 'down', 'degraded', 'unknown'].includes(state)) return httpError(c, 400, 'bad_state', 'state 只能是 up, down, degraded, unknown');
    const rows = await d.db.query<Record<string, unknown>>(
      `SELECT ${TARGET_COLS}, count(*) OVER ()::int AS total
         FROM targets t
         LEFT JOIN modules m ON m.id = t.module_id
         LEFT JOIN target_state s ON s.target_id = t.id
        WHERE t.active AND ($1::text IS NULL OR t.module_id = $1) AND ($2::text IS NULL OR coalesce(s.state, 'unknown') = $2)
          AND ($3::text IS NULL OR t.type = $3)
        ORDER BY t.module_id, t.id LIMIT $4 OFFSET $5`,
      [module, state, type, limit, offset],
    );
    const maint = await activeMaintenance(d.db, d.clock());
    return c.json({ total: rows.rows[0]?.total ?? 0, limit, offset, items: rows.rows.map((x) => targetJson(x, maint)) });
  });

  r.get('/targets/:id', requirePermission('read'), async (c) => {
    const id = c.req.param('id');
    const now = d.clock();
    const rows = await d.db.query<Record<string, unknown>>(
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
    const t = rows.rows[0];
    if (!t) return httpError(c, 404, 'no_target', `没有这个监测对象: ${id}`);
    const maint = await activeMaintenance(d.db, now);
    return c.json({
      ...targetJson(t, maint),
      active: t.active,
      spec: t.spec,
      failureThreshold: t.failure_threshold,
      successThreshold: t.success_threshold,
      lastDetail: t.last_detail ?? null,
      openIncident: t.open_incident ?? null,
      availability24h: t.avail_24h == null ? null : Number(t.avail_24h) * 100,
    });
  });

  r.get('/targets/:id/results', requirePermission('read'), async (c) => {
    const { limit, offset } = page(c, 50, 500);
    const failures = ['1', 'true', 'yes'].includes(c.req.query('failures') ?? '');
    const rows = await d.db.query<Record<string, unknown>>(
      `SELECT result_id, ts, success, duration_ms, status_code, dns_ms, connect_ms, tls_ms, ttfb_ms, transfer_ms, error_code, error, detail
         FROM probe_results
        WHERE target_id = $1 ${failures ? 'AND NOT success' : ''}
        ORDER BY ts DESC LIMIT $2 OFFSET $3`,
      [c.req.param('id'), limit, offset],
    );
    return c.json({
      limit,
      offset,
      items: rows.rows.map((x) => ({
        resultId: x.result_id,
        ts: iso(x.ts),
        success: x.success,
        durationMs: x.duration_ms,
        statusCode: x.status_code,
        phases: { resolve: x.dns_ms, connect: x.connect_ms, tls: x.tls_ms, processing: x.ttfb_ms, transfer: x.transfer_ms },
        errorCode: x.error_code,
        error: x.error,
        detail: x.detail,
      })),
    });
  });
  return r;
}
