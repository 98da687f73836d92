import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProvinceSim, type ProvinceSim } from './server';
import { signRequest, type SignMethod } from '../../reporter/signing';
import { makeFixtures } from '../../reporter/fixtures/records';
import { validateRecord } from '../../reporter/standard/validate';
import { toWireData } from '../../reporter/adapters/contract-v1';
import type { DataType } from '../../reporter/standard/types';

let sim: ProvinceSim;
let now = Date.parse('2026-11-25T12:00:00Z');
const secret = 'sim-secret';
const fx = makeFixtures({ seed: 3, items: 3, officers: 2, inspections: 5, penalties: 3, coercions: 4, now });

async function call(method: 'GET' | 'POST', path: string, body = '', o: { secret?: string; appKey?: string; ts?: number; nonce?: string; signMethod?: SignMethod } = {}) {
  const h = signRequest({ appKey: o.appKey ?? 'city-370700', appSecret: o.secret ?? secret, signMethod: o.signMethod ?? 'HMAC-SM3', method, pathWithQuery: path, body, nowMs: o.ts ?? now, nonce: o.nonce });
  const res = await fetch(sim.url + path, { method, body: method === 'POST' ? body : undefined, headers: { ...h, 'Content-Type': 'application/json; charset=utf-8' } });
  return { status: res.status, json: (await res.json()) as Record<string, any>, headers: res.headers };
}
function wire(t: DataType, recs: object[]) {
  return recs.map((r) => {
    const v = validateRecord(t, r, { now });
    return { recordId: v.recordId, op: 'UPSERT', data: toWireData(v.data) };
  });
}
let seq = 0;
const batch = (t: DataType, records: unknown[], id = `370700-20261125-${String(++seq).padStart(6, '0')}`) => JSON.stringify({ batchId: id, dataType: t, regionCode: '370700', records });

test.before(async () => {
  sim = await startProvinceSim({ port: 0, appKey: 'city-370700', appSecret: secret, clock: () => now });
});
test.after(() => sim.stop());

test('signature checks: bad signature, unknown key, skew over 300 s, nonce replay, bad nonce', async () => {
  assert.is((await call('GET', '/api/v1/batches/x', '', { secret: 'wrong' })).json.code, 40101);
  assert.is((await call('GET', '/api/v1/batches/x', '', { appKey: 'other' })).json.code, 40104);
  assert.is((await call('GET', '/api/v1/batches/x', '', { ts: now - 301_000 })).json.code, 40102);
  assert.is((await call('GET', '/api/v1/batches/x', '', { ts: now + 299_000 })).status, 404, 'within the skew is fine');
  assert.is((await call('GET', '/api/v1/batches/x', '', { nonce: 'abcdefabcdef0001' })).status, 404);
  const replay = await call('GET', '/api/v1/batches/x', '', { nonce: 'abcdefabcdef0001' });
  assert.is(replay.status, 401);
  assert.is(replay.json.code, 40103);
  assert.is((await call('GET', '/api/v1/batches/x', '', { nonce: 'xyz' })).json.code, 40101);
  assert.is((await call('GET', '/api/v1/batches/x', '', { signMethod: 'HMAC-SHA256' })).status, 404, 'HMAC-SHA256 accepted');
  now += 601_000;
  assert.is((await call('GET', '/api/v1/batches/x', '', { nonce: 'abcdefabcdef0001' })).status, 404, 'a nonce may come back after 600 s');
});

test('upload: accepted, idempotent by batch id, E_REFERENCE against what the province holds, 万元 only', async () => {
  const pen = wire('PENALTY', fx.PENALTY.slice(0, 1));
  const early = await call('POST', '/api/v1/batches', batch('PENALTY', pen));
  assert.is(early.json.rejected[0].errors.some((e: { code: string }) => e.code === 'E_REFERENCE'), true, 'PENALTY before its ITEM/INSPECTION');
  const items = await call('POST', '/api/v1/batches', batch('ITEM', wire('ITEM', fx.ITEM), '370700-20261125-000100'));
  assert.equal([items.status, items.json.status, items.json.accepted, items.json.duplicate], [200, 'ACCEPTED', 3, false]);
  const dup = await call('POST', '/api/v1/batches', batch('ITEM', [], '370700-20261125-000100'));
  assert.equal([dup.status, dup.json.duplicate, dup.json.accepted, dup.json.receiptId], [200, true, 3, items.json.receiptId]);
  await call('POST', '/api/v1/batches', batch('INSPECTION', wire('INSPECTION', fx.INSPECTION)));
  const fined = fx.PENALTY.find((p) => p.fineAmount)!;
  const [w] = wire('PENALTY', [fined]);
  const ok = await call('POST', '/api/v1/batches', batch('PENALTY', [w]));
  assert.is(ok.json.accepted, 1, JSON.stringify(ok.json));
  const badMoney = { ...w, data: { ...(w.data as object), fineAmountWan: '12.5' } };
  const yuan = { ...w, data: { ...(w.data as object), fineAmount: '100.00' } };
  const bad = await call('POST', '/api/v1/batches', batch('PENALTY', [badMoney, yuan]));
  assert.equal(bad.json.rejected.map((r: { errors: { code: string; field: string }[] }) => r.errors[0].code), ['E_FORMAT', 'E_FORMAT']);
  assert.is(bad.json.rejected[0].errors[0].field, 'fineAmountWan');
});

