import cron from 'node-cron';
import type { Queryable } from '../core/db';
import { cronProblem } from './config';
import { parseDuration } from '../core/time';
import type { MaintenanceWindow } from './notify/mute';

const MINUTE = 60_000;
/** How far ahead the next occurrence of a recurring window is looked for. */
const LOOKAHEAD = 40 * 86_400_000;

/**
 * The occurrence of a recurring window (cron start + duration) that contains `now`, else the next one within
 * 40 days, else null. node-cron parses and matches the expression; we step minute by minute.
 */
export function occurrence(expr: string, durationMs: number, timezone: string, now: number): { start: number; end: number } | null {
  const task = cron.createTask(expr, () => undefined, { timezone });
  try {
    const floor = Math.floor(now / MINUTE) * MINUTE;
    for (let t = floor; t > now - durationMs; t -= MINUTE) if (task.match(new Date(t))) return { start: t, end: t + durationMs };
    for (let t = floor + MINUTE; t < now + LOOKAHEAD; t += MINUTE) if (task.match(new Date(t))) return { start: t, end: t + durationMs };
    return null;
  } finally {
    void task.destroy();
  }
}

export interface WindowInput {
  name: string;
  moduleId: string | null;
  targetId: string | null;
  startsAt: number;
  endsAt: number;
  recurrence: string | null;
  durationMs: number | null;
  timezone: string;
  comment: string;
}

/** Validates a one-off ({startsAt, endsAt}) or recurring ({recurrence: cron, duration: "2h"}) window. */
export function validateWindow(input: unknown, now: number, defaultTz: string): { ok: true; value: WindowInput } | { ok: false; error: string } {
  const o = (input ?? {}) as Record<string, unknown>;
  const name = typeof o.name === 'string' && o.name.trim() ? o.name.trim() : null;
  if (!name) return { ok: false, error: 'name 必填，例如 "门户网站每周例行维护"' };
  const moduleId = typeof o.moduleId === 'string' && o.moduleId ? o.moduleId : null;
  const targetId = typeof o.targetId === 'string' && o.targetId ? o.targetId : null;
  if (!moduleId && !targetId) return { ok: false, error: 'moduleId 或 targetId 至少填一个 (the window covers a module or one target)' };
  const timezone = typeof o.timezone === 'string' ? o.timezone : defaultTz;
  const comment = typeof o.comment === 'string' ? o.comment : '';
  if (o.recurrence !== undefined && o.recurrence !== null) {
    if (typeof o.recurrence !== 'string') return { ok: false, error: 'recurrence 应为 cron 表达式，例如 "0 2 * * 0"（每周日 02:00）' };
    const problem = cronProblem(o.recurrence);
    if (problem) return { ok: false, error: `recurrence 不是有效的 cron 表达式: ${problem}` };
    let durationMs: number;
    try {
      durationMs = parseDuration(String(o.duration ?? ''));
    } catch {
      return { ok: false, error: 'duration 必填，每次维护的时长，例如 "2h"' };
    }
    if (durationMs < MINUTE || durationMs > 7 * 86_400_000) return { ok: false, error: 'duration 应在 1m 与 7d 之间' };
    try {
      new Intl.DateTimeFormat('en', { timeZone: timezone });
    } catch {
      return { ok: false, error: `timezone 无效: ${timezone}` };
    }
    const occ = occurrence(o.recurrence, durationMs, timezone, now);
    if (!occ) return { ok: false, error: 'recurrence 在未来 40 天内没有任何一次发生' };
    return { ok: true, value: { name, moduleId, targetId, startsAt: occ.start, endsAt: occ.end, recurrence: o.recurrence, durationMs, timezone, comment } };
  }
  const startsAt = o.startsAt === undefined ? now : new Date(o.startsAt as string).getTime();
  const endsAt = new Date((o.endsAt as string) ?? NaN).getTime();
  if (!Number.isFinite(startsAt) || !Number.isFinite(endsAt)) return { ok: false, error: 'startsAt/endsAt 应为 ISO 8601 时间；或给出 recurrence + duration' };
  if (endsAt <= startsAt || endsAt <= now) return { ok: false, error: 'endsAt 必须晚于 startsAt 和当前时间' };
  return { ok: true, value: { name, moduleId, targetId, startsAt, endsAt, recurrence: null, durationMs: null, timezone, comment } };
}

