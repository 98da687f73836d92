// The sign-in and the request layer as an attacker and a careless user meet them (issue "Hardening"): password
// policy, throttling and locks, TOTP, token expiry and scopes, sessions an admin ends, CSRF, security headers, and
// tokens in URLs kept out of the log. The whole system, its clock moved by hand.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Writable } from 'node:stream';
import pino from 'pino';
import { parseConfig } from '../app/config';
import { startSystem, type System } from '../app/system';
import { manualClock } from '../core/time';
import { totpCode } from '../core/auth/totp';
import { SESSION_COOKIE } from '../core/http';
import { openTestDb } from './helpers/db';

const clock = manualClock(Date.now());
const logLines: string[] = [];
const sink = new Writable({ write: (chunk, _e, cb) => (logLines.push(String(chunk)), cb()) });
const PUSH_TOKEN = 'hb-push-token-5f0a9c1e7d2b';
const db = await openTestDb();
const config = parseConfig(`
auth:
  secureCookies: true
  totp: { requiredRoles: [security] }
  initialAdmin: { username: root, password: Superuser-pass-1 }
  seedUsers:
    - { username: ann, password: Yunwei-shift-2026, role: ops }
    - { username: sec, password: Anquan-shift-2026, role: security }
    - { username: reg, password: Jianguan-shift-2026, role: regulator }
collector:
  modules: [{ id: batch, name: 批处理 }]
  targets:
    - { id: nightly, module: batch, name: 夜间作业, type: heartbeat, token: ${PUSH_TOKEN}, spec: { period: 1d, grace: 1h } }
`);
const sys: System = await startSystem({ config, db, roles: ['dashboard'], listen: false, clock, log: pino({ level: 'info' }, sink) });
const HOST = 'ops.city.local';

type Opts = { cookie?: string; token?: string; origin?: string; type?: string; body?: unknown; raw?: string };
async function call(method: string, path: string, o: Opts = {}) {
  const headers: Record<string, string> = { host: HOST };
  if (o.cookie) headers.cookie = o.cookie;
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  if (o.origin) headers.origin = o.origin;
  const body = o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body));
  if (body !== undefined) {
    headers['content-type'] = o.type ?? 'application/json';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  const res = await sys.app.request(`http://${HOST}${path}`, { method, headers, body });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, json, headers: res.headers };
}
async function login(username: string, password: string, totp?: string) {
  const r = await sys.app.request(`http://${HOST}/api/auth/login`, {
    method: 'POST', headers: { host: HOST, 'content-type': 'application/json' }, body: JSON.stringify({ username, password, ...(totp ? { totp } : {}) }),
  });
  const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0];
  return { status: r.status, json: (await r.json()) as any, cookie, setCookie: r.headers.get('set-cookie') ?? '', retryAfter: r.headers.get('retry-after') };
}
const admin = async () => (await login('root', 'Superuser-pass-1')).cookie;

test('passwords: too short, common, blank, the user name are refused with the reason; a good one is taken', async () => {
  const root = await admin();
  for (const [password, why] of [['12345678', /至少 12/], ['password', /至少 12/], ['        ', /空白/], ['qwertyuiop123', /强度不足/], ['carolcarol-2026', /用户名/]] as const) {
    const r = await call('POST', '/api/auth/users', { cookie: root, body: { username: 'carolcarol', password, role: 'ops' } });
    assert.is(r.status, 422, password);
    assert.is(r.json.error.code, 'weak_password');
    assert.match(r.json.error.message, why);
  }
  const ok = await call('POST', '/api/auth/users', { cookie: root, body: { username: 'carolcarol', password: 'Tide-lantern-4419', role: 'ops' } });
  assert.is(ok.status, 201);
  // A long user name is a 400, not a database error; a 1 MB one is cut off by the sign-in's body limit (413).
  assert.is((await call('POST', '/api/auth/login', { body: { username: 'x'.repeat(6_000), password: 'p' } })).status, 400);
  const huge = await call('POST', '/api/auth/login', { body: { username: 'x'.repeat(1_000_000), password: 'p' } });
  assert.is(huge.status, 413);
  assert.is(huge.json.error.code, 'body_too_large');
  assert.match((await login('root', 'Superuser-pass-1')).setCookie, /; Secure/, 'secure cookies outside the demo');
});

