import type { Db } from '../../core/db';
import { makeFixtures } from '../fixtures/records';
import { chinaDate } from '../../core/china-time';

/**
 * Demo data (`reporter.demoSimulator: true` only): when the city holds no records yet, a few hundred records of every
 * type (5 % invalid) are written into reporter_staging, as the city sharing platform would; the first run picks them
 * up through the intake and delivers them to the simulator, so a new user sees the reporting pages filled.
 */
export async function seedDemoStaging(db: Db, now: number): Promise<number> {
  const have = await db.query<{ n: string }>(`SELECT (SELECT count(*) FROM reporter_records) + (SELECT count(*) FROM reporter_staging) AS n`);
  if (Number(have.rows[0].n) > 0) return 0;
  const fx = makeFixtures({ seed: 2026, items: 24, officers: 30, inspections: 400, penalties: 160, coercions: 80, invalidShare: 0.05, today: chinaDate(now) });
  const rows = fx.all().map(([t, r]) => [t, String(r.recordId), JSON.stringify(r), 'UPSERT']);
  await db.insertMany('reporter_staging', ['data_type', 'record_id', 'payload', 'op'], rows);
  return rows.length;
}
