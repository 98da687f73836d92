import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../app/config';
import { startSystem, type System } from '../app/system';
import type { Db } from '../core/db';
import { createLogger } from '../core/log';
import { openTestDb } from './helpers/db';
import { seedMonitoring } from './dashboard-seed';
import { StatusSnapshots } from '../dashboard/status/snapshot';
import { statusPageConfig } from '../dashboard/config';

// The public status page (/status): no login, only the configured modules under their public names, 90 daily bars
// from the 1-hour rollup, open incidents and planned maintenance with a public note, cacheable, and the last good
// snapshot while the database is slow or away.
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const real = await openTestDb();
const ctl = { down: false, slowMs: 0 };
/** The database, breakable: `down` throws at once (refused connection), `slowMs` delays every query. */
const gate = async () => {
  if (ctl.down) throw new Error('connect ECONNREFUSED 127.0.0.1:5432 (simulated outage)');
  if (ctl.slowMs) await new Promise((r) => setTimeout(r, ctl.slowMs));
};
const db: Db = {
  kind: real.kind,
  query: async (s, p) => (await gate(), real.query(s, p)),
  exec: async (s) => (await gate(), real.exec(s)),
  tx: async (fn) => (await gate(), real.tx(fn)),
  insertMany: async (...a) => (await gate(), real.insertMany(...a)),
  tryLock: (k) => real.tryLock(k),
  ping: async () => !ctl.down && (await real.ping()),
  close: () => real.close(),
};

// A fixed instant, 14:30 in UTC+8: the seed writes one raw row per target per hour (at minute 7), so in the first
// minutes after midnight today's bar has no row yet; the page must not be judged by when the suite runs.
let now = Date.UTC(2026, 10, 18, 6, 30);
const clock = () => now;
await seedMonitoring(real, { now, modules: 3, targetsPerModule: 2, days: 35, rawHours: 0 }); // m0 down (open incident), m1 degraded, m2 up
const config = parseConfig(`
server: { host: 127.0.0.1, port: 0 }
log: { level: silent }
auth:
  initialAdmin: { username: admin, password: Guanli-test-2026 }
dashboard:
  statusPage:
    title: 某市政务服务运行状态
    refreshSeconds: 60
    queryTimeoutMs: 300
    modules:
      - { module: m0, name: 网上办事大厅, description: 在线申报与查询 }
      - { module: m1, name: 证照查询 }
      - { module: m2, name: 市民热线 }
      - { module: nosuch, name: 尚未接入的服务 }
`);
const system: System = await startSystem({ config, db, clock, roles: ['dashboard'] });
const base = system.url!;
const token = (await system.auth.createToken({ name: 'status-test', role: 'ops', createdBy: 'test' })).token;

