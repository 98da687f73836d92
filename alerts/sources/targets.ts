import type { Queryable } from '../../core/db';
import { ms, num, readSource } from './safe';

/** A target with its module and its current state (targets ⋈ modules ⋈ target_state). */
export interface TargetView {
  id: string;
  name: string;
  type: string;
  moduleId: string;
  moduleName: string;
  slo: number;
  intervalMs: number;
  failureThreshold: number;
  createdOrUpdated: number;
  state: string | null;
  since: number | null;
  consecutiveFailures: number;
  lastTs: number | null;
  lastErrorCode: string | null;
  lastError: string | null;
}

export interface ModuleView {
  id: string;
  name: string;
  slo: number;
}

/** Every active target with its current state: the input of target_down, module_down and heartbeat (only the columns rules use: this runs over every target each round). */
export async function loadTargets(db: Queryable): Promise<TargetView[]> {
  const rows = await readSource<Record<string, unknown>>(
    db,
    'targets/target_state',
    `SELECT t.id, t.name, t.type, t.module_id, coalesce(m.name, t.module_id) AS module_name, coalesce(m.slo, 99.9) AS slo,
            t.interval_ms, t.failure_threshold, t.updated_at,
            s.state, s.since, s.consecutive_failures, s.last_ts, s.last_error_code, s.last_error
       FROM targets t
       LEFT JOIN modules m ON m.id = t.module_id
       LEFT JOIN target_state s ON s.target_id = t.id
      WHERE t.active`,
  );
  return rows.map((r) => ({
    id: String(r.id),
    name: String(r.name),
    type: String(r.type),
    moduleId: String(r.module_id),
    moduleName: String(r.module_name),
    slo: Number(r.slo),
    intervalMs: Number(r.interval_ms),
    failureThreshold: Number(r.failure_threshold ?? 3),
    createdOrUpdated: ms(r.updated_at) ?? 0,
    state: (r.state as string) ?? null,
    since: ms(r.since),
    consecutiveFailures: num(r.consecutive_failures) ?? 0,
    lastTs: ms(r.last_ts),
    lastErrorCode: (r.last_error_code as string) ?? null,
    lastError: (r.last_error as string) ?? null,
  }));
}

export async function loadModules(db: Queryable): Promise<ModuleView[]> {
  const rows = await readSource<{ id: string; name: string; slo: number }>(db, 'modules', 'SELECT id, name, slo FROM modules');
  return rows.map((r) => ({ id: r.id, name: r.name, slo: Number(r.slo) }));
}
