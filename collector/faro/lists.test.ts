import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openTestDb } from '../../test/helpers/db';
import { manualClock } from '../../core/time';
import type { FaroEvent, FaroLog } from '../../contract/collector';
import type { Page } from '../../contract/common';
import { KEY, receiverApp, sampleBody } from './testkit';

// The read side of logs and events through the real receiver: SDK-shaped bodies in, the list contract out.
const db = await openTestDb();
const clock = manualClock(Date.UTC(2026, 10, 25, 8, 0, 0));
const { app } = receiverApp(db, clock, '', { perSecond: 1000, burst: 1000 });
const T0 = clock();
const post = async (body: unknown, at?: number) => {
  if (at !== undefined) clock.set(at); // the receiver puts a time far ahead of its clock at the receive time
  const r = await app.request('/faro/collect', { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEY }, body: JSON.stringify(body) });
  assert.is(r.status, 202, await r.clone().text());
};
const get = async <T>(path: string) => {
  const r = await app.request(path);
  assert.is(r.status, 200, `${path}: ${await r.clone().text()}`);
  return (await r.json()) as T;
};
const range = `from=${T0 - 3_600_000}&to=${T0 + 3_600_000}`;

/** One SDK body from `session` on `page`, `minute` minutes after T0, with the given logs and events. */
const body = (o: { session: string; page: string; minute: number; logs: { level: string; message: string }[]; events: string[] }) => [sdkBody(o), T0 + o.minute * 60_000 + 2000] as const;
function sdkBody(o: { session: string; page: string; minute: number; logs: { level: string; message: string }[]; events: string[] }) {
  const b = sampleBody(T0 + o.minute * 60_000 + 1000, { session: o.session, page: o.page });
  const ts = new Date(T0 + o.minute * 60_000).toISOString();
  return {
    ...b,
    exceptions: [],
    logs: o.logs.map((l, i) => ({ ...l, timestamp: new Date(T0 + o.minute * 60_000 + i).toISOString(), context: { step: String(i), where: `${o.page}#${o.session}` } })),
    events: o.events.map((name) => ({ name, domain: 'browser', timestamp: ts, attributes: { route: o.page } })),
  };
}

test('seed: three sessions on two pages, logs of four levels, three event names', async () => {
  await post(...body({ session: 's-a', page: 'https://www.example.gov.cn/service/list?token=x', minute: 0, logs: [{ level: 'info', message: 'list loaded' }, { level: 'warn', message: '办件列表加载慢 3 s' }], events: ['session_start', 'view_changed'] }));
  await post(...body({ session: 's-b', page: 'https://www.example.gov.cn/service/detail', minute: 5, logs: [{ level: 'error', message: 'detail failed: 502' }, { level: 'debug', message: 'render 12 ms' }], events: ['session_start', 'apply_clicked'] }));
  await post(...body({ session: 's-c', page: 'https://www.example.gov.cn/service/list', minute: 10, logs: [{ level: 'info', message: 'list loaded' }], events: ['view_changed'] }));
  for (let i = 0; i < 30; i++) await post(...body({ session: 's-many', page: 'https://www.example.gov.cn/service/list', minute: 20 + i, logs: [{ level: 'info', message: `tick ${i}` }], events: ['heartbeat'] }));
  clock.set(T0 + 60 * 60_000);
});

test('GET /logs: newest first, every field typed, the total of the whole filter', async () => {
  const p = await get<Page<FaroLog>>(`/faro/logs?${range}`);
  assert.is(p.total, 35);
  assert.is(p.limit, 50);
  assert.is(p.offset, 0);
  assert.is(p.items.length, 35);
  const first = p.items[0];
  assert.is(first.message, 'tick 29');
  assert.is(typeof first.ts, 'string');
  assert.ok(Date.parse(first.ts) > Date.parse(p.items[34].ts), 'newest first');
  assert.is(first.app, 'portal');
  assert.is(first.sessionId, 's-many');
  assert.is(first.pageUrl, 'https://www.example.gov.cn/service/list');
  assert.is(first.browser, 'Chrome');
  assert.is(first.level, 'info');
  assert.equal(first.context, { step: '0', where: 'https://www.example.gov.cn/service/list#s-many' });
  assert.is(first.traceId, null);
  const asc = await get<Page<FaroLog>>(`/faro/logs?${range}&sort=ts&limit=1`);
  assert.is(asc.items[0].message, 'list loaded', 'sort=ts: oldest first');
});

test('GET /logs filters: level, session, page (URL or path), app, q, time range — each narrows the total', async () => {
  const t = async (q: string) => (await get<Page<FaroLog>>(`/faro/logs?${range}&${q}`)).total;
  assert.is(await t('level=warn,error'), 2);
  assert.is(await t('level=debug'), 1);
  assert.is(await t('session=s-b'), 2);
  assert.is(await t('session=s-b&level=error'), 1);
  assert.is(await t('page=https://www.example.gov.cn/service/detail'), 2);
  assert.is(await t('page=/service/list'), 33, 'a path matches the page on any host');
  assert.is(await t('page=/service'), 0, 'a path is matched whole, not as a prefix');
  assert.is(await t('app=portal'), 35);
  assert.is(await t('app=other,portal'), 35);
  assert.is(await t('app=other'), 0);
  assert.is(await t('q=LOADED'), 2, 'q is case-insensitive over the message');
  assert.is(await t('q=加载慢'), 1);
  assert.is(await t('q=%25'), 0, '% is a plain character');
  assert.is(await t('q=s-b'), 2, 'q also searches the context');
  const mid = T0 + 15 * 60_000;
  assert.is((await get<Page<FaroLog>>(`/faro/logs?from=${T0 - 60_000}&to=${new Date(mid).toISOString()}`)).total, 5);
  assert.is((await get<Page<FaroLog>>(`/faro/logs`)).total, 35, 'default: the last 24 h');
});