export async function createWindow(db: Queryable, w: WindowInput, by: string, now: number): Promise<number> {
  const r = await db.query<{ id: number }>(
    `INSERT INTO maintenance_windows (name, module_id, target_id, starts_at, ends_at, recurrence, duration_ms, timezone, created_by, comment, created_at)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) RETURNING id`,
    [w.name, w.moduleId, w.targetId, new Date(w.startsAt), new Date(w.endsAt), w.recurrence, w.durationMs, w.timezone, by, w.comment, new Date(now)],
  );
  return Number(r.rows[0].id);
}

function rowToWindow(r: Record<string, unknown>) {
  return {
    id: Number(r.id), name: String(r.name), moduleId: (r.module_id as string) ?? null, targetId: (r.target_id as string) ?? null,
    startsAt: new Date(r.starts_at as string).getTime(), endsAt: new Date(r.ends_at as string).getTime(), recurrence: (r.recurrence as string) ?? null,
    durationMs: r.duration_ms == null ? null : Number(r.duration_ms), timezone: String(r.timezone), createdBy: String(r.created_by),
    comment: String(r.comment ?? ''), createdAt: new Date(r.created_at as string).getTime(),
    expiredAt: r.expired_at ? new Date(r.expired_at as string).getTime() : null, expiredBy: (r.expired_by as string) ?? null,
  };
}

export async function activeWindows(db: Queryable, now: number): Promise<MaintenanceWindow[]> {
  const r = await db.query('SELECT * FROM active_maintenance($1)', [new Date(now)]);
  return r.rows.map(rowToWindow);
}

export async function getWindow(db: Queryable, id: number) {
  const r = await db.query('SELECT * FROM maintenance_windows WHERE id = $1', [id]);
  return r.rows[0] ? rowToWindow(r.rows[0]) : null;
}

export async function listWindows(db: Queryable, now: number, state: string | undefined, limit: number, offset: number) {
  const where = state === 'active' ? 'expired_at IS NULL AND starts_at <= $1 AND ends_at > $1'
    : state === 'expired' ? '(expired_at IS NOT NULL OR (recurrence IS NULL AND ends_at <= $1))'
    : state === 'upcoming' ? 'expired_at IS NULL AND starts_at > $1' : '$1::timestamptz IS NOT NULL';
  const r = await db.query(`SELECT *, count(*) OVER () AS total FROM maintenance_windows WHERE ${where} ORDER BY starts_at DESC LIMIT $2 OFFSET $3`, [new Date(now), limit, offset]);
  return { total: Number(r.rows[0]?.total ?? 0), items: r.rows.map((x) => {
    const w = rowToWindow(x);
    const st = w.expiredAt !== null || (!w.recurrence && w.endsAt <= now) ? 'expired' : w.startsAt <= now && now < w.endsAt ? 'active' : 'upcoming';
    return { ...w, state: st };
  }) };
}

export async function expireWindow(db: Queryable, id: number, by: string, now: number) {
  await db.query('UPDATE maintenance_windows SET expired_at = $2, expired_by = $3 WHERE id = $1 AND expired_at IS NULL', [id, new Date(now), by]);
}

/** Moves each recurring window whose occurrence ended to its next occurrence (so active_maintenance(now) stays a plain check). */
export async function advanceRecurring(db: Queryable, now: number): Promise<number> {
  const r = await db.query(`SELECT id, recurrence, duration_ms, timezone FROM maintenance_windows WHERE recurrence IS NOT NULL AND expired_at IS NULL AND ends_at <= $1`, [new Date(now)]);
  for (const w of r.rows) {
    const occ = occurrence(String(w.recurrence), Number(w.duration_ms), String(w.timezone), now);
    if (occ) await db.query('UPDATE maintenance_windows SET starts_at = $2, ends_at = $3 WHERE id = $1', [w.id, new Date(occ.start), new Date(occ.end)]);
  }
  return r.rows.length;
}
