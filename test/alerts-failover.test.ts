import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../app/config';
import { alertsArea } from '../alerts';
import { areaContext, seedTargets, setTargetState, webhookReceiver } from '../alerts/testing/fixtures';
import { openTestDb, backend } from './helpers/db';
import type { Db } from '../core/db';
import { sleep } from '../core/time';

/**
 * Two alerts instances on one TimescaleDB server: exactly one evaluates and sends (advisory lock 'alerts'); when it
 * stops, the standby takes over within 30 s and sends what is new without repeating what was sent. On the server the
 * real advisory locks decide; the embedded database belongs to one process and always grants its lock, so there the
 * two instances share an in-memory lock table standing in for PostgreSQL's (the area's leader handling is the same).
 */
const leaderGauge = async (ctx: Awaited<ReturnType<typeof areaContext>>) => (await ctx.metrics.getSingleMetricAsString('alerts_leader')).split('\n').includes('alerts_leader 1');

function withSharedLocks(db: Db): [Db, Db] {
  const held = new Set<number>();
  const view = (): Db => Object.assign(Object.create(db), {
    async tryLock(key: number) {
      if (held.has(key)) return null;
      held.add(key);
      let mine = true;
      return { held: () => mine, async release() { mine = false; held.delete(key); } };
    },
  });
  return [view(), view()];
}

test(`[${backend}] one instance sends; the standby takes over within 30 s`, async () => {
  const db = await openTestDb();
  const rx = await webhookReceiver();
  const config = parseConfig(`
alerts:
  evaluationInterval: 500ms
  notifyTick: 100ms
  rules: [{ name: 目标不可用, type: target_down, failures: 1 }]
  receivers: [{ name: ops, channels: [{ type: webhook, url: "${rx.url}" }] }]
  route: { receiver: ops, groupBy: [target], groupWait: 0s, groupInterval: 1s }
`);
  await seedTargets(db, [{ id: 'x', module: 'm' }, { id: 'y', module: 'm2' }]);
  const [dbA, dbB] = backend === 'server' ? [db, db] : withSharedLocks(db);
  const ctxA = await areaContext(dbA, config);
  const ctxB = await areaContext(dbB, config);
  const a = await alertsArea.create(ctxA);
  const b = await alertsArea.create(ctxB);
  await a.start();
  await b.start();
  try {
    assert.ok(await leaderGauge(ctxA), 'the first one leads');
    assert.not.ok(await leaderGauge(ctxB), 'the second one stands by');
    await setTargetState(db, 'x', 'down', 2, Date.now());
    for (let i = 0; i < 50 && rx.got.length === 0; i++) await sleep(100);
    await sleep(1500);
    assert.is(rx.got.length, 1, 'exactly one notification with two instances running');

    const stopped = Date.now();
    await a.stop();
    while (!(await leaderGauge(ctxB))) {
      assert.ok(Date.now() - stopped < 30_000, 'standby took over within 30 s');
      await sleep(200);
    }
    console.log(`standby took over ${Date.now() - stopped} ms after the leader stopped`);
    await setTargetState(db, 'y', 'down', 2, Date.now());
    for (let i = 0; i < 50 && rx.got.length < 2; i++) await sleep(100);
    await sleep(1500);
    assert.equal(rx.got.map((g) => g.alerts[0].labels.target), ['x', 'y'], 'the new leader sends the new alert only');
  } finally {
    await b.stop();
    await a.stop().catch(() => undefined);
    await rx.close();
    await db.close();
  }
});

test.run();