test('COERCION (v1.1): accepted when its INSPECTION is live, else E_REFERENCE; re-checked (Art. 25); counted by startDate', async () => {
  const [ok, ...rest] = wire('COERCION', fx.COERCION);
  const orphan = { ...ok, recordId: 'COE-ORPHAN', data: { ...(ok.data as object), inspectionRef: 'INS-NONE' } };
  const over = { ...ok, recordId: 'COE-OVER', data: { ...(ok.data as object), kind: '1', measureType: '03', executionType: undefined, extendedDays: 31 } };
  const r = await call('POST', '/api/v1/batches', batch('COERCION', [ok, ...rest, orphan, over]));
  assert.is(r.status, 200);
  assert.is(r.json.accepted, fx.COERCION.length, JSON.stringify(r.json.rejected));
  assert.equal(r.json.rejected.map((x: { recordId: string; errors: { code: string; field: string }[] }) => [x.recordId, x.errors[0].field, x.errors[0].code]), [
    ['COE-ORPHAN', 'inspectionRef', 'E_REFERENCE'],
    ['COE-OVER', 'extendedDays', 'E_RANGE'],
  ]);
  const day = fx.COERCION[0].startDate;
  const next = new Date(Date.parse(day) + 86_400_000).toISOString().slice(0, 10);
  const c = await call('GET', `/api/v1/records/COERCION/count?regionCode=370700&from=${day}&to=${next}`);
  assert.is(c.json.count, fx.COERCION.filter((x) => x.startDate === day).length);
  assert.is(sim.live('COERCION').length, fx.COERCION.length);
});

test('limits and malformed input: 413 over 1,000 records or 5 MiB, 400 for bad JSON or an unknown type', async () => {
  const many = Array.from({ length: 1001 }, (_, i) => ({ recordId: `R${i}`, op: 'DELETE' }));
  const big = await call('POST', '/api/v1/batches', batch('ITEM', many));
  assert.equal([big.status, big.json.code], [413, 41301]);
  const huge = await call('POST', '/api/v1/batches', batch('ITEM', [{ recordId: 'R1', op: 'UPSERT', data: { pad: 'x'.repeat(5 * 1024 * 1024) } }]));
  assert.equal([huge.status, huge.json.code], [413, 41301]);
  assert.equal((await call('POST', '/api/v1/batches', '{not json')).json.code, 40001);
  const unk = await call('POST', '/api/v1/batches', batch('THING' as DataType, []));
  assert.equal([unk.status, unk.json.code], [400, 40001]);
  assert.is((await call('GET', '/api/v1/batches/nope')).json.code, 40401);
});

test('PROCESSING receipts, DELETE, and counts by record date', async () => {
  sim.setFaults({ processingMs: 5_000 });
  const id = '370700-20261125-000500';
  const first = await call('POST', '/api/v1/batches', batch('ITEM', [{ recordId: fx.ITEM[0].recordId, op: 'DELETE' }], id));
  assert.is(first.json.status, 'PROCESSING');
  assert.is((await call('GET', `/api/v1/batches/${id}`)).json.status, 'PROCESSING');
  now += 5_000;
  const done = await call('GET', `/api/v1/batches/${id}`);
  assert.equal([done.json.status, done.json.accepted], ['ACCEPTED', 1]);
  sim.setFaults({ processingMs: 0 });
  const c = await call('GET', '/api/v1/records/ITEM/count?regionCode=370700&from=2026-01-01T00:00:00%2B08:00&to=2027-01-01T00:00:00%2B08:00');
  assert.equal(c.json, { code: 0, count: 2 });
  const none = await call('GET', '/api/v1/records/ITEM/count?regionCode=370700&from=2027-01-01&to=2028-01-01');
  assert.is(none.json.count, 0);
});

test('fault injection at run time: 503 and 429 with Retry-After via POST /__sim/faults', async () => {
  let r = await fetch(`${sim.url}/__sim/faults`, { method: 'POST', body: JSON.stringify({ rate429: 1, retryAfterSec: 7 }) });
  assert.is(r.status, 200);
  const limited = await call('GET', '/api/v1/batches/x');
  assert.equal([limited.status, limited.headers.get('retry-after')], [429, '7']);
  sim.setFaults({ rate429: 0, error503: 1 });
  assert.is((await call('GET', '/api/v1/batches/x')).status, 503);
  r = await fetch(`${sim.url}/__sim/faults`, { method: 'POST', body: JSON.stringify({ error503: 0, bogus: 1 }) });
  assert.is(r.status, 400);
  sim.setFaults({ error503: 0 });
  assert.is((await call('GET', '/api/v1/batches/x')).status, 404);
});

test('JSON snapshot: what the province held survives a restart, batch ids stay idempotent', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'sim-')), 'snap.json');
  const a = await startProvinceSim({ port: 0, appKey: 'city-370700', appSecret: secret, clock: () => now, snapshotFile: file });
  const saved = sim;
  sim = a;
  try {
    const first = await call('POST', '/api/v1/batches', batch('ITEM', wire('ITEM', fx.ITEM), '370700-20261125-000900'));
    assert.is(first.json.accepted, 3);
    await a.stop();
    sim = await startProvinceSim({ port: 0, appKey: 'city-370700', appSecret: secret, clock: () => now, snapshotFile: file });
    assert.is(sim.live('ITEM').length, 3);
    const again = await call('POST', '/api/v1/batches', batch('ITEM', [], '370700-20261125-000900'));
    assert.equal([again.json.duplicate, again.json.receiptId], [true, first.json.receiptId]);
    await sim.stop();
  } finally {
    sim = saved;
  }
});

test.run();
