import { randomUUID } from 'node:crypto';
import type { Queryable } from '../core/db';
import { toMatcher, type Matcher } from './matchers';
import type { Silence } from './notify/mute';

const t = (v: unknown) => new Date(v as string).getTime();

function rowToSilence(r: Record<string, unknown>): Silence & { createdAt: number; expiredBy: string | null } {
  return {
    id: String(r.id), team: String(r.team), matchers: r.matchers as Matcher[], startsAt: t(r.starts_at), endsAt: t(r.ends_at),
    createdBy: String(r.created_by), comment: String(r.comment ?? ''), createdAt: t(r.created_at), expiredBy: (r.expired_by as string) ?? null,
  };
}

export interface SilenceInput {
  team: 'ops' | 'security';
  matchers: unknown[];
  startsAt?: number;
  endsAt: number;
  comment: string;
}

/** Validates a silence: at least one matcher, an end after the start, and the team's own alerts only. */
export function validateSilence(input: unknown, now: number): { ok: true; value: SilenceInput & { matchers: Matcher[] } } | { ok: false; error: string } {
  const o = (input ?? {}) as Record<string, unknown>;
  if (o.team !== 'ops' && o.team !== 'security') return { ok: false, error: 'team 必须为 ops 或 security (the team whose alerts this silence mutes)' };
  if (!Array.isArray(o.matchers) || o.matchers.length === 0) return { ok: false, error: 'matchers 至少需要一个，例如 ["target=\\"portal-home\\""]' };
  let matchers: Matcher[];
  try {
    matchers = o.matchers.map(toMatcher);
  } catch (err) {
    return { ok: false, error: `matchers: ${(err as Error).message}` };
  }
  const startsAt = o.startsAt === undefined ? now : new Date(o.startsAt as string).getTime();
  const endsAt = o.endsAt !== undefined ? new Date(o.endsAt as string).getTime() : NaN;
  if (!Number.isFinite(startsAt)) return { ok: false, error: 'startsAt 不是有效时间 (ISO 8601, e.g. 2026-11-25T14:00:00+08:00)' };
  if (!Number.isFinite(endsAt)) return { ok: false, error: 'endsAt 必填且为有效时间 (ISO 8601)' };
  if (endsAt <= startsAt || endsAt <= now) return { ok: false, error: 'endsAt 必须晚于 startsAt 和当前时间' };
  if (typeof o.comment !== 'string' || o.comment.trim() === '') return { ok: false, error: 'comment 必填：说明为何静默' };
  // A team may only mute its own alerts: the team matcher is always part of the silence.
  const own = matchers.filter((m) => m.name !== 'team');
  return { ok: true, value: { team: o.team, matchers: [{ name: 'team', op: '=', value: o.team }, ...own], startsAt, endsAt, comment: o.comment } };
}

export async function createSilence(db: Queryable, s: SilenceInput & { matchers: Matcher[] }, author: string, now: number) {
  const id = randomUUID();
  await db.query(
    `INSERT INTO silences (id, team, matchers, starts_at, ends_at, created_by, comment, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [id, s.team, JSON.stringify(s.matchers), new Date(s.startsAt ?? now), new Date(s.endsAt), author, s.comment, new Date(now)],
  );
  return id;
}

export async function getSilence(db: Queryable, id: string) {
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

export async function listSilences(db: Queryable, now: number, state: string | undefined, limit: number, offset: number) {
  const where = state === 'active' ? 'starts_at <= $1 AND ends_at > $1' : state === 'pending' ? 'starts_at > $1' : state === 'expired' ? 'ends_at <= $1' : 'true';
  const r = await db.query(`SELECT *, count(*) OVER () AS total FROM silences WHERE ${where} AND $1::timestamptz IS NOT NULL ORDER BY created_at DESC LIMIT $2 OFFSET $3`, [new Date(now), limit, offset]);
  return { total: Number(r.rows[0]?.total ?? 0), items: r.rows.map((x) => {
    const s = rowToSilence(x);
    return { ...s, state: s.endsAt <= now ? 'expired' : s.startsAt > now ? 'pending' : 'active' };
  }) };
}
