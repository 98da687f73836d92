import type { Queryable } from './db';
import { diffObjects, type Actor } from './config/store';
import type { ObjectData, RecordAction, RecordVersion } from '../contract/config';

export type { RecordAction, RecordVersion } from '../contract/config';

/**
 * The version history of records that live in their own tables rather than in the configuration store (silences,
 * maintenance windows; sql/060_record_versions.sql): the writer records each change in the transaction that makes it
 * (who, when, why, the record before and after); the history answers with the field diff, as the store's does
 * (core/config/store.ts). A rollback is the area's own write of an old version's `after`, recorded as `rollback`.
 * The core knows no kind: "silence", "maintenance" are the areas' names.
 */

interface Row {
  seq: string;
  kind: string;
  id: string;
  version: number;
  action: RecordAction;
  before: ObjectData | null;
  after: ObjectData | null;
  actor: string;
  role: string | null;
  reason: string;
  ts: Date | string;
}

const view = (r: Row): RecordVersion => ({ ...r, seq: Number(r.seq), ts: new Date(r.ts).toISOString(), diff: diffObjects(r.before ?? {}, r.after ?? {}) });

/** Records one version of a record (its next number), in the writer's transaction; null when nothing changed. */
export async function recordVersion(
  q: Queryable,
  e: { kind: string; id: string | number; action: RecordAction; before: ObjectData | null; after: ObjectData | null; actor: Actor; ts: number },
): Promise<RecordVersion | null> {
  const id = String(e.id);
  if (e.action === 'update' && diffObjects(e.before ?? {}, e.after ?? {}).length === 0) return null;
  // One writer of a record's history at a time (the version numbers stay gapless and unique).
  await q.query(`SELECT pg_advisory_xact_lock(hashtext($1 || ':' || $2))`, [e.kind, id]);
  const r = await q.query<Row>(
    `INSERT INTO record_versions (kind, id, version, action, before, after, actor, role, reason, ts)
     SELECT $1, $2, coalesce(max(version), 0) + 1, $3, $4, $5, $6, $7, $8, $9 FROM record_versions WHERE kind = $1 AND id = $2
     RETURNING seq, kind, id, version, action, before, after, actor, role, reason, ts`,
    [e.kind, id, e.action, e.before && JSON.stringify(e.before), e.after && JSON.stringify(e.after), e.actor.name, e.actor.role ?? null, e.actor.reason ?? '', new Date(e.ts)],
  );
  return view(r.rows[0]);
}

/** Every version of a record, newest first, with the field diff. */
export async function versionHistory(q: Queryable, kind: string, id: string | number, limit = 200): Promise<RecordVersion[]> {
  const r = await q.query<Row>(
    `SELECT seq, kind, id, version, action, before, after, actor, role, reason, ts FROM record_versions WHERE kind = $1 AND id = $2 ORDER BY version DESC LIMIT $3`,
    [kind, String(id), limit],
  );
  return r.rows.map(view);
}

/** One version of a record, or null. */
export async function versionAt(q: Queryable, kind: string, id: string | number, version: number): Promise<RecordVersion | null> {
  const r = await q.query<Row>(
    `SELECT seq, kind, id, version, action, before, after, actor, role, reason, ts FROM record_versions WHERE kind = $1 AND id = $2 AND version = $3`,
    [kind, String(id), version],
  );
  return r.rows[0] ? view(r.rows[0]) : null;
}
