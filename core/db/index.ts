import type { Db } from './types';
import { openEmbedded, type EmbeddedCompiler } from './pglite';
import { openServer } from './pg';
import { migrate } from './migrate';

export type { Db, Queryable, QueryResult, LockHandle } from './types';
export { migrate } from './migrate';

export interface DbOptions {
  url?: string;
  dataDir?: string;
  poolSize?: number;
  statementTimeoutMs?: number;
  onError?: (err: Error) => void;
  /** The embedded database's WebAssembly compiler tier (core/db/pglite.ts). */
  embeddedCompiler?: EmbeddedCompiler;
}

/** A server when a URL is given, else the embedded database (in memory when dataDir is undefined). */
export async function openDb(opts: DbOptions): Promise<Db> {
  const db = opts.url
    ? await openServer({ url: opts.url, poolSize: opts.poolSize, statementTimeoutMs: opts.statementTimeoutMs, onError: opts.onError })
    : await openEmbedded(opts.dataDir, { compiler: opts.embeddedCompiler });
  await migrate(db);
  return db;
}
