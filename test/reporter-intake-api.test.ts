// The intake API through the real server: mounted by the reporter area under /api/reporter, over HTTP.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../app/config';
import { startSystem } from '../app/system';
import { silentLogger } from '../core/log';
import { openTestDb } from './helpers/db';
import { makeFixtures } from '../reporter/fixtures/records';
import { beforeDeliveryRun } from '../reporter/intake/staging';
import { Intake } from '../reporter/intake/service';

const db = await openTestDb();
const config = parseConfig(`
server: { host: 127.0.0.1, port: 0 }
log: { level: silent }
reporter:
  intake: { maxRecordsPerRequest: 100 }
`);
const sys = await startSystem({ config, db, log: silentLogger(), roles: [] });
const clerk = (await sys.auth.createToken({ name: 'clerk', role: 'regulator', createdBy: 'test' })).token;
const f = makeFixtures({ seed: 8, items: 2, officers: 4, inspections: 5, penalties: 3, now: Date.now() });

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${sys.url}/api/reporter${path}`, {
    method,
    headers: { authorization: `Bearer ${clerk}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

test('POST records over HTTP, in dependency order; read them back with history', async () => {
  for (const t of ['ITEM', 'OFFICER', 'INSPECTION', 'PENALTY'] as const) {
    const r = await api('POST', `/records/${t}`, f[t]);
    assert.is(r.status, 200, JSON.stringify(r.body));
    assert.is(r.body.accepted, f[t].length, `${t}: ${JSON.stringify(r.body.results.filter((x: any) => x.errors.length))}`);
  }
  const one = await api('GET', `/records/PENALTY/${f.PENALTY[0].recordId}`);
  assert.is(one.body.record.status, 'valid');
  assert.is(one.body.history.length, 1);
  assert.is(one.body.history[0].source, 'api');
  assert.is((await api('POST', '/records/ITEM', Array(101).fill(f.ITEM[0]))).status, 413);
  const metrics = await (await fetch(`${sys.url}/metrics`, { headers: { authorization: `Bearer ${clerk}` } })).text();
  assert.match(metrics, `reporter_intake_records_total{data_type="PENALTY",source="api",outcome="accepted"} ${f.PENALTY.length}`);
});

test("the delivery run's pre-run hook picks up staging rows", async () => {
  const item = { ...f.ITEM[1], itemName: '共享平台写入的更正' };
  await db.query(`INSERT INTO reporter_staging (data_type, record_id, payload) VALUES ('ITEM', $1, $2)`, [item.recordId, JSON.stringify(item)]);
  const r = await beforeDeliveryRun(new Intake({ db, reporter: config.reporter }));
  assert.is(r.staging.accepted, 1);
  const got = await api('GET', `/records/ITEM/${item.recordId}`);
  assert.is(got.body.record.version, 2);
  assert.is(got.body.record.source, 'staging');
});

test.after(async () => {
  await sys.stop();
  await db.close();
});

test.run();
