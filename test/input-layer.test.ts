// The request-validation layer (core/input.ts) and the error handler (core/http.ts), one test per finding of issue
// #16; the receivers' team check; ID numbers masked for every reader but the reporter's writers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Hono } from 'hono';
import { gzipSync } from 'node:zlib';
import { sampleBody } from '../collector/faro/testkit';
import { startHardened, SECRETS } from './helpers/hardened';
import { errorHandler, type AppEnv } from '../core/http';
import { jsonProblem, parseInstant } from '../core/input';
import { makeFixtures, makeIdNumber, rng } from '../reporter/fixtures/records';

const h = await startHardened();
const { call, callers } = h;
const { admin, ops, security, regulator, token } = callers;

const bad = (r: { status: number; json: any }, code: string, field: string | RegExp, what: string) => {
  assert.is(r.status, 400, `${what}: ${JSON.stringify(r.json)}`);
  assert.is(r.json.error.code, code, what);
  if (typeof field === 'string') assert.is(r.json.error.field, field, what);
  else assert.match(r.json.error.field, field, what);
  assert.match(r.json.error.message, /[\u4e00-\u9fff]/, `${what}: a Chinese message`);
};

test('NUL and lone surrogates in the path, the query and a JSON body are a 400 naming the field', async () => {
  bad(await call('GET', '/api/collector/targets/ab%00cd', { caller: ops }), 'nul_character', 'path', 'NUL in a path parameter');
  bad(await call('GET', '/api/alerts/alerts?rule=a%00b', { caller: ops }), 'nul_character', 'rule', 'NUL in the query');
  bad(await call('GET', '/api/collector/targets/%E0%A4%A', { caller: ops }), 'bad_encoding', 'path', 'malformed percent-encoding');
  bad(await call('POST', '/api/alerts/silences', { caller: ops, body: { team: 'ops', matchers: ['a="b"'], endsAt: '2026-12-03T00:00:00Z', comment: 'x\u0000y' } }),
    'nul_character', 'body.comment', 'NUL in the body');
  bad(await call('POST', '/api/alerts/silences', { caller: ops, raw: '{"team":"ops","comment":"\\ud800 alone"}' }), 'bad_unicode', 'body.comment', 'a lone surrogate');
  bad(await call('POST', '/api/reporter/records/PENALTY', { caller: token, body: [{ recordId: 'p1', facts: '\udc00' }] }), 'bad_unicode', 'body[0].facts', 'records');
  bad(await call('POST', '/api/alerts/silences', { caller: ops, body: { ['k\u0000']: 1 } }), 'nul_character', 'body', 'NUL in a key');
  bad(await call('POST', '/api/alerts/silences', { caller: ops, raw: Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]) as unknown as Uint8Array }), 'bad_encoding', 'body', 'invalid UTF-8');
  // Heartbeats and Faro (their own keys, other origins) go through the same layer.
  bad(await call('POST', `/api/collector/heartbeat/${SECRETS.pushToken}`, { body: { status: 'ok', message: 'a\u0000' } }), 'nul_character', 'body.message', 'heartbeat');
});

test('good input still arrives whole: a Faro batch as JSON, as text/plain (sendBeacon) and gzipped; a heartbeat', async () => {
  const faro = JSON.stringify(sampleBody(h.clock()));
  for (const [type, raw, extra] of [
    ['application/json', faro, {}],
    ['text/plain;charset=UTF-8', faro, {}],
    ['application/json', new Uint8Array(gzipSync(faro)), { 'content-encoding': 'gzip' }],
  ] as const) {
    const r = await call('POST', '/api/collector/faro/collect', { raw, headers: { 'content-type': type, 'x-api-key': SECRETS.faroKey, ...extra } });
    assert.ok(r.status >= 200 && r.status < 300, `${type} ${JSON.stringify(extra)}: ${r.status} ${r.text.slice(0, 200)}`);
  }
  assert.is((await call('POST', `/api/collector/heartbeat/${SECRETS.pushToken}`, { raw: '' })).status, 202, 'an empty heartbeat');
});

test('deep nesting, long arrays and bad JSON are a 400, not a stack overflow', async () => {
  let deep = '1';
  for (let i = 0; i < 100_000; i++) deep = `[${deep}]`;
  bad(await call('POST', '/api/reporter/records/PENALTY', { caller: token, raw: deep }), 'too_deep', /^body(\[0\])+$/, 'records 100,000 deep');
  bad(await call('POST', '/api/alerts/silences', { caller: ops, body: { matchers: Array(20_000).fill('a="b"') } }), 'array_too_long', 'body.matchers', 'a long array');
  bad(await call('POST', '/api/alerts/silences', { caller: ops, raw: '{"team":' }), 'bad_json', 'body', 'truncated JSON');
  assert.ok(jsonProblem(JSON.parse('['.repeat(32) + ']'.repeat(32))) === null, '32 levels are fine');
  assert.is(jsonProblem(JSON.parse('['.repeat(33) + ']'.repeat(33)))?.code, 'too_deep');
});

