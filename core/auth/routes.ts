import { Hono, type Context } from 'hono';
import { setCookie, deleteCookie, getCookie } from 'hono/cookie';
import { z } from 'zod';
import type { Db } from '../db';
import { MissingDepartmentError, TokenScopeError, type AuthService } from './service';
import { ROLES } from './roles';
import { listAudit, listTokens, listUsers } from './store';
import { WeakPasswordError } from './password-policy';
import { maskIdNumbers, maskPersonalData } from '../mask';
import { idParam as rowId, instant, listQuery, queryInput } from '../input';
import { stringify } from 'csv-stringify/sync';
import { chinaDate } from '../china-time';

/** The most rows one CSV export of the audit log carries (a bigger one says so in X-Truncated). */
export const AUDIT_CSV_MAX = 100_000;

/** GET /audit and /audit.csv: ?actor= &action= (exact, or user.* for a prefix) &object= &from= &to= &q= &sort=-ts|ts. */
export const auditListQuery = listQuery(
  {
    actor: z.string().max(200).optional(),
    action: z.string().max(200).optional(),
    object: z.string().max(200).optional(),
    from: instant.optional(),
    to: instant.optional(),
  },
  { sorts: ['ts'] as const, defaultSort: '-ts', limit: 100, max: 1000 },
);
import { SESSION_COOKIE, auditFrom, clientIp, httpError, page, readJson, requirePermission, type AppEnv } from '../http';

const USERNAME = z.string().regex(/^[A-Za-z0-9_.-]{2,64}$/, '用户名为 2-64 位字母、数字或 _ . -');
// Bounded before anything else: a 1 MB name or password is refused here, not at the database or in scrypt.
const loginBody = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256), totp: z.string().max(10).optional() });
const userBody = z.object({
  username: USERNAME,
  password: z.string().min(1).max(256),
  role: z.enum(ROLES),
  displayName: z.string().max(100).optional(),
  /** Required for role department. */
  department: z.string().min(1).max(100).optional(),
});
const userPatch = z.object({ role: z.enum(ROLES).optional(), disabled: z.boolean().optional(), password: z.string().min(1).max(256).optional(), displayName: z.string().max(100).optional(), department: z.string().min(1).max(100).optional() }).strict();
const tokenBody = z.object({
  name: z.string().min(1).max(100),
  role: z.enum(ROLES),
  scopes: z.array(z.string().max(64)).max(32).optional(),
  /** Days until the token expires (default: auth.tokenTtl). */
  expiresInDays: z.number().int().min(1).max(1095).optional(),
});
const passwordBody = z.object({ current: z.string().min(1).max(256), next: z.string().min(1).max(256) });
const codeBody = z.object({ code: z.string().regex(/^\d{6}$/, '6 位数字验证码') });

const issues = (e: z.ZodError) => `请求内容不合法：${e.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`;
const idParam = (c: Context) => {
  const r = rowId.safeParse(c.req.param('id') ?? '');
  return r.success ? r.data : null;
};

