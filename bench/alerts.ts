/**
 * Alerts benchmark. `npx tsx bench/alerts.ts [--targets=10000] [--rounds=5] [--trials=10]` (DATABASE_URL for the
 * server back end; embedded in memory otherwise). Everything on 127.0.0.1.
 *
 * 1. Rule evaluation over N targets' results: modules, targets, target_state and 5 minutes of raw probe results
 *    (5 per target) plus the 1-minute rollup are seeded; one round evaluates target_down, module_down, latency p95
 *    (raw window), availability (rollup) and heartbeat over all of them and writes the state changes. Reported: ms per
 *    round and target-evaluations per second (targets × rules / round time). The first round opens ~5% of the
 *    targets' alerts (inserts); later rounds are the steady state (updates).
 * 2. Failing probe → notification leaving: with the engine ticking as in production (evaluationInterval 1s,
 *    notifyTick 100ms, groupWait 0s), a target's state is switched to down (what the collector writes on the
 *    failing probe) and the time until the local webhook receiver has the request is measured, `trials` times.
 */
import { randomUUID } from 'node:crypto';
import { parseConfig } from '../app/config';
import { openDb, type Db } from '../core/db';
import { silentLogger } from '../core/log';
import { AlertEngine } from '../alerts/engine';
import { webhookReceiver } from '../alerts/testing/fixtures';

const arg = (k: string, d: number) => Number(process.argv.find((a) => a.startsWith(`--${k}=`))?.split('=')[1] ?? d);
const N = arg('targets', 10_000);
const ROUNDS = arg('rounds', 5);
const TRIALS = arg('trials', 10);
const MODULES = 100;

async function openBenchDb(): Promise<Db> {
  if (!process.env.DATABASE_URL) return openDb({});
  const { openTestDb } = await import('../test/helpers/db');
  return openTestDb();
}

async function seed(db: Db, now: number) {
  const ids = Array.from({ length: N }, (_, i) => `t${i}`);
  await db.insertMany('modules', ['id', 'name', 'slo'], Array.from({ length: MODULES }, (_, m) => [`m${m}`, `模块${m}`, 99.9]));
  await db.insertMany('targets', ['id', 'module_id', 'name', 'type', 'interval_ms'], ids.map((id, i) => [id, `m${i % MODULES}`, `目标${i}`, i % 50 === 0 ? 'heartbeat' : 'http', 30_000]));
  // ~5% down (failing for a while), a few slow.
  await db.insertMany('target_state', ['target_id', 'state', 'since', 'consecutive_failures', 'last_ts', 'last_success'],
    ids.map((id, i) => [id, i % 20 === 1 ? 'down' : 'up', new Date(now - 600_000), i % 20 === 1 ? 5 : 0, new Date(now - 10_000), i % 20 !== 1]));
  const rows: unknown[][] = [];
  for (let k = 0; k < 5; k++) {
    for (let i = 0; i < N; i++) rows.push([new Date(now - (k + 1) * 55_000), randomUUID(), ids[i], `m${i % MODULES}`, 'http', i % 20 !== 1, i % 100 === 7 ? 2500 : 40 + (i % 30)]);
  }
  await db.insertMany('probe_results', ['ts', 'result_id', 'target_id', 'module_id', 'type', 'success', 'duration_ms'], rows);
  const licensed = (await db.query(`SELECT current_setting('timescaledb.license', true) AS l`)).rows[0].l === 'timescale';
  if (!licensed) {
    await db.exec(`INSERT INTO probe_results_1m (bucket, target_id, module_id, n, ok)
                   SELECT time_bucket(INTERVAL '1 minute', ts), target_id, module_id, count(*), count(*) FILTER (WHERE success) FROM probe_results GROUP BY 1, 2, 3`);
  }
}

function config(url: string) {
  return parseConfig(`
alerts:
  evaluationInterval: 1s
  notifyTick: 100ms
  rules:
    - { name: 目标不可用, type: target_down, failures: 3, severity: critical }
    - { name: 模块不可用, type: module_down, ratio: 0.5 }
    - { name: 响应慢, type: latency, thresholdMs: 1000, window: 5m }
    - { name: 可用率, type: availability, window: 1h, by: target, minSamples: 3 }
    - { name: 心跳缺失, type: heartbeat, grace: 1m }
  receivers: [{ name: ops, channels: [{ type: webhook, url: "${url}" }] }]
  route: { receiver: ops, groupBy: [alertname, target], groupWait: 0s, groupInterval: 1s, repeatInterval: 4h }
`).alerts;
}

const db = await openBenchDb();
const rx = await webhookReceiver();
const t0 = Date.now();
await seed(db, t0);
console.log(`seeded ${N} targets, ${N * 5} probe results on the ${db.kind} back end in ${Date.now() - t0} ms`);

const cfg = config(rx.url);
const engine = new AlertEngine(db, silentLogger(), () => Date.now(), cfg);
const times: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const s = await engine.evaluate(Date.now());
  times.push(s.durationMs);
  console.log(`round ${r + 1}: ${s.durationMs.toFixed(0)} ms, ${s.instances} active instances, ${s.transitions} transitions; per rule: ${[...engine.ruleStatus].map(([n, st]) => `${n} ${st.durationMs.toFixed(0)}`).join(", ")}`);
}
const steady = times.length > 1 ? times.slice(1) : times;
const avg = steady.reduce((a, b) => a + b, 0) / Math.max(1, steady.length);
const rules = cfg.rules.length;
console.log(`evaluation: ${N} targets × ${rules} rules, steady round ${avg.toFixed(0)} ms → ${Math.round((N * rules) / (avg / 1000)).toLocaleString('en')} target-evaluations/s, ${Math.round(N / (avg / 1000)).toLocaleString('en')} targets/s (all rules)`);
console.log(`first round (opens the alerts): ${times[0].toFixed(0)} ms`);

// Notify everything already firing once, so the latency trials measure only the new alert.
await Promise.all(await engine.notify(Date.now()));
await engine.drain();
const baseline = rx.got.length;
const firingNow = (await db.query(`SELECT count(*)::int AS n FROM alerts WHERE state = 'firing'`)).rows[0].n;
console.log(`initial notifications: ${baseline} groups sent for ${firingNow} firing alerts (targets of a down module are inhibited by its module alert)`);

// Failing probe → notification: the engine runs on its timers as in production.
let running = true;
const loop = async () => {
  while (running) {
    await engine.tick();
    await new Promise((r) => setTimeout(r, cfg.notifyTick));
  }
};
const loopDone = loop();
const lat: number[] = [];
for (let k = 0; k < TRIALS; k++) {
  const id = `t${k * 20 + 3}`; // an up target
  const before = rx.got.length;
  const start = performance.now();
  await db.query(`UPDATE target_state SET state = 'down', consecutive_failures = 3, since = now() WHERE target_id = $1`, [id]);
  while (!rx.got.slice(before).some((g) => g.alerts.some((a: any) => a.labels.target === id && a.status === 'firing'))) await new Promise((r) => setTimeout(r, 5));
  lat.push(performance.now() - start);
}
running = false;
await loopDone;
await engine.drain();
lat.sort((a, b) => a - b);
const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))].toFixed(0);
console.log(`failing probe → notification leaving (${TRIALS} trials, evaluationInterval 1s): p50 ${q(0.5)} ms, max ${q(1)} ms, min ${lat[0].toFixed(0)} ms`);
await rx.close();
await db.close();
