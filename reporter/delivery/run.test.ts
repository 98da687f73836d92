import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openTestDb } from '../../test/helpers/db';
import { silentLogger } from '../../core/log';
import { parseConfig } from '../../app/config';
import { startProvinceSim, type ProvinceSim } from '../../ops/province-sim/server';
import { makeFixtures } from '../fixtures/records';
import { DeliveryService } from './service';
import { putRecords } from './testkit';
import type { Db } from '../../core/db';
import { chinaDate } from '../../core/china-time';

let db: Db;
let sim: ProvinceSim;
let svc: DeliveryService;
const secret = 'unit-secret';
const fx = makeFixtures({ seed: 7, items: 150, officers: 20, inspections: 200, penalties: 120, invalidShare: 0.1, now: Date.now() });

test.before(async () => {
  db = await openTestDb();
  sim = await startProvinceSim({ port: 0, appKey: 'city-370700', appSecret: secret });
  const config = parseConfig(`reporter:\n  province: { url: "${sim.url}", secret: ${secret}, timeout: 500ms }\n  delivery: { retries: 8, retryBaseDelay: 1ms, retryMaxDelay: 5ms, receiptPollInterval: 10ms, receiptWait: 5s, maxRecordsPerBatch: 100 }\n`);
  svc = new DeliveryService({ db, log: silentLogger(), clock: Date.now, config: config.reporter, url: sim.url, secret });
});
test.after(async () => {
  await svc.stop();
  await sim.stop();
  await db.close();
});

const validCount = (t: 'ITEM' | 'INSPECTION' | 'PENALTY' | 'OFFICER') => fx[t].length - fx.invalid[t].size;

test('a run delivers every valid record once, in batches within the limit, ITEM before PENALTY, money in 万元', async () => {
  await putRecords(db, fx.all());
  const r = await svc.run('incremental', 'test');
  assert.is(r.status, 'ok', JSON.stringify(r));
  for (const t of ['ITEM', 'OFFICER', 'INSPECTION', 'PENALTY'] as const) assert.is(sim.live(t).length, validCount(t), t);
  const fined = fx.PENALTY.find((p) => p.fineAmount && !fx.invalid.PENALTY.has(p.recordId))!;
  const held = sim.store.get('PENALTY', fined.recordId)!;
  assert.match(String(held.data.fineAmountWan), /^\d+\.\d{6}$/);
  assert.not.ok('fineAmount' in held.data);
  const b = await db.query<{ batch_id: string; data_type: string; record_count: number; status: string }>(`SELECT batch_id, data_type, record_count, status FROM report_batches ORDER BY seq`);
  assert.ok(b.rows.every((x) => x.status === 'done' && x.record_count <= 100 && /^370700-\d{8}-\d{6}$/.test(x.batch_id)));
  const order = b.rows.map((x) => x.data_type).filter((t, i, a) => a.indexOf(t) === i);
  assert.equal(order, ['ITEM', 'OFFICER', 'INSPECTION', 'PENALTY']);
  const again = await svc.run('incremental', 'test');
  assert.is((again.stats as { batches: number }).batches, 0, 'nothing is due twice');
});

test('a new version is sent again; a withdrawn record goes as DELETE', async () => {
  const p1 = fx.PENALTY.filter((p) => !fx.invalid.PENALTY.has(p.recordId) && p.fineAmount)[0];
  const p2 = fx.PENALTY.filter((p) => !fx.invalid.PENALTY.has(p.recordId))[5];
  await putRecords(db, [['PENALTY', { ...p1, fineAmount: '10.00' }]], { version: 2 });
  await putRecords(db, [['PENALTY', p2]], { version: 2, withdrawn: true });
  const r = await svc.run('incremental', 'test');
  assert.is((r.stats as { records: number }).records, 2);
  assert.is(sim.store.get('PENALTY', p1.recordId)!.data.fineAmountWan, '0.001000');
  assert.is(sim.store.get('PENALTY', p2.recordId)!.live, false);
  const d = await db.query<{ accepted_version: number; accepted_op: string }>(`SELECT accepted_version, accepted_op FROM report_deliveries WHERE record_id = $1`, [p2.recordId]);
  assert.equal(d.rows[0], { accepted_version: 2, accepted_op: 'DELETE' });
});

