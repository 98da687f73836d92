// End to end: 20,000 records of all types (5 % invalid) go to the provincial gateway simulator under ~20 % transient
// faults; the reporter process is SIGKILLed in the middle of a run and restarted. Afterwards the province holds
// exactly the valid records, each once in its latest version; the invalid ones wait in the correction queue with
// their reasons; reconciliation agrees; the batch log explains every attempt. Embedded (file-backed) or DATABASE_URL.
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
import { DATA_TYPES, type DataType } from '../reporter/standard/types';

const server = !!process.env.DATABASE_URL;
const dir = mkdtempSync(join(tmpdir(), 'reporter-e2e-'));
const dataDir = join(dir, 'db');
const secret = 'e2e-secret-9f3a';
const fx = makeFixtures({ seed: 2026, items: 500, officers: 300, inspections: 12_000, penalties: 7_200, invalidShare: 0.068, now: Date.now() });
let sim: ProvinceSim;
let serverDb: (Db & { url?: string }) | undefined;

const openVerifyDb = async () => (server ? serverDb! : openDb({ dataDir }));
const closeVerifyDb = async (db: Db) => {
  if (!server) await db.close();
};

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
      `  delivery:\n    maxRecordsPerBatch: 500\n    retries: 12\n    retryBaseDelay: 20ms\n    retryMaxDelay: 400ms\n    receiptPollInterval: 20ms\n    receiptWait: 30s\n`,
  );
});

test.after(async () => {
  await sim.stop();
  if (serverDb) await serverDb.close();
  rmSync(dir, { recursive: true, force: true });
});

test('killed mid-run and restarted: the province ends with exactly the valid records, once each', async () => {
  const cfg = join(dir, 'config.yaml');
  // ~20 % of requests fail transiently: 503, 429 (Retry-After 1 s), hangs past the client timeout, lost answers.
  sim.setFaults({ error503: 0.1, rate429: 0.02, retryAfterSec: 1, timeout: 0.03, lostAnswer: 0.05, hangMs: 1500, processingMs: 40 });
  // The reporter role itself (app/main.ts --role reporter) starts its run on start and is SIGKILLed in the middle.
  const first = cli('role', cfg);
  const t0 = Date.now();
  while (sim.store.stats.batchesTaken < 12 && Date.now() - t0 < 120_000) await new Promise((r) => setTimeout(r, 20));
  first.kill();
  assert.is(await first.done, 137, first.out());
  const takenAtKill = sim.store.stats.batchesTaken;
  assert.ok(takenAtKill >= 12 && takenAtKill < 40, `killed in the middle (after ${takenAtKill} of ~40 batches)`);

  // Restarted (as the CLI, which exits when its run ends): it resumes the open batches under their ids.
  let code = -1;
  for (let i = 0; i < 3 && code !== 0; i++) {
    const again = cli('run', cfg);
    code = await again.done;
    if (code !== 0 && code !== 4) assert.unreachable(again.out());
  }
  assert.is(code, 0, 'a restarted run completes');
  const vdb = await openVerifyDb();
  const runs = await vdb.query<{ trigger: string; status: string; error: string | null }>(`SELECT trigger, status, error FROM report_runs ORDER BY id`);
  await closeVerifyDb(vdb);
  assert.is(runs.rows[0].trigger, 'start');
  assert.is(runs.rows[0].status, 'failed', 'the killed run is marked interrupted');
  assert.match(String(runs.rows[0].error), /interrupted/);
  sim.setFaults({ error503: 0, rate429: 0, timeout: 0, lostAnswer: 0, processingMs: 0 });

  for (const t of DATA_TYPES) {
    const live = new Set(sim.live(t).map((r) => r.recordId));
    const valid = fx[t].filter((r) => !fx.invalid[t].has(r.recordId)).map((r) => r.recordId);
    assert.is(live.size, valid.length, `${t}: province holds every valid record`);
    for (const id of valid) if (!live.has(id)) assert.unreachable(`${t} ${id} missing at the province`);
    for (const id of fx.invalid[t].keys()) assert.not.ok(sim.store.get(t, id), `${t} ${id} is invalid and must not be sent`);
    for (const r of sim.live(t)) if (r.upserts !== 1) assert.unreachable(`${t} ${r.recordId} applied ${r.upserts} times`);
  }
});

