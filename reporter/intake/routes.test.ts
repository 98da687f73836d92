import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Hono } from 'hono';
import { openTestDb } from '../../test/helpers/db';
import { AuthService } from '../../core/auth/service';
import { authenticate, SESSION_COOKIE, type AppEnv } from '../../core/http';
import { manualClock } from '../../core/time';
import { reporterConfig } from '../config';
import { createIntakeRoutes } from './routes';
import { Intake } from './service';
import { makeFixtures } from '../fixtures/records';

const db = await openTestDb();
const clock = manualClock(Date.UTC(2026, 10, 24, 4, 0, 0));
const auth = new AuthService(db, clock, 3600_000);
const reporter = reporterConfig.parse({ calendar: { years: { '2026': { holidays: [], workdays: [] } } } });
const intake = new Intake({ db, reporter, clock });
const app = new Hono<AppEnv>();
app.use('*', authenticate(auth));
app.route('/api/reporter', createIntakeRoutes({ db, auth, intake }));
const reg = (await auth.createToken({ name: 'clerk', role: 'regulator', createdBy: 'test' })).token;
const ops = (await auth.createToken({ name: 'ops-1', role: 'ops', createdBy: 'test' })).token;
const f = makeFixtures({ seed: 11, items: 3, officers: 6, inspections: 10, penalties: 6, now: clock() });

