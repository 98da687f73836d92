import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../app/config';
import { silentLogger } from '../core/log';
import { startSystem, type System } from '../app/system';
import { openTestDb, backend } from './helpers/db';
import { webhookReceiver } from '../alerts/testing/fixtures';
import { localRobot } from '../alerts/testing/robots';
import { startPlatformSim } from '../ops/platform-sim/sim';
import { sleep } from '../core/time';
import { until } from './helpers/until';

/**
 * The storm promise (issue #12) with the real parts: the platform simulator on 127.0.0.1, the real collector probing
 * 200 HTTP targets of 5 modules (40 each, every 5 s, failure threshold 3) and a sixth module that stays up, the real
 * alert engine with webhook, DingTalk and WeCom channels (local robots that enforce the vendors' rate and size limits).
 * The five modules' listeners are closed at once (one upstream failure): exactly one module notice per module and
 * channel, no target notice; after the listeners come back, every module notice is resolved and nothing is announced
 * as 告警 that was never announced. alerts/notify/storm.test.ts covers the same promise on a simulated clock with
 * mixed intervals; this one shows it holds with real probes, real timing and the robots' real answers.
 */

const DOWN = ['exchange', 'population', 'legal', 'license', 'gov'] as const;
const URL_KEY: Record<string, string> = { exchange: 'exchangeStatus', population: 'populationHealth', legal: 'legalHealth', license: 'licenseHealth', gov: 'govHealth', app: 'appHealth' };
const PER_MODULE = 40;

test(`[${backend}] 200 real targets of 5 modules fail together → one module notice per module and channel, none per target; recovery resolves each`, async () => {
  const sim = await startPlatformSim();
  const db = await openTestDb();
  const rx = await webhookReceiver();
  const sec = await webhookReceiver();
  const ding = await localRobot('dingtalk', Date.now);
  const wecom = await localRobot('wecom', Date.now);
  const targets: string[] = [];
  for (const m of [...DOWN, 'app']) {
    const n = m === 'app' ? 10 : PER_MODULE;
    for (let i = 0; i < n; i++) {
      targets.push(`    - { id: ${m}-${i}, module: ${m}, name: ${m}接口${i}, type: http, timeout: 2s, spec: { url: "${sim.urls[URL_KEY[m]]}?probe=${i}" } }`);
    }
  }
  const config = parseConfig(`
server: { port: 0, dataDir: ${mkdtempSync(join(tmpdir(), 'storm-sim-'))} }
log: { level: silent }
collector:
  defaults: { interval: 5s, timeout: 2s, failureThreshold: 3, successThreshold: 2 }
  modules:
${[...DOWN, 'app'].map((m) => `    - { id: ${m}, name: 模块${m} }`).join('\n')}
  targets:
${targets.join('\n')}
alerts:
  evaluationInterval: 1s
  notifyTick: 200ms
  rules:
    - { name: 目标不可用, type: target_down, severity: critical }
    - { name: 模块不可用, type: module_down, severity: critical }
  receivers:
    - name: ops
      channels:
        - { type: webhook, url: "${rx.url}" }
        - { type: dingtalk, url: "${ding.url}", accessToken: storm-sim-token }
        - { type: wecom, url: "${wecom.url}", key: storm-sim-key }
    - { name: security, channels: [{ type: webhook, url: "${sec.url}" }] }
  route:
    receiver: ops
    groupBy: [alertname, module]
    groupWait: 5s
    groupInterval: 30s
    repeatInterval: 4h
    routes:
      - { matchers: ['team="security"'], receiver: security }
`);
  let sys: System | undefined;
  try {
    sys = await startSystem({ config, db, log: silentLogger(), roles: ['collector', 'alerts'] });
    const upCount = async () => Number((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM target_state WHERE state = 'up'`)).rows[0].n);
    await until('all 210 targets up', async () => (await upCount()) === targets.length, 60_000);
    await sleep(2000);
    assert.is(rx.got.length, 0, 'quiet before the outage');

    const t0 = Date.now();
    for (const m of DOWN) await sim.setFault(m as never, 'refused');
    const alertsIn = (g: any) => g.alerts as { status: string; labels: Record<string, string> }[];
    const moduleNotices = () => rx.got.filter((g) => alertsIn(g).some((a) => a.labels.kind === 'module_down' && a.status === 'firing'));
    await until('five module notices', () => moduleNotices().length >= 5, 90_000);
    const first = (ding.accepted[0]?.at ?? Date.now()) - t0;
    // Whatever else would come comes within a group interval: wait it out before counting.
    await sleep(12_000);
    const during = [...rx.got];
    const targetNotices = during.filter((g) => alertsIn(g).some((a) => a.labels.kind === 'target_down'));
    console.log(`storm (real probes): ${during.length} notices to ops (${moduleNotices().length} module, ${targetNotices.length} target) in ${((Date.now() - t0) / 1000).toFixed(0)} s; first ≈ +${(first / 1000).toFixed(1)} s; dingtalk ${ding.accepted.length} accepted / ${ding.refused.length} refused, wecom ${wecom.accepted.length} / ${wecom.refused.length}`);
    assert.is(moduleNotices().length, 5, 'one module notice per module');
    assert.equal(new Set(moduleNotices().map((g) => g.groupLabels.module)), new Set(DOWN));
    assert.is(targetNotices.length, 0, 'no target notice');
    assert.is(during.length, 5, 'nothing else either');
    assert.is(ding.accepted.length, 5, 'DingTalk: one message per module');
    assert.is(wecom.accepted.length, 5, 'WeCom: one message per module');
    assert.equal([...ding.refused, ...wecom.refused], [], 'the robots refused nothing');
    assert.is(sec.got.length, 0, 'nothing for security');
    const firing = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM alerts WHERE rule = '目标不可用' AND state = 'firing'`);
    assert.is(Number(firing.rows[0].n), DOWN.length * PER_MODULE, 'every target alert fires (and is inhibited), none is lost');

    for (const m of DOWN) await sim.setFault(m as never, 'none');
    const resolved = () => rx.got.filter((g) => alertsIn(g).some((a) => a.labels.kind === 'module_down' && a.status === 'resolved'));
    await until('five resolved module notices', () => resolved().length >= 5, 90_000);
    await until('all targets up again', async () => (await upCount()) === targets.length, 60_000);
    await sleep(8_000);
    const after = rx.got.slice(during.length);
    const newlyFiring = after.filter((g) => alertsIn(g).some((a) => a.status === 'firing' && a.labels.kind !== 'module_down'));
    console.log(`recovery: ${after.length} notices (${resolved().length} module resolved, ${newlyFiring.length} newly firing)`);
    assert.is(resolved().length, 5, 'every module notice resolved once');
    assert.is(newlyFiring.length, 0, 'a recovery announces no 告警 for an alert never announced');
    assert.ok(after.every((g) => alertsIn(g).every((a) => a.labels.kind !== 'target_down')), 'no resolved message for target alerts never announced');
    assert.equal([...ding.refused, ...wecom.refused], [], 'nothing refused during recovery either');
    assert.is(ding.accepted.length, rx.got.length, 'DingTalk got what the webhook got');
  } finally {
    await sys?.stop();
    await Promise.all([rx.close(), sec.close(), ding.close(), wecom.close()]);
    await sim.stop();
    await db.close();
  }
});

test.run();
