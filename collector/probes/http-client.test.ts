// The probe's own HTTP request (http-client.ts) on what got did for it: compressed bodies, 303 after a POST,
// credentials kept to their origin, a timeout in the middle of the body, phases that add up; and the body cap
// (maxBodyBytes) got did not have: a huge page or a gzip bomb ends as body_too_large.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGzip, gzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { contentProbe, contentSpecSchema } from './content';
import { httpProbe, httpSpecSchema, releaseHttpProbe } from './http';
import { probeCtx } from './testkit';

const seen: { url: string; method: string; auth?: string; body: string }[] = [];
let a: Server;
let b: Server;
let urlA = '';
let urlB = '';
const MiB = 1024 * 1024;
/** 200 MiB of zeros, gzipped (~200 KB on the wire); made by streaming, so the test itself never holds 200 MiB. */
let bomb: Buffer;

async function gzipOfZeros(bytes: number): Promise<Buffer> {
  const z = createGzip({ level: 9 });
  const out: Buffer[] = [];
  z.on('data', (c: Buffer) => out.push(c));
  const zeros = Buffer.alloc(MiB);
  for (let i = 0; i < bytes / MiB; i++) if (!z.write(zeros)) await once(z, 'drain');
  z.end();
  await once(z, 'end');
  return Buffer.concat(out);
}

/** `n` bytes of "a", written in 64 KiB pieces. */
function writeBytes(res: ServerResponse, n: number): void {
  const piece = Buffer.alloc(64 * 1024, 'a');
  for (let left = n; left > 0; left -= piece.length) res.write(left >= piece.length ? piece : piece.subarray(0, left));
  res.end();
}

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
  bomb = await gzipOfZeros(200 * MiB);
  [b, urlB] = await listen((_req, res) => res.end('on b'));
  [a, urlA] = await listen((req, res) => {
    const size = /^\/bytes\/(\d+)$/.exec(req.url!);
    if (size) return writeBytes(res, Number(size[1]));
    if (req.url === '/bomb') {
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': bomb.length });
      return res.end(bomb);
    }
    if (req.url === '/big-redirect') {
      res.writeHead(302, { location: '/bytes/10' });
      return writeBytes(res, 2 * MiB);
    }
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

test('the default cap is 10 MiB', () => {
  assert.is(httpSpecSchema.parse({ url: urlA }).maxBodyBytes, 10 * MiB);
  assert.is(contentSpecSchema.parse({ url: urlA }).maxBodyBytes, 10 * MiB);
});

test('a plain body over maxBodyBytes fails as body_too_large, naming the limit and the key that raises it', async () => {
  const s = httpSpecSchema.parse({ url: `${urlA}/bytes/${MiB + 1}`, maxBodyBytes: MiB });
  const o = await httpProbe(s, probeCtx());
  assert.is(o.success, false);
  assert.is(o.errorCode, 'body_too_large');
  assert.match(o.error!, /^响应体过大 body_too_large: GET http:\/\/127\.0\.0\.1:\d+\/bytes\/1048577 /);
  assert.ok(o.error!.includes('1048576 字节 (1 MiB)') && o.error!.includes('spec.maxBodyBytes'), o.error);
  releaseHttpProbe(s);
});

test('a body of exactly maxBodyBytes passes', async () => {
  const s = httpSpecSchema.parse({ url: `${urlA}/bytes/${MiB}`, maxBodyBytes: MiB, bodyContains: ['aaaa'] });
  const o = await httpProbe(s, probeCtx());
  assert.ok(o.success, o.error);
  releaseHttpProbe(s);
});

test('a gzip bomb (200 MiB inflated) stops at a 1 MiB cap without being inflated', async () => {
  const s = httpSpecSchema.parse({ url: `${urlA}/bomb`, maxBodyBytes: MiB });
  // Sampled while the probe runs: without the cap the inflated chunks alone hold 200 MiB (then 400 MiB joined).
  const before = process.memoryUsage().arrayBuffers;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers)), 1);
  const o = await httpProbe(s, probeCtx(10_000));
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().arrayBuffers);
  assert.ok(peak - before < 16 * MiB, `external memory grew by ${((peak - before) / MiB).toFixed(1)} MiB`);
  assert.is(o.errorCode, 'body_too_large', o.error);
  releaseHttpProbe(s);
});

test("a redirect's drained body does not count against the cap", async () => {
  const s = httpSpecSchema.parse({ url: `${urlA}/big-redirect`, maxBodyBytes: MiB });
  const o = await httpProbe(s, probeCtx());
  assert.ok(o.success, o.error);
  releaseHttpProbe(s);
});

test('the content (tampering) probe fetches through the same client and has the same cap', async () => {
  const s = contentSpecSchema.parse({ url: `${urlA}/bomb`, maxBodyBytes: MiB });
  const o = await contentProbe(s, probeCtx(10_000));
  assert.is(o.errorCode, 'body_too_large', o.error);
  releaseHttpProbe(s);
});

test.run();