async function api(method: string, path: string, body?: unknown, token = reg) {
  const res = await app.request(`/api/reporter${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

test('permission: ingest needs reporter:ingest; reading needs a login', async () => {
  assert.is((await api('POST', '/records/ITEM', f.ITEM[0], ops)).status, 403);
  assert.is((await api('POST', '/records/ITEM', f.ITEM[0], '')).status, 401);
  assert.is((await api('GET', '/records', undefined, '')).status, 401);
  assert.is((await api('POST', '/records/NOPE', f.ITEM[0])).status, 404);
});

test('a browser session (cookie) works as well as a token', async () => {
  await auth.createUser({ username: 'clerk2', password: 'clerk-password-1', role: 'regulator' });
  const login = await auth.login('clerk2', 'clerk-password-1');
  const res = await app.request('/api/reporter/records/OFFICER', {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: `${SESSION_COOKIE}=${login.ok ? login.sessionId : ""}` },
    body: JSON.stringify(f.OFFICER[5]),
  });
  assert.is(res.status, 200);
  assert.is(((await res.json()) as any).accepted, 1);
  const v = await db.query<{ received_by: string }>(`SELECT received_by FROM reporter_record_versions WHERE data_type = 'OFFICER' AND record_id = $1`, [f.OFFICER[5].recordId]);
  assert.is(v.rows[0].received_by, 'clerk2');
});

test('POST an array: answered per record; rejected ones are kept as invalid', async () => {
  const bad = { ...f.ITEM[2], catalogCode: '12' };
  const r = await api('POST', '/records/ITEM', [f.ITEM[0], f.ITEM[1], bad]);
  assert.is(r.status, 200);
  assert.is(r.body.accepted, 2);
  assert.is(r.body.rejected, 1);
  assert.equal(r.body.results.map((x: any) => x.outcome), ['accepted', 'accepted', 'rejected']);
  assert.is(r.body.results[2].errors[0].code, 'E_FORMAT');
  assert.is(r.body.results[2].errors[0].field, 'catalogCode');
  const kept = await api('GET', `/records/ITEM/${bad.recordId}`);
  assert.is(kept.status, 200);
  assert.is(kept.body.record.status, 'invalid');
  assert.is(kept.body.record.data.catalogCode, '12');
  const audit = await db.query<{ action: string; actor: string }>(`SELECT action, actor FROM audit_log WHERE action = 'reporter.records.ingest' AND actor = 'token:clerk'`);
  assert.is(audit.rows.length, 1);
  assert.is(audit.rows[0].actor, 'token:clerk');
});

test('a PENALTY before its INSPECTION is held, and released when the INSPECTION arrives', async () => {
  await api('POST', '/records/OFFICER', f.OFFICER);
  const pen = f.PENALTY.find((p) => p.inspectionRef && f.ITEM.slice(0, 2).some((i) => i.implCode === p.implCode))!;
  const r = await api('POST', '/records/PENALTY', pen);
  assert.is(r.body.results[0].outcome, 'held_reference');
  assert.is(r.body.results[0].errors[0].code, 'E_REFERENCE');
  const ins = f.INSPECTION.find((i) => i.recordId === pen.inspectionRef)!;
  const r2 = await api('POST', '/records/INSPECTION', ins);
  assert.is(r2.body.results[0].outcome, 'accepted');
  assert.equal(r2.body.results[0].warnings, []);
  const after = await api('GET', `/records/PENALTY/${pen.recordId}`);
  assert.is(after.body.record.status, 'valid');
  assert.equal(after.body.record.errors, []);
  assert.ok(after.body.record.deadline);
});

test('a correction is a new version with history; an identical re-send is not', async () => {
  const item = { ...f.ITEM[0], itemName: '更正后的名称' };
  const r = await api('POST', '/records/ITEM', item);
  assert.is(r.body.results[0].version, 2);
  const same = await api('POST', '/records/ITEM', item);
  assert.is(same.body.results[0].outcome, 'unchanged');
  assert.is(same.body.results[0].version, 2);
  const got = await api('GET', `/records/ITEM/${item.recordId}`);
  assert.equal(got.body.history.map((h: any) => h.version), [2, 1]);
  assert.is(got.body.history[1].data.itemName, f.ITEM[0].itemName);
  assert.is(got.body.record.data.itemName, '更正后的名称');
});

test('E_DUPLICATE within one request', async () => {
  const a = f.ITEM[2];
  const r = await api('POST', '/records/ITEM', [a, { ...a, itemName: '另一个' }]);
  assert.equal(r.body.results.map((x: any) => x.errors.map((e: any) => e.code)), [['E_DUPLICATE'], ['E_DUPLICATE']]);
  assert.is((await api('GET', `/records/ITEM/${a.recordId}`)).body.record.status, 'invalid');
});

test('withdraw: a new version with op DELETE and status withdrawn; audited; unknown → 404', async () => {
  const id = f.ITEM[1].recordId;
  const r = await api('POST', `/records/ITEM/${id}/withdraw`, { reason: '误报' });
  assert.is(r.status, 200);
  assert.is(r.body.status, 'withdrawn');
  const got = await api('GET', `/records/ITEM/${id}`);
  assert.is(got.body.record.op, 'DELETE');
  assert.is(got.body.history[0].op, 'DELETE');
  assert.is((await api('POST', `/records/ITEM/${id}/withdraw`)).body.outcome, 'unchanged');
  assert.is((await api('POST', '/records/ITEM/NOPE-1/withdraw')).status, 404);
  assert.is((await api('POST', `/records/ITEM/${id}/withdraw`, undefined, ops)).status, 403);
  const audit = await db.query(`SELECT 1 FROM audit_log WHERE action = 'reporter.records.withdraw'`);
  assert.ok(audit.rows.length >= 1);
});

test('GET /records: filters, pagination, ID numbers masked for readers who may not write', async () => {
  const list = await api('GET', '/records?dataType=ITEM&limit=2');
  assert.is(list.body.total, 3);
  assert.is(list.body.items.length, 2);
  const invalid = await api('GET', '/records?status=invalid');
  assert.ok(invalid.body.items.every((x: any) => x.status === 'invalid'));
  const byCode = await api('GET', '/records?errorCode=E_DUPLICATE');
  assert.is(byCode.body.total, 1);
  assert.is((await api('GET', '/records?status=nope')).status, 400);
  assert.is((await api('GET', '/records?from=2026/01/01')).status, 400);
  const officer = f.OFFICER[0];
  const asOps = await api('GET', `/records/OFFICER/${officer.recordId}`, undefined, ops);
  assert.not.equal(asOps.body.record.data.idNo, officer.idNo);
  assert.match(asOps.body.record.data.idNo, /^\d{6}\*{8}\w{4}$/);
  const asClerk = await api('GET', `/records/OFFICER/${officer.recordId}`);
  assert.is(asClerk.body.record.data.idNo, officer.idNo);
  const stats = await api('GET', '/records/stats');
  assert.is(stats.body.counts.OFFICER.valid, 6);
});

test('GET /records: searched (record id or department code, any case) and sorted on the server, with the filtered total', async () => {
  const all = await api('GET', '/records?limit=1000');
  assert.is(all.status, 200);
  const items = all.body.items as { dataType: string; recordId: string; deptCode: string | null; deadline: string | null; lastArrivedAt: string }[];
  assert.ok(items.length >= 10 && all.body.total === items.length);
  const pick = items[Math.floor(items.length / 2)];
  const part = pick.recordId.slice(-5).toLowerCase();
  const found = await api('GET', `/records?q=${encodeURIComponent(part)}&limit=1`);
  assert.is(found.body.total, items.filter((r) => r.recordId.toLowerCase().includes(part) || (r.deptCode ?? '').toLowerCase().includes(part)).length);
  assert.ok(found.body.total >= 1 && found.body.items.length === 1);
  const dept = items.find((r) => r.deptCode)!.deptCode!;
  const byDept = await api('GET', `/records?q=${dept}&dataType=${items.find((r) => r.deptCode === dept)!.dataType}&limit=1000`);
  assert.ok(byDept.body.total >= 1);
  assert.ok((byDept.body.items as { recordId: string; deptCode: string | null }[]).every((r) => (r.deptCode ?? '').includes(dept) || r.recordId.toLowerCase().includes(dept.toLowerCase())));
  assert.is((await api('GET', '/records?q=%25')).body.total, 0, '% is a plain character');
  const byId = await api('GET', '/records?sort=recordId&limit=1000');
  const ids = (byId.body.items as { recordId: string }[]).map((r) => r.recordId);
  assert.equal(ids, [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  const desc = await api('GET', '/records?sort=-recordId&limit=1');
  assert.is(desc.body.items[0].recordId, ids[ids.length - 1]);
  const dl = await api('GET', '/records?sort=deadline&limit=1000');
  const days = (dl.body.items as { deadline: string | null }[]).map((r) => r.deadline);
  const set = days.filter((d): d is string => d !== null);
  assert.equal(set, [...set].sort(), 'deadlines ascending');
  assert.ok(days.indexOf(null) === -1 || days.slice(days.indexOf(null)).every((d) => d === null), 'records without a deadline last');
  const bad = await api('GET', '/records?sort=size');
  assert.is(bad.status, 400);
  assert.is(bad.body.error.field, 'sort');
  assert.match(bad.body.error.message, /可选 lastArrivedAt/);
});

test('an array larger than one write batch: identical repeats across batches are one record', async () => {
  const chunky = new Intake({ db, reporter: reporterConfig.parse({ intake: { writeBatchSize: 10 } }), clock });
  const app4 = new Hono<AppEnv>();
  app4.use('*', authenticate(auth));
  app4.route('/', createIntakeRoutes({ db, auth, intake: chunky }));
  const officers = makeFixtures({ seed: 12, items: 1, officers: 25, now: clock() }).OFFICER.map((o) => ({ ...o, recordId: `X${o.recordId}` }));
  const g = { OFFICER: officers };
  const body = [...g.OFFICER, g.OFFICER[2], g.OFFICER[15]];
  const res = await app4.request('/records/OFFICER', { method: 'POST', headers: { authorization: `Bearer ${reg}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const out = (await res.json()) as any;
  assert.is(out.accepted, 25);
  assert.is(out.unchanged, 2);
  const v = await db.query(`SELECT count(*)::int AS n FROM reporter_record_versions WHERE data_type = 'OFFICER' AND record_id = ANY($1::text[])`, [g.OFFICER.map((o) => o.recordId)]);
  assert.is((v.rows[0] as any).n, 25);
});

