import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { gzipSync } from 'node:zlib';
import { openTestDb } from '../../test/helpers/db';
import { manualClock } from '../../core/time';
import type { Db } from '../../core/db';
import { KEY, receiverApp, sampleBody } from './testkit';

const db = await openTestDb();
const clock = manualClock(Date.UTC(2026, 10, 25, 8, 0, 0));
const { app } = receiverApp(db, clock);
const post = (body: unknown, headers: Record<string, string> = {}, path = '/faro/collect') =>
  app.request(path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEY, ...headers }, body: typeof body === 'string' || body instanceof Uint8Array ? (body as BodyInit) : JSON.stringify(body) });
const count = async (t: string) => Number((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t}`)).rows[0].n);

test('a Faro SDK body is stored in every table with app, session, page and browser', async () => {
  const res = await post(sampleBody(clock()));
  assert.is(res.status, 202, await res.clone().text());
  assert.is((await res.json()).accepted, 1 + 5 + 1 + 1 + 1);
  const ex = (await db.query<Record<string, string>>('SELECT * FROM faro_exceptions')).rows[0];
  assert.is(ex.app, 'portal');
  assert.is(ex.session_id, 'sess-1');
  assert.is(ex.page_url, 'https://www.example.gov.cn/service/list', 'query string (a token) is not stored');
  assert.is(ex.browser, 'Chrome');
  assert.is(ex.type, 'TypeError');
  assert.is(ex.fingerprint.length, 32);
  assert.is(await count('faro_measurements'), 5);
  assert.is(await count('faro_logs'), 1);
  assert.is(await count('faro_events'), 1);
  const span = (await db.query<{ duration_ms: number }>('SELECT duration_ms FROM faro_spans')).rows[0];
  assert.is(Number(span.duration_ms), 200);
});

test('the same bug with another number groups under one fingerprint; another bug does not', async () => {
  await post(sampleBody(clock(), { session: 'sess-2', message: "Cannot read properties of undefined (reading 'id') for record 99" }), {}, `/faro/collect/${KEY}`);
  await post(sampleBody(clock(), { session: 'sess-3', message: 'Network request failed' }));
  const r = await db.query<{ fingerprint: string; n: number }>('SELECT fingerprint, count(*)::int AS n FROM faro_exceptions GROUP BY 1 ORDER BY 2 DESC');
  assert.equal(r.rows.map((x) => Number(x.n)), [2, 1]);
});

test('a retry with the same Idempotency-Key (its 202 was lost) is not stored twice', async () => {
  clock.advance(10_000);
  const before = await count('faro_events');
  const body = sampleBody(clock(), { session: 'idem' });
  const a = await post(body, { 'idempotency-key': 'k-123' });
  const b = await post(body, { 'idempotency-key': 'k-123' });
  assert.is(a.status, 202);
  assert.is(b.status, 202);
  assert.is((await b.json()).duplicate, true);
  assert.is(await count('faro_events'), before + 1);
  assert.is((await post(body, { 'idempotency-key': 'k-124' })).status, 202);
  assert.is(await count('faro_events'), before + 2);
  await db.query(`DELETE FROM faro_exceptions WHERE session_id = 'idem'`); // keep the counts of later tests as they were
});

test('unknown or missing key → 401; wrong content type → 415; bad JSON and wrong schema → 400 naming the field', async () => {
  assert.is((await post(sampleBody(clock()), { 'x-api-key': 'nope' })).status, 401);
  const missing = await app.request('/faro/collect', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.is(missing.status, 401);
  assert.is((await post(sampleBody(clock()), { 'content-type': 'application/xml' })).status, 415);
  const trunc = await post(JSON.stringify(sampleBody(clock())).slice(0, 50));
  assert.is(trunc.status, 400);
  assert.is((await trunc.json()).error.code, 'bad_json');
  const b = sampleBody(clock()) as Record<string, any>;
  b.measurements[0].values.lcp = 'slow';
  b.exceptions[0].timestamp = 'yesterday';
  const wrong = await post(b);
  assert.is(wrong.status, 400);
  const msg = (await wrong.json()).error.message as string;
  assert.ok(msg.includes('measurements[0].values.lcp'), msg);
  assert.ok(msg.includes('exceptions[0].timestamp'), msg);
  assert.is((await post({ logs: [] })).status, 400, 'meta is required');
});

test('gzip bodies are accepted; bad gzip → 400; too large before or after gunzip → 413', async () => {
  clock.advance(10_000);
  const before = await count('faro_logs');
  const gz = await post(gzipSync(JSON.stringify(sampleBody(clock(), { session: 'gz' }))), { 'content-encoding': 'gzip' });
  assert.is(gz.status, 202);
  assert.is(await count('faro_logs'), before + 1);
  assert.is((await post(Buffer.from('not gzip at all'), { 'content-encoding': 'gzip' })).status, 400);
  assert.is((await post('x'.repeat(70_000))).status, 413);
  const bomb = gzipSync(Buffer.alloc(5_000_000, 32));
  assert.ok(bomb.length < 65536);
  assert.is((await post(bomb, { 'content-encoding': 'gzip' })).status, 413);
  assert.is((await post('{}', { 'content-encoding': 'br' })).status, 415);
});

test('CORS: preflight for configured origins only, and the answer carries Allow-Origin', async () => {
  clock.advance(10_000);
  const ok = await app.request('/faro/collect', { method: 'OPTIONS', headers: { origin: 'https://www.example.gov.cn', 'access-control-request-method': 'POST' } });
  assert.is(ok.status, 204);
  assert.is(ok.headers.get('access-control-allow-origin'), 'https://www.example.gov.cn');
  assert.ok(ok.headers.get('access-control-allow-headers')!.includes('x-api-key'));
  const no = await app.request('/faro/collect', { method: 'OPTIONS', headers: { origin: 'https://evil.example.com' } });
  assert.is(no.status, 403);
  assert.is(no.headers.get('access-control-allow-origin'), null);
  const res = await post(sampleBody(clock()), { origin: 'http://127.0.0.1:9999' });
  assert.is(res.headers.get('access-control-allow-origin'), 'http://127.0.0.1:9999');
  assert.ok(res.headers.get('access-control-expose-headers')!.includes('Retry-After'));
  assert.is((await post(sampleBody(clock()), { origin: 'https://evil.example.com' })).status, 403);
});

test('rate limit per key → 429 with Retry-After; the bucket refills with time', async () => {
  clock.advance(60_000);
  let limited: Response | undefined;
  for (let i = 0; i < 20 && !limited; i++) {
    const r = await post({ meta: {}, events: [{ name: 'e', timestamp: new Date(clock()).toISOString() }] });
    if (r.status === 429) limited = r;
    else assert.is(r.status, 202);
  }
  assert.ok(limited, 'burst of 10 exceeded');
  assert.ok(Number(limited!.headers.get('retry-after')) >= 1);
  clock.advance(2000);
  assert.is((await post({ meta: {} })).status, 202);
});

test('read API: web-vital p75 per bucket, errors by fingerprint with sessions, affected sessions', async () => {
  clock.advance(60_000);
  const q = `from=${clock() - 3_600_000}&to=${clock() + 1}&app=portal`;
  const v = await (await app.request(`/faro/vitals?${q}&bucket=3600`)).json();
  const lcp = v.items.filter((x: { name: string }) => x.name === 'lcp');
  assert.ok(lcp.length >= 1);
  assert.is(lcp[0].p75, 2400);
  const e = await (await app.request(`/faro/errors?${q}`)).json();
  assert.is(e.items[0].count, 4, 'first message posted by: first test, key-in-path, gzip, allowed-origin CORS');
  assert.ok(e.items[0].sessions >= 2);
  assert.ok(e.items[0].lastSeen);
  const s = await (await app.request(`/faro/sessions?${q}`)).json();
  const distinct = await db.query<{ n: number }>(`SELECT count(DISTINCT session_id)::int AS n FROM (SELECT session_id FROM faro_measurements UNION SELECT session_id FROM faro_events UNION SELECT session_id FROM faro_exceptions) x`);
  assert.is(s.sessions, Number(distinct.rows[0].n), 'sessions counted from the hourly session table = distinct sessions in the raw rows');
  assert.ok(s.sessionsWithErrors >= 3);
  assert.ok(s.items.length >= 3);
  const one = await app.request(`/faro/errors/${e.items[0].fingerprint}`);
  assert.is(one.status, 200);
  assert.is((await app.request(`/faro/vitals`, { headers: { 'x-test-anon': '1' } })).status, 401);
});

test('web vitals also land in hourly histograms; long ranges read p75 from them within 4 %', async () => {
  const h = await db.query<{ name: string; n: number }>(`SELECT name, sum(n)::int AS n FROM faro_vitals_1h GROUP BY 1 ORDER BY 1`);
  assert.equal(h.rows.map((r) => r.name), ['cls', 'lcp'], 'only web-vital names, not delta or custom measurements');
  const lcpRaw = Number((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM faro_measurements WHERE name = 'lcp'`)).rows[0].n);
  assert.is(Number(h.rows[1].n), lcpRaw, 'one histogram count per raw lcp row');
  const q = `from=${clock() - 7 * 86_400_000}&to=${clock() + 1}&app=portal`;
  const v = await (await app.request(`/faro/vitals?${q}`)).json();
  assert.is(v.source, 'histogram');
  const lcp = v.items.find((x: { name: string }) => x.name === 'lcp');
  assert.ok(Math.abs(lcp.p75 - 2400) / 2400 < 0.04, `p75 ${lcp.p75} ≈ 2400`);
  const cls = v.items.find((x: { name: string }) => x.name === 'cls');
  assert.ok(Math.abs(cls.p75 - 0.05) / 0.05 < 0.04, `p75 ${cls.p75} ≈ 0.05`);
  const exact = await (await app.request(`/faro/vitals?${q}&exact=1`)).json();
  assert.is(exact.source, 'raw');
  const pages = await (await app.request(`/faro/pages?${q}`)).json();
  assert.is(pages.source, 'histogram');
  const rawPages = await (await app.request(`/faro/pages?${q}&exact=1`)).json();
  assert.is(pages.items.length, rawPages.items.length);
  assert.is(pages.items[0].pageUrl, rawPages.items[0].pageUrl);
  assert.is(pages.items[0].samples, rawPages.items[0].samples);
  assert.ok(Math.abs(pages.items[0].lcpP75 - rawPages.items[0].lcpP75) / rawPages.items[0].lcpP75 < 0.04);
});

