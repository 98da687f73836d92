// The reporter area in a real system: demo simulator, leader lock, "run now" API (permission, audit), paginated
// lists, and the indicators of data-standard.md computed on a small data set whose answers are known.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../../app/config';
import { startSystem, type System } from '../../app/system';
import { silentLogger } from '../../core/log';
import { openTestDb } from '../../test/helpers/db';
import { makeFixtures } from '../fixtures/records';
import { indicators, type IndicatorRow } from './indicators';
import { addDays, chinaDate } from '../../core/china-time';
import { putRecords } from './testkit';

let sys: System;
let regulator: string;
let ops: string;
const fx = makeFixtures({ seed: 21, items: 12, officers: 4, inspections: 60, penalties: 30, coercions: 30, invalidShare: 0.1, now: Date.now() });
// A category-01 ITEM that only a COERCION points at: 覆盖率 must count it as covered.
const coverItem = { ...fx.ITEM[0], recordId: 'ITEM-COV', implCode: `${fx.ITEM[0].deptCode}3990001`, category: '01' as const };
const coverCoercion = { ...fx.COERCION.find((c) => !fx.invalid.COERCION.has(c.recordId))!, recordId: 'COE-COV', implCode: coverItem.implCode };

const call = (method: string, path: string, token: string, body?: unknown) =>
  sys.app.request(path, { method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

test.before(async () => {
  const db = await openTestDb();
  await putRecords(db, [...fx.all(), ['ITEM', coverItem], ['COERCION', coverCoercion]]);
  const config = parseConfig(`reporter:\n  demoSimulator: true\n  province: { timeout: 2s }\n  delivery: { receiptPollInterval: 10ms }\n`);
  sys = await startSystem({ config, roles: ['reporter'], db, listen: false, log: silentLogger() });
  regulator = (await sys.auth.createToken({ name: 't-reg', role: 'regulator', createdBy: 'test' })).token;
  ops = (await sys.auth.createToken({ name: 't-ops', role: 'ops', createdBy: 'test' })).token;
});
test.after(async () => {
  const db = sys.db;
  await sys.stop();
  await db.close();
});

async function waitRun(id: number) {
  for (let i = 0; i < 500; i++) {
    const r = (await (await call('GET', '/api/reporter/runs?limit=5', regulator)).json()) as { items: { id: string; status: string }[] };
    const run = r.items.find((x) => Number(x.id) === id);
    if (run && run.status !== 'running') return run;
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error('run did not finish');
}

test('run now: needs reporter:write, is audited, and delivers', async () => {
  assert.is((await call('POST', '/api/reporter/runs', ops, { kind: 'incremental' })).status, 403);
  assert.is((await call('POST', '/api/reporter/runs', regulator, { kind: 'everything' })).status, 400);
  const dry = await call('POST', '/api/reporter/runs', regulator, { kind: 'dry-run' });
  const plan = (await dry.json()) as { batches: unknown[]; due: { n: number }[] };
  assert.ok(plan.batches.length >= 4);
  const res = await call('POST', '/api/reporter/runs', regulator, { kind: 'incremental' });
  assert.is(res.status, 202);
  const { runId } = (await res.json()) as { runId: number };
  const run = await waitRun(runId);
  assert.is(run.status, 'ok');
  const audit = await sys.db.query<{ action: string; target: string }>(`SELECT action, target FROM audit_log WHERE action = 'reporter.run' ORDER BY id`);
  assert.equal(audit.rows.map((a) => a.target), ['dry-run', 'incremental']);
  const rec = await call('POST', '/api/reporter/runs', regulator, { kind: 'reconcile' });
  const r2 = await waitRun(((await rec.json()) as { runId: number }).runId);
  assert.is(r2.status, 'ok', 'reconciliation agrees after delivery');
  const m = await (await sys.app.request('/metrics', { headers: { Authorization: `Bearer ${regulator}` } })).text();
  assert.match(m, /reporter_gateway_requests_total\{kind="upload",outcome="receipt"\} [1-9]/);
  assert.match(m, /reporter_records_verdicts_total\{verdict="accepted"\} [1-9]/);
});

test('lists are paginated: batches, batch detail with attempts, corrections, reconciliations, status', async () => {
  const b = (await (await call('GET', '/api/reporter/batches?limit=2&offset=1', regulator)).json()) as { items: { batchId: string }[]; total: number; limit: number; offset: number };
  assert.is(b.items.length, 2);
  assert.equal([b.limit, b.offset], [2, 1]);
  assert.ok(b.total >= 4);
  const detail = (await (await call('GET', `/api/reporter/batches/${b.items[0].batchId}`, regulator)).json()) as { batch: { status: string }; attempts: { items: { outcome: string }[] } };
  assert.is(detail.batch.status, 'done');
  assert.ok(detail.attempts.items.some((a) => a.outcome === 'receipt'));
  const corr = (await (await call('GET', '/api/reporter/corrections?limit=500', regulator)).json()) as { items: { recordId: string; foundBy: string; errors: { code: string }[] }[]; total: number };
  const invalidIds = [...fx.invalid.INSPECTION.keys(), ...fx.invalid.PENALTY.keys(), ...fx.invalid.COERCION.keys()];
  assert.is(corr.total, invalidIds.length);
  assert.ok(corr.items.every((c) => c.foundBy === 'city' && c.errors.length > 0));
  const rec = (await (await call('GET', '/api/reporter/reconciliations?limit=100', regulator)).json()) as { items: { match: boolean }[] };
  assert.ok(rec.items.length > 0 && rec.items.every((x) => x.match));
  const st = (await (await call('GET', '/api/reporter/delivery/status', regulator)).json()) as { enabled: boolean; sender: boolean; nextRuns: { next: string }[] };
  assert.ok(st.enabled && st.sender);
  assert.is(st.nextRuns.length, 3);
});

test('batches: filtered, searched and sorted on the server, with the filtered total; bad parameters are a 400 naming the field', async () => {
  type Q = { total: number; limit: number; offset: number; items: { batchId: string; dataType: string; status: string; recordCount: number; createdAt: string }[] };
  const get = async (qs: string) => (await (await call('GET', `/api/reporter/batches?${qs}`, regulator)).json()) as Q;
  const all = await get('limit=1000');
  assert.ok(all.total >= 4 && all.items.length === all.total);
  const types = [...new Set(all.items.map((b) => b.dataType))];
  assert.ok(types.length >= 2, 'batches of several types');
  const one = await get(`dataType=${types[0].toLowerCase()}&limit=1`);
  assert.is(one.total, all.items.filter((b) => b.dataType === types[0]).length, 'the total counts the filtered set');
  assert.is(one.items.length, 1);
  assert.is(one.items[0].dataType, types[0]);
  const two = await get(`dataType=${types[0]},${types[1]}&status=done&limit=1000`);
  assert.is(two.total, all.items.filter((b) => (b.dataType === types[0] || b.dataType === types[1]) && b.status === 'done').length);
  const target = all.items[all.items.length - 1].batchId;
  const found = await get(`q=${encodeURIComponent(target.slice(-6).toUpperCase())}`);
  assert.ok(found.items.some((b) => b.batchId === target), 'the search finds the batch by part of its id, any case');
  assert.ok(found.total < all.total || all.total === 1);
  assert.is((await get('q=%25_%25')).total, 0, 'LIKE characters are taken literally');
  const byCount = await get('sort=-recordCount&limit=1000');
  const counts = byCount.items.map((b) => b.recordCount);
  assert.equal(counts, [...counts].sort((a, b) => b - a));
  const oldest = await get('sort=createdAt&limit=1');
  assert.is(oldest.items[0].createdAt, [...all.items].map((b) => b.createdAt).sort()[0]);
  for (const [qs, field] of [['status=sent', 'status'], ['sort=size', 'sort'], ['dataType=CAT', 'dataType'], ['limit=0', 'limit']]) {
    const res = await call('GET', `/api/reporter/batches?${qs}`, regulator);
    assert.is(res.status, 400, qs);
    const body = (await res.json()) as { error: { code: string; field: string; message: string } };
    assert.is(body.error.field, field, qs);
    assert.match(body.error.message, /[\u4e00-\u9fff]/, 'a Chinese reason');
  }
});

test('the correction queue filtered on the server: type, reason code, department, text; with the filtered total and paging', async () => {
  type Q = { total: number; limit: number; offset: number; items: { dataType: string; recordId: string; deptCode: string | null; errors: { code: string; message: string }[] }[] };
  const get = async (qs: string) => (await (await call('GET', `/api/reporter/corrections?${qs}`, regulator)).json()) as Q;
  const all = await get('limit=500');
  const [insId, insCode] = [...fx.invalid.INSPECTION.entries()][0];
  const byType = await get('dataType=INSPECTION&limit=500');
  assert.is(byType.total, fx.invalid.INSPECTION.size);
  assert.ok(byType.items.every((i) => i.dataType === 'INSPECTION'));
  const byCode = await get(`code=${insCode}&limit=500`);
  const expected = all.items.filter((i) => i.errors.some((e) => e.code === insCode));
  assert.is(byCode.total, expected.length);
  assert.ok(byCode.items.some((i) => i.recordId === insId));
  const dept = all.items[0].deptCode!;
  const byDept = await get(`dept=${dept}&limit=500`);
  assert.is(byDept.total, all.items.filter((i) => i.deptCode === dept).length);
  const byText = await get(`q=${encodeURIComponent(insId)}`);
  assert.ok(byText.items.some((i) => i.recordId === insId));
  assert.ok(byText.total < all.total);
  // Text inside a reason's message (Chinese), and a LIKE wildcard taken literally.
  const word = all.items[0].errors[0].message.slice(0, 4);
  assert.ok((await get(`q=${encodeURIComponent(word)}`)).total >= 1);
  assert.is((await get('q=%25')).total, 0);
  // Paging: the total is the whole filtered queue, the page its slice; one row per record, its reasons once each.
  assert.ok(all.total >= 3);
  const p2 = await get('limit=2&offset=1');
  assert.equal([p2.total, p2.items.length, p2.offset], [all.total, 2, 1]);
  assert.equal(p2.items.map((i) => i.recordId), all.items.slice(1, 3).map((i) => i.recordId));
  assert.is(new Set(all.items.map((i) => `${i.dataType}/${i.recordId}`)).size, all.items.length);
  for (const i of all.items) assert.is(new Set(i.errors.map((e) => `${e.code}|${e.message}`)).size, i.errors.length);
  assert.is((await call('GET', '/api/reporter/corrections?foundBy=x', regulator)).status, 400);
  assert.is((await call('GET', '/api/reporter/corrections?code=%27;drop', regulator)).status, 400);
  assert.is((await get('foundBy=province')).total, 0);
});

test('overdue: past deadline and not accepted, with the reason; accepted records never listed; paginated', async () => {
  const today = chinaDate(Date.now());
  const all = (await (await call('GET', '/api/reporter/overdue?limit=1000', ops)).json()) as {
    total: number; items: { dataType: string; recordId: string; deadline: string; daysOverdue: number; reason: string }[];
  };
  assert.is(all.items.length, all.total);
  const accepted = await sys.db.query<{ data_type: string; record_id: string }>(`SELECT data_type, record_id FROM report_deliveries WHERE accepted_version IS NOT NULL`);
  assert.ok(accepted.rowCount > 0);
  const listed = new Set(all.items.map((i) => `${i.dataType}/${i.recordId}`));
  for (const a of accepted.rows) assert.not.ok(listed.has(`${a.data_type}/${a.record_id}`), `${a.record_id} was accepted yet listed overdue`);
  const invalidPast = await sys.db.query<{ data_type: string; record_id: string }>(
    `SELECT data_type, record_id FROM reporter_records WHERE status = 'invalid' AND deadline < $1::date`, [today]);
  assert.ok(invalidPast.rowCount > 0, 'the fixtures hold invalid records past their deadline');
  for (const r of invalidPast.rows) assert.ok(listed.has(`${r.data_type}/${r.record_id}`), `${r.record_id} is invalid and overdue but not listed`);
  for (const i of all.items) {
    assert.ok(String(i.deadline).slice(0, 10) < today || new Date(i.deadline).getTime() < Date.parse(today), `${i.recordId} deadline ${i.deadline} is past`);
    assert.ok(Number(i.daysOverdue) > 0);
    assert.ok(['city_invalid', 'province_rejected', 'not_sent', 'awaiting_verdict'].includes(i.reason), i.reason);
  }
  const page2 = (await (await call('GET', '/api/reporter/overdue?limit=2&offset=1', ops)).json()) as { items: { recordId: string }[]; total: number };
  assert.is(page2.total, all.total);
  assert.equal(page2.items.map((i) => i.recordId), all.items.slice(1, 3).map((i) => i.recordId));
  const typed = (await (await call('GET', '/api/reporter/overdue?dataType=PENALTY&limit=1000', ops)).json()) as { items: { dataType: string }[] };
  assert.ok(typed.items.every((i) => i.dataType === 'PENALTY'));
  assert.is((await sys.app.request('/api/reporter/overdue')).status, 401);
});

test('indicators: counts, 及时率, 准确率, 完整率 and 覆盖率 as data-standard.md defines them', async () => {
  // A period around the fixtures' 60 days, ending inside a month, and long enough to hold every deadline.
  const today = chinaDate(Date.now());
  const from = addDays(today, -120);
  const to = addDays(today, 45);
  const res = await call('GET', `/api/reporter/indicators?from=${from}&to=${to}&limit=100`, regulator);
  const j = (await res.json()) as { items: Record<string, any>[]; coverage: { deptCode: string | null; items: number; covered: number; coverageRate: number }[] };
  const pen = j.items.find((r) => r.dataType === 'PENALTY' && r.deptCode === null)!;
  const validPen = fx.PENALTY.filter((p) => !fx.invalid.PENALTY.has(p.recordId));
  assert.is(pen.received, fx.PENALTY.length);
  assert.is(pen.valid, validPen.length);
  assert.is(pen.accepted, validPen.length);
  assert.is(pen.sent, validPen.length);
  assert.is(pen.rejected, 0);
  assert.is(pen.accuracyRate, 1);
  // Delivered today: on time exactly when the deadline is today or later; never delivered (invalid) is late.
  const d = await sys.db.query<{ due: string; ontime: string }>(
    `SELECT count(*) AS due, count(*) FILTER (WHERE status = 'valid' AND deadline >= $1::date) AS ontime FROM reporter_records WHERE data_type = 'PENALTY' AND deadline >= $2::date AND deadline < $3::date`,
    [today, from, to],
  );
  assert.is(pen.dueInPeriod, Number(d.rows[0].due));
  assert.is(pen.onTime, Number(d.rows[0].ontime));
  assert.is(pen.timelinessRate, Math.round((Number(d.rows[0].ontime) / Number(d.rows[0].due)) * 10000) / 10000);
  assert.is(pen.completenessRate, 1);
  const byDept = j.items.filter((r) => r.dataType === 'PENALTY' && r.deptCode !== null);
  assert.is(byDept.reduce((a, r) => a + r.received, 0), fx.PENALTY.length, 'departments add up to the type');
  // 覆盖率, computed independently from the fixtures: category-01 ITEMs with a valid INSPECTION or PENALTY in the period.
  const validCoe = fx.COERCION.filter((c) => !fx.invalid.COERCION.has(c.recordId));
  const used = new Set([...fx.INSPECTION.filter((x) => !fx.invalid.INSPECTION.has(x.recordId)), ...validPen, ...validCoe, coverCoercion].map((x) => x.implCode));
  const cat01 = [...fx.ITEM, coverItem].filter((i) => i.category === '01');
  assert.ok(used.has(coverItem.implCode) && !fx.INSPECTION.some((x) => x.implCode === coverItem.implCode), 'one ITEM covered by a COERCION alone');
  // COERCION's own row: every valid one sent and accepted, first time, counted by startDate.
  const coe = j.items.find((r) => r.dataType === 'COERCION' && r.deptCode === null)!;
  assert.is(coe.received, fx.COERCION.length + 1);
  assert.is(coe.valid, validCoe.length + 1);
  assert.is(coe.accepted, validCoe.length + 1);
  assert.is(coe.rejected, 0);
  assert.is(coe.accuracyRate, 1);
  assert.is(coe.completenessRate, 1);
  assert.ok(fx.invalid.COERCION.size > 0 && coe.dueInPeriod > coe.onTime, 'invalid COERCIONs are never delivered: late');
  const all = j.coverage.find((c) => c.deptCode === null)!;
  assert.is(all.items, cat01.length);
  assert.is(all.covered, cat01.filter((i) => used.has(i.implCode)).length);
  assert.is((await call('GET', '/api/reporter/indicators?from=2026-13-01', regulator)).status, 400);
});

test('完整率 for a period that ends inside a month: a value for every type with records, from the province\'s count for that range', async () => {
  const today = chinaDate(Date.now());
  // Ten days back to tomorrow: no reconciled month tiles it, and it ends inside a month (or at the first of one).
  const from = addDays(today, -10);
  const to = addDays(today, 1);
  const j = (await (await call('GET', `/api/reporter/indicators?from=${from}&to=${to}&limit=100`, regulator)).json()) as { items: IndicatorRow[] };
  const types = j.items.filter((r) => r.deptCode === null);
  assert.ok(types.some((r) => r.dataType === 'ITEM') && types.some((r) => r.dataType === 'OFFICER'), 'ITEM and OFFICER have records in the period');
  for (const r of types) {
    assert.ok(r.valid > 0, `${r.dataType} has valid records in the period`);
    assert.is(r.completenessRate, 1, `${r.dataType}: ${JSON.stringify(r.completenessReason)}`);
    assert.is(r.provinceCount, r.valid);
    assert.equal([r.completenessBasis?.source, r.completenessBasis?.from, r.completenessBasis?.to], ['province', from, to]);
  }
  // By department the province cannot say: null, with the reason.
  const byDept = (await (await call('GET', `/api/reporter/indicators?from=${from}&to=${to}&dept=${fx.ITEM[0].deptCode}`, regulator)).json()) as { items: IndicatorRow[] };
  const row = byDept.items.find((r) => r.deptCode === null)!;
  assert.is(row.completenessRate, null);
  assert.is(row.completenessReason?.code, 'by_department');
  // Without a province connection and no reconciliation tiling the range: null, and the reason says so.
  const off = await indicators(sys.db, from, to, Date.now());
  for (const r of off.filter((x) => x.deptCode === null)) {
    assert.is(r.completenessRate, null);
    assert.is(r.completenessReason?.code, 'not_connected');
    assert.ok(r.completenessReason!.message.length > 10);
  }
  // A calendar month that reconciliation covered (last month: the fixtures' 60 days always reach into all of it) is
  // answered from the stored reconciliation when the province is not asked.
  const thisMonth = `${today.slice(0, 7)}-01`;
  const lastMonth = `${addDays(thisMonth, -1).slice(0, 7)}-01`;
  const fromRec = (await indicators(sys.db, lastMonth, thisMonth, Date.now())).filter((x) => x.deptCode === null);
  assert.ok(fromRec.some((x) => x.valid > 0), 'last month holds valid records');
  for (const x of fromRec) {
    assert.is(x.completenessBasis?.source, 'reconciliation', `${x.dataType}: ${JSON.stringify(x.completenessReason)}`);
    if (x.valid > 0) assert.is(x.completenessRate, 1, x.dataType);
    else assert.is(x.completenessReason?.code, 'no_city_records', x.dataType);
  }
});

test.run();
