import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from './types';

export const SQL_DIR = new URL('../../sql/', import.meta.url).pathname;

export interface MigrationResult {
  applied: string[];
  skipped: number;
}

/**
 * Applies the numbered files of sql/ in order, each once, each inside one transaction together with its
 * row in schema_migrations, so a failing file leaves the database as it was and is retried next start.
 */
export async function migrate(db: Db, dir = SQL_DIR): Promise<MigrationResult> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
  const files = readdirSync(dir)
    .filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f))
    .sort();
  const done = new Set(
    (await db.query<{ version: string }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version),
  );
  const applied: string[] = [];
  for (const file of files) {
    if (done.has(file)) continue;
    const sql = readFileSync(join(dir, file), 'utf8');
    try {
      await db.tx(async (q) => {
        await q.query(`SELECT pg_advisory_xact_lock(7370700)`);
        const again = await q.query('SELECT 1 FROM schema_migrations WHERE version = $1', [file]);
        if (again.rowCount > 0) return; // another instance applied it while we waited
        await q.exec(sql);
        await q.query('INSERT INTO schema_migrations (version) VALUES ($1)', [file]);
      });
    } catch (err) {
      throw new Error(`migration ${file} failed and was rolled back: ${(err as Error).message}`);
    }
    applied.push(file);
  }
  return { applied, skipped: done.size };
}

