// End to end for COERCION (行政强制行为, contract v1.1): 3,000 COERCION records (about 6 % invalid, COERCION's own rules
// among them) behind their ITEMs and INSPECTIONs go to the provincial gateway simulator under ~20 % transient faults;
// the reporter process is SIGKILLed while it sends the COERCION batches and restarted. Afterwards the province holds
// exactly the valid COERCION records, each once; none reached the province before its INSPECTION (the simulator would
// reject it with E_REFERENCE); the invalid ones wait in the correction queue; reconciliation agrees. A sibling of
// reporter-e2e.test.ts, smaller. Embedded (file-backed) or DATABASE_URL.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb, type Db } from '../core/db';
import { openTestDb } from './helpers/db';
import { reporterCli } from './helpers/reporter-cli';
import { startProvinceSim, type ProvinceSim } from '../ops/province-sim/server';
import { makeFixtures } from '../reporter/fixtures/records';
import { putRecords } from '../reporter/delivery/testkit';
import { DATA_TYPES } from '../reporter/standard/types';

const server = !!process.env.DATABASE_URL;
const dir = mkdtempSync(join(tmpdir(), 'reporter-coercion-e2e-'));
const dataDir = join(dir, 'db');
const secret = 'e2e-coercion-secret-15';
const fx = makeFixtures({ seed: 1515, items: 60, officers: 40, inspections: 1_500, penalties: 0, coercions: 3_000, invalidShare: 0.06, invalidTypes: ['COERCION'], now: Date.now() });
const validCoercion = fx.COERCION.filter((r) => !fx.invalid.COERCION.has(r.recordId)).map((r) => r.recordId);
const BATCH = 250;
let sim: ProvinceSim;
let serverDb: (Db & { url?: string }) | undefined;

const openVerifyDb = async () => (server ? serverDb! : openDb({ dataDir }));
const closeVerifyDb = async (db: Db) => {
  if (!server) await db.close();
};
const coercionBatches = () => [...sim.store.batches.values()].filter((b) => b.dataType === 'COERCION').length;

/** The reporter CLI or server on this test's database (test/helpers/reporter-cli.ts). */
const cli = (cmd: string, cfg: string) => reporterCli(cmd, cfg, server ? serverDb!.url : undefined);

test.before(async () => {
  sim = await startProvinceSim({ port: 0, appKey: 'city-370700', appSecret: secret });
  const db = server ? (serverDb = await openTestDb()) : await openDb({ dataDir });
  await putRecords(db, fx.all());
  await closeVerifyDb(db);
  writeFileSync(join(dir, 'secret'), secret + '\n');
  writeFileSync(
    join(dir, 'config.yaml'),
    `server:\n  host: 127.0.0.1\n  port: 0\ndatabase:\n  dataDir: ${dataDir}\nlog:\n  level: warn\nreporter:\n  province:\n    url: ${sim.url}\n    secret: { file: ${join(dir, 'secret')} }\n    timeout: 1s\n` +
      `  schedule: { incremental: "0 0 1 1 *", full: "0 0 1 1 *", reconcile: "0 0 1 1 *", runOnStart: true }\n` +
      `  deadlines: { PENALTY: 7, COERCION: 7, INSPECTION: 7, INSPECTION_PLAN: 20 }\n` +
      `  delivery:\n    maxRecordsPerBatch: ${BATCH}\n    retries: 12\n    retryBaseDelay: 20ms\n    retryMaxDelay: 400ms\n    receiptPollInterval: 20ms\n    receiptWait: 30s\n`,
  );
});

test.after(async () => {
  await sim.stop();
  if (serverDb) await serverDb.close();
  rmSync(dir, { recursive: true, force: true });
});