test('input without a usable recordId is kept and listed under /rejects', async () => {
  const r = await api('POST', '/records/OFFICER', [{ ...f.OFFICER[0], recordId: '坏 编码' }, 'not a record']);
  assert.equal(r.body.results.map((x: any) => x.outcome), ['rejected', 'rejected']);
  const list = await api('GET', '/rejects?source=api');
  assert.is(list.body.total, 2);
  assert.is(list.body.items[1].payload.recordId, '坏 编码');
  assert.is(list.body.items[1].payload.idNo, f.OFFICER[0].idNo);
  const asOps = await api('GET', '/rejects', undefined, ops);
  assert.not.equal(asOps.body.items[1].payload.idNo, f.OFFICER[0].idNo);
});

test('too many records in one request → 413 with advice', async () => {
  const small = new Intake({ db, reporter: reporterConfig.parse({ intake: { maxRecordsPerRequest: 2 } }), clock });
  const app2 = new Hono<AppEnv>();
  app2.use('*', authenticate(auth));
  app2.route('/', createIntakeRoutes({ db, auth, intake: small }));
  const res = await app2.request('/records/ITEM', { method: 'POST', headers: { authorization: `Bearer ${reg}`, 'content-type': 'application/json' }, body: JSON.stringify(f.ITEM) });
  assert.is(res.status, 413);
  const tiny = new Intake({ db, reporter: reporterConfig.parse({ intake: { maxRequestBytes: 2048 } }), clock });
  const app3 = new Hono<AppEnv>();
  app3.use('*', authenticate(auth));
  app3.route('/', createIntakeRoutes({ db, auth, intake: tiny }));
  const big = JSON.stringify(f.INSPECTION);
  const res3 = await app3.request('/records/INSPECTION', { method: 'POST', headers: { authorization: `Bearer ${reg}`, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(big)) }, body: big });
  assert.is(res3.status, 413);
  assert.is(((await res3.json()) as any).error.code, 'body_too_large');
  const bad = await app2.request('/records/ITEM', { method: 'POST', headers: { authorization: `Bearer ${reg}`, 'content-type': 'application/json' }, body: '{not json' });
  assert.is(bad.status, 400);
});

