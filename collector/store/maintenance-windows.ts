import type { Queryable } from '../../core/db';

/** Modules and targets under an active maintenance window at `at`. */
export interface ActiveMaintenance {
  modules: Set<string>;
  targets: Set<string>;
}

/** PostgreSQL's undefined_table: the relation does not exist. */
const UNDEFINED_TABLE = '42P01';

/**
 * Active maintenance windows: the alerts area's table (sql/020_alerts.sql), read here to show a module as under
 * maintenance. A database without that table (migrations of the alerts area not applied, e.g. a test's own schema)
 * simply has no maintenance; every other error (the database away, a timeout) is the caller's to see.
 */
export async function activeMaintenance(db: Queryable, at: number): Promise<ActiveMaintenance> {
  const out: ActiveMaintenance = { modules: new Set(), targets: new Set() };
  let rows: { module_id: string | null; target_id: string | null }[];
  try {
    rows = (
      await db.query<{ module_id: string | null; target_id: string | null }>(
        `SELECT module_id, target_id FROM maintenance_windows WHERE expired_at IS NULL AND starts_at <= $1 AND ends_at > $1`,
        [new Date(at)],
      )
    ).rows;
  } catch (err) {
    if ((err as { code?: string }).code === UNDEFINED_TABLE) return out;
    throw err;
  }
  for (const w of rows) {
    if (w.module_id) out.modules.add(w.module_id);
    if (w.target_id) out.targets.add(w.target_id);
  }
  return out;
}