test('GET /logs paging: pages of 10 cover every row once; past the end keeps the total', async () => {
  const seen = new Set<string>();
  for (let offset = 0; offset < 40; offset += 10) {
    const p = await get<Page<FaroLog>>(`/faro/logs?${range}&limit=10&offset=${offset}`);
    assert.is(p.total, 35);
    assert.is(p.items.length, Math.min(10, 35 - offset));
    for (const x of p.items) seen.add(`${x.ts}|${x.message}`);
  }
  assert.is(seen.size, 35);
  const past = await get<Page<FaroLog>>(`/faro/logs?${range}&offset=100`);
  assert.equal([past.items.length, past.total], [0, 35]);
  assert.is((await get<Page<FaroLog>>(`/faro/logs?${range}&limit=100000`)).limit, 500, 'limit cut to the maximum');
});

test('GET /events: name, session, page, q filters and paging', async () => {
  const p = await get<Page<FaroEvent>>(`/faro/events?${range}&limit=5`);
  assert.is(p.total, 35);
  assert.is(p.items.length, 5);
  const e = p.items[0];
  assert.is(e.name, 'heartbeat');
  assert.is(e.domain, 'browser');
  assert.equal(e.attributes, { route: 'https://www.example.gov.cn/service/list' });
  assert.is(e.sessionId, 's-many');
  const t = async (q: string) => (await get<Page<FaroEvent>>(`/faro/events?${range}&${q}`)).total;
  assert.is(await t('name=session_start'), 2);
  assert.is(await t('name=session_start,view_changed'), 4);
  assert.is(await t('session=s-a'), 2);
  assert.is(await t('page=/service/detail'), 2);
  assert.is(await t('q=apply'), 1);
  assert.is(await t('q=/service/detail'), 2, 'q searches the attributes');
  assert.is(await t('name=heartbeat&session=s-a'), 0);
  const p2 = await get<Page<FaroEvent>>(`/faro/events?${range}&limit=5&offset=5`);
  assert.ok(p2.items.every((x) => !p.items.some((y) => y.ts === x.ts && y.name === x.name)), 'the second page is not the first');
});

test('bad parameters are 400 naming the field, never 500', async () => {
  const bad = async (path: string, field: string) => {
    const r = await app.request(path);
    assert.is(r.status, 400, path);
    const j = await r.json();
    assert.is(j.error.field, field, `${path}: ${JSON.stringify(j)}`);
  };
  await bad('/faro/logs?level=fatal', 'level');
  await bad('/faro/logs?sort=message', 'sort');
  await bad('/faro/logs?limit=0', 'limit');
  await bad('/faro/logs?offset=-1', 'offset');
  await bad('/faro/logs?from=2026-02-30', 'from');
  await bad(`/faro/logs?from=${T0}&to=${T0 - 1}`, 'from');
  await bad(`/faro/logs?q=${'x'.repeat(201)}`, 'q');
  await bad(`/faro/events?app=${Array.from({ length: 21 }, (_, i) => `a${i}`).join(',')}`, 'app');
  await bad(`/faro/events?session=${'s'.repeat(201)}`, 'session');
  assert.is((await app.request('/faro/logs', { headers: { 'x-test-anon': '1' } })).status, 401);
});

/** Every numeric field of every Faro answer is a JSON number (pg hands numeric and bigint over as strings). */
const NUMERIC = new Set(['measurements24h', 'bucketSeconds', 'p75', 'n', 'samples', 'sessions', 'lcpP75', 'inpP75', 'clsP75', 'ttfbP75', 'count', 'errors', 'distinctErrors', 'sessionsWithErrors', 'total', 'limit', 'offset']);
function numbersTyped(v: unknown, path: string, found: string[]) {
  if (Array.isArray(v)) v.forEach((x, i) => numbersTyped(x, `${path}[${i}]`, found));
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === 'context' || k === 'attributes' || k === 'frames') continue; // what the browser sent, as it sent it
      if (NUMERIC.has(k) && x !== null) {
        assert.is(typeof x, 'number', `${path}.${k} = ${JSON.stringify(x)}`);
        found.push(k);
      }
      if (typeof x === 'string' && /^-?\d+(\.\d+)?$/.test(x) && k !== 'message' && k !== 'browserVersion') assert.unreachable(`${path}.${k} is a number as a string: ${x}`);
      numbersTyped(x, `${path}.${k}`, found);
    }
  }
}

test('numbers are typed consistently in every Faro answer (raw and histogram sources)', async () => {
  await post(sampleBody(clock())); // an exception and web vitals as well
  clock.advance(1000);
  const long = `from=${clock() - 7 * 86_400_000}&to=${clock() + 1}`;
  const short = `from=${clock() - 3_600_000}&to=${clock() + 1}`;
  const paths = [
    '/faro/apps', `/faro/vitals?${short}`, `/faro/vitals?${long}`, `/faro/pages?${short}`, `/faro/pages?${long}`,
    `/faro/errors?${short}`, `/faro/sessions?${short}`, `/faro/logs?${short}`, `/faro/events?${short}`,
  ];
  const found: string[] = [];
  for (const p of paths) numbersTyped(await get<unknown>(p), p, found);
  const errors = await get<{ items: { fingerprint: string }[] }>(`/faro/errors?${short}`);
  numbersTyped(await get<unknown>(`/faro/errors/${errors.items[0].fingerprint}`), 'exception', found);
  for (const k of ['p75', 'samples', 'lcpP75', 'clsP75', 'count', 'sessionsWithErrors', 'total', 'measurements24h']) assert.ok(found.includes(k), `${k} was checked`);
});

test.after(async () => db.close());
test.run();
