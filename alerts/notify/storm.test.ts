import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../../app/config';
import { silentLogger } from '../../core/log';
import { manualClock } from '../../core/time';
import type { Db } from '../../core/db';
import { openTestDb } from '../../test/helpers/db';
import { AlertEngine } from '../engine';
import { webhookReceiver } from '../testing/fixtures';
import { localRobot, type LocalRobot } from '../testing/robots';
import { undecidedModules } from './hold';
import type { TargetView } from '../sources';

// The storm promise (issue #12): 200 targets of 5 modules fail together (probed every 10, 30 and 60 s, failure
// threshold 3): exactly one module notice per module goes out per channel, no target notice; a sixth module with 3
// of 10 targets down gets its target notice (that is not a module outage); after recovery every module notice is
// resolved, and no 告警 (firing) message goes out for a target whose alert was muted.
const T = Date.UTC(2026, 5, 10, 2, 0, 0);
const clock = manualClock(T);
let db: Db;
let ops: Awaited<ReturnType<typeof webhookReceiver>>;
let sec: Awaited<ReturnType<typeof webhookReceiver>>;
let ding: LocalRobot;
let wecom: LocalRobot;

interface SimTarget { id: string; module: string; interval: number; phase: number; state: 'up' | 'down'; since: number; failures: number; successes: number; last: number }
const sim: SimTarget[] = [];

function seed() {
  for (let m = 0; m < 6; m++) {
    const n = m < 5 ? 40 : 10;
    for (let i = 0; i < n; i++) {
      const interval = [10_000, 30_000, 30_000, 60_000][i % 4];
      sim.push({ id: `m${m}-t${i}`, module: `m${m}`, interval, phase: Math.floor(((i * 7_919) % interval) / 1000) * 1000, state: 'up', since: T - 86_400_000, failures: 0, successes: 5, last: T - interval });
    }
  }
}

/** One simulated second of the collector: every target due now is probed, its state moves by its thresholds. */
async function probeRound(now: number, failing: (t: SimTarget) => boolean) {
  const changed: SimTarget[] = [];
  for (const t of sim) {
    if ((now - T - t.phase) % t.interval !== 0) continue;
    t.last = now;
    if (failing(t)) {
      t.failures++;
      t.successes = 0;
      if (t.state === 'up' && t.failures >= 3) Object.assign(t, { state: 'down', since: now });
    } else {
      t.successes++;
      if (t.state === 'down' && t.successes >= 2) Object.assign(t, { state: 'up', since: now });
      if (t.state === 'up') t.failures = 0;
    }
    changed.push(t);
  }
  if (changed.length === 0) return;
  await db.query(
    `INSERT INTO target_state (target_id, state, since, consecutive_failures, consecutive_successes, last_ts, last_success)
     SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::int[], $5::int[], $6::timestamptz[], $7::bool[])
     ON CONFLICT (target_id) DO UPDATE SET state = EXCLUDED.state, since = EXCLUDED.since, consecutive_failures = EXCLUDED.consecutive_failures,
       consecutive_successes = EXCLUDED.consecutive_successes, last_ts = EXCLUDED.last_ts, last_success = EXCLUDED.last_success`,
    [changed.map((t) => t.id), changed.map((t) => t.state), changed.map((t) => new Date(t.since)), changed.map((t) => t.failures),
      changed.map((t) => t.successes), changed.map((t) => new Date(t.last)), changed.map((t) => t.failures === 0)],
  );
}

type Msg = { at: number; body: any };
const received = (rx: typeof ops, from: number, seen: Msg[]) => {
  while (seen.length < rx.got.length) seen.push({ at: clock() - from, body: rx.got[seen.length] });
};

test.before(async () => {
  db = await openTestDb();
  ops = await webhookReceiver();
  sec = await webhookReceiver();
  ding = await localRobot('dingtalk', clock);
  wecom = await localRobot('wecom', clock);
  seed();
  for (let m = 0; m < 6; m++) await db.query(`INSERT INTO modules (id, name, slo) VALUES ($1, $2, 99.9)`, [`m${m}`, `模块${m}`]);
  await db.query(
    `INSERT INTO targets (id, module_id, name, type, interval_ms, failure_threshold, success_threshold)
     SELECT id, m, '目标' || id, 'http', iv, 3, 2 FROM unnest($1::text[], $2::text[], $3::int[]) AS x(id, m, iv)`,
    [sim.map((t) => t.id), sim.map((t) => t.module), sim.map((t) => t.interval)],
  );
  await probeRound(T, () => false);
});
test.after(async () => {
  await ops.close();
  await sec.close();
  await ding.close();
  await wecom.close();
  await db.close();
});