test('the database failing answers 503 (the SDK retries) and loses nothing silently', async () => {
  const broken: Db = Object.create(db);
  broken.tx = async () => { throw new Error('connection refused'); };
  const { app: app2 } = receiverApp(broken, clock);
  const r = await app2.request('/faro/collect', { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEY }, body: JSON.stringify(sampleBody(clock())) });
  assert.is(r.status, 503);
  assert.is(r.headers.get('retry-after'), '5');
});

test('values the database refuses are a 400 with a generic message: the database\'s own words never reach the sender', async () => {
  const refusing: Db = Object.create(db);
  refusing.tx = async () => { throw Object.assign(new Error('invalid input syntax for type json: "secret-faro-value" at character 12 in relation faro_logs'), { code: '22P02' }); };
  const { app: app3 } = receiverApp(refusing, clock);
  const r = await app3.request('/faro/collect', { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEY }, body: JSON.stringify(sampleBody(clock())) });
  assert.is(r.status, 400);
  const text = await r.text();
  assert.is(JSON.parse(text).error.code, 'unstorable');
  assert.match(text, /[\u4e00-\u9fff]/, 'a Chinese message');
  assert.not.match(text, /secret-faro-value|syntax|json|faro_logs|22P02/);
});

test.after(async () => db.close());
test.run();