test('transient faults, lost answers and PROCESSING receipts: every record still lands exactly once', async () => {
  const more = makeFixtures({ seed: 99, items: 1000, officers: 0, inspections: 0, penalties: 0, now: Date.now() });
  const items = more.ITEM.map((x) => ({ ...x, recordId: `X${x.recordId}` }));
  sim.setFaults({ error503: 0.25, rate429: 0.05, retryAfterSec: 0, lostAnswer: 0.1, hangMs: 2000, processingMs: 30 });
  const before = sim.store.stats.recordsApplied;
  const faultsBefore = sim.store.stats.faultsInjected;
  const startedAt = new Date(Date.now() - 1000);
  await putRecords(db, items.map((x) => ['ITEM', x] as ['ITEM', Record<string, unknown>]));
  const r = await svc.run('incremental', 'test');
  sim.setFaults({ error503: 0, rate429: 0, lostAnswer: 0, processingMs: 0 });
  assert.is(r.status, 'ok', JSON.stringify(r));
  assert.is(sim.store.stats.recordsApplied - before, 1000, 'no record applied twice');
  // Faults are drawn at random for every request (uploads and receipt polls alike): compare the log with what the
  // simulator says it injected, rather than hoping a fault hit an upload.
  const injected = sim.store.stats.faultsInjected - faultsBefore;
  const a = await db.query<{ n: string }>(`SELECT count(*) AS n FROM report_attempts WHERE outcome = 'transient' AND time >= $1`, [startedAt]);
  assert.ok(injected > 0, 'the simulator injected faults');
  assert.ok(Number(a.rows[0].n) > 0, `failed attempts are logged (${a.rows[0].n} logged, ${injected} injected)`);
});

test('records the gateway rejects go to the correction queue with its errors; a corrected version clears them', async () => {
  // Valid for the city (references not checked here) but the province holds no such ITEM: E_REFERENCE there.
  const insp = { ...fx.INSPECTION.find((x) => !fx.invalid.INSPECTION.has(x.recordId))!, recordId: 'INSP-ORPHAN' };
  const orphan = { ...insp, implCode: insp.implCode.slice(0, 19) + '999999' };
  await putRecords(db, [['INSPECTION', orphan]]);
  await svc.run('incremental', 'test');
  const q = await db.query<{ rejected_version: number; rejected_errors: { code: string }[] }>(`SELECT rejected_version, rejected_errors FROM report_deliveries WHERE record_id = 'INSP-ORPHAN'`);
  assert.is(q.rows[0].rejected_version, 1);
  assert.is(q.rows[0].rejected_errors[0].code, 'E_REFERENCE');
  await putRecords(db, [['INSPECTION', insp]], { version: 2 });
  await svc.run('incremental', 'test');
  const q2 = await db.query<{ rejected_version: number | null; accepted_version: number }>(`SELECT rejected_version, accepted_version FROM report_deliveries WHERE record_id = 'INSP-ORPHAN'`);
  assert.equal(q2.rows[0], { rejected_version: null, accepted_version: 2 });
});

test('dry run shows what would be sent and writes nothing', async () => {
  const extra = makeFixtures({ seed: 5, items: 3, officers: 0, inspections: 0, penalties: 0, now: Date.now() }).ITEM.map((x) => ['ITEM', { ...x, recordId: `DRY${x.recordId}` }] as ['ITEM', Record<string, unknown>]);
  await putRecords(db, extra);
  const before = await db.query<{ n: string }>(`SELECT count(*) AS n FROM report_batches`);
  const dr = await svc.dryRun();
  assert.equal(dr.due, [{ dataType: 'ITEM', op: 'UPSERT', n: 3 }]);
  assert.is(dr.batches.length, 1);
  assert.is((dr.sample[0].wire as { op: string }).op, 'UPSERT');
  const after = await db.query<{ n: string }>(`SELECT count(*) AS n FROM report_batches`);
  assert.is(after.rows[0].n, before.rows[0].n);
});

