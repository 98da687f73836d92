import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openTestDb } from '../../test/helpers/db';
import { silentLogger } from '../../core/log';
import { parseConfig } from '../../core/config';
import { startProvinceSim, type ProvinceSim } from '../../ops/province-sim/server';
import { makeFixtures } from '../standard/fixtures';
import { DeliveryService } from './service';
import { putRecords } from './testkit';
import type { Db } from '../../core/db';

let db: Db;
let sim: ProvinceSim;
let svc: DeliveryService;
const secret = 'unit-secret';
const fx = makeFixtures({ seed: 7, items: 150, officers: 20, inspections: 200, penalties: 120, invalidShare: 0.1 });

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
  const more = makeFixtures({ seed: 99, items: 1000, officers: 0, inspections: 0, penalties: 0 });
  const items = more.ITEM.map((x) => ({ ...x, recordId: `X${x.recordId}` }));
  sim.setFaults({ error503: 0.25, rate429: 0.05, retryAfterSec: 0, lostAnswer: 0.1, hangMs: 2000, processingMs: 30 });
  const before = sim.store.stats.recordsApplied;
  await putRecords(db, items.map((x) => ['ITEM', x] as ['ITEM', Record<string, unknown>]));
  const r = await svc.run('incremental', 'test');
  sim.setFaults({ error503: 0, rate429: 0, lostAnswer: 0, processingMs: 0 });
  assert.is(r.status, 'ok', JSON.stringify(r));
  assert.is(sim.store.stats.recordsApplied - before, 1000, 'no record applied twice');
  const a = await db.query<{ n: string }>(`SELECT count(*) AS n FROM report_attempts WHERE kind = 'upload' AND outcome = 'transient'`);
  assert.ok(Number(a.rows[0].n) > 0, 'failed attempts are logged');
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
  const extra = makeFixtures({ seed: 5, items: 3, officers: 0, inspections: 0, penalties: 0 }).ITEM.map((x) => ['ITEM', { ...x, recordId: `DRY${x.recordId}` }] as ['ITEM', Record<string, unknown>]);
  await putRecords(db, extra);
  const before = await db.query<{ n: string }>(`SELECT count(*) AS n FROM report_batches`);
  const dr = await svc.dryRun();
  assert.equal(dr.due, [{ data_type: 'ITEM', op: 'UPSERT', n: 3 }]);
  assert.is(dr.batches.length, 1);
  assert.is((dr.sample[0].wire as { op: string }).op, 'UPSERT');
  const after = await db.query<{ n: string }>(`SELECT count(*) AS n FROM report_batches`);
  assert.is(after.rows[0].n, before.rows[0].n);
});

test.run();
