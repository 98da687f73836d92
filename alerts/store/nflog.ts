import type { Queryable } from '../../core/db';
import type { NflogEntry } from '../notify/plan';

export const nflogKey = (receiver: string, channel: string, groupKey: string) => `${receiver}\u0000${channel}\u0000${groupKey}`;

/** The whole notification log (one row per receiver channel and group: small). */
export async function loadNflog(db: Queryable): Promise<Map<string, NflogEntry>> {
  const r = await db.query<{ receiver: string; channel: string; group_key: string; firing: string[]; resolved: string[]; sent_at: Date }>(
    'SELECT receiver, channel, group_key, firing, resolved, sent_at FROM alert_nflog',
  );
  return new Map(r.rows.map((x) => [nflogKey(x.receiver, x.channel, x.group_key), { firing: x.firing, resolved: x.resolved, sentAt: new Date(x.sent_at).getTime() }]));
}

export async function recordNflog(db: Queryable, receiver: string, channel: string, groupKey: string, e: NflogEntry) {
  await db.query(
    `INSERT INTO alert_nflog (receiver, channel, group_key, firing, resolved, sent_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (receiver, channel, group_key) DO UPDATE SET firing = EXCLUDED.firing, resolved = EXCLUDED.resolved, sent_at = EXCLUDED.sent_at`,
    [receiver, channel, groupKey, e.firing, e.resolved, new Date(e.sentAt)],
  );
}

/** Entries whose group has nothing firing and was last written long ago are no longer needed. */
export async function pruneNflog(db: Queryable, olderThan: number) {
  await db.query(`DELETE FROM alert_nflog WHERE cardinality(firing) = 0 AND sent_at < $1`, [new Date(olderThan)]);
}
