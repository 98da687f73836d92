// Exactly one reporter sends when several run: each process runs the schedules, only the 'reporter' leader sends.
// Two processes need a shared server database (DATABASE_URL); on the embedded back end (one process per data
// folder) the single reporter is the sender.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../../app/config';
import { openDb, type Db } from '../../core/db';
import { startSystem, type System } from '../../app/system';
import { silentLogger } from '../../core/log';
import { openTestDb } from '../../test/helpers/db';
import { startProvinceSim, type ProvinceSim } from '../../ops/province-sim/server';

let base: Db & { url?: string };
let sim: ProvinceSim;
const systems: System[] = [];
const extraDbs: Db[] = [];

test.before(async () => {
  base = await openTestDb();
  sim = await startProvinceSim({ port: 0, appKey: 'city-370700', appSecret: 'lk' });
  const config = parseConfig(`reporter:\n  province: { url: "${sim.url}", secret: lk }\n  schedule: { incremental: "0 0 1 1 *", full: "0 0 1 1 *", reconcile: "0 0 1 1 *" }\n`);
  const n = base.url ? 2 : 1;
  for (let i = 0; i < n; i++) {
    const db = i === 0 ? base : await openDb({ url: base.url, poolSize: 3 });
    if (i > 0) extraDbs.push(db);
    systems.push(await startSystem({ config, roles: ['reporter'], db, listen: false, log: silentLogger() }));
  }
});
test.after(async () => {
  for (const s of systems) await s.stop();
  for (const d of extraDbs) await d.close();
  await base.close();
  await sim.stop();
});

test('one sender among the reporters; the others answer 409 to run now and take over when it stops', async () => {
  const token = (await systems[0].auth.createToken({ name: 'lt', role: 'regulator', createdBy: 'test' })).token;
  const status = async (s: System) => ((await (await s.app.request('/api/reporter/delivery/status', { headers: { Authorization: `Bearer ${token}` } })).json()) as { sender: boolean }).sender;
  const senders = await Promise.all(systems.map(status));
  assert.is(senders.filter(Boolean).length, 1, `exactly one sender: ${JSON.stringify(senders)}`);
  if (systems.length < 2) return;
  const standby = systems[senders.indexOf(false)];
  const res = await standby.app.request('/api/reporter/runs', { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: '{"kind":"incremental"}' });
  assert.is(res.status, 409);
  // The leader goes away: the standby takes the lock within its retry interval (5 s).
  const leaderIdx = senders.indexOf(true);
  await systems[leaderIdx].stop();
  systems.splice(leaderIdx, 1);
  let took = false;
  for (let i = 0; i < 80 && !took; i++) {
    await new Promise((r) => setTimeout(r, 100));
    took = await status(standby);
  }
  assert.ok(took, 'the standby became the sender');
});

test.run();
