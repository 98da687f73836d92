import '../../test/helpers/nock-node20';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import nock from 'nock';
import { createServer } from 'node:http';
import { openTestDb } from '../../test/helpers/db';
import { silentLogger } from '../../core/log';
import { createContractV1 } from '../adapters/contract-v1';
import { GatewaySender } from './sender';
import { fitBatch } from './batcher';
import { backoffDelay, parseRetryAfter } from '../../core/retry';
import { chinaDay } from '../../core/china-time';
import type { Db } from '../../core/db';

const BASE = 'http://127.0.0.1:9';
let db: Db;
const slept: number[] = [];
const adapter = createContractV1({ appKey: 'k', appSecret: 's', signMethod: 'HMAC-SM3' });
const sender = (baseUrl = BASE) => new GatewaySender({ db, adapter, clock: () => Date.parse('2026-11-25T00:00:00Z'), log: silentLogger(), sleep: async (ms) => void slept.push(ms), random: () => 0.5 }, { baseUrl, timeoutMs: 200, retries: 3, retryBaseMs: 100, retryMaxMs: 1_000 });
const receipt = { code: 0, batchId: 'B1', receiptId: 'R-1', status: 'ACCEPTED', duplicate: false, accepted: 2, rejected: [] };
const req = () => adapter.uploadRequest('B1', '{"batchId":"B1"}');

test.before(async () => {
  db = await openTestDb();
  nock.disableNetConnect();
});
test.after(async () => {
  nock.enableNetConnect();
  await db.close();
});
test.before.each(() => {
  nock.cleanAll();
  slept.length = 0;
});

test('retries 503 and 429 (honouring Retry-After), then takes the receipt; every attempt logged', async () => {
  nock(BASE)
    .post('/api/v1/batches').reply(503, { code: 50301, message: 'busy' })
    .post('/api/v1/batches').reply(429, { code: 42901 }, { 'Retry-After': '7' })
    .post('/api/v1/batches').reply(200, receipt);
  const r = await sender().send('upload', 'B1', req());
  assert.is(r.verdict.kind, 'receipt', JSON.stringify(r.verdict));
  assert.is(r.attempts, 3);
  assert.equal(slept, [75, 7000]); // 100 ms × (½ + ½·0.5); then Retry-After 7 s as a floor
  const a = await db.query<{ attempt: number; http_status: number; outcome: string }>(`SELECT attempt, http_status, outcome FROM report_attempts WHERE batch_id = 'B1' ORDER BY attempt`);
  assert.equal(a.rows.map((x) => [x.attempt, x.http_status, x.outcome]), [[1, 503, 'transient'], [2, 429, 'transient'], [3, 200, 'receipt']]);
});

test('no retry on other 4xx (a permanent refusal)', async () => {
  nock(BASE).post('/api/v1/batches').reply(400, { code: 40001, message: 'bad' });
  const r = await sender().send('upload', 'B2', req());
  assert.is(r.verdict.kind, 'permanent', JSON.stringify(r.verdict));
  assert.is(r.attempts, 1);
  assert.equal(slept, []);
});

test('timeouts are transient and retried; each retry is signed anew', async () => {
  // A real server that lets the first three requests hang past the client's timeout.
  nock.enableNetConnect('127.0.0.1');
  const nonces = new Set<string>();
  let n = 0;
  const srv = createServer((q, s) => {
    nonces.add(String(q.headers['x-nonce']));
    if (++n <= 3) return void setTimeout(() => s.destroy(), 1_000);
    s.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(receipt));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  try {
    const r = await sender(`http://127.0.0.1:${(srv.address() as { port: number }).port}`).send('upload', 'B3', req());
    assert.is(r.verdict.kind, 'receipt', JSON.stringify(r.verdict));
    assert.is(r.attempts, 4);
    assert.is(nonces.size, 4);
    assert.equal(slept, [75, 150, 300]);
    const a = await db.query<{ error: string }>(`SELECT error FROM report_attempts WHERE batch_id = 'B3' AND outcome = 'transient'`);
    assert.is(a.rows.length, 3);
    assert.match(a.rows[0].error, /timeout|Timeout/);
  } finally {
    srv.closeAllConnections();
    srv.close();
    nock.disableNetConnect();
  }
});

test('gives up after the retry budget with a transient verdict', async () => {
  nock(BASE).post('/api/v1/batches').times(4).reply(502, 'bad gateway');
  const r = await sender().send('upload', 'B4', req());
  assert.is(r.verdict.kind, 'transient');
  assert.is(r.attempts, 4);
});

test('pure helpers: backoff caps and jitters, batches respect both limits, batch day is UTC+8', () => {
  assert.is(backoffDelay(1, { baseMs: 100, maxMs: 1000, random: () => 0 }), 50);
  assert.is(backoffDelay(1, { baseMs: 100, maxMs: 1000, random: () => 1 }), 100);
  assert.is(backoffDelay(10, { baseMs: 100, maxMs: 1000, random: () => 1 }), 1000);
  assert.is(backoffDelay(1, { baseMs: 100, maxMs: 1000, random: () => 0 }, 5000), 5000);
  assert.is(parseRetryAfter('3', 0), 3000);
  assert.is(parseRetryAfter('1.5', 0), 1500);
  assert.is(parseRetryAfter('Wed, 02 Dec 2026 08:00:10 GMT', Date.parse('2026-12-02T08:00:00Z')), 10_000);
  assert.is(parseRetryAfter('Wed, 02 Dec 2026 08:00:10 GMT', Date.parse('2026-12-02T09:00:00Z')), 0, 'a date in the past: at once');
  assert.is(parseRetryAfter('soon', 0), undefined);
  assert.is(parseRetryAfter(undefined, 0), undefined);
  assert.is(fitBatch([10, 10, 10], { maxRecords: 2, maxBytes: 1000 }, () => 0), 2);
  assert.is(fitBatch([400, 400, 400], { maxRecords: 10, maxBytes: 1000 }, (n) => 100 + n), 2);
  assert.is(fitBatch([5000], { maxRecords: 10, maxBytes: 1000 }, () => 0), 1, 'always progress');
  assert.is(chinaDay(Date.parse('2026-11-24T16:00:00Z')), '20261125');
  assert.is(chinaDay(Date.parse('2026-11-24T15:59:59Z')), '20261124');
});

test('contract v1 wire form: 万元 with six decimals, DELETE without data, exact body', () => {
  const rec = adapter.encodeRecord({ dataType: 'PENALTY', recordId: 'P1', version: 1, op: 'UPSERT', data: { fineAmount: '1234.56', confiscatedAmount: '0.01', x: 1 } });
  assert.equal(JSON.parse(rec), { recordId: 'P1', op: 'UPSERT', data: { x: 1, fineAmountWan: '0.123456', confiscatedAmountWan: '0.000001' } });
  assert.equal(JSON.parse(adapter.encodeRecord({ dataType: 'PENALTY', recordId: 'P2', version: 2, op: 'DELETE', data: {} })), { recordId: 'P2', op: 'DELETE' });
  const body = adapter.encodeBatch({ batchId: '370700-20261125-000001', dataType: 'PENALTY', regionCode: '370700' }, [rec]);
  assert.equal(JSON.parse(body).records.length, 1);
  assert.is(Buffer.byteLength(body), adapter.envelopeBytes({ batchId: '370700-20261125-000001', dataType: 'PENALTY', regionCode: '370700' }, 1) + Buffer.byteLength(rec));
  assert.is(adapter.batchId('370700', '20261124', 123), '370700-20261124-000123');
});

test.run();
