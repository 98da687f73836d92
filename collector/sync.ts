import type { Db } from '../core/db';
import { configJson, type CollectorConfig } from './config';
import { probeTypeNames, probeTypeOf } from './probes/index';

/** Spec keys never mirrored into the database: credentials, and the keys probe types' state fills in at run time. */
const HIDDEN = new Set<string>(['auth', 'token', 'password', 'body', ...probeTypeNames.flatMap((t) => probeTypeOf(t)?.state?.keys ?? [])]);

/** The spec as the API may show it: no credentials, header values masked. */
export function publicSpec(spec: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries((spec ?? {}) as Record<string, unknown>)) {
    if (HIDDEN.has(k)) continue;
    if (k === 'headers' && v && typeof v === 'object') out[k] = Object.fromEntries(Object.keys(v).map((h) => [h, '***']));
    else out[k] = v;
  }
  return out;
}

/**
 * Mirrors the configured modules and targets into the `modules` / `targets` tables (at start and on every reload), so
 * SQL can join names, modules and tags. Removed ones are kept, marked inactive: their history still points at them.
 */
export async function syncCatalog(db: Db, c: CollectorConfig, prev?: CollectorConfig): Promise<void> {
  // After a reload only what changed is written (an edit of one of 10,000 targets is one row), the rest is as it was.
  const same = <T extends { id: string }>(list: T[], before: T[] | undefined) => {
    if (!before) return list;
    const old = new Map(before.map((x) => [x.id, configJson(x)]));
    return list.filter((x) => old.get(x.id) !== configJson(x));
  };
  const modules = same(c.modules, prev?.modules);
  const targets = same(c.targets, prev?.targets);
  await db.tx(async (q) => {
    if (modules.length) {
      await db.insertMany(
        'modules',
        ['id', 'name', 'description', 'slo', 'tags', 'active', 'updated_at'],
        modules.map((m) => [m.id, m.name, m.description, m.slo, JSON.stringify(m.tags), true, new Date()]),
        `ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description, slo = EXCLUDED.slo,
           tags = EXCLUDED.tags, active = true, updated_at = EXCLUDED.updated_at`,
        q,
      );
    }
    const gone = <T extends { id: string }>(list: T[], before: T[]) => {
      const now = new Set(list.map((x) => x.id));
      return before.filter((x) => !now.has(x.id)).map((x) => x.id);
    };
    if (!prev) await q.query(`UPDATE modules SET active = false, updated_at = now() WHERE active AND NOT (id = ANY($1::text[]))`, [c.modules.map((m) => m.id)]);
    else if (gone(c.modules, prev.modules).length) await q.query(`UPDATE modules SET active = false, updated_at = now() WHERE id = ANY($1::text[])`, [gone(c.modules, prev.modules)]);
    if (targets.length) {
      await db.insertMany(
        'targets',
        ['id', 'module_id', 'name', 'type', 'interval_ms', 'failure_threshold', 'success_threshold', 'tags', 'spec', 'active', 'updated_at'],
        targets.map((t) => [t.id, t.module, t.name, t.type, t.interval, t.failureThreshold, t.successThreshold, JSON.stringify(t.tags), JSON.stringify(publicSpec(t.spec)), t.enabled, new Date()]),
        `ON CONFLICT (id) DO UPDATE SET module_id = EXCLUDED.module_id, name = EXCLUDED.name, type = EXCLUDED.type,
           interval_ms = EXCLUDED.interval_ms, failure_threshold = EXCLUDED.failure_threshold, success_threshold = EXCLUDED.success_threshold,
           tags = EXCLUDED.tags, spec = EXCLUDED.spec, active = EXCLUDED.active, updated_at = EXCLUDED.updated_at`,
        q,
      );
    }
    if (!prev) await q.query(`UPDATE targets SET active = false, updated_at = now() WHERE active AND NOT (id = ANY($1::text[]))`, [c.targets.map((t) => t.id)]);
    else if (gone(c.targets, prev.targets).length) await q.query(`UPDATE targets SET active = false, updated_at = now() WHERE id = ANY($1::text[])`, [gone(c.targets, prev.targets)]);
  });
}