test('the correction form: check validates one record and stores nothing; the detail lists the fields with their headers', async () => {
  const before = (await db.query<{ n: string }>(`SELECT count(*) AS n FROM reporter_record_versions`)).rows[0].n;
  const bad = await api('POST', '/records/ITEM/check', { ...f.ITEM[0], recordId: 'CHECK-1', catalogCode: '12' });
  assert.is(bad.status, 200);
  assert.is(bad.body.status, 'invalid');
  assert.ok(bad.body.errors.some((e: any) => e.field === 'catalogCode'));
  const good = await api('POST', '/records/ITEM/check', { ...f.ITEM[0], recordId: 'CHECK-1' });
  assert.is(good.body.status, 'valid');
  assert.equal(good.body.errors, []);
  assert.is((await db.query<{ n: string }>(`SELECT count(*) AS n FROM reporter_record_versions`)).rows[0].n, before);
  assert.is((await api('POST', '/records/ITEM/check', [f.ITEM[0]])).status, 400);
  assert.is((await api('POST', '/records/ITEM/check', f.ITEM[0], ops)).status, 403);
  const d = await api('GET', `/records/ITEM/${f.ITEM[0].recordId}`);
  assert.equal(d.body.fields.find((x: any) => x.key === 'implCode'), { key: 'implCode', label: '检查实施清单编码', multi: false });
});

test.after(async () => {
  await db.close();
});

test.run();