test('bodies over the route limit are cut off (413), streamed or declared; a record batch may be larger', async () => {
  const hb = `/api/collector/heartbeat/${SECRETS.pushToken}`;
  const big = JSON.stringify({ status: 'ok', message: 'x'.repeat(100 * 1024 * 1024) });
  const r = await call('POST', hb, { raw: big });
  assert.is(r.status, 413);
  assert.is(r.json.error.code, 'body_too_large');
  assert.is(r.json.error.field, 'body');
  // Without a Content-Length: read until the limit, then refused; the rest is never read.
  let pulled = 0;
  const stream = new ReadableStream({
    pull(ctl) {
      pulled++;
      if (pulled > 10_000) return ctl.close();
      ctl.enqueue(new Uint8Array(64 * 1024).fill(0x20));
    },
  });
  assert.is((await call('POST', hb, { raw: stream })).status, 413);
  assert.ok(pulled < 50, `stopped reading after ${pulled} chunks`);
  // The sign-in: a few KB.
  assert.is((await call('POST', '/api/auth/login', { body: { username: 'x'.repeat(20_000), password: 'p' } })).status, 413);
  // A heartbeat within its limit still works, and so does a 2 MB record batch (reporter.intake.maxRequestBytes).
  assert.is((await call('POST', hb, { body: { status: 'ok', message: 'fine' } })).status, 202);
  const batch = Array.from({ length: 2000 }, (_, i) => ({ recordId: `big-${i}`, itemName: 'x'.repeat(1200) }));
  assert.ok(JSON.stringify(batch).length > 2 * 1024 * 1024);
  assert.is((await call('POST', '/api/reporter/records/ITEM', { caller: token, body: batch })).status, 200);
  // Any other route: 1 MiB.
  assert.is((await call('POST', '/api/alerts/silences', { caller: ops, body: { comment: 'x'.repeat(1_100_000) } })).status, 413);
});

test('numbers and dates out of range: offset, ids, from/to, bucket, step, calendar days', async () => {
  bad(await call('GET', '/api/alerts/alerts?offset=1e400', { caller: ops }), 'bad_parameter', 'offset', 'offset=1e400');
  bad(await call('GET', '/api/collector/targets?offset=100000000000000000000', { caller: ops }), 'bad_parameter', 'offset', 'offset=1e20');
  bad(await call('GET', '/api/reporter/records?limit=-1', { caller: ops }), 'bad_parameter', 'limit', 'limit=-1');
  bad(await call('GET', '/api/alerts/alerts/100000000000000000000', { caller: ops }), 'bad_parameter', 'id', 'alert id 1e20');
  bad(await call('GET', '/api/alerts/alerts/1e20', { caller: ops }), 'bad_parameter', 'id', 'alert id 1e20 as text');
  bad(await call('GET', '/api/alerts/history?alert=99999999999999999999', { caller: ops }), 'bad_parameter', 'alert', 'history alert id');
  bad(await call('POST', '/api/alerts/maintenance/1e20/expire', { caller: ops, body: {} }), 'bad_parameter', 'id', 'window id');
  bad(await call('GET', '/api/alerts/silences/not-a-uuid', { caller: ops }), 'bad_parameter', 'id', 'silence id');
  bad(await call('DELETE', '/api/auth/sessions/99999999999999999999', { caller: admin }), 'bad_id', /.*/, 'session id');
  bad(await call('GET', '/api/collector/faro/vitals?bucket=1e20', { caller: ops }), 'bad_parameter', 'bucket', 'Faro bucket=1e20');
  bad(await call('GET', '/api/collector/faro/vitals?bucket=100000000000000000000', { caller: ops }), 'bad_parameter', 'bucket', 'Faro bucket digits');
  bad(await call('GET', '/api/collector/targets/nightly/series?from=100000000000000000000', { caller: ops }), 'bad_parameter', 'from', 'from=1e20');
  bad(await call('GET', '/api/collector/targets/nightly/series?step=100000000000000000', { caller: ops }), 'bad_parameter', 'step', 'step');
  bad(await call('GET', '/api/alerts/history?to=2026-13-45T00:00:00Z', { caller: ops }), 'bad_parameter', 'to', 'a month 13');
  bad(await call('GET', '/api/reporter/indicators?from=2026-13-45', { caller: ops }), 'bad_parameter', 'from', 'date 2026-13-45');
  bad(await call('GET', '/api/reporter/indicators?from=2026-02-30&to=2026-03-01', { caller: ops }), 'bad_parameter', 'from', '30 February');
  // Good values still pass.
  assert.is((await call('GET', '/api/reporter/indicators?from=2026-02-01&to=2026-03-01', { caller: ops })).status, 200);
  assert.is((await call('GET', '/api/alerts/history?from=2026-11-01T00:00:00%2B08:00&to=1796000000000&limit=5000', { caller: ops })).json.limit, 1000);
  assert.is(parseInstant('2028-02-29'), Date.UTC(2028, 1, 29));
  assert.ok(Number.isNaN(parseInstant('2027-02-29')));
});

