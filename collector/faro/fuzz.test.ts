import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { gzipSync } from 'node:zlib';
import { request } from 'node:http';
import { serve } from '@hono/node-server';
import { openTestDb } from '../../test/helpers/db';
import { systemClock } from '../../core/time';
import { KEY, receiverApp, sampleBody } from './testkit';

// Malformed payloads over real HTTP: each gets a 4xx with a JSON error, the server keeps serving.
const db = await openTestDb();
const { app } = receiverApp(db, systemClock, '', { perSecond: 10_000, burst: 10_000 });
const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
await new Promise((r) => server.once('listening', r));
const port = (server.address() as { port: number }).port;

function send(body: Buffer | string, headers: Record<string, string | number> = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, agent: false, path: '/faro/collect', method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEY, ...headers } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const valid = JSON.stringify(sampleBody(Date.now()));
const rand = (seed: number) => () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);

const CASES: [string, Buffer | string, Record<string, string | number>?][] = [
  ['empty body', ''],
  ['truncated JSON', valid.slice(0, valid.length / 2)],
  ['JSON null', 'null'],
  ['JSON array', '[1,2,3]'],
  ['JSON string', '"hello"'],
  ['meta is a number', '{"meta": 5}'],
  ['exceptions is an object', JSON.stringify({ meta: {}, exceptions: { a: 1 } })],
  ['exception without type', JSON.stringify({ meta: {}, exceptions: [{ value: 'x', timestamp: new Date().toISOString() }] })],
  ['measurement value is a string', JSON.stringify({ meta: {}, measurements: [{ type: 'web-vitals', values: { lcp: '1' }, timestamp: new Date().toISOString() }] })],
  ['measurement value is NaN-ish', '{"meta":{},"measurements":[{"type":"t","values":{"a":1e999},"timestamp":"2026-11-25T00:00:00Z"}]}'],
  ['bad timestamp', JSON.stringify({ meta: {}, logs: [{ level: 'info', message: 'x', timestamp: 'not a date' }] })],
  ['span without ids', JSON.stringify({ meta: {}, traces: { resourceSpans: [{ scopeSpans: [{ spans: [{ name: 'x' }] }] }] } })],
  ['deeply nested', '{"meta":' + '['.repeat(5000) + ']'.repeat(5000) + '}'],
  ['huge body', 'x'.repeat(200_000)],
  ['huge declared length', '{}', { 'content-length': 10_000_000 }],
  ['bad gzip', Buffer.from('definitely not gzip'), { 'content-encoding': 'gzip' }],
  ['truncated gzip', gzipSync(valid).subarray(0, 40), { 'content-encoding': 'gzip' }],
  ['gzip bomb', gzipSync(Buffer.alloc(20_000_000, 97)), { 'content-encoding': 'gzip' }],
  ['unknown encoding', valid, { 'content-encoding': 'zstd' }],
  ['form content type', 'a=1&b=2', { 'content-type': 'application/x-www-form-urlencoded' }],
  ['multipart content type', valid, { 'content-type': 'multipart/form-data; boundary=x' }],
  ['no content type', valid, { 'content-type': '' }],
  ['binary garbage', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))],
  ['invalid UTF-8 in JSON', Buffer.concat([Buffer.from('{"meta":{"page":{"url":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}},"logs":5}')])],
  ['wrong key', valid, { 'x-api-key': 'wrong' }],
  ['out-of-range nanoseconds', JSON.stringify({ meta: {}, traces: { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'a', spanId: 'b', name: 'x', startTimeUnixNano: '1795a3934' }] }] }] } })],
];

test('NUL characters and lone surrogates are stored cleaned, not refused and not a 5xx', async () => {
  const b = sampleBody(Date.now(), { session: 'nul', message: 'bad\u0000value \ud800 end' });
  (b.exceptions[0].context as Record<string, string>)['k\u0000'] = '\udfff';
  const r = await send(JSON.stringify(b));
  assert.is(r.status, 202, r.text);
  const row = (await db.query<{ message: string }>(`SELECT message FROM faro_exceptions WHERE session_id = 'nul'`)).rows[0];
  assert.is(row.message, 'badvalue \ufffd end');
});

test('every malformed payload gets a 4xx with a JSON error, and the server survives', async () => {
  for (const [name, body, headers] of CASES) {
    const r = await send(body, headers).catch((err: Error) => ({ status: 0, text: err.message }));
    // A body announced as larger than the limit is refused before it is read; the server may close the socket.
    if (name === 'huge declared length' && r.status === 0) continue;
    assert.ok(r.status >= 400 && r.status < 500, `${name}: expected 4xx, got ${r.status} ${r.text.slice(0, 200)}`);
    if (r.text) assert.ok(JSON.parse(r.text).error?.code, `${name}: JSON error with a code: ${r.text.slice(0, 200)}`);
  }
  const ok = await send(valid);
  assert.is(ok.status, 202, 'a good payload after the bad ones is still stored');
});

test('random mutations of a valid payload: never a 5xx, never a crash', async () => {
  const r = rand(7);
  let accepted = 0;
  for (let i = 0; i < 300; i++) {
    const chars = valid.split('');
    const edits = 1 + Math.floor(r() * 5);
    for (let e = 0; e < edits; e++) {
      const pos = Math.floor(r() * chars.length);
      const op = r();
      if (op < 0.4) chars.splice(pos, 1);
      else if (op < 0.8) chars[pos] = '{}[]",:0a-\\'[Math.floor(r() * 12)];
      else chars.splice(pos, 0, '"');
    }
    const res = await send(chars.join(''));
    assert.ok(res.status === 202 || (res.status >= 400 && res.status < 500), `mutation ${i}: ${res.status} ${res.text.slice(0, 200)}`);
    if (res.status === 202) accepted++;
  }
  assert.ok(accepted < 300, 'most mutations are rejected');
  assert.is((await send(valid)).status, 202);
});

test.after(async () => {
  await new Promise((r) => server.close(r));
  await db.close();
});
test.run();
