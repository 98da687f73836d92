import type { Context, MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { HTTPException } from 'hono/http-exception';
import { getCookie } from 'hono/cookie';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { AuthService, Principal, AuditEntry } from './auth/service';
import { allows, can, type Permission } from './auth/roles';
import { maskPersonalData } from './mask';

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
    if (!allows(p, perm)) return httpError(c, 403, 'forbidden_scope', `此令牌的权限范围不含 ${perm} (token scopes: ${(p.scopes ?? []).join(', ')})`);
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
    // Not the parser's words: they quote the body (the sender's data, maybe a secret).
    return { ok: false, response: httpError(c, 400, 'bad_json', '请求体不是合法的 JSON (body is not valid JSON)', { field: 'body' }) };
  }
}

/** Pagination from ?limit=&offset= with bounds, so no list endpoint can return an unbounded result. */
// (The input layer, core/input.ts, has already refused a limit or offset that is not a bounded integer; the clamps
// here keep a direct caller finite too.)
export function page(c: Context, defLimit = 100, maxLimit = 1000) {
  const num = (v: string | undefined, def: number) => {
    const n = v === undefined || v === '' ? def : Number(v);
    return Number.isFinite(n) ? Math.floor(n) : def;
  };
  const limit = Math.min(maxLimit, Math.max(1, num(c.req.query('limit'), defLimit) || defLimit));
  const offset = Math.min(1_000_000_000, Math.max(0, num(c.req.query('offset'), 0)));
  return { limit, offset };
}

// PostgreSQL SQLSTATEs that mean the client's value was bad: data exceptions (class 22: invalid text for a type,
// numbers or dates out of range, NUL, bad JSON/Unicode escapes) and program limits (an index row or statement too big).
const PG_BAD_INPUT = /^(22[0-9A-Z]{3}|54000|54001|2202E|23502|23514)$/;

/** A database error from either driver (node-postgres, PGlite): it carries a five-character SQLSTATE. */
function pgCodeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * The global error handler (app.onError): the client never sees a database error or any other internals. A
 * database error caused by a bad value is a 400 with a generic message, a unique-key clash a 409, a statement
 * timeout a 503; anything else a 500 with the request id. The log line has the SQLSTATE and the message with quoted
 * values cut out (they are the client's input and may be a secret or an ID number), never the query parameters.
 */
export function errorHandler(log: { warn(o: object, m: string): void; error(o: object, m: string): void }) {
  return (err: Error, c: Context<AppEnv>): Response => {
    const requestId = c.get('requestId') ?? '';
    if (err instanceof HTTPException) return err.getResponse();
    const code = pgCodeOf(err);
    const message = String(err?.message ?? '').replace(/"[^"]*"/g, '"…"').replace(/'[^']*'/g, "'…'").slice(0, 300);
    const where = { path: loggablePath(c), method: c.req.method, requestId };
    if (code && PG_BAD_INPUT.test(code)) {
      log.warn({ ...where, pgCode: code, reason: message }, 'request refused by the database (bad input)');
      return httpError(c, 400, 'bad_input', `请求中的某个值不被数据库接受（超出范围、格式不合法或过长），请检查后重试；请求编号 ${requestId} (a value in the request is out of range or malformed)`, { requestId });
    }
    if (code === '23505') {
      log.warn({ ...where, pgCode: code, reason: message }, 'request refused by the database (duplicate key)');
      return httpError(c, 409, 'conflict', `与已有数据冲突（重复的键），请求编号 ${requestId} (conflicts with existing data)`, { requestId });
    }
    if (code === '57014') {
      log.warn({ ...where, pgCode: code }, 'request cancelled by the statement timeout');
      return httpError(c, 503, 'timeout', `查询超时，请缩小范围后重试；请求编号 ${requestId} (the query took too long)`, { requestId });
    }
    if (err instanceof SyntaxError && /JSON/.test(err.message)) {
      return httpError(c, 400, 'bad_json', '请求体不是合法的 JSON (body is not valid JSON)', { field: 'body' });
    }
    log.error({ ...where, pgCode: code, err: code ? { type: err.name, message } : err }, 'request failed');
    return httpError(c, 500, 'internal', `内部错误，请联系管理员并提供请求编号 ${requestId} (internal error; see the server log)`, { requestId });
  };
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
    // No Content-Type at all is a simple request too (a fetch of a Blob without a type): refused like a form.
    if (hasBody && (!type.trim() || SIMPLE_TYPES.test(type)) && !opts.uploads?.some((re) => re.test(c.req.path) && !/^text\/plain/i.test(type))) {
      return httpError(c, 415, 'unsupported_media_type', `请求体须为 JSON（Content-Type: application/json），收到 ${type.slice(0, 60) || '无 Content-Type'}`);
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

/**
 * Personal data in every JSON answer of the routes below masked (core/mask.ts `maskPersonalData`) unless the caller
 * may see it (`reveal`: the reporter's writers, who correct records). One point for every answer: lists, details,
 * versions, rejected payloads, errors and warnings, whatever route is added later.
 */
export function maskPersonalAnswers(reveal: (c: Context<AppEnv>) => boolean): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    if (reveal(c) || !/^application\/json\b/i.test(c.res.headers.get('content-type') ?? '')) return;
    const body = await c.res.clone().json().catch(() => undefined);
    if (body === undefined) return;
    const headers = new Headers(c.res.headers);
    headers.delete('content-length');
    c.res = new Response(JSON.stringify(maskPersonalData(body)), { status: c.res.status, headers });
  };
}