test('undecided: a module with down targets and others not probed since is held; decided either way it is not', () => {
  const base = { name: 'x', type: 'http', moduleName: 'M', slo: 99.9, intervalMs: 30_000, failureThreshold: 3, createdOrUpdated: 0, lastErrorCode: null, lastError: null };
  const t = (id: string, state: string, failures: number, lastTs: number, since = 1_000): TargetView => ({ ...base, id, moduleId: 'm', state, since, consecutiveFailures: failures, lastTs });
  const now = 100_000;
  const rule = [{ ratio: 1 }];
  const a = t('a', 'down', 3, 95_000, 90_000);
  assert.ok(undecidedModules([a, t('b', 'up', 0, 85_000)], rule, new Map(), now, 300_000).has('m'), 'b not probed since the outage began');
  assert.ok(undecidedModules([a, t('b', 'up', 2, 95_000)], rule, new Map(), now, 300_000).has('m'), 'b failing below its threshold');
  assert.not.ok(undecidedModules([a, t('b', 'up', 0, 95_000)], rule, new Map(), now, 300_000).has('m'), 'b probed cleanly since: not down');
  assert.not.ok(undecidedModules([a, t('b', 'up', 0, 1_000)], rule, new Map(), now, 300_000).has('m'), 'b not probed for two intervals: not waited for');
  assert.ok(undecidedModules([a, t('b', 'down', 3, 95_000)], rule, new Map(), now, 300_000).has('m'), 'all down: held until module_down fires');
  assert.not.ok(undecidedModules([a, t('b', 'down', 3, 95_000)], rule, new Map([['m', 'firing']]), now, 300_000).has('m'), 'module_down firing: inhibition takes over');
  assert.ok(undecidedModules([a, t('b', 'down', 3, 95_000)], rule, new Map([['m', 'pending']]), now, 300_000).has('m'), 'module_down pending: held');
  assert.not.ok(undecidedModules([a, t('b', 'up', 2, 190_000)], rule, new Map(), 195_000, 100_000).has('m'), 'held at most maxHold');
  assert.not.ok(undecidedModules([a, t('b', 'up', 0, 85_000), t('c', 'up', 0, 95_000)], [{ ratio: 0.9 }], new Map(), now, 300_000).has('m'), 'c up since: 90 % cannot be reached');
});