test('failed sign-ins: growing delays, then a lock (audited, visible to admins), for unknown names too; an admin unlocks', async () => {
  for (let i = 0; i < 3; i++) assert.is((await login('ann', 'wrong-password-x')).status, 401);
  const slow = await login('ann', 'Yunwei-shift-2026');
  assert.is(slow.status, 429, 'the right password must wait too');
  assert.is(slow.json.error.code, 'login_throttled');
  assert.is(slow.retryAfter, '1');
  clock.advance('2s');
  assert.is((await login('ann', 'Yunwei-shift-2026')).status, 200, 'after the wait the right password works');
  // Ten failures in a row lock the account; the same happens to a name that does not exist.
  for (const name of ['ann', 'nobody-here']) {
    for (let i = 0; i < 10; i++) {
      const r = await login(name, 'wrong-password-x');
      if (r.status === 429 && r.json.error.code === 'login_throttled') clock.advance(`${Number(r.retryAfter)}s`), i--;
    }
    const locked = await login(name, name === 'ann' ? 'Yunwei-shift-2026' : 'x');
    assert.is(locked.status, 429, name);
    assert.is(locked.json.error.code, 'account_locked');
    assert.ok(Number(locked.retryAfter) > 800 && Number(locked.retryAfter) <= 900, `a 15-minute lock (${locked.retryAfter} s)`);
  }
  const root = await admin();
  const list = await call('GET', '/api/auth/lockouts', { cookie: root });
  assert.ok(list.json.items.some((x: any) => x.key === 'user:ann' && x.lockedUntil), JSON.stringify(list.json.items));
  const audit = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'auth.locked' AND target IN ('user:ann', 'user:nobody-here')`);
  assert.is(audit.rows[0].n, 2);
  assert.is((await call('DELETE', '/api/auth/lockouts/user:ann', { cookie: root })).status, 200);
  assert.is((await login('ann', 'Yunwei-shift-2026')).status, 200, 'unlocked by the admin');
  clock.advance('1h');
  assert.is((await login('nobody-here', 'x')).status, 401, 'a lock ends by itself');
});

test('TOTP: a role that must use it can only enrol; then sign-in needs the current code, each code once', async () => {
  const first = await login('sec', 'Anquan-shift-2026');
  assert.is(first.status, 200);
  assert.is(first.json.user.totpSetupRequired, true);
  assert.is((await call('GET', '/api/alerts/alerts', { cookie: first.cookie })).json?.error?.code, 'totp_setup_required');
  const setup = await call('POST', '/api/auth/totp/setup', { cookie: first.cookie, origin: `http://${HOST}` });
  assert.match(setup.json.uri, /^otpauth:\/\/totp\//);
  assert.is((await call('POST', '/api/auth/totp/confirm', { cookie: first.cookie, body: { code: '000000' } })).status, 422);
  assert.is((await call('POST', '/api/auth/totp/confirm', { cookie: first.cookie, body: { code: totpCode(setup.json.secret, clock()) } })).status, 200);
  clock.advance('31s');
  assert.is((await login('sec', 'Anquan-shift-2026')).json.error.code, 'totp_required');
  assert.is((await login('sec', 'Anquan-shift-2026', '123456')).json.error.code, 'bad_totp');
  const code = totpCode(setup.json.secret, clock());
  const ok = await login('sec', 'Anquan-shift-2026', code);
  assert.is(ok.status, 200);
  assert.not.ok(ok.json.user.totpSetupRequired);
  assert.is((await call('GET', '/api/alerts/alerts', { cookie: ok.cookie })).status, 200);
  assert.is((await login('sec', 'Anquan-shift-2026', code)).json.error.code, 'bad_totp', 'a code is good once');
});

test('API tokens expire, and their scopes are enforced; a scope outside the role is refused at creation', async () => {
  const root = await admin();
  const bad = await call('POST', '/api/auth/tokens', { cookie: root, body: { name: 'x', role: 'ops', scopes: ['reporter:write'] } });
  assert.is(bad.status, 400);
  assert.is(bad.json.error.code, 'bad_scope');
  const t = await call('POST', '/api/auth/tokens', { cookie: root, body: { name: 'ro', role: 'regulator', scopes: ['read'], expiresInDays: 1 } });
  assert.is(t.status, 201);
  assert.is((await call('GET', '/api/reporter/runs', { token: t.json.token })).status, 200, 'reading is in scope');
  const run = await call('POST', '/api/reporter/staging/run', { token: t.json.token, body: {} });
  assert.is(run.status, 403, 'a read-only token cannot run the staging pick-up');
  assert.is(run.json.error.code, 'forbidden_scope');
  clock.advance('25h');
  assert.is((await call('GET', '/api/reporter/runs', { token: t.json.token })).status, 401, 'expired');
});

test('token scopes hold inside the routes too: a read-scoped token silences, writes configuration and issues notices nothing, whatever its role', async () => {
  const root = await admin();
  const mk = async (role: string, scopes?: string[]) => {
    const r = await call('POST', '/api/auth/tokens', { cookie: root, body: { name: `scope-${role}-${scopes?.join('+') ?? 'all'}`, role, ...(scopes ? { scopes } : {}) } });
    assert.is(r.status, 201, JSON.stringify(r.json));
    return r.json.token as string;
  };
  const silence = { team: 'ops', matchers: ['target="nightly"'], endsAt: new Date(clock() + 3_600_000).toISOString(), comment: '令牌范围测试' };
  const target = (id: string) => ({ data: { id, module: 'batch', name: '范围测试', type: 'tcp', interval: '1h', spec: { host: '127.0.0.1', port: 10 } }, reason: '令牌范围测试' });
  // The team checks inside the alert routes and the configuration objects used the role alone before.
  for (const [role, t] of [['ops', await mk('ops', ['read'])], ['admin', await mk('admin', ['read'])]] as const) {
    const s = await call('POST', '/api/alerts/silences', { token: t, body: silence });
    assert.is(s.status, 403, `${role} token scoped read creates a silence: ${JSON.stringify(s.json)}`);
    const w = await call('POST', '/api/collector/config/targets', { token: t, body: target(`scoped-${role}`) });
    assert.is(w.status, 403, `${role} token scoped read writes a target: ${JSON.stringify(w.json)}`);
  }
  const n = await call('POST', '/api/alerts/notices', { token: await mk('security', ['read']), body: { alertId: 1, title: 'x', level: 'medium' } });
  assert.is(n.status, 403, 'a security token scoped read issues no notice');
  // The same role unscoped may; a token scoped to just the permission may too.
  const opsAll = await mk('ops');
  assert.is((await call('POST', '/api/alerts/silences', { token: opsAll, body: silence })).status, 201);
  assert.is((await call('POST', '/api/alerts/silences', { token: await mk('ops', ['read', 'alerts:ops:write']), body: silence })).status, 201);
  const w = await call('POST', '/api/collector/config/targets', { token: await mk('ops', ['read', 'targets:write']), body: target('scoped-ok') });
  assert.is(w.status, 201, JSON.stringify(w.json));
});

test('sessions: an admin lists and ends one; a password reset ends the user\'s sessions', async () => {
  const root = await admin();
  const ann = (await login('ann', 'Yunwei-shift-2026')).cookie;
  const list = await call('GET', '/api/auth/sessions?limit=100', { cookie: root });
  const mine = list.json.items.filter((s: any) => s.username === 'ann');
  assert.ok(mine.length >= 1 && list.json.total >= mine.length);
  for (const s of mine) assert.is((await call('DELETE', `/api/auth/sessions/${s.id}`, { cookie: root })).status, 200);
  assert.is((await call('GET', '/api/auth/me', { cookie: ann })).status, 401);
  const ann2 = (await login('ann', 'Yunwei-shift-2026')).cookie;
  const users = await call('GET', '/api/auth/users', { cookie: root });
  const id = users.json.items.find((u: any) => u.username === 'ann').id;
  assert.is((await call('PATCH', `/api/auth/users/${id}`, { cookie: root, body: { password: 'Fresh-harbour-7730' } })).status, 200);
  assert.is((await call('GET', '/api/auth/me', { cookie: ann2 })).status, 401, 'the reset ended the session');
  assert.is((await login('ann', 'Fresh-harbour-7730')).status, 200);
});

test('CSRF: a foreign Origin, a cross-site fetch, and a form or text/plain body with a session are refused', async () => {
  const root = await admin();
  const body = { name: 'csrf', role: 'ops' };
  assert.is((await call('POST', '/api/auth/tokens', { cookie: root, origin: 'https://evil.example', body })).status, 403);
  assert.is((await call('POST', '/api/auth/tokens', { cookie: root, raw: JSON.stringify(body), type: 'text/plain' })).status, 415);
  assert.is((await call('POST', '/api/auth/tokens', { cookie: root, raw: 'name=csrf&role=ops', type: 'application/x-www-form-urlencoded' })).status, 415);
  // Sec-Fetch-Site without an Origin, every unsafe method, and a body with no Content-Type at all (a Blob's fetch).
  const cross = await sys.app.request(`http://${HOST}/api/auth/tokens`, { method: 'POST', headers: { host: HOST, cookie: root, 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.is(cross.status, 403);
  assert.is(((await cross.json()) as any).error.code, 'cross_origin');
  for (const method of ['PUT', 'PATCH', 'DELETE']) assert.is((await call(method, '/api/auth/sessions/1', { cookie: root, origin: 'https://evil.example' })).status, 403, method);
  const untyped = await sys.app.request(`http://${HOST}/api/auth/tokens`, { method: 'POST', headers: { host: HOST, cookie: root, 'content-length': String(JSON.stringify(body).length) }, body: new Blob([JSON.stringify(body)]) });
  assert.is(untyped.status, 415, 'a body without a Content-Type');
  const same = await call('POST', '/api/auth/tokens', { cookie: root, origin: `http://${HOST}`, body });
  assert.is(same.status, 201, 'our own origin, JSON');
  // A heartbeat comes from a batch job anywhere, with its token in the path: not a browser session's request.
  assert.is((await call('POST', `/api/collector/heartbeat/${PUSH_TOKEN}`, { origin: 'https://jobs.example', raw: '{"status":"ok"}', type: 'text/plain' })).status, 202);
});

test('security headers on every answer; the page runs no inline script', async () => {
  for (const path of ['/', '/api/auth/session', '/healthz']) {
    const r = await sys.app.request(`http://${HOST}${path}`);
    const csp = r.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'(;|$)/, path);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.is(r.headers.get('x-frame-options'), 'DENY');
    assert.is(r.headers.get('x-content-type-options'), 'nosniff');
    assert.is(r.headers.get('referrer-policy'), 'no-referrer');
  }
  const html = await (await sys.app.request(`http://${HOST}/`)).text();
  assert.not.match(html, /<script>(?!<)/, 'no inline script');
  const session = (await (await sys.app.request(`http://${HOST}/api/auth/session`)).json()) as { user: unknown };
  assert.is(session.user, null, 'asking before sign-in is not an error');
});

test('a token in the URL never reaches the log, even when the request fails', async () => {
  await db.exec('ALTER TABLE heartbeats RENAME TO heartbeats_away');
  try {
    const r = await call('POST', `/api/collector/heartbeat/${PUSH_TOKEN}`, { raw: '{"status":"ok"}', type: 'text/plain' });
    assert.is(r.status, 500);
    assert.not.match(JSON.stringify(r.json), /relation|heartbeats/, 'no database error shown to the client');
  } finally {
    await db.exec('ALTER TABLE heartbeats_away RENAME TO heartbeats');
  }
  const failed = logLines.filter((l) => l.includes('request failed'));
  assert.ok(failed.length > 0, 'the failure was logged');
  assert.ok(failed.some((l) => l.includes('/api/collector/heartbeat/:token')));
  for (const secret of [PUSH_TOKEN, 'Superuser-pass-1', 'Yunwei-shift-2026']) assert.not.ok(logLines.some((l) => l.includes(secret)), `${secret} in the log`);
});

test.after(async () => {
  await sys.stop();
  await db.close();
});
test.run();