// Planned maintenance of m2 through the API (internal comment, public note), and a window on one target of m1 (internal).
const post = async (body: object) => {
  const r = await fetch(`${base}/api/alerts/maintenance`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await r.text();
  assert.is(r.status, 201, text);
  return JSON.parse(text);
};
const planned = await post({ name: '热线系统数据库扩容', moduleId: 'm2', startsAt: new Date(now + 2 * DAY).toISOString(), endsAt: new Date(now + 2 * DAY + 2 * HOUR).toISOString(), comment: '工单 OPS-4711 张三 13800000000', publicNote: '市民热线系统升级，期间网上留言暂停受理。' });
assert.is((planned as { publicNote: string }).publicNote, '市民热线系统升级，期间网上留言暂停受理。');
await post({ name: '证照接口换证书', targetId: 'm1-t0', endsAt: new Date(now + HOUR).toISOString(), comment: '内部' });

async function getStatus() {
  const t = Date.now();
  const r = await fetch(`${base}/status`);
  return { r, body: await r.text(), ms: Date.now() - t };
}
const updatedAt = (body: string) => /数据更新于 ([0-9-]+ [0-9:]+)/.exec(body)?.[1];

let first = '';
test('no login: every public module with its state, 90 daily bars, the open incident and the planned maintenance', async () => {
  now += 61_000; // the snapshot read at start is older than refreshSeconds: read again (with the windows above)
  const { r, body } = await getStatus();
  assert.is(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /text\/html/);
  assert.is(r.headers.get('cache-control'), 'public, max-age=60');
  assert.match(r.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  for (const name of ['某市政务服务运行状态', '网上办事大厅', '在线申报与查询', '证照查询', '市民热线', '尚未接入的服务']) assert.ok(body.includes(name), name);
  assert.match(body, /部分服务中断/); // the banner: the worst state
  const states = [...body.matchAll(/<span class="state (\w+)">/g)].map((m) => m[1]);
  assert.equal(states.slice(-4), ['down', 'degraded', 'up', 'unknown'], 'm0 down, m1 degraded (a target window does not count), m2 up, an unknown id no data');
  const bars = [...body.matchAll(/<div class="bars"[^>]*>(.*?)<\/div>/gs)].map((m) => [...m[1].matchAll(/<span class="(\w+)"/g)].map((x) => x[1]));
  assert.is(bars.length, 4);
  for (const b of bars) assert.is(b.length, 90);
  // 35 days of data (36 UTC+8 days touched), the rest grey; the unknown module grey throughout.
  const measured = bars[2].filter((c) => c !== 'nodata').length;
  assert.ok(measured >= 35 && measured <= 37, `${measured} measured days`);
  assert.ok(bars[2].slice(0, 50).every((c) => c === 'nodata'));
  assert.ok(bars[3].every((c) => c === 'nodata'));
  assert.ok(bars[0].slice(-1)[0] === 'bad' || bars[0].slice(-1)[0] === 'warn', 'm0 down for two hours today');
  assert.match(body, /当前故障[\s\S]*网上办事大厅[\s\S]*开始于/);
  assert.match(body, /维护计划[\s\S]*市民热线[\s\S]*计划维护[\s\S]*市民热线系统升级，期间网上留言暂停受理。/);
  first = updatedAt(body)!;
  assert.ok(first, '数据更新于 shown');
});

test('nothing internal: no ids, internal names, URLs, error texts, comments or people', async () => {
  const { body } = await getStatus();
  for (const secret of ['m0-t0', 'm1-t0', '共享交换平台', '人口库', '法人库', '127.0.0.1', '18001', '连接被拒绝', 'connect_refused', '请求超时', '热线系统数据库扩容', 'OPS-4711', '张三', '13800000000', '证照接口换证书', '内部', 'nosuch', '/api/']) {
    assert.not.ok(body.includes(secret), `the page shows ${secret}`);
  }
  assert.not.match(body, /<script/i);
});

test('values are escaped (hono/html)', async () => {
  await real.query(`UPDATE maintenance_windows SET public_note = '<img src=x onerror=alert(1)>升级' WHERE module_id = 'm2'`);
  now += 61_000; // the snapshot is due again
  const { body } = await getStatus();
  assert.ok(body.includes('&lt;img src=x onerror=alert(1)&gt;升级'));
  assert.not.ok(body.includes('<img'));
  first = updatedAt(body)!;
});

test('within refreshSeconds the snapshot answers without the database', async () => {
  ctl.down = true;
  now += 30_000;
  const { r, body } = await getStatus();
  assert.is(r.status, 200);
  assert.is(updatedAt(body), first);
  assert.not.match(body, /暂时无法获取最新状态/);
  ctl.down = false;
});

test('the database down: 200 with the last snapshot, its time and a note; cached only briefly', async () => {
  ctl.down = true;
  now += 120_000;
  const { r, body } = await getStatus();
  assert.is(r.status, 200);
  assert.is(updatedAt(body), first, 'the last good snapshot');
  assert.match(body, /暂时无法获取最新状态，显示的是最近一次的数据/);
  assert.match(body, /网上办事大厅/);
  assert.is(r.headers.get('cache-control'), 'public, max-age=10');
  ctl.down = false;
});

test('the database slow: the last snapshot after queryTimeoutMs, the new one once the read finishes', async () => {
  ctl.slowMs = 1500;
  now += 120_000;
  const { r, body, ms } = await getStatus();
  assert.is(r.status, 200);
  assert.ok(ms < 1200, `answered in ${ms} ms`);
  assert.is(updatedAt(body), first);
  assert.match(body, /暂时无法获取最新状态/);
  ctl.slowMs = 0;
  await new Promise((r) => setTimeout(r, 1800)); // the slow read completes in the background
  const again = await getStatus();
  assert.is.not(updatedAt(again.body), first, 'renewed');
  assert.not.match(again.body, /暂时无法获取最新状态/);
});

test('never read (the database away since the start): 503, no-store', async () => {
  ctl.down = true;
  const snaps = new StatusSnapshots(db, () => statusPageConfig.parse({ modules: [{ module: 'm0', name: 'x' }] }), clock, createLogger({ level: 'silent' }));
  const res = await snaps.current();
  assert.is(res.snapshot, undefined);
  assert.is(res.stale, true);
  ctl.down = false;
});

test('without public modules /status is 404; a module listed twice is refused', async () => {
  const other = await startSystem({ config: parseConfig(`log: { level: silent }\nserver: { port: 0 }`), db, roles: ['dashboard'], listen: false });
  assert.is((await other.app.request('/status')).status, 404);
  await other.stop();
  assert.throws(() => statusPageConfig.parse({ modules: [{ module: 'm0', name: 'a' }, { module: 'm0', name: 'b' }] }), /listed twice/);
});

test('teardown', async () => {
  await system.stop();
  await real.close();
});

test.run();
