import type { Queryable } from '../../core/db';

export type DeliveryStatus = 'sent' | 'failed' | 'gave_up';

/** One attempt to send one notification through one channel (notification_deliveries). */
export interface DeliveryRecord {
  ts: number;
  receiver: string;
  channel: string;
  groupKey: string;
  status: DeliveryStatus;
  attempt: number;
  /** How many alerts the notification carried. */
  alerts: number;
  firing: boolean;
  durationMs: number | null;
  error: string | null;
  test: boolean;
}

export async function recordDelivery(db: Queryable, d: DeliveryRecord): Promise<void> {
  await db.query(
    `INSERT INTO notification_deliveries (ts, receiver, channel, group_key, status, attempt, alerts, firing, duration_ms, error, test)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [new Date(d.ts), d.receiver, d.channel, d.groupKey, d.status, d.attempt, d.alerts, d.firing, d.durationMs, d.error, d.test],
  );
}

/** A page of the delivery log in [from, to), newest first. */
export async function listDeliveries(db: Queryable, f: { from: number; to: number; receiver?: string; status?: string; limit: number; offset: number }): Promise<{ total: number; items: DeliveryRecord[] }> {
  const rows = (await db.query(
    `SELECT *, count(*) OVER () AS total FROM notification_deliveries
      WHERE ts >= $1 AND ts < $2 AND ($3::text IS NULL OR receiver = $3) AND ($4::text IS NULL OR status = $4)
      ORDER BY ts DESC LIMIT $5 OFFSET $6`,
    [new Date(f.from), new Date(f.to), f.receiver ?? null, f.status ?? null, f.limit, f.offset],
  )).rows;
  return {
    total: Number(rows[0]?.total ?? 0),
    items: rows.map((d) => ({
      ts: new Date(d.ts as string).getTime(), receiver: String(d.receiver), channel: String(d.channel), groupKey: String(d.group_key),
      status: d.status as DeliveryStatus, attempt: Number(d.attempt), alerts: Number(d.alerts), firing: Boolean(d.firing),
      durationMs: d.duration_ms == null ? null : Number(d.duration_ms), error: (d.error as string) ?? null, test: Boolean(d.test),
    })),
  };
}