test('a batch still failing after its retries stops the run; the next run resumes the same batch id', async () => {
  const extra = makeFixtures({ seed: 77, items: 5, officers: 0, inspections: 0, penalties: 0, now: Date.now() }).ITEM.map((x) => ['ITEM', { ...x, recordId: `RES${x.recordId}` }] as ['ITEM', object]);
  await putRecords(db, extra);
  sim.setFaults({ error503: 1 });
  const r1 = await svc.run('incremental', 'test');
  sim.setFaults({ error503: 0 });
  assert.is(r1.status, 'partial');
  const open = await db.query<{ batch_id: string; attempts: number; record_count: number }>(`SELECT batch_id, attempts, record_count FROM report_batches WHERE status = 'pending'`);
  assert.is(open.rows.length, 1);
  assert.is(open.rows[0].attempts, 9, 'first try + 8 retries');
  const ev = await db.query<{ severity: string; labels: { batchId: string } }>(`SELECT severity, labels FROM system_events WHERE source = 'reporter' AND kind = 'batch_failed'`);
  assert.equal(ev.rows.map((e) => [e.severity, e.labels.batchId]), [['warning', open.rows[0].batch_id]]);
  const r2 = await svc.run('incremental', 'test');
  assert.is((r2.stats as { resumed: number; batches: number }).resumed, 1);
  assert.is((r2.stats as { resumed: number; batches: number }).batches, 0, 'no new batch: the records were already in the resumed one');
  // Consistent counters: the resumed batch's records are this run's records, so accepted + rejected ≤ records.
  const s2 = r2.stats as { records: number; accepted: number; rejected: number };
  assert.is(s2.records, open.rows[0].record_count);
  assert.ok(s2.records > 0);
  assert.ok(s2.accepted + s2.rejected <= s2.records, JSON.stringify(s2));
  const b = await db.query<{ status: string; attempts: number }>(`SELECT status, attempts FROM report_batches WHERE batch_id = $1`, [open.rows[0].batch_id]);
  assert.equal(b.rows[0], { status: 'done', attempts: 10 });
  assert.ok(sim.store.isLive('ITEM', 'RESITEM-1'));
});

test('a permanent refusal closes the batch, raises a critical batch_failed and makes its records due again', async () => {
  const config = parseConfig(`reporter:\n  province: { url: "${sim.url}", secret: wrong-secret, appKey: city-370700 }\n  delivery: { retries: 2, retryBaseDelay: 1ms, retryMaxDelay: 2ms }\n`);
  const bad = new DeliveryService({ db, log: silentLogger(), clock: Date.now, config: config.reporter, url: sim.url, secret: 'wrong-secret' });
  const extra = makeFixtures({ seed: 78, items: 2, officers: 0, inspections: 0, penalties: 0, now: Date.now() }).ITEM.map((x) => ['ITEM', { ...x, recordId: `PERM${x.recordId}` }] as ['ITEM', object]);
  await putRecords(db, extra);
  await bad.run('incremental', 'test');
  await bad.stop();
  const f = await db.query<{ status: string; attempts: number; last_error: string }>(`SELECT status, attempts, last_error FROM report_batches WHERE status = 'failed'`);
  assert.is(f.rows.length, 1);
  assert.is(f.rows[0].attempts, 1, 'no retry on 401 40101');
  assert.match(f.rows[0].last_error, /40101/);
  const ev = await db.query(`SELECT 1 FROM system_events WHERE kind = 'batch_failed' AND severity = 'critical'`);
  assert.is(ev.rows.length, 1);
  const again = await svc.run('incremental', 'test');
  assert.is((again.stats as { records: number }).records, 2, 'due again and delivered with the right secret');
});

test('reconciliation: agreement is stored; a record missing at the province is a mismatch event', async () => {
  const r = await svc.run('reconcile', 'test');
  assert.is(r.status, 'ok', JSON.stringify(r.stats));
  const gone = sim.live('INSPECTION')[0];
  gone.live = false; // the province lost one
  const r2 = await svc.run('reconcile', 'test');
  assert.is(r2.status, 'partial');
  const ev = await db.query<{ labels: { dataType: string }; value: number }>(`SELECT labels, value FROM system_events WHERE kind = 'reconciliation_mismatch'`);
  assert.equal(ev.rows.map((e) => [e.labels.dataType, e.value]), [['INSPECTION', -1]]);
  gone.live = true;
});

