import type { Queryable } from '../../core/db';

/** Heartbeats pushed by batch jobs (POST /api/collector/heartbeat/:token), one row per push. */

export interface Heartbeat {
  ts: number;
  targetId: string;
  status: 'ok' | 'fail';
  message: string | null;
  sourceIp: string | null;
}

export async function recordHeartbeat(db: Queryable, b: Heartbeat): Promise<void> {
  await db.query(`INSERT INTO heartbeats (ts, target_id, status, message, source_ip) VALUES ($1, $2, $3, $4, $5)`, [new Date(b.ts), b.targetId, b.status, b.message, b.sourceIp]);
}

/** The newest beat of a target, null when it never beat. */
export async function latestHeartbeat(db: Queryable, targetId: string): Promise<{ ts: number; status: 'ok' | 'fail'; message: string | null } | null> {
  const r = await db.query<{ ts: Date; status: 'ok' | 'fail'; message: string | null }>(
    `SELECT ts, status, message FROM heartbeats WHERE target_id = $1 ORDER BY ts DESC LIMIT 1`,
    [targetId],
  );
  const b = r.rows[0];
  return b ? { ts: new Date(b.ts).getTime(), status: b.status, message: b.message } : null;
}
