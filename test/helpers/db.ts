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