test('a correction round: changed records go again, once, in their latest version', async () => {
  const cfg = join(dir, 'config.yaml');
  const changed = fx.INSPECTION.filter((r) => !fx.invalid.INSPECTION.has(r.recordId)).slice(0, 100);
  const db = await openVerifyDb();
  await putRecords(db, changed.map((r) => ['INSPECTION', { ...r, actionName: `${r.actionName}（更正）` }] as [DataType, object]), { version: 2 });
  await closeVerifyDb(db);
  assert.is(await cli('run', cfg).done, 0);
  for (const r of changed) {
    const held = sim.store.get('INSPECTION', r.recordId)!;
    assert.is(held.upserts, 2);
    assert.match(String(held.data.actionName), /（更正）$/);
  }
});

test('reconciliation agrees; invalid records wait in the correction queue; the batch log explains every attempt', async () => {
  const cfg = join(dir, 'config.yaml');
  const rec = cli('reconcile', cfg);
  assert.is(await rec.done, 0, rec.out());
  const db = await openVerifyDb();
  try {
    const recs = await db.query<{ data_type: string; match: boolean; city_count: number; province_count: number }>(`SELECT data_type, match, city_count, province_count FROM report_reconciliations`);
    assert.ok(recs.rows.length >= 4);
    assert.ok(recs.rows.every((r) => r.match), JSON.stringify(recs.rows.filter((r) => !r.match)));
    const total = recs.rows.reduce((a, r) => a + Number(r.city_count), 0);
    const validTotal = DATA_TYPES.reduce((a, t) => a + fx[t].length - fx.invalid[t].size, 0);
    assert.is(total, validTotal, 'the reconciled months cover every valid record');

    const invalid = await db.query<{ data_type: DataType; record_id: string; errors: { code: string }[] }>(`SELECT data_type, record_id, errors FROM reporter_records WHERE status IN ('invalid', 'held_reference')`);
    const expected = DATA_TYPES.reduce((a, t) => a + fx.invalid[t].size, 0);
    assert.ok(expected > 900, `about 5 % invalid (${expected})`);
    assert.is(invalid.rows.length, expected);
    for (const r of invalid.rows) {
      const want = fx.invalid[r.data_type].get(r.record_id);
      if (!r.errors.some((e) => e.code === want)) assert.unreachable(`${r.record_id}: expected ${want}, got ${JSON.stringify(r.errors)}`);
    }
    const rejectedByProvince = await db.query<{ n: string }>(`SELECT count(*) AS n FROM report_deliveries WHERE rejected_version IS NOT NULL`);
    assert.is(Number(rejectedByProvince.rows[0].n), 0, 'the province rejects nothing the city found valid');

    const batches = await db.query<{ batch_id: string; status: string; attempts: number; record_count: number }>(`SELECT batch_id, status, attempts, record_count FROM report_batches`);
    assert.ok(batches.rows.every((b) => b.status === 'done'), 'no batch left open');
    assert.is(batches.rows.length, sim.store.batches.size, 'every batch the city wrote was taken by the province exactly once');
    const att = await db.query<{ batch_id: string; n: string; answered: string; failed_without_reason: string }>(
      `SELECT batch_id, count(*) AS n, count(*) FILTER (WHERE outcome IN ('receipt', 'processing')) AS answered,
              count(*) FILTER (WHERE outcome NOT IN ('receipt', 'processing') AND error IS NULL) AS failed_without_reason
         FROM report_attempts WHERE kind = 'upload' GROUP BY batch_id`,
    );
    const byBatch = new Map(att.rows.map((r) => [r.batch_id, r]));
    for (const b of batches.rows) {
      const a = byBatch.get(b.batch_id);
      if (!a || Number(a.answered) < 1) return assert.unreachable(`batch ${b.batch_id} has no answered upload attempt`);
      assert.is(Number(a.failed_without_reason), 0);
      assert.is(Number(a.n), b.attempts, `batch ${b.batch_id}: every attempt counted is logged`);
    }
    const transient = await db.query<{ n: string }>(`SELECT count(*) AS n FROM report_attempts WHERE outcome = 'transient'`);
    assert.ok(Number(transient.rows[0].n) > 5, 'transient failures happened and were logged');
    const sum = batches.rows.reduce((a, b) => a + b.record_count, 0);
    assert.is(sum, DATA_TYPES.reduce((a, t) => a + fx[t].length - fx.invalid[t].size, 0) + 100);
  } finally {
    await closeVerifyDb(db);
  }
});

test.run();