test('a database error never reaches the client: bad-input codes are a 400, the rest a 500 with a request id', async () => {
  // Both drivers give the SQLSTATE on the error (what errorHandler reads).
  const e = await h.db.query('SELECT $1::bigint', ['99999999999999999999']).catch((x) => x);
  assert.is(e.code, '22003');
  const lines: string[] = [];
  const log = { warn: (o: object, m: string) => lines.push(JSON.stringify({ ...o, m })), error: (o: object, m: string) => lines.push(JSON.stringify({ ...o, m })) };
  const app = new Hono<AppEnv>();
  app.onError(errorHandler(log));
  app.use('*', async (c, next) => (c.set('requestId', 'req-42'), next()));
  app.get('/db', async () => { throw e; });
  app.get('/nul', async () => { throw Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00 near "secret-value"'), { code: '22021' }); });
  app.get('/index', async () => { throw Object.assign(new Error('index row requires 11472 bytes, maximum size is 8191'), { code: '54000' }); });
  app.get('/bug', async () => { throw Object.assign(new Error('relation "users_secret_table" does not exist'), { code: '42P01' }); });
  app.get('/js', async () => { throw new RangeError('Invalid time value'); });
  for (const path of ['/db', '/nul', '/index']) {
    const r = await app.request(path);
    const text = await r.text();
    assert.is(r.status, 400, path);
    assert.is(JSON.parse(text).error.code, 'bad_input');
    assert.not.match(text, /bigint|UTF8|index row|secret|22003|22021|54000/, `${path}: no database internals in ${text}`);
  }
  for (const path of ['/bug', '/js']) {
    const r = await app.request(path);
    const body = (await r.json()) as any;
    assert.is(r.status, 500, path);
    assert.is(body.error.code, 'internal');
    assert.is(body.error.requestId, 'req-42');
    assert.not.match(JSON.stringify(body), /relation|users_secret_table|Invalid time/);
  }
  assert.not.match(lines.join('\n'), /secret-value|users_secret_table/, 'quoted values are not logged');
  assert.match(lines.join('\n'), /22021/, 'the SQLSTATE is');
});

test('a receiver test message: only the receiver\'s own team and admin (a shared receiver: either team)', async () => {
  const st = async (who: typeof ops, name: string) => (await call('POST', `/api/alerts/receivers/${name}/test`, { caller: who, body: {} })).status;
  assert.is(await st(ops, 'security'), 403, 'ops may not test the security receiver');
  assert.is(await st(security, 'ops'), 403, 'security may not test the ops receiver');
  assert.is(await st(regulator, 'ops'), 403, 'regulator neither');
  assert.is(await st(ops, 'ops'), 200);
  assert.is(await st(security, 'security'), 200);
  assert.is(await st(admin, 'ops'), 200);
  assert.is(await st(admin, 'security'), 200);
  assert.is(await st(ops, 'shared'), 200);
  assert.is(await st(security, 'shared'), 200);
});

test('ID numbers: masked for ops, security and admin in every field and free text, shown to the regulator only', async () => {
  const f = makeFixtures({ seed: 3, items: 1, officers: 2, inspections: 1, penalties: 1, now: h.clock() });
  const person = makeIdNumber(rng(5), '1990-03-07');
  const masked = `${person.slice(0, 6)}********${person.slice(-4)}`;
  const pen = { ...f.PENALTY[0], partyCertType: '001', partyCertNo: person, facts: `当事人（身份证号${person}）未按规定…` };
  for (const t of ['ITEM', 'OFFICER', 'INSPECTION'] as const) assert.is((await call('POST', `/api/reporter/records/${t}`, { caller: token, body: f[t] })).status, 200);
  const r = await call('POST', '/api/reporter/records/PENALTY', { caller: token, body: [pen] });
  assert.is(r.status, 200);
  const path = `/api/reporter/records/PENALTY/${encodeURIComponent(pen.recordId)}`;
  const shown = await call('GET', path, { caller: regulator });
  assert.is(shown.json.record.status, 'invalid', 'a USCC field holding an ID number is invalid');
  assert.is(shown.json.record.data.partyCertNo, person, 'the regulator sees it');
  assert.ok(shown.json.record.data.facts.includes(person));
  for (const who of [ops, security, admin]) {
    const g = await call('GET', path, { caller: who });
    assert.is(g.status, 200);
    assert.not.ok(g.text.includes(person), `${who.name} must not see ${person}: ${g.text.slice(0, 400)}`);
    assert.is(g.json.record.data.partyCertNo, masked);
    assert.ok(g.json.record.data.facts.includes(masked), who.name);
    assert.ok(g.json.history.every((v: any) => !JSON.stringify(v).includes(person)));
  }
  // A payload that could not be keyed (the rejects list) and the answer to the writer are masked the same way.
  await call('POST', '/api/reporter/records/PENALTY', { caller: token, body: [{ facts: `无编号 ${person}` }] });
  const rej = await call('GET', '/api/reporter/rejects', { caller: ops });
  assert.ok(rej.json.items.length > 0);
  assert.not.ok(rej.text.includes(person), 'rejects');
  assert.ok((await call('GET', '/api/reporter/rejects', { caller: regulator })).text.includes(person));
});

test('ID numbers in exports: the correction queue\'s CSV and .xlsx and the audit log (JSON and CSV) mask them for all but the regulator', async () => {
  const ExcelJS = (await import('exceljs')).default;
  const f = makeFixtures({ seed: 4, items: 1, officers: 2, inspections: 1, penalties: 1, now: h.clock() });
  const person = makeIdNumber(rng(9), '1985-06-01');
  const masked = `${person.slice(0, 6)}********${person.slice(-4)}`;
  for (const t of ['ITEM', 'OFFICER', 'INSPECTION'] as const) assert.is((await call('POST', `/api/reporter/records/${t}`, { caller: token, body: f[t] })).status, 200);
  // A person's number used as the record's code (and in its USCC field): an invalid record, in the queue's error part.
  const pen = { ...f.PENALTY[0], recordId: person, partyCertType: '001', partyCertNo: person };
  assert.is((await call('POST', '/api/reporter/records/PENALTY', { caller: token, body: [pen] })).status, 200);
  const csvAs = async (who: typeof ops) => (await call('GET', '/api/reporter/corrections/report.csv?part=error&dataType=PENALTY', { caller: who })).text;
  const xlsxAs = async (who: typeof ops) => {
    const res = await h.sys.app.request(`http://ops.city.local/api/reporter/corrections/report.xlsx?dataType=PENALTY`, { headers: { host: 'ops.city.local', cookie: who.cookie! } });
    assert.is(res.status, 200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as never);
    const ws = wb.getWorksheet('待更正的错误')!;
    return ws.getRows(2, Math.max(1, ws.rowCount - 1))!.map((r) => (r.values as unknown[]).join('|')).join('\n');
  };
  for (const who of [ops, security, admin]) {
    const csv = await csvAs(who);
    assert.ok(csv.includes(masked), `${who.name}: the record is in the CSV, masked: ${csv.slice(0, 300)}`);
    assert.not.ok(csv.includes(person), `${who.name}: CSV`);
    const x = await xlsxAs(who);
    assert.ok(x.includes(masked), `${who.name}: .xlsx`);
    assert.not.ok(x.includes(person), `${who.name}: .xlsx`);
  }
  assert.ok((await csvAs(regulator)).includes(person), 'the regulator sees the code, to correct the record');
  assert.ok((await xlsxAs(regulator)).includes(person));
  // The audit log (admin only): free text in it masked in the list and in its CSV export.
  await h.sys.auth.audit({ actor: 'reg', role: 'regulator', action: 'reporter.records.withdraw', target: `PENALTY/${person}`, details: { reason: `当事人身份证号 ${person} 录错` } });
  for (const path of ['/api/auth/audit?limit=5', '/api/auth/audit.csv']) {
    const a = await call('GET', path, { caller: admin });
    assert.is(a.status, 200, path);
    assert.ok(a.text.includes(masked), path);
    assert.not.ok(a.text.includes(person), path);
  }
});

test('the log of the whole file has none of the secrets', () => {
  const log = h.logLines.join('');
  for (const s of h.secrets) assert.not.ok(log.includes(s), `secret ${s.slice(0, 6)}… in the log`);
});

test.after(async () => {
  await h.sys.stop();
  await h.db.close();
});

test.run();
