import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Hono } from 'hono';
import { openTestDb, backend } from '../../test/helpers/db';
import { AuthService } from './service';
import { createAuthRoutes } from './routes';
import { authenticate, requirePermission, auditFrom, type AppEnv } from '../http';
import { hashPassword, verifyPassword } from './password';
import { can } from './roles';
import { manualClock } from '../time';

const clock = manualClock();
let db: Awaited<ReturnType<typeof openTestDb>>;
let auth: AuthService;
let app: Hono<AppEnv>;

test.before(async () => {
  db = await openTestDb();
  auth = new AuthService(db, clock, 3_600_000);
  app = new Hono<AppEnv>();
  app.use('/api/*', authenticate(auth));
  app.route('/api/auth', createAuthRoutes({ db, auth, sessionTtlMs: 3_600_000, secureCookies: false }));
  app.post('/api/ops-thing', requirePermission('targets:write'), async (c) => {
    await auditFrom(c, auth, { action: 'thing.write', target: 'x' });
    return c.json({ ok: true });
  });
  app.get('/api/read-thing', requirePermission('read'), (c) => c.json({ ok: true }));
  await auth.createUser({ username: 'root', password: 'Superuser-pass-1', role: 'admin' });
  await auth.createUser({ username: 'ann', password: 'ops-password-1', role: 'ops' });
  await auth.createUser({ username: 'reg', password: 'reg-password-1', role: 'regulator' });
});
test.after(async () => db.close());

async function login(username: string, password: string) {
  const res = await app.request('/api/auth/login', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }),
  });
  return { res, cookie: res.headers.get('set-cookie') ?? '' };
}

test('scrypt hashes verify and differ per salt', async () => {
  const a = await hashPassword('correct horse');
  const b = await hashPassword('correct horse');
  assert.is.not(a, b);
  assert.ok(await verifyPassword('correct horse', a));
  assert.not.ok(await verifyPassword('wrong horse', a));
  assert.match(a, /^scrypt\$16384\$8\$1\$/);
});

test(`[${backend}] login sets an HttpOnly SameSite session cookie; bad password is 401`, async () => {
  const bad = await login('ann', 'nope-nope');
  assert.is(bad.res.status, 401);
  const unknown = await login('nobody', 'nope-nope');
  assert.is(unknown.res.status, 401);
  const ok = await login('ann', 'ops-password-1');
  assert.is(ok.res.status, 200);
  assert.match(ok.cookie, /cityops_session=s_/);
  assert.match(ok.cookie, /HttpOnly/);
  assert.match(ok.cookie, /SameSite=Strict/);
  const me = await app.request('/api/auth/me', { headers: { cookie: ok.cookie.split(';')[0] } });
  assert.equal((await me.json()).user, { name: 'ann', role: 'ops', kind: 'session' });
  const stored = await db.query<{ id_hash: string }>('SELECT id_hash FROM sessions');
  assert.not.ok(stored.rows.some((r) => ok.cookie.includes(r.id_hash)), 'only a hash of the session id is stored');
});

test('unauthenticated is 401, wrong role is 403, right role passes and is audited', async () => {
  assert.is((await app.request('/api/read-thing')).status, 401);
  const reg = (await login('reg', 'reg-password-1')).cookie.split(';')[0];
  assert.is((await app.request('/api/read-thing', { headers: { cookie: reg } })).status, 200);
  assert.is((await app.request('/api/ops-thing', { method: 'POST', headers: { cookie: reg } })).status, 403);
  const ann = (await login('ann', 'ops-password-1')).cookie.split(';')[0];
  assert.is((await app.request('/api/ops-thing', { method: 'POST', headers: { cookie: ann } })).status, 200);
  const a = await db.query<{ actor: string; action: string }>(`SELECT actor, action FROM audit_log WHERE action = 'thing.write'`);
  assert.equal(a.rows, [{ actor: 'ann', action: 'thing.write' }]);
});

test('sessions expire', async () => {
  const ann = (await login('ann', 'ops-password-1')).cookie.split(';')[0];
  clock.advance('2h');
  assert.is((await app.request('/api/read-thing', { headers: { cookie: ann } })).status, 401);
});

test('API tokens: created by an admin, shown once, stored hashed, revocable', async () => {
  const root = (await login('root', 'Superuser-pass-1')).cookie.split(';')[0];
  const created = await app.request('/api/auth/tokens', {
    method: 'POST', headers: { cookie: root, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'dept-system', role: 'regulator' }),
  });
  assert.is(created.status, 201);
  const { id, token } = await created.json();
  assert.match(token, /^cot_/);
  const rows = await db.query<{ token_hash: string }>('SELECT token_hash FROM api_tokens');
  assert.not.ok(rows.rows.some((r) => r.token_hash === token));
  const bearer = { authorization: `Bearer ${token}` };
  assert.is((await app.request('/api/read-thing', { headers: bearer })).status, 200);
  assert.is((await app.request('/api/ops-thing', { method: 'POST', headers: bearer })).status, 403);
  const ann = (await login('ann', 'ops-password-1')).cookie.split(';')[0];
  assert.is((await app.request('/api/auth/tokens', { headers: { cookie: ann } })).status, 403, 'only admins manage tokens');
  assert.is((await app.request(`/api/auth/tokens/${id}`, { method: 'DELETE', headers: { cookie: root } })).status, 200);
  assert.is((await app.request('/api/read-thing', { headers: bearer })).status, 401);
  const audit = await db.query<{ action: string }>(`SELECT action FROM audit_log WHERE action LIKE 'token.%' ORDER BY id`);
  assert.equal(audit.rows.map((r) => r.action), ['token.create', 'token.revoke']);
});

test('permission table: admin may everything, teams only their own writes', () => {
  assert.ok(can('admin', 'users:admin'));
  assert.not.ok(can('ops', 'users:admin'));
  assert.ok(can('security', 'alerts:security:write'));
  assert.not.ok(can('security', 'alerts:ops:write'));
  assert.ok(can('regulator', 'reporter:write'));
  assert.not.ok(can('ops', 'reporter:write'));
});

test.run();
