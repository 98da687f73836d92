import { likeAnywhere } from '../../core/input';
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../core/db';
import { formatMatcher, toMatcher, type Matcher } from '../matchers';
import type { Silence } from '../notify/mute';
import type { SilenceInput } from '../silences';

/** Silences (the silences table): written through the API, read by the notifier and the API. */
export interface SilenceRecord extends Silence {
  createdAt: number;
  expiredBy: string | null;
}

const t = (v: unknown) => new Date(v as string).getTime();

function rowToSilence(r: Record<string, unknown>): SilenceRecord {
  return {
    id: String(r.id), team: String(r.team), matchers: r.matchers as Matcher[], startsAt: t(r.starts_at), endsAt: t(r.ends_at),
    createdBy: String(r.created_by), comment: String(r.comment ?? ''), createdAt: t(r.created_at), expiredBy: (r.expired_by as string) ?? null,
  };
}

export async function createSilence(db: Queryable, s: SilenceInput & { matchers: Matcher[] }, author: string, now: number): Promise<string> {
  const id = randomUUID();
  await db.query(
    `INSERT INTO silences (id, team, matchers, starts_at, ends_at, created_by, comment, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [id, s.team, JSON.stringify(s.matchers), new Date(s.startsAt ?? now), new Date(s.endsAt), author, s.comment, new Date(now)],
  );
  return id;
}

export async function getSilence(db: Queryable, id: string): Promise<SilenceRecord | null> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  const r = await db.query('SELECT * FROM silences WHERE id = $1', [id]);
  return r.rows[0] ? rowToSilence(r.rows[0]) : null;
}

/** Expiring ends the silence now (the row stays, for the record). */
export async function expireSilence(db: Queryable, id: string, by: string, now: number) {
  await db.query('UPDATE silences SET starts_at = least(starts_at, $2), ends_at = $2, expired_by = $3 WHERE id = $1 AND ends_at > $2', [id, new Date(now), by]);
}

export async function activeSilences(db: Queryable, now: number): Promise<Silence[]> {
  const r = await db.query('SELECT * FROM silences WHERE starts_at <= $1 AND ends_at > $1', [new Date(now)]);
  return r.rows.map(rowToSilence);
}

/** A page of silences (active, pending or expired at `now`, or all; of a team; matching text), newest first. */
export async function listSilences(
  db: Queryable,
  now: number,
  f: { state?: string; team?: string; q?: string; sortDesc?: boolean },
  limit: number,
  offset: number,
): Promise<{ total: number; items: SilenceRecord[] }> {
  const state = f.state === 'active' ? 'starts_at <= $1 AND ends_at > $1' : f.state === 'pending' ? 'starts_at > $1' : f.state === 'expired' ? 'ends_at <= $1' : 'true';
  const where = `${state} AND $1::timestamptz IS NOT NULL AND ($2::text IS NULL OR team = $2)
    AND ($3::text IS NULL OR comment ILIKE $3 ESCAPE '\\' OR created_by ILIKE $3 ESCAPE '\\' OR matchers::text ILIKE $3 ESCAPE '\\')`;
  const params = [new Date(now), f.team ?? null, f.q ? likeAnywhere(f.q) : null];
  const [r, n] = await Promise.all([
    db.query(`SELECT * FROM silences WHERE ${where} ORDER BY created_at ${f.sortDesc === false ? 'ASC' : 'DESC'}, id LIMIT $4 OFFSET $5`, [...params, limit, offset]),
    db.query<{ n: number }>(`SELECT count(*)::int AS n FROM silences WHERE ${where}`, params),
  ]);
  return { total: Number(n.rows[0]?.n ?? 0), items: r.rows.map(rowToSilence) };
}

/** A silence as one version of its history records it (core/versions.ts): matchers in their text form, times in ISO. */
export function silenceSnapshot(s: SilenceRecord): Record<string, unknown> {
  return {
    team: s.team, matchers: s.matchers.map(formatMatcher), startsAt: new Date(s.startsAt).toISOString(), endsAt: new Date(s.endsAt).toISOString(),
    comment: s.comment, expiredBy: s.expiredBy,
  };
}

/** Edits a silence (an expired one is live again if its new end is ahead). */
export async function updateSilence(db: Queryable, id: string, s: SilenceInput & { matchers: Matcher[] }, now: number) {
  await db.query(`UPDATE silences SET team = $2, matchers = $3, starts_at = $4, ends_at = $5, comment = $6, expired_by = NULL WHERE id = $1`,
    [id, s.team, JSON.stringify(s.matchers), new Date(s.startsAt ?? now), new Date(s.endsAt), s.comment]);
}

/** Writes a snapshot (an old version) back as the silence's content. Throws on a snapshot that is not one. */
export async function restoreSilence(db: Queryable, id: string, snap: Record<string, unknown>) {
  const matchers = (snap.matchers as unknown[]).map(toMatcher);
  const startsAt = new Date(String(snap.startsAt));
  const endsAt = new Date(String(snap.endsAt));
  if (!Number.isFinite(startsAt.getTime()) || !Number.isFinite(endsAt.getTime())) throw new Error('bad snapshot times');
  await db.query(`UPDATE silences SET team = $2, matchers = $3, starts_at = $4, ends_at = $5, comment = $6, expired_by = $7 WHERE id = $1`,
    [id, String(snap.team), JSON.stringify(matchers), startsAt, endsAt, String(snap.comment ?? ''), (snap.expiredBy as string | null) ?? null]);
}
