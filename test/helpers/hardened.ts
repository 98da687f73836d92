// A whole system on the test database with a user of every role, an API token, a heartbeat push token, a Faro key and
// alert receivers of both teams, every log line kept: what the input-layer and fuzz tests send their requests to.
import { Writable } from 'node:stream';
import pino from 'pino';
import { parseConfig } from '../../app/config';
import { startSystem, type System } from '../../app/system';
import { manualClock } from '../../core/time';
import { openTestDb } from './db';

export const HOST = 'ops.city.local';
export const SECRETS = {
  pushToken: 'hb-push-token-7c1d4e9a2b6f',
  faroKey: 'faro-app-key-3e8b1f0c5a7d',
  passwords: { root: 'Superuser-pass-1', ann: 'Yunwei-shift-2026', sec: 'Anquan-shift-2026', reg: 'Jianguan-shift-2026' },
};

export type Caller = { name: string; cookie?: string; token?: string };
export type Opts = { caller?: Caller; origin?: string; type?: string; body?: unknown; raw?: string | Uint8Array | ReadableStream; headers?: Record<string, string> };

export async function startHardened(now = Date.UTC(2026, 11, 2, 2, 0, 0)) {
  const clock = manualClock(now);
  const logLines: string[] = [];
  const sink = new Writable({ write: (chunk, _e, cb) => (logLines.push(String(chunk)), cb()) });
  const db = await openTestDb();
  const P = SECRETS.passwords;
  const config = parseConfig(`
auth:
  initialAdmin: { username: root, password: ${P.root} }
  seedUsers:
    - { username: ann, password: ${P.ann}, role: ops }
    - { username: sec, password: ${P.sec}, role: security }
    - { username: reg, password: ${P.reg}, role: regulator }
collector:
  modules: [{ id: batch, name: 批处理 }]
  targets:
    - { id: nightly, module: batch, name: 夜间作业, type: heartbeat, token: ${SECRETS.pushToken}, spec: { period: 1d, grace: 1h } }
faro:
  enabled: true
  allowedOrigins: ['*']
  apps: [{ name: portal, key: ${SECRETS.faroKey} }]
alerts:
  receivers:
    - { name: ops, channels: [{ type: log }] }
    - { name: security, channels: [{ type: log }] }
    - { name: shared, channels: [{ type: log }] }
  route: { receiver: ops, routes: [{ receiver: security, matchers: ['team="security"'] }] }
`);
  // Like production: the logger of core/log.ts (scrubbing) writing into the sink.
  const sys: System = await startSystem({ config, db, roles: ['dashboard'], listen: false, clock, log: pino({ level: 'debug' }, sink) });

  async function call(method: string, path: string, o: Opts = {}) {
    const headers: Record<string, string> = { host: HOST, ...(o.headers ?? {}) };
    if (o.caller?.cookie) headers.cookie = o.caller.cookie;
    if (o.caller?.token) headers.authorization = `Bearer ${o.caller.token}`;
    if (o.origin) headers.origin = o.origin;
    const body = o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body));
    if (body !== undefined) {
      headers['content-type'] ??= o.type ?? 'application/json';
      if (typeof body === 'string' || body instanceof Uint8Array) headers['content-length'] ??= String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
    }
    const init: RequestInit & { duplex?: string } = { method, headers, body: body as BodyInit | undefined };
    if (body instanceof ReadableStream) init.duplex = 'half';
    const res = await sys.app.request(`http://${HOST}${path}`, init);
    const text = await res.text();
    let json: any = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
    return { status: res.status, json, text, headers: res.headers };
  }
  async function login(username: string, password: string): Promise<Caller> {
    const r = await sys.app.request(`http://${HOST}/api/auth/login`, {
      method: 'POST', headers: { host: HOST, 'content-type': 'application/json' }, body: JSON.stringify({ username, password }),
    });
    if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${await r.text()}`);
    return { name: username, cookie: (r.headers.get('set-cookie') ?? '').split(';')[0] };
  }
  const callers = {
    anonymous: { name: 'anonymous' } as Caller,
    admin: await login('root', P.root),
    ops: await login('ann', P.ann),
    security: await login('sec', P.sec),
    regulator: await login('reg', P.reg),
    token: { name: 'token', token: (await sys.auth.createToken({ name: 'fuzz', role: 'regulator', createdBy: 'test' })).token } as Caller,
  };
  const secrets = [SECRETS.pushToken, SECRETS.faroKey, ...Object.values(P), callers.token.token!, ...Object.values(callers).flatMap((c) => (c.cookie ? [c.cookie.split('=')[1]] : []))];
  return { sys, db, clock, logLines, call, login, callers, secrets };
}
