// The probe's own HTTP request (http-client.ts) on what got did for it: compressed bodies, 303 after a POST,
// credentials kept to their origin, a timeout in the middle of the body, phases that add up.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { httpProbe, httpSpecSchema, releaseHttpProbe } from './http';
import { probeCtx } from './testkit';

const seen: { url: string; method: string; auth?: string; body: string }[] = [];
let a: Server;
let b: Server;
let urlA = '';
let urlB = '';

function listen(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<[Server, string]> {
  const s = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ url: req.url!, method: req.method!, auth: req.headers.authorization, body });
      handler(req, res, body);
    });
  });
  return new Promise((r) => s.listen(0, '127.0.0.1', () => r([s, `http://127.0.0.1:${(s.address() as AddressInfo).port}`])));
}

test.before(async () => {
  [b, urlB] = await listen((_req, res) => res.end('on b'));
  [a, urlA] = await listen((req, res) => {
    if (req.url === '/gzip') {
      res.writeHead(200, { 'content-encoding': 'gzip' });
      return res.end(gzipSync('压缩的页面 ok'));
    }
    if (req.url === '/form') {
      res.writeHead(303, { location: '/done' });
      return res.end('see other');
    }
    if (req.url === '/done') return res.end(`done via ${req.method}`);
    if (req.url === '/elsewhere') {
      res.writeHead(302, { location: `${urlB}/landing` });
      return res.end();
    }
    if (req.url === '/stall') {
      res.writeHead(200);
      res.write('first half ');
      return; // the rest never comes
    }
    res.end('plain');
  });
});
test.after(async () => {
  a.closeAllConnections();
  b.closeAllConnections();
  await Promise.all([new Promise((r) => a.close(r)), new Promise((r) => b.close(r))]);
});
test.before.each(() => {
  seen.length = 0;
});

test('a compressed body is decoded before the assertions', async () => {
  const s = httpSpecSchema.parse({ url: `${urlA}/gzip`, bodyContains: ['压缩的页面'] });
  const o = await httpProbe(s, probeCtx());
  assert.ok(o.success, o.error);
  releaseHttpProbe(s);
});

test('303 after a POST: the redirect is fetched with GET and without the body', async () => {
  const s = httpSpecSchema.parse({ url: `${urlA}/form`, method: 'POST', body: { q: 1 }, bodyContains: ['done via GET'] });
  const o = await httpProbe(s, probeCtx());
  assert.ok(o.success, o.error);
  assert.equal(seen.map((x) => [x.url, x.method, x.body]), [['/form', 'POST', '{"q":1}'], ['/done', 'GET', '']]);
  releaseHttpProbe(s);
});

test('credentials stay with their origin on a redirect to another one', async () => {
  const s = httpSpecSchema.parse({ url: `${urlA}/elsewhere`, auth: { bearer: 'only-for-a' }, bodyContains: ['on b'] });
  const o = await httpProbe(s, probeCtx());
  assert.ok(o.success, o.error);
  assert.is(seen[0].auth, 'Bearer only-for-a');
  assert.is(seen[1].url, '/landing');
  assert.is(seen[1].auth, undefined);
  releaseHttpProbe(s);
});

test('a body that stops half way ends at the timeout as timeout', async () => {
  const s = httpSpecSchema.parse({ url: `${urlA}/stall` });
  const t0 = Date.now();
  const o = await httpProbe(s, probeCtx(300));
  assert.is(o.errorCode, 'timeout');
  assert.ok(Date.now() - t0 < 1500, String(Date.now() - t0));
  releaseHttpProbe(s);
});

test('fresh connection to an IP literal: resolve 0, connect measured, the phases within the duration', async () => {
  const s = httpSpecSchema.parse({ url: `${urlA}/plain` });
  const o = await httpProbe(s, probeCtx());
  assert.ok(o.success, o.error);
  const p = o.phases!;
  assert.is(p.resolve, 0);
  assert.type(p.connect, 'number');
  assert.type(p.processing, 'number');
  assert.type(p.transfer, 'number');
  const sum = (p.resolve ?? 0) + (p.connect ?? 0) + (p.processing ?? 0) + (p.transfer ?? 0);
  assert.ok(sum <= o.durationMs + 0.5, `${sum} vs ${o.durationMs}`);
  releaseHttpProbe(s);
});

test.run();
