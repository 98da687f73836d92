import type { Context, MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { getCookie } from 'hono/cookie';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { AuthService, Principal, AuditEntry } from './auth/service';
import { can, type Permission } from './auth/roles';

export type AppEnv = { Variables: { principal: Principal | null; requestId: string } };
export const SESSION_COOKIE = 'cityops_session';

/** A JSON error that says what went wrong, where, and how to fix it. */
export function httpError(c: Context, status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 501 | 503, code: string, message: string, extra: Record<string, unknown> = {}) {
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
      if (sid && sid.length <= 200) principal = await auth.fromSession(sid, c.req.header('user-agent'));
    }
    c.set('principal', principal);
    // A role that must use TOTP, not enrolled yet: nothing but enrolment (and who am I, sign out) until it is.
    if (principal?.totpSetupRequired && !/^\/api\/auth\/(me|logout|totp)(\/|$)/.test(c.req.path)) {
      return httpError(c, 403, 'totp_setup_required', '您的角色须启用双因素认证（TOTP）：请先在“账号”中绑定身份验证器 (enrol TOTP at POST /api/auth/totp/setup first)');
    }
    await next();
  };
}

/** 401 without a login, 403 without the permission. */
export function requirePermission(perm: Permission): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const p = c.get('principal');
    if (!p) return httpError(c, 401, 'unauthenticated', '需要登录 (log in, or send Authorization: Bearer <token>)');
    if (!can(p.role, perm)) return httpError(c, 403, 'forbidden', `角色 ${p.role} 无权执行此操作 (needs permission ${perm})`);
    if (p.scopes?.length && !p.scopes.includes(perm)) return httpError(c, 403, 'forbidden_scope', `此令牌的权限范围不含 ${perm} (token scopes: ${p.scopes.join(', ')})`);
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

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
// The content types a foreign page can send without a CORS preflight (an HTML form, a "simple" fetch).
const SIMPLE_TYPES = /^(application\/x-www-form-urlencoded|multipart\/form-data|text\/plain)\b/i;

/**
 * Cross-site request forgery, beyond SameSite cookies: a state-changing request must come from our own origin — its
 * `Origin` (when sent: browsers send it on every unsafe request) names this host or one of `publicOrigins`, and
 * `Sec-Fetch-Site` (when sent) is not cross-site — and a browser session's request with a body is JSON (a form or
 * text/plain body is what a foreign page could post). Requests with a Bearer token carry no ambient credential and
 * pass; so do the ingest paths that take their own key and are posted to from other origins (`crossOrigin`).
 */
export function sameOriginGuard(opts: { publicOrigins?: string[]; crossOrigin?: RegExp[]; uploads?: RegExp[] } = {}): MiddlewareHandler<AppEnv> {
  const allowed = new Set((opts.publicOrigins ?? []).map((o) => o.replace(/\/+$/, '').toLowerCase()));
  return async (c, next) => {
    if (!UNSAFE.has(c.req.method) || opts.crossOrigin?.some((re) => re.test(c.req.path))) return next();
    if (c.req.header('authorization')?.startsWith('Bearer ')) return next();
    const origin = c.req.header('origin');
    const site = c.req.header('sec-fetch-site');
    const host = c.req.header('host')?.toLowerCase();
    if (origin !== undefined) {
      let ok = false;
      try {
        const u = new URL(origin);
        ok = (host !== undefined && u.host.toLowerCase() === host) || allowed.has(u.origin.toLowerCase());
      } catch {
        ok = false;
      }
      if (!ok) return httpError(c, 403, 'cross_origin', `跨站请求被拒绝：来源 ${origin.slice(0, 100)} 不是本系统 (a state-changing request must come from this site)`);
    }
    if (site === 'cross-site') return httpError(c, 403, 'cross_origin', '跨站请求被拒绝 (Sec-Fetch-Site: cross-site)');
    const type = c.req.header('content-type') ?? '';
    const hasBody = Number(c.req.header('content-length') ?? 0) > 0 || c.req.header('transfer-encoding') !== undefined;
    if (hasBody && SIMPLE_TYPES.test(type) && !opts.uploads?.some((re) => re.test(c.req.path) && !/^text\/plain/i.test(type))) {
      return httpError(c, 415, 'unsupported_media_type', `请求体须为 JSON（Content-Type: application/json），收到 ${type.slice(0, 60)}`);
    }
    return next();
  };
}

/**
 * Security headers on every answer: no framing, no MIME sniffing, no referrer, and a Content-Security-Policy under
 * which only our own scripts run (no inline script, no eval); styles may be inline, as ECharts writes them.
 */
export function securityHeaders(): MiddlewareHandler<AppEnv> {
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
    xFrameOptions: 'DENY',
    referrerPolicy: 'no-referrer',
    xContentTypeOptions: 'nosniff',
    strictTransportSecurity: false, // set by the TLS-terminating proxy, which knows whether HTTPS is in front
    crossOriginResourcePolicy: false, // the Faro receiver answers other origins' pages (CORS)
    crossOriginOpenerPolicy: 'same-origin',
  });
}

/**
 * The request path for a log line, with every route parameter's value replaced by its name: tokens that travel in
 * the URL (a heartbeat's push token, a Faro app key) never reach the log.
 */
export function loggablePath(c: Context): string {
  let path = c.req.path;
  try {
    const params = c.req.param() as Record<string, string>;
    for (const [name, value] of Object.entries(params)) if (value) path = path.split(encodeURIComponent(value)).join(`:${name}`).split(value).join(`:${name}`);
  } catch {
    /* no route matched: no parameters to hide */
  }
  return path.length > 300 ? `${path.slice(0, 300)}…` : path;
}
