import { Hono } from 'hono';
import { setCookie, deleteCookie, getCookie } from 'hono/cookie';
import { z } from 'zod';
import type { Db } from '../db';
import type { AuthService } from './service';
import { ROLES } from './roles';
import { SESSION_COOKIE, auditFrom, clientIp, httpError, page, readJson, requirePermission, type AppEnv } from '../http';

const loginBody = z.object({ username: z.string().min(1), password: z.string().min(1) });
const userBody = z.object({
  username: z.string().regex(/^[A-Za-z0-9_.-]{2,64}$/),
  password: z.string().min(8),
  role: z.enum(ROLES),
  displayName: z.string().max(100).optional(),
});
const tokenBody = z.object({ name: z.string().min(1).max(100), role: z.enum(ROLES), scopes: z.array(z.string()).optional() });

export function createAuthRoutes(deps: { db: Db; auth: AuthService; sessionTtlMs: number; secureCookies: boolean }) {
  const { db, auth } = deps;
  const app = new Hono<AppEnv>();

  app.post('/login', async (c) => {
    const body = await readJson(c);
    if (!body.ok) return body.response;
    const parsed = loginBody.safeParse(body.value);
    if (!parsed.success) return httpError(c, 400, 'bad_request', 'username and password are required');
    const res = await auth.login(parsed.data.username, parsed.data.password, clientIp(c));
    if (!res) {
      await auth.audit({ actor: parsed.data.username, action: 'auth.login_failed', ip: clientIp(c) });
      return httpError(c, 401, 'bad_credentials', '用户名或密码错误');
    }
    setCookie(c, SESSION_COOKIE, res.sessionId, {
      httpOnly: true, sameSite: 'Strict', path: '/', secure: deps.secureCookies, maxAge: Math.floor(deps.sessionTtlMs / 1000),
    });
    await auth.audit({ actor: res.principal.name, role: res.principal.role, action: 'auth.login', ip: clientIp(c) });
    return c.json({ user: { name: res.principal.name, role: res.principal.role } });
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
    return c.json({ user: { name: p.name, role: p.role, kind: p.kind } });
  });

  app.get('/users', requirePermission('users:admin'), async (c) => {
    const { limit, offset } = page(c);
    const r = await db.query(`SELECT id, username, display_name, role, disabled, created_at FROM users ORDER BY id LIMIT $1 OFFSET $2`, [limit, offset]);
    return c.json({ items: r.rows });
  });

  app.post('/users', requirePermission('users:admin'), async (c) => {
    const body = await readJson(c);
    if (!body.ok) return body.response;
    const parsed = userBody.safeParse(body.value);
    if (!parsed.success) return httpError(c, 400, 'bad_request', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    try {
      const id = await auth.createUser(parsed.data);
      await auditFrom(c, auth, { action: 'user.create', target: parsed.data.username, details: { role: parsed.data.role } });
      return c.json({ id }, 201);
    } catch (err) {
      if (/unique|duplicate/i.test((err as Error).message)) return httpError(c, 409, 'exists', `user ${parsed.data.username} exists`);
      throw err;
    }
  });

  app.get('/tokens', requirePermission('users:admin'), async (c) => {
    const r = await db.query(`SELECT id, name, prefix, role, scopes, created_by, created_at, last_used_at, revoked_at FROM api_tokens ORDER BY id`);
    return c.json({ items: r.rows });
  });

  app.post('/tokens', requirePermission('users:admin'), async (c) => {
    const body = await readJson(c);
    if (!body.ok) return body.response;
    const parsed = tokenBody.safeParse(body.value);
    if (!parsed.success) return httpError(c, 400, 'bad_request', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const t = await auth.createToken({ ...parsed.data, createdBy: c.get('principal')!.name });
    await auditFrom(c, auth, { action: 'token.create', target: parsed.data.name, details: { id: t.id, role: parsed.data.role } });
    return c.json({ id: t.id, token: t.token, note: 'shown once; store it now' }, 201);
  });

  app.delete('/tokens/:id', requirePermission('users:admin'), async (c) => {
    const ok = await auth.revokeToken(Number(c.req.param('id')));
    if (!ok) return httpError(c, 404, 'not_found', 'no such active token');
    await auditFrom(c, auth, { action: 'token.revoke', target: c.req.param('id') });
    return c.json({ ok: true });
  });

  app.get('/audit', requirePermission('users:admin'), async (c) => {
    const { limit, offset } = page(c, 100, 1000);
    const r = await db.query(`SELECT id, ts, actor, role, action, target, ip, details FROM audit_log ORDER BY ts DESC, id DESC LIMIT $1 OFFSET $2`, [limit, offset]);
    return c.json({ items: r.rows });
  });

  return app;
}
