import { toMatcher, type Matcher } from './matchers';
import { TEAMS, type Team } from '../contract/alerts';

export interface SilenceInput {
  team: Team;
  matchers: unknown[];
  startsAt?: number;
  endsAt: number;
  comment: string;
}

/** Validates a silence: at least one matcher, an end after the start, and the team's own alerts only. */
export function validateSilence(input: unknown, now: number): { ok: true; value: SilenceInput & { matchers: Matcher[] } } | { ok: false; error: string } {
  const o = (input ?? {}) as Record<string, unknown>;
  if (!(TEAMS as readonly unknown[]).includes(o.team)) return { ok: false, error: `team 必须为 ${TEAMS.join('、')} 之一 (the team whose alerts this silence mutes)` };
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
  return { ok: true, value: { team: o.team as Team, matchers: [{ name: 'team', op: '=', value: o.team as Team }, ...own], startsAt, endsAt, comment: o.comment } };
}

/** Active from startsAt to endsAt; expired from endsAt on (expiring moves endsAt to that moment). */
export function silenceState(s: { startsAt: number; endsAt: number }, now: number): 'active' | 'pending' | 'expired' {
  return s.endsAt <= now ? 'expired' : s.startsAt > now ? 'pending' : 'active';
}
