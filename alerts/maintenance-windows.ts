/**
 * Maintenance windows (per module or target, one-off or recurring): while one is on, probes go on and notifications
 * stop. Validation and the recurrence arithmetic; their rows live in store/maintenance-windows.ts. (Not the database
 * jobs — retention, compression, rollups — which are core/db/jobs.ts.)
 */
import cron from 'node-cron';
import { cronProblem } from './config';
import { parseDuration } from '../core/time';

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
  /** A short note for citizens on the public status page (/status); the comment stays internal. */
  publicNote?: string;
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
  if (o.publicNote !== undefined && (typeof o.publicNote !== 'string' || o.publicNote.trim().length > 200)) return { ok: false, error: 'publicNote 应为不超过 200 字的文字（公开状态页上的维护说明）' };
  const publicNote = typeof o.publicNote === 'string' ? o.publicNote.trim() : '';
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
    return { ok: true, value: { name, moduleId, targetId, startsAt: occ.start, endsAt: occ.end, recurrence: o.recurrence, durationMs, timezone, comment, publicNote } };
  }
  const startsAt = o.startsAt === undefined ? now : new Date(o.startsAt as string).getTime();
  const endsAt = new Date((o.endsAt as string) ?? NaN).getTime();
  if (!Number.isFinite(startsAt) || !Number.isFinite(endsAt)) return { ok: false, error: 'startsAt/endsAt 应为 ISO 8601 时间；或给出 recurrence + duration' };
  if (endsAt <= startsAt || endsAt <= now) return { ok: false, error: 'endsAt 必须晚于 startsAt 和当前时间' };
  return { ok: true, value: { name, moduleId, targetId, startsAt, endsAt, recurrence: null, durationMs: null, timezone, comment, publicNote } };
}

/**
 * Expired once ended by hand, or, for a one-off window, once past; active inside its (current) occurrence; else
 * upcoming. A recurring window never expires by itself: the leader moves it to its next occurrence.
 */
export function windowState(w: { startsAt: number; endsAt: number; recurrence: string | null; expiredAt: number | null }, now: number): 'active' | 'upcoming' | 'expired' {
  return w.expiredAt !== null || (!w.recurrence && w.endsAt <= now) ? 'expired' : w.startsAt <= now && now < w.endsAt ? 'active' : 'upcoming';
}