test('COERCION records through a faulty gateway, killed while sending them: the province holds exactly the valid ones, once each', async () => {
  assert.ok(fx.invalid.COERCION.size > 120, `about 6 % invalid (${fx.invalid.COERCION.size})`);
  assert.ok([...fx.invalid.COERCION.values()].includes('E_RANGE'), 'COERCION rules (Art. 25) among the reasons');
  const cfg = join(dir, 'config.yaml');
  // ~20 % of requests fail transiently: 503, 429 (Retry-After 1 s), hangs past the client timeout, lost answers;
  // receipts take a while (PROCESSING), so INSPECTION batches must be settled before the COERCIONs that cite them go.
  sim.setFaults({ error503: 0.1, rate429: 0.02, retryAfterSec: 1, timeout: 0.03, lostAnswer: 0.05, hangMs: 1500, processingMs: 40 });
  const first = cli('role', cfg);
  const t0 = Date.now();
  while (coercionBatches() < 3 && Date.now() - t0 < 120_000) await new Promise((r) => setTimeout(r, 20));
  first.kill();
  assert.is(await first.done, 137, first.out());
  const atKill = coercionBatches();
  const total = Math.ceil(validCoercion.length / BATCH);
  assert.ok(atKill >= 3 && atKill < total, `killed while sending COERCION (after ${atKill} of ${total} batches)`);

  let code = -1;
  for (let i = 0; i < 3 && code !== 0; i++) {
    const again = cli('run', cfg);
    code = await again.done;
    if (code !== 0 && code !== 4) assert.unreachable(again.out());
  }
  assert.is(code, 0, 'a restarted run completes');
  sim.setFaults({ error503: 0, rate429: 0, timeout: 0, lostAnswer: 0, processingMs: 0 });

  const live = new Set(sim.live('COERCION').map((r) => r.recordId));
  assert.is(live.size, validCoercion.length, 'the province holds every valid COERCION');
  for (const id of validCoercion) if (!live.has(id)) assert.unreachable(`COERCION ${id} missing at the province`);
  for (const id of fx.invalid.COERCION.keys()) assert.not.ok(sim.store.get('COERCION', id), `COERCION ${id} is invalid and must not be sent`);
  for (const r of sim.live('COERCION')) if (r.upserts !== 1) assert.unreachable(`COERCION ${r.recordId} applied ${r.upserts} times`);
  // Every COERCION the province got was accepted: none overtook its INSPECTION, none broke a rule the city missed.
  for (const b of sim.store.batches.values()) if (b.dataType === 'COERCION' && b.rejected.length) assert.unreachable(`batch ${b.batchId} rejected ${JSON.stringify(b.rejected[0])}`);
  assert.is(sim.live('INSPECTION').length, fx.INSPECTION.length);
});

test('reconciliation agrees for COERCION; its invalid records wait in the correction queue with their reasons', async () => {
  const cfg = join(dir, 'config.yaml');
  const rec = cli('reconcile', cfg);
  assert.is(await rec.done, 0, rec.out());
  const db = await openVerifyDb();
  try {
    const runs = await db.query<{ trigger: string; status: string; error: string | null }>(`SELECT trigger, status, error FROM report_runs ORDER BY id`);
    assert.is(runs.rows[0].trigger, 'start');
    assert.is(runs.rows[0].status, 'failed', 'the killed run is marked interrupted');
    assert.match(String(runs.rows[0].error), /interrupted/);
    const recs = await db.query<{ data_type: string; match: boolean; city_count: string; province_count: string }>(`SELECT data_type, match, city_count, province_count FROM report_reconciliations`);
    assert.ok(recs.rows.every((r) => r.match), JSON.stringify(recs.rows.filter((r) => !r.match)));
    assert.equal([...new Set(recs.rows.map((r) => r.data_type))].sort(), [...DATA_TYPES].sort(), 'every type reconciled, COERCION included');
    const coe = recs.rows.filter((r) => r.data_type === 'COERCION').reduce((a, r) => a + Number(r.city_count), 0);
    assert.is(coe, validCoercion.length, 'the reconciled months (by startDate) cover every valid COERCION');

    const invalid = await db.query<{ record_id: string; errors: { code: string }[] }>(`SELECT record_id, errors FROM reporter_records WHERE data_type = 'COERCION' AND status IN ('invalid', 'held_reference')`);
    assert.is(invalid.rows.length, fx.invalid.COERCION.size);
    for (const r of invalid.rows) {
      const want = fx.invalid.COERCION.get(r.record_id);
      if (!r.errors.some((e) => e.code === want)) assert.unreachable(`${r.record_id}: expected ${want}, got ${JSON.stringify(r.errors)}`);
    }
    const del = await db.query<{ n: string; rejected: string }>(
      `SELECT count(*) FILTER (WHERE accepted_version IS NOT NULL) AS n, count(*) FILTER (WHERE rejected_version IS NOT NULL) AS rejected FROM report_deliveries WHERE data_type = 'COERCION'`,
    );
    assert.equal([Number(del.rows[0].n), Number(del.rows[0].rejected)], [validCoercion.length, 0]);
    const open = await db.query(`SELECT 1 FROM report_batches WHERE status <> 'done'`);
    assert.is(open.rows.length, 0, 'no batch left open');
    const transient = await db.query<{ n: string }>(`SELECT count(*) AS n FROM report_attempts WHERE outcome = 'transient'`);
    // How many faults hit depends on the draw and on how fast the run is: compare with what the simulator says it
    // injected rather than hoping for a fixed number.
    const injected = sim.store.stats.faultsInjected;
    assert.ok(injected > 0, 'the simulator injected faults');
    assert.ok(Number(transient.rows[0].n) > 0, `transient failures are logged (${transient.rows[0].n} logged, ${injected} injected)`);
  } finally {
    await closeVerifyDb(db);
  }
});

test.run();
