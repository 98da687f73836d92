import type { Context } from 'hono';
import { allows, isFullAdmin } from '../../core/auth/roles';
import type { AppEnv } from '../../core/http';
import { parseInstant } from '../../core/input';

/** Security staff manage security-team alerts and silences, ops staff ops ones, the regulatory office the reporting ones; admin all. */
export function canWriteTeam(c: Context<AppEnv>, team: string): boolean {
  const p = c.get('principal');
  if (!p) return false;
  if (team === 'security') return allows(p, 'alerts:security:write');
  if (team === 'ops') return allows(p, 'alerts:ops:write');
  if (team === 'regulator') return allows(p, 'alerts:regulator:write');
  return isFullAdmin(p);
}

/** Either permission lets the request in; the team check happens on the object. */
export function canWriteAny(c: Context<AppEnv>): boolean {
  return canWriteTeam(c, 'ops') || canWriteTeam(c, 'security') || canWriteTeam(c, 'regulator');
}

export const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());

/**
 * ?from= / ?to= as ISO times or epoch ms (core/input.ts `instant`: a real date, 1970–2199); undefined when absent,
 * NaN when invalid.
 */
export function timeParam(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  return parseInstant(v);
}