export function createAuthRoutes(deps: { db: Db; auth: AuthService; sessionTtlMs: number; secureCookies: boolean }) {
  const { db, auth } = deps;
  const app = new Hono<AppEnv>();

  app.post('/login', async (c) => {
    const body = await readJson(c);
    if (!body.ok) return body.response;
    const parsed = loginBody.safeParse(body.value);
    if (!parsed.success) return httpError(c, 400, 'bad_request', '需要用户名和密码 (username and password are required; at most 64 and 256 characters)');
    const { username, password, totp } = parsed.data;
    const ip = clientIp(c);
    const res = await auth.login(username, password, ip, totp);
    if (!res.ok) {
      if (res.reason === 'throttled' || res.reason === 'locked') {
        const s = Math.ceil(res.retryAfterMs / 1000);
        c.header('Retry-After', String(s));
        return res.reason === 'locked'
          ? httpError(c, 429, 'account_locked', `登录失败次数过多，已临时锁定，请 ${Math.ceil(s / 60)} 分钟后再试或联系管理员解锁`, { retryAfterSeconds: s })
          : httpError(c, 429, 'login_throttled', `登录失败次数较多，请 ${s} 秒后再试`, { retryAfterSeconds: s });
      }
      if (res.reason === 'totp_required') return httpError(c, 401, 'totp_required', '请输入身份验证器上的 6 位验证码');
      await auth.audit({ actor: username, action: res.reason === 'bad_totp' ? 'auth.totp_failed' : 'auth.login_failed', ip });
      return httpError(c, 401, res.reason, res.reason === 'bad_totp' ? '验证码错误或已使用' : '用户名或密码错误');
    }
    setCookie(c, SESSION_COOKIE, res.sessionId, {
      httpOnly: true, sameSite: 'Strict', path: '/', secure: deps.secureCookies, maxAge: Math.floor(deps.sessionTtlMs / 1000),
    });
    await auth.audit({ actor: res.principal.name, role: res.principal.role, action: 'auth.login', ip });
    return c.json({ user: { name: res.principal.name, role: res.principal.role, ...(res.principal.department ? { department: res.principal.department } : {}), ...(res.principal.totpSetupRequired ? { totpSetupRequired: true } : {}) } });
  });

  app.post('/logout', async (c) => {
    const sid = getCookie(c, SESSION_COOKIE);
    if (sid) await auth.logout(sid);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.json({ ok: true });
  });

  app.get('/me', (c) => {
    const p = c.get('principal');
    if (!p) return httpError(c, 401, 'unauthenticated', '需要登录');
    return c.json({ user: { name: p.name, role: p.role, kind: p.kind, ...(p.department ? { department: p.department } : {}), ...(p.totpSetupRequired ? { totpSetupRequired: true } : {}) } });
  });

  // The same question for a page that does not know yet whether it is signed in: 200 with `user: null` before
  // sign-in, so asking at load is never an error in the browser's console.
  app.get('/session', (c) => {
    const p = c.get('principal');
    return c.json({ user: p ? { name: p.name, role: p.role, kind: p.kind, ...(p.department ? { department: p.department } : {}), ...(p.totpSetupRequired ? { totpSetupRequired: true } : {}) } : null });
  });

  app.post('/password', async (c) => {
    const p = c.get('principal');
    if (!p || p.kind !== 'session' || !p.userId) return httpError(c, 401, 'unauthenticated', '需要登录');
    const body = await readJson(c);
    if (!body.ok) return body.response;
    const parsed = passwordBody.safeParse(body.value);
    if (!parsed.success) return httpError(c, 400, 'bad_request', issues(parsed.error));
    try {
      if (!(await auth.changeOwnPassword(p.userId, parsed.data.current, parsed.data.next))) return httpError(c, 403, 'bad_credentials', '当前密码错误');
    } catch (err) {
      if (err instanceof WeakPasswordError) return httpError(c, 422, 'weak_password', err.problems.join('；'), { problems: err.problems });
      throw err;
    }
    await auditFrom(c, auth, { action: 'user.password_change', target: p.name });
    return c.json({ ok: true, note: '密码已修改，请重新登录' });
  });

  // ---- TOTP enrolment of the signed-in user ----
  app.post('/totp/setup', async (c) => {
    const p = c.get('principal');
    if (!p || p.kind !== 'session' || !p.userId) return httpError(c, 401, 'unauthenticated', '需要登录');
    const s = await auth.totpBegin(p.userId, p.name);
    await auditFrom(c, auth, { action: 'user.totp_setup', target: p.name });
    return c.json({ secret: s.secret, uri: s.uri, note: '用身份验证器扫描或输入密钥，然后提交一个验证码完成绑定 (POST /api/auth/totp/confirm {code})' });
  });

  app.post('/totp/confirm', async (c) => {
    const p = c.get('principal');
    if (!p || p.kind !== 'session' || !p.userId) return httpError(c, 401, 'unauthenticated', '需要登录');
    const body = await readJson(c);
    if (!body.ok) return body.response;
    const parsed = codeBody.safeParse(body.value);
    if (!parsed.success) return httpError(c, 400, 'bad_request', issues(parsed.error));
    if (!(await auth.totpConfirm(p.userId, parsed.data.code))) return httpError(c, 422, 'bad_totp', '验证码不正确或已过期，请按身份验证器上当前的验证码重试');
    await auditFrom(c, auth, { action: 'user.totp_enabled', target: p.name });
    return c.json({ ok: true });
  });

  // ---- users (admin) ----
  app.get('/users', requirePermission('users:admin'), async (c) => {
    const { limit, offset } = page(c);
    return c.json(await listUsers(db, limit, offset));
  });

  app.post('/users', requirePermission('users:admin'), async (c) => {
    const body = await readJson(c);
    if (!body.ok) return body.response;
    const parsed = userBody.safeParse(body.value);
    if (!parsed.success) return httpError(c, 400, 'bad_request', issues(parsed.error));
    try {
      const id = await auth.createUser(parsed.data);
      await auditFrom(c, auth, { action: 'user.create', target: parsed.data.username, details: { role: parsed.data.role, ...(parsed.data.department ? { department: parsed.data.department } : {}) } });
      return c.json({ id }, 201);
    } catch (err) {
      if (err instanceof WeakPasswordError) return httpError(c, 422, 'weak_password', err.problems.join('；'), { problems: err.problems });
      if (err instanceof MissingDepartmentError) return httpError(c, 400, 'department_required', err.message, { field: 'department' });
      if (/unique|duplicate/i.test((err as Error).message)) return httpError(c, 409, 'exists', `用户 ${parsed.data.username} 已存在`);
      throw err;
    }
  });

  // Change role, disable / enable, reset the password, rename: every change that matters ends the user's sessions.
  app.patch('/users/:id', requirePermission('users:admin'), async (c) => {
    const id = idParam(c);
    if (id === null) return httpError(c, 400, 'bad_id', 'id 须为正整数');
    const body = await readJson(c);
    if (!body.ok) return body.response;
    const parsed = userPatch.safeParse(body.value);
    if (!parsed.success) return httpError(c, 400, 'bad_request', issues(parsed.error));
    try {
      if (!(await auth.updateUser(id, parsed.data))) return httpError(c, 404, 'not_found', `没有用户 ${id}`);
    } catch (err) {
      if (err instanceof WeakPasswordError) return httpError(c, 422, 'weak_password', err.problems.join('；'), { problems: err.problems });
      if (err instanceof MissingDepartmentError) return httpError(c, 400, 'department_required', err.message, { field: 'department' });
      throw err;
    }
    const { password, ...shown } = parsed.data;
    await auditFrom(c, auth, { action: 'user.update', target: String(id), details: { ...shown, ...(password !== undefined ? { passwordReset: true } : {}) } });
    return c.json({ ok: true });
  });

  app.post('/users/:id/logout', requirePermission('users:admin'), async (c) => {
    const id = idParam(c);
    if (id === null) return httpError(c, 400, 'bad_id', 'id 须为正整数');
    const n = await auth.endUserSessions(id);
    await auditFrom(c, auth, { action: 'user.force_logout', target: String(id), details: { sessions: n } });
    return c.json({ ended: n });
  });

  app.delete('/users/:id/totp', requirePermission('users:admin'), async (c) => {
    const id = idParam(c);
    if (id === null) return httpError(c, 400, 'bad_id', 'id 须为正整数');
    if (!(await auth.totpReset(id))) return httpError(c, 404, 'not_found', `没有用户 ${id}`);
    await auditFrom(c, auth, { action: 'user.totp_reset', target: String(id) });
    return c.json({ ok: true });
  });

  // ---- sessions, lockouts (admin) ----
  app.get('/sessions', requirePermission('users:admin'), async (c) => {
    const { limit, offset } = page(c);
    return c.json(await auth.listSessions(limit, offset));
  });

  app.delete('/sessions/:id', requirePermission('users:admin'), async (c) => {
    const id = idParam(c);
    if (id === null) return httpError(c, 400, 'bad_id', 'id 须为正整数');
    if (!(await auth.endSession(id))) return httpError(c, 404, 'not_found', `没有会话 ${id}`);
    await auditFrom(c, auth, { action: 'session.end', target: String(id) });
    return c.json({ ok: true });
  });

  app.get('/lockouts', requirePermission('users:admin'), async (c) => c.json({ items: await auth.lockouts() }));

  app.delete('/lockouts/:key', requirePermission('users:admin'), async (c) => {
    const key = c.req.param('key');
    if (!/^(user|ip):.{1,200}$/.test(key)) return httpError(c, 400, 'bad_key', 'key 形如 user:<用户名> 或 ip:<地址>');
    if (!(await auth.unlock(key))) return httpError(c, 404, 'not_found', `没有 ${key} 的锁定记录`);
    await auditFrom(c, auth, { action: 'auth.unlock', target: key });
    return c.json({ ok: true });
  });

  // ---- API tokens (admin) ----
  app.get('/tokens', requirePermission('users:admin'), async (c) => c.json(await listTokens(db)));

  app.post('/tokens', requirePermission('users:admin'), async (c) => {
    const body = await readJson(c);
    if (!body.ok) return body.response;
    const parsed = tokenBody.safeParse(body.value);
    if (!parsed.success) return httpError(c, 400, 'bad_request', issues(parsed.error));
    const { expiresInDays, ...t } = parsed.data;
    try {
      const made = await auth.createToken({ ...t, createdBy: c.get('principal')!.name, ttlMs: expiresInDays ? expiresInDays * 86_400_000 : undefined });
      await auditFrom(c, auth, { action: 'token.create', target: t.name, details: { id: made.id, role: t.role, scopes: t.scopes ?? [], expiresAt: made.expiresAt } });
      return c.json({ id: made.id, token: made.token, expiresAt: made.expiresAt, note: 'shown once; store it now' }, 201);
    } catch (err) {
      if (err instanceof TokenScopeError) return httpError(c, 400, 'bad_scope', err.message);
      throw err;
    }
  });

  app.delete('/tokens/:id', requirePermission('users:admin'), async (c) => {
    const id = idParam(c);
    if (id === null) return httpError(c, 400, 'bad_id', 'id 须为正整数');
    const ok = await auth.revokeToken(id);
    if (!ok) return httpError(c, 404, 'not_found', 'no such active token');
    await auditFrom(c, auth, { action: 'token.revoke', target: String(id) });
    return c.json({ ok: true });
  });

  app.get('/audit', requirePermission('users:admin'), async (c) => {
    const p = queryInput(c, auditListQuery);
    if (!p.ok) return p.response;
    const { limit, offset, sort, ...f } = p.value;
    // Free text in the log (a withdrawal's reason, a record's code) may hold an ID number: masked, as for every role but the regulator.
    return c.json(maskPersonalData(await listAudit(db, limit, offset, { ...f, sortDesc: sort.desc })));
  });

  // The same filters as a CSV file (UTF-8 with BOM, so spreadsheets open it in Chinese), at most AUDIT_CSV_MAX rows.
  app.get('/audit.csv', requirePermission('users:admin'), async (c) => {
    const p = queryInput(c, auditListQuery);
    if (!p.ok) return p.response;
    const { sort, limit: _l, offset: _o, ...f } = p.value;
    const res = await listAudit(db, AUDIT_CSV_MAX, 0, { ...f, sortDesc: sort.desc });
    const csv = stringify(
      res.items.map((a) => [a.ts, a.actor, a.role ?? '', a.action, maskIdNumbers(a.target ?? ''), a.ip ?? '', JSON.stringify(maskPersonalData(a.details))]),
      { header: true, columns: ['时间', '操作人', '角色', '动作', '对象', 'IP', '详情'] },
    );
    await auditFrom(c, auth, { action: 'audit.export', target: 'audit_log', details: { ...f, rows: res.items.length, total: res.total } });
    c.header('content-type', 'text/csv; charset=utf-8');
    c.header('content-disposition', `attachment; filename="audit-${chinaDate(auth.clock())}.csv"`);
    if (res.total > res.items.length) c.header('x-truncated', `${res.items.length}/${res.total}`);
    return c.body('\uFEFF' + csv);
  });

  return app;
}
