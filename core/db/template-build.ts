import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { gzipSync } from 'node:zlib';
import { openEmbedded } from './pglite';
import { migrate } from './migrate';
import { defaultTemplatePath } from './pglite-template';

/**
 * Builds the embedded database's template (core/db/pglite-template.ts): a cluster in memory with TimescaleDB and every
 * migration, dumped as a gzipped tar and renamed into place atomically. Returns its size in bytes.
 */
export async function buildTemplate(path = defaultTemplatePath()): Promise<number> {
  const db = await openEmbedded(undefined, { template: null });
  try {
    await migrate(db);
    const tar = gzipSync(await db.dumpDataDir!());
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(`${path}.tmp`, tar);
    renameSync(`${path}.tmp`, path);
    return tar.length;
  } finally {
    await db.close();
  }
}