test('records past their deadline and never accepted raise records_overdue', async () => {
  const ev = await db.query<{ value: number; labels: Record<string, string> }>(`SELECT value, labels FROM system_events WHERE kind = 'records_overdue' ORDER BY ts DESC LIMIT 1`);
  const expected = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM reporter_records r LEFT JOIN report_deliveries d USING (data_type, record_id) WHERE r.status <> 'withdrawn' AND r.deadline < $1::date AND d.accepted_version IS NULL`,
    [chinaDate(Date.now())],
  );
  assert.ok(Number(expected.rows[0].n) > 0, 'the invalid fixtures are overdue');
  assert.is(ev.rows[0].value, Number(expected.rows[0].n));
});

test('finished batches keep their exact body for keepBatchBodies (90 days), then only the row', async () => {
  const b = await db.query<{ batch_id: string }>(`SELECT batch_id FROM report_batches WHERE status = 'done' ORDER BY seq LIMIT 2`);
  await db.query(`UPDATE report_batches SET finished_at = now() - interval '91 days' WHERE batch_id = $1`, [b.rows[0].batch_id]);
  await svc.run('incremental', 'test');
  const r = await db.query<{ batch_id: string; body: string }>(`SELECT batch_id, body FROM report_batches WHERE batch_id = ANY($1::text[]) ORDER BY seq`, [b.rows.map((x) => x.batch_id)]);
  assert.is(r.rows[0].body, '');
  assert.ok(r.rows[1].body.startsWith('{"batchId":'));
});

test('a run interrupted by a dead process keeps what the batch log says it did; run ids stay sequential after a sequence jump', async () => {
  const { startRun } = await import('./run');
  const t = Date.now();
  const id1 = await startRun(db, 'incremental', 'schedule', null, t);
  // The process "dies" after the gateway took one batch (9 accepted, 1 rejected) and before a second got an answer.
  const cols = ['batch_id', 'region_code', 'day', 'seq', 'data_type', 'adapter', 'created_at', 'status', 'record_count', 'body_bytes', 'body', 'attempts', 'accepted', 'rejected', 'run_id'];
  await db.insertMany('report_batches', cols, [
    ['CRASH-A', '370700', '20261124', 901, 'ITEM', 'contract-v1', new Date(t), 'done', 10, 100, '', 1, 9, 1, id1],
    ['CRASH-B', '370700', '20261124', 902, 'ITEM', 'contract-v1', new Date(t), 'pending', 5, 100, '', 1, null, null, id1],
  ]);
  // After a crash PostgreSQL's sequence may jump (it logs 32 values ahead).
  await db.query(`SELECT setval(pg_get_serial_sequence('report_runs', 'id'), $1)`, [id1 + 32]);
  const id2 = await startRun(db, 'incremental', 'schedule', null, t + 1000);
  assert.is(id2, id1 + 1, 'the next run id follows');
  const r = await db.query<{ status: string; stats: any; error: string }>(`SELECT status, stats, error FROM report_runs WHERE id = $1`, [id1]);
  const stats = typeof r.rows[0].stats === 'string' ? JSON.parse(r.rows[0].stats) : r.rows[0].stats;
  assert.is(r.rows[0].status, 'failed');
  assert.match(r.rows[0].error, 'interrupted');
  assert.equal({ batches: stats.batches, records: stats.records, accepted: stats.accepted, rejected: stats.rejected, openBatches: stats.openBatches, interrupted: stats.interrupted },
    { batches: 2, records: 15, accepted: 9, rejected: 1, openBatches: 1, interrupted: true });
  // An insert without an id (the sequence) cannot collide with the ids given out.
  const seq = await db.query<{ id: string }>(`INSERT INTO report_runs (kind, trigger, started_at, status) VALUES ('incremental', 'test', now(), 'ok') RETURNING id`);
  assert.is(Number(seq.rows[0].id), id2 + 1);
  await db.query(`DELETE FROM report_batches WHERE batch_id IN ('CRASH-A', 'CRASH-B')`);
  await db.query(`UPDATE report_runs SET status = 'ok' WHERE status = 'running'`);
});

test('re-send on demand: a delivered record, or a whole batch, goes again in a new batch of the next run', async () => {
  const { markForResend } = await import('./outbox');
  const item = fx.ITEM.find((x) => !fx.invalid.ITEM.has(x.recordId))!;
  assert.equal(await markForResend(db, { dataType: 'ITEM', recordId: item.recordId }), { marked: 1, inOpenBatch: 0 });
  assert.equal(await markForResend(db, { dataType: 'ITEM', recordId: item.recordId }), { marked: 0, inOpenBatch: 0 }, 'already due: nothing more');
  const r = await svc.run('incremental', 'test');
  assert.is(r.status, 'ok');
  assert.equal([(r.stats as { batches: number }).batches, (r.stats as { records: number }).records], [1, 1]);
  const b = await db.query<{ batch_id: string; record_count: number }>(`SELECT batch_id, record_count FROM report_batches WHERE data_type = 'ITEM' AND status = 'done' ORDER BY created_at DESC LIMIT 1`);
  const again = await markForResend(db, { batchId: b.rows[0].batch_id });
  assert.equal(again, { marked: 1, inOpenBatch: 0 });
  const first = await db.query<{ batch_id: string; record_count: number }>(`SELECT batch_id, record_count FROM report_batches WHERE data_type = 'OFFICER' AND status = 'done' ORDER BY created_at LIMIT 1`);
  const whole = await markForResend(db, { batchId: first.rows[0].batch_id });
  assert.is(whole.marked, first.rows[0].record_count, 'every record of the batch still in that version');
  const r2 = await svc.run('incremental', 'test');
  assert.is((r2.stats as { records: number }).records, 1 + first.rows[0].record_count);
  assert.is(sim.live('ITEM').filter((x) => x.recordId === item.recordId).length, 1, 'still one record at the province');
});

test.run();
