/**
 * Delivery throughput: `npx tsx bench/reporter-deliver.ts [records] [--server]` (default 1,000,000; goal: all of them
 * in under 10 minutes). Loads valid records of all four types into the database (in memory, or DATABASE_URL), starts
 * the provincial gateway simulator as its own process on 127.0.0.1, runs one incremental delivery and prints records
 * delivered per minute. The load time is reported apart: it is the intake's work, not delivery.
 */
import { spawn } from 'node:child_process';
import { openTestDb } from '../test/helpers/db';
import { silentLogger } from '../core/log';
import { parseConfig } from '../app/config';
import { makeFixtures } from '../reporter/fixtures/records';
import { putRecords } from '../reporter/delivery/testkit';
import { DeliveryService } from '../reporter/delivery/service';

const total = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const secret = 'bench-secret';
const root = new URL('..', import.meta.url).pathname;

const sim = spawn(process.execPath, ['--import', 'tsx', 'ops/province-sim/main.ts', '--port', '0'], { cwd: root, env: { ...process.env, PROVINCE_SIM_SECRET: secret } });
const simUrl = await new Promise<string>((resolve, reject) => {
  sim.stdout.on('data', (d) => {
    const m = /listening on (http:\/\/[0-9.:]+)/.exec(String(d));
    if (m) resolve(m[1]);
  });
  sim.on('exit', (c) => reject(new Error(`simulator exited with ${c}`)));
});

// In memory, or a fresh database on the server named by DATABASE_URL (dropped at the end).
const db = await openTestDb();
const items = Math.max(50, Math.round(total * 0.01));
const officers = Math.max(20, Math.round(total * 0.01));
const penalties = Math.round(total * 0.35);
const fx = makeFixtures({ seed: 11, items, officers, inspections: total - items - officers - penalties, penalties, now: Date.now() });
let t = performance.now();
const all = fx.all();
for (let i = 0; i < all.length; i += 50_000) await putRecords(db, all.slice(i, i + 50_000));
const loadS = (performance.now() - t) / 1000;
console.log(`loaded ${all.length.toLocaleString()} records into the ${db.kind} database in ${loadS.toFixed(1)} s (intake side, not counted)`);

const config = parseConfig(`reporter:\n  province: { url: "${simUrl}", secret: ${secret}, timeout: 60s }\n  delivery: { receiptPollInterval: 50ms }\n`);
const svc = new DeliveryService({ db, log: silentLogger(), clock: Date.now, config: config.reporter, url: simUrl, secret });
t = performance.now();
const r = await svc.run('incremental', 'bench');
const secs = (performance.now() - t) / 1000;
const stats = r.stats as { records: number; batches: number; accepted: number; rejected: number; attempts: number };
const state = (await (await fetch(`${simUrl}/__sim/state`)).json()) as { live: Record<string, number> };
const live = Object.values(state.live).reduce((a, b) => a + b, 0);
const perMin = (stats.records / secs) * 60;
console.log(
  `delivered ${stats.records.toLocaleString()} records in ${stats.batches} batches (${stats.attempts} requests) in ${secs.toFixed(1)} s on ${db.kind}: ` +
    `${Math.round(perMin).toLocaleString()} records/min; province holds ${live.toLocaleString()} live; accepted ${stats.accepted}, rejected ${stats.rejected}`,
);
console.log(`1,000,000 records at this rate: ${(1_000_000 / perMin).toFixed(1)} min (goal < 10 min) — ${1_000_000 / perMin < 10 ? 'OK' : 'NOT MET'}`);
// The steady state: an incremental run over everything already delivered walks the key range and finds nothing.
t = performance.now();
const idle = await svc.run('incremental', 'bench');
console.log(`an incremental run with nothing due over ${all.length.toLocaleString()} records: ${((performance.now() - t) / 1000).toFixed(1)} s (${(idle.stats as { batches: number }).batches} batches)`);
await svc.stop();
await db.close();
sim.kill('SIGTERM');
if (live !== stats.accepted || stats.rejected > 0) process.exit(1);
