import http from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../app/config';
import { silentLogger } from '../core/log';
import { startSystem, type System } from '../app/system';
import { openTestDb, backend } from './helpers/db';
import { webhookReceiver } from '../alerts/testing/fixtures';
import { sleep } from '../core/time';
import { until } from './helpers/until';

/**
 * The whole path with the real collector: a local HTTP target goes down → the collector's target_state says down →
 * the alert fires within interval × threshold + 5 s → the webhook receiver gets exactly one notification → a restart
 * in the middle sends nothing twice → the target recovers → exactly one resolved notification. A second target that
 * is down from the start is silenced through the API: its alert fires but nothing is sent.
 */
const INTERVAL_S = 5;
const THRESHOLD = 2;

let failing = false;
const target = http.createServer((req, res) => {
  const bad = req.url === '/silenced' || failing;
  res.writeHead(bad ? 500 : 200).end(bad ? 'down' : 'ok');
});
await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()));
const port = (target.address() as AddressInfo).port;


test(`[${backend}] down → one firing notification; restart sends nothing twice; recovery → one resolved; silence holds`, async () => {
  const db = await openTestDb();
  const rx = await webhookReceiver();
  const config = parseConfig(`
server: { port: 0, dataDir: ${mkdtempSync(join(tmpdir(), 'alerts-e2e-'))} }
collector:
  modules: [{ id: web, name: 政府门户网站 }, { id: misc, name: 其他 }]
  targets:
    - { id: home, module: web, name: 门户首页, type: http, interval: ${INTERVAL_S}s, timeout: 1s, failureThreshold: ${THRESHOLD}, spec: { url: "http://127.0.0.1:${port}/" } }
    - { id: quiet, module: misc, name: 静默目标, type: http, interval: ${INTERVAL_S}s, timeout: 1s, failureThreshold: ${THRESHOLD}, spec: { url: "http://127.0.0.1:${port}/silenced" } }
alerts:
  evaluationInterval: 1s
  notifyTick: 200ms
  rules:
    - { name: 目标不可用, type: target_down, severity: critical }
  receivers:
    - name: ops
      channels: [{ type: webhook, url: "${rx.url}" }]
  route: { receiver: ops, groupBy: [alertname, target], groupWait: 0s, groupInterval: 1s, repeatInterval: 1h }
`);
  const start = () => startSystem({ config, db, log: silentLogger(), roles: ['collector', 'alerts'] });
  let sys: System = await start();
  try {
    const { token } = await sys.auth.createToken({ name: 'oncall', role: 'ops', createdBy: 'test' });
    const api = async (path: string, init: RequestInit = {}) => {
      const res = await fetch(`${sys.url}/api/alerts${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
      return (await res.json()) as any;
    };
    const silence = await api('/silences', { method: 'POST', body: JSON.stringify({ team: 'ops', matchers: ['target="quiet"'], endsAt: new Date(Date.now() + 3_600_000).toISOString(), comment: '测试静默' }) });
    assert.is(silence.state, 'active');

    await until('home to be up', async () => (await db.query(`SELECT 1 FROM target_state WHERE target_id = 'home' AND state = 'up'`)).rows.length > 0, 3 * INTERVAL_S * 1000, 100);
    failing = true;
    const t0 = Date.now();
    const budget = INTERVAL_S * THRESHOLD * 1000 + 5000;
    const firing = await until('the firing notification', () => rx.got.find((g) => g.alerts.some((a: any) => a.labels.target === 'home')), budget + 2000, 100);
    const took = Date.now() - t0;
    console.log(`fired and notified ${took} ms after the target went down (budget ${budget} ms)`);
    assert.ok(took <= budget, `notified after ${took} ms, budget ${budget} ms`);
    assert.is(firing.status, 'firing');
    assert.is(firing.version, '4');
    assert.match(firing.alerts[0].annotations.summary, '门户首页（政府门户网站）不可用');

    // A restart in the middle (the alert still firing): the new process continues and sends nothing again.
    await sys.stop();
    sys = await start();
    await sleep(3000);
    const homeMsgs = () => rx.got.filter((g) => g.alerts.some((a: any) => a.labels.target === 'home'));
    assert.is(homeMsgs().length, 1, 'exactly one firing notification, also across the restart');

    failing = false;
    await until('the resolved notification', () => homeMsgs().find((g) => g.status === 'resolved'), 2 * INTERVAL_S * 1000 + 5000, 100);
    await sleep(2500);
    assert.equal(homeMsgs().map((g) => g.status), ['firing', 'resolved'], 'exactly one firing and one resolved');

    const quiet = await api('/alerts?target=quiet&state=firing');
    assert.is(quiet.total, 1, 'the silenced target alert fires');
    assert.is(quiet.items[0].mutedBy.silence, silence.id);
    assert.not.ok(rx.got.some((g) => g.alerts.some((a: any) => a.labels.target === 'quiet')), 'but nothing was sent for it');
    const deliveries = await api('/deliveries?status=sent');
    assert.is(deliveries.total, 2);
  } finally {
    await sys.stop();
    await rx.close();
    await db.close();
    target.close();
  }
});

test.run();
