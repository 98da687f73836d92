import { Hono } from 'hono';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { Db } from './db';
import type { AuthService } from './auth/service';
import type { Logger } from './log';
import { auditFrom, httpError, requirePermission, type AppEnv } from './http';

/**
 * POST /api/system/backup (admin): an online backup of the embedded database while city-ops runs. The answer is a
 * gzipped tar of the database folder (members /PG_VERSION, /base/...), consistent at one point between transactions;
 * `ops/restore FILE` puts it into an empty folder. On a database server it answers 501: back that up with
 * pg_dump (`ops/backup FILE.dump`), which sees the server's own consistent snapshot.
 */
export function createBackupRoutes(deps: { db: Db; auth: AuthService; log: Logger }) {
  const { db, auth, log } = deps;
  const app = new Hono<AppEnv>();

  app.post('/backup', requirePermission('system:backup'), async (c) => {
    if (db.kind !== 'embedded' || !db.dumpDataDir) {
      return httpError(c, 501, 'use_pg_dump',
        'the database is a PostgreSQL server: back it up with pg_dump, e.g. `DATABASE_URL=... ops/backup FILE.dump` (see docs/ops.md); the online backup here is for the embedded database');
    }
    const t0 = Date.now();
    const tar = await db.dumpDataDir();
    const ms = Date.now() - t0;
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    const file = `city-ops-db-${stamp}.tar.gz`;
    await auditFrom(c, auth, { action: 'system.backup', target: 'database', details: { file, tarBytes: tar.byteLength, ms } });
    log.info({ file, tarBytes: tar.byteLength, ms, by: c.get('principal')?.name }, 'online backup of the embedded database');
    // The copy is whole in memory (PGlite builds it so); it is compressed on the way out.
    const gz = Readable.from([Buffer.from(tar.buffer, tar.byteOffset, tar.byteLength)]).pipe(createGzip());
    return new Response(Readable.toWeb(gz) as ReadableStream, {
      headers: {
        'content-type': 'application/gzip',
        'content-disposition': `attachment; filename="${file}"`,
        'cache-control': 'no-store',
        'x-backup-format': 'pgdata-tar-gzip',
      },
    });
  });

  return app;
}
