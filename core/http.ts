import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { AuthService, Principal, AuditEntry } from './auth/service';
import { can, type Permission } from './auth/roles';

export type AppEnv = { Variables: { principal: Principal | null; requestId: string } };
export const SESSION_COOKIE = 'cityops_session';

/** A JSON error that says what went wrong, where, and how to fix it. */
export function httpError(c: Context, status: 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429 | 500 | 501 | 503, code: string, message: string, extra: Record<string, unknown> = {}) {
  return c.json({ error: { code, message, ...extra } }, status);
}

export function clientIp(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}

/** Finds who is calling: a session cookie (browser) or `Authorization: Bearer <token>` (machine clients). */
export function authenticate(auth: AuthService): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    let principal: Principal | null = null;
    const header = c.req.header('authorization');
    if (header?.startsWith('Bearer ')) principal = await auth.fromToken(header.slice(7).trim());
    else {
      const sid = getCookie(c, SESSION_COOKIE);
      if (sid) principal = await auth.fromSession(sid);
    }
    c.set('principal', principal);
    await next();
  };
}

/** 401 without a login, 403 without the permission. */
export function requirePermission(perm: Permission): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const p = c.get('principal');
    if (!p) return httpError(c, 401, 'unauthenticated', '需要登录 (log in, or send Authorization: Bearer <token>)');
    if (!can(p.role, perm)) return httpError(c, 403, 'forbidden', `角色 ${p.role} 无权执行此操作 (needs permission ${perm})`);
    await next();
  };
}

/** Writes one audit row for a write action done by the current principal. */
export async function auditFrom(c: Context<AppEnv>, auth: AuthService, e: Omit<AuditEntry, 'actor' | 'role' | 'ip'>) {
  const p = c.get('principal');
  await auth.audit({ ...e, actor: p?.name ?? 'anonymous', role: p?.role, ip: clientIp(c) });
}

/** Parses a JSON body or answers 400 with a clear message. */
export async function readJson<T = unknown>(c: Context): Promise<{ ok: true; value: T } | { ok: false; response: Response }> {
  try {
    return { ok: true, value: (await c.req.json()) as T };
  } catch (err) {
    return { ok: false, response: httpError(c, 400, 'bad_json', `request body is not valid JSON: ${(err as Error).message}`) };
  }
}

/** Pagination from ?limit=&offset= with bounds, so no list endpoint can return an unbounded result. */
export function page(c: Context, defLimit = 100, maxLimit = 1000) {
  const limit = Math.min(maxLimit, Math.max(1, Number(c.req.query('limit') ?? defLimit) || defLimit));
  const offset = Math.max(0, Number(c.req.query('offset') ?? 0) || 0);
  return { limit, offset };
}
