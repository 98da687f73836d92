import pg from 'pg';
import type { Db, LockHandle, Queryable, QueryResult } from './types';
import { insertRows } from './insert';
import { DATE_OID } from './types';

// Return int8/numeric as JS numbers where safe: counts and sums here stay far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));
// A DATE column is a calendar day: keep it yyyy-MM-dd (pg's default is a Date at local midnight, which serialises
// as the previous day's T16:00:00.000Z in UTC+8).
pg.types.setTypeParser(DATE_OID, (v) => v);

export interface ServerOptions {
  url: string;
  poolSize?: number;
  statementTimeoutMs?: number;
  onError?: (err: Error) => void;
}

/** A TimescaleDB server through a pg pool. The pool reconnects by itself: a broken client is dropped and replaced. */
export async function openServer(opts: ServerOptions): Promise<Db> {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.poolSize ?? 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: opts.statementTimeoutMs ?? 30_000,
    application_name: 'city-ops',
  });
  pool.on('error', (err) => opts.onError?.(err));
  const self: Queryable = {
    async query<T>(sql: string, params?: unknown[]): Promise<QueryResult<T>> {
      const r = await pool.query(sql, params);
      return { rows: r.rows as T[], rowCount: r.rowCount ?? r.rows.length };
    },
    async exec(sql: string) {
      await pool.query(sql);
    },
  };
  const db: Db = {
    kind: 'server',
    query: self.query,
    exec: self.exec,
    async tx(fn) {
      const client = await pool.connect();
      // A checked-out client has no pool listener: without ours, a server that dies between two statements of
      // the transaction would raise an unhandled 'error' and end the process.
      let broken: Error | undefined;
      const onError = (err: Error) => {
        broken = err;
        opts.onError?.(err);
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const out = await fn({
          async query<T>(sql: string, params?: unknown[]) {
            const r = await client.query(sql, params);
            return { rows: r.rows as T[], rowCount: r.rowCount ?? r.rows.length };
          },
          async exec(sql: string) {
            await client.query(sql);
          },
        });
        await client.query('COMMIT');
        return out;
      } catch (err) {
        if (!broken) await client.query('ROLLBACK').catch((e: Error) => (broken = e));
        throw err;
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    },
    insertMany(table, columns, rows, suffix, q) {
      return insertRows(q ?? self, table, columns, rows, suffix);
    },
    async tryLock(key): Promise<LockHandle | null> {
      // A session lock needs its own connection, outside the pool, so it lives exactly as long as that session.
      const client = new pg.Client({ connectionString: opts.url, application_name: 'city-ops-leader' });
      let held = false;
      client.on('error', () => {
        held = false;
      });
      client.on('end', () => {
        held = false;
      });
      try {
        await client.connect();
        const r = await client.query('SELECT pg_try_advisory_lock($1) AS ok', [key]);
        held = r.rows[0].ok === true;
      } catch {
        held = false;
      }
      if (!held) {
        await client.end().catch(() => undefined);
        return null;
      }
      return {
        held: () => held,
        async release() {
          held = false;
          await client.query('SELECT pg_advisory_unlock($1)', [key]).catch(() => undefined);
          await client.end().catch(() => undefined);
        },
      };
    },
    async listen(channel, onNotify, onReconnect) {
      // LISTEN belongs to a session: its own connection, outside the pool, re-opened (every second at most) when it
      // drops. The channel name is an identifier, so it is checked, not interpolated blindly.
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`listen: channel ${JSON.stringify(channel)} is not a plain identifier`);
      let client: pg.Client | undefined;
      let stopped = false;
      let lost = false;
      let retry: NodeJS.Timeout | undefined;
      const connect = async () => {
        if (stopped) return;
        const c = new pg.Client({ connectionString: opts.url, application_name: 'city-ops-listen' });
        const broken = () => {
          if (client !== c || stopped) return;
          client = undefined;
          lost = true;
          c.end().catch(() => undefined);
          retry = setTimeout(connect, 1000);
          retry.unref();
        };
        c.on('error', broken);
        c.on('end', broken);
        c.on('notification', (m) => {
          if (m.channel === channel) onNotify(m.payload ?? '');
        });
        client = c;
        try {
          await c.connect();
          await c.query(`LISTEN ${channel}`);
          if (lost) {
            lost = false;
            onReconnect?.();
          }
        } catch (err) {
          opts.onError?.(err as Error);
          broken();
        }
      };
      await connect();
      return async () => {
        stopped = true;
        clearTimeout(retry);
        const c = client;
        client = undefined;
        await c?.end().catch(() => undefined);
      };
    },
    async ping() {
      try {
        await pool.query('SELECT 1');
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      await pool.end();
    },
  };
  await db.exec('CREATE EXTENSION IF NOT EXISTS timescaledb');
  return db;
}
