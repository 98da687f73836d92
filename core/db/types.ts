/** One database interface, two back ends (embedded PGlite + TimescaleDB, or a TimescaleDB server through pg). */
export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<T>>;
  /** Runs several statements without parameters (migrations, maintenance). */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: 'embedded' | 'server';
  /** Runs fn in one transaction; rolls back if it throws. */
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  /**
   * Inserts many rows with multi-row INSERTs (chunked under PostgreSQL's 65,535-parameter limit).
   * `suffix` is appended to every statement, e.g. `ON CONFLICT DO NOTHING`. Returns rows inserted.
   */
  insertMany(table: string, columns: string[], rows: unknown[][], suffix?: string, q?: Queryable): Promise<number>;
  /**
   * Tries to take a session-level advisory lock on a dedicated connection and keeps it until release()
   * or until the connection dies (then `held()` turns false). The embedded database belongs to one process,
   * so there the lock is always granted.
   */
  tryLock(key: number): Promise<LockHandle | null>;
  /**
   * Embedded only: a consistent copy of the data folder as a tar (members relative to the folder: /PG_VERSION,
   * /base/...), taken while the database runs; ops/restore puts it into an empty folder. A server has no such copy
   * (back it up with pg_dump: ops/backup).
   */
  dumpDataDir?(): Promise<Uint8Array>;
  /**
   * LISTEN on a channel: `onNotify` gets each NOTIFY payload (sent on commit, from any session). On a server it is a
   * dedicated connection outside the pool that reconnects by itself; `onReconnect` is called when it is back after
   * a loss (notifications in between are gone: a listener should re-read what it shows). The embedded database hears
   * its own sessions (it has no others). Returns the unlisten function.
   */
  listen?(channel: string, onNotify: (payload: string) => void, onReconnect?: () => void): Promise<() => Promise<void>>;
  /** True while the database answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface LockHandle {
  held(): boolean;
  release(): Promise<void>;
}

/** PostgreSQL's type OID of DATE: both back ends return it as the text yyyy-MM-dd, never as a Date. */
export const DATE_OID = 1082;