test('storm: 200 targets of 5 modules fail together → one module notice per module and channel, no target notice; recovery resolves them and announces nothing muted', async () => {
  const config = parseConfig(`
alerts:
  evaluationInterval: 15s
  rules:
    - { name: 目标不可用, type: target_down, severity: critical }
    - { name: 模块不可用, type: module_down, severity: critical }
  receivers:
    - name: ops
      channels:
        - { type: webhook, url: "${ops.url}" }
        - { type: dingtalk, url: "${ding.url}", accessToken: storm-test-token }
        - { type: wecom, url: "${wecom.url}", key: storm-test-key }
    - { name: security, channels: [{ type: webhook, url: "${sec.url}" }] }
  route:
    receiver: ops
    groupBy: [alertname, module]
    groupWait: 10s
    groupInterval: 1m
    repeatInterval: 4h
    routes:
      - { matchers: ['team="security"'], receiver: security }
`);
  const engine = new AlertEngine(db, silentLogger(), clock, config.alerts);
  const T0 = T + 60_000;
  const outage = new Set(['m0', 'm1', 'm2', 'm3', 'm4']);
  const partial = new Set(['m5-t0', 'm5-t1', 'm5-t2']);
  const failing = (t: SimTarget) => outage.has(t.module) || partial.has(t.id);
  let recovered = Infinity;
  const msgs: Msg[] = [];
  const run = async (from: number, to: number, fail: (t: SimTarget) => boolean, origin: number) => {
    for (let now = from; now < to; now += 1000) {
      clock.set(now);
      await probeRound(now, fail);
      await engine.tick();
      await engine.drain();
      received(ops, origin, msgs);
    }
  };
  await run(T + 1000, T0, () => false, T0);
  assert.is(ops.got.length, 0, 'quiet before the outage');
  await run(T0, T0 + 10 * 60_000, failing, T0);
  if (process.env.STORM_DEBUG) {
    console.log((await db.query(`SELECT rule, state, count(*) FROM alerts GROUP BY 1,2`)).rows);
    console.log((await db.query(`SELECT state, count(*) FROM target_state GROUP BY 1`)).rows);
  }
  const alertsIn = (m: Msg) => m.body.alerts as { status: string; labels: Record<string, string> }[];
  const duringOutage = [...msgs];
  const moduleNotices = duringOutage.filter((m) => alertsIn(m).some((a) => a.labels.kind === 'module_down'));
  const targetNotices = duringOutage.filter((m) => alertsIn(m).some((a) => a.labels.kind === 'target_down' && outage.has(a.labels.module)));
  const partialNotices = duringOutage.filter((m) => alertsIn(m).some((a) => a.labels.module === 'm5'));
  console.log(`storm: ${duringOutage.length} notices to ops (${moduleNotices.length} module, ${targetNotices.length} with targets of the down modules, ${partialNotices.length} for m5); first at +${(duringOutage[0]?.at ?? NaN) / 1000} s, last module notice at +${(moduleNotices.at(-1)?.at ?? NaN) / 1000} s`);
  assert.is(moduleNotices.length, 5, 'one module notice per module');
  assert.equal(new Set(moduleNotices.map((m) => m.body.groupLabels.module)), outage);
  assert.is(targetNotices.length, 0, 'no target notice for the targets of down modules');
  // The partly failing module is not down: its targets are announced (as they go down: at most one message per
  // group_interval).
  assert.ok(partialNotices.length >= 1 && partialNotices.length <= 2, `m5: ${partialNotices.length} notices`);
  assert.equal([...new Set(partialNotices.flatMap((m) => alertsIn(m).map((a) => a.labels.target)))].sort(), [...partial].sort());
  assert.is(sec.got.length, 0, 'nothing for security');
  // The same notices reached the group robots, within their limits (20 a minute, WeCom's 4,096 bytes): none refused.
  const robotCount = (r: LocalRobot) => r.accepted.filter((m) => m.at < T0 + 10 * 60_000).length;
  console.log(`robots: dingtalk ${robotCount(ding)} accepted / ${ding.refused.length} refused, wecom ${robotCount(wecom)} / ${wecom.refused.length}`);
  assert.is(robotCount(ding), duringOutage.length, 'DingTalk: one message per notice');
  assert.is(robotCount(wecom), duringOutage.length, 'WeCom: one message per notice');
  assert.equal(ding.refused, [], 'DingTalk refused nothing');
  assert.equal(wecom.refused, [], 'WeCom refused nothing');
  assert.ok(ding.accepted.some((m) => /模块/.test(m.body.markdown.text)), 'the module notice names the module');
  // Time to the first module notice: the slowest target (60 s × 3 failures) decides the module, then group_wait.
  assert.ok(moduleNotices[0].at <= 4 * 60_000, `first module notice within 4 min (${moduleNotices[0].at} ms)`);

  recovered = T0 + 10 * 60_000;
  const before = msgs.length;
  await run(recovered, recovered + 10 * 60_000, () => false, T0);
  const afterRecovery = msgs.slice(before);
  // Still-down alerts that were announced may be repeated beside resolved ones (Alertmanager's group semantics); an
  // alert announced for the first time during the recovery would be a false 告警.
  const announced = new Set(duringOutage.flatMap((m) => alertsIn(m).filter((a) => a.status === 'firing').map((a) => a.labels.target ?? a.labels.module)));
  const firingAfter = afterRecovery.filter((m) => alertsIn(m).some((a) => a.status === 'firing' && !announced.has(a.labels.target ?? a.labels.module)));
  const resolvedModules = afterRecovery.filter((m) => alertsIn(m).some((a) => a.labels.kind === 'module_down' && a.status === 'resolved'));
  if (process.env.STORM_DEBUG) for (const m of firingAfter) console.log(m.at, JSON.stringify(alertsIn(m).map((a) => [a.status, a.labels.kind, a.labels.module, a.labels.target])));
  console.log(`recovery: ${afterRecovery.length} notices (${resolvedModules.length} module resolved, ${firingAfter.length} with newly firing alerts)`);
  assert.is(firingAfter.length, 0, 'a recovery announces no 告警 for an alert never announced');
  assert.is(resolvedModules.length, 5, 'every module notice is resolved');
  assert.ok(afterRecovery.every((m) => alertsIn(m).every((a) => a.labels.kind !== 'target_down' || a.labels.module === 'm5')), 'no resolved message for target alerts never announced');
  assert.equal([...ding.refused, ...wecom.refused], [], 'nothing refused during recovery either');
  assert.is(ding.accepted.length, msgs.length, 'DingTalk got what the webhook got');
});

test.run();
