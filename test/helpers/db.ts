import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDb, type Db } from '../../core/db';

/**
 * A fresh, migrated database for one test file: in memory on the embedded back end, or a new database on the
 * server named by DATABASE_URL (dropped on close). Tests therefore run unchanged on both back ends.
 */
export async function openTestDb(): Promise<Db & { url?: string }> {
  const base = process.env.DATABASE_URL;
  if (!base) return openDb({});
  const name = `t_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(base);
  u.pathname = `/${name}`;
  const db = await openDb({ url: u.toString(), poolSize: 5 });
  const close = db.close.bind(db);
  return Object.assign(db, {
    url: u.toString(),
    async close() {
      await close();
      const a = new pg.Client({ connectionString: base });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await a.end();
    },
  });
}

export const backend = process.env.DATABASE_URL ? 'server' : 'embedded';

/**
 * A Db whose every call throws while `ctl.down` is set: a database outage without stopping a server. `ctl.queries`
 * counts the `query` calls that went through (statements sent).
 */
export function breakableDb(db: Db): { db: Db; ctl: { down: boolean; queries: number } } {
  const ctl = { down: false, queries: 0 };
  const fail = () => {
    if (ctl.down) throw new Error('connect ECONNREFUSED 127.0.0.1:5432 (simulated outage)');
  };
  const wrapped: Db = {
    kind: db.kind,
    query: async (s, p) => (fail(), ctl.queries++, db.query(s, p)),
    exec: async (s) => (fail(), db.exec(s)),
    tx: async (fn) => (fail(), db.tx(fn)),
    insertMany: async (...a) => (fail(), db.insertMany(...a)),
    tryLock: (k) => db.tryLock(k),
    ping: async () => !ctl.down && (await db.ping()),
    close: () => db.close(),
  };
  return { db: wrapped, ctl };
}
