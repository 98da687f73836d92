import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startPlatformSim, type PlatformSim } from '../../ops/platform-sim/sim';
import { checkBody, compileStatus, httpProbe, httpSpecSchema, releaseHttpProbe } from './http';
import { probeCtx } from './testkit';

let sim: PlatformSim;
const spec = (s: Record<string, unknown>) => httpSpecSchema.parse(s);

test.before(async () => {
  sim = await startPlatformSim();
});
test.after(async () => {
  await sim.stop();
});
test.before.each(async () => {
  for (const s of ['exchange', 'portal', 'app', 'https-selfsigned'] as const) await sim.setFault(s, 'none');
});

test('status patterns: single, class, range', () => {
  const ok = compileStatus([200, '3xx', '401-403']);
  assert.ok(ok(200) && ok(302) && ok(401) && ok(403));
  assert.not.ok(ok(201) || ok(404) || ok(500));
});

test('healthy JSON API passes its assertions, with phase timings', async () => {
  const s = spec({ url: sim.urls.exchangeStatus, connection: 'reuse', json: [{ path: '$.status', equals: 'ok' }, { path: '$.nodes.online', equals: 8 }, { path: '$.queueDepth', exists: true }], bodyContains: ['共享交换平台'], bodyRegex: ['"queueDepth":\\d+'] });
  const o = await httpProbe(s, probeCtx());
  assert.ok(o.success, o.error);
  assert.is(o.statusCode, 200);
  assert.type(o.phases?.connect, 'number');
  assert.type(o.phases?.processing, 'number');
  assert.ok(o.durationMs > 0);
  // With connection: reuse the second run reuses the keep-alive socket: no new connect phase.
  const o2 = await httpProbe(s, probeCtx());
  assert.ok(o2.success);
  assert.is(o2.phases?.connect, undefined);
  releaseHttpProbe(s);
});

test('targets with the same TLS and DNS settings share one keep-alive pool, whatever their other options', async () => {
  const a = spec({ url: sim.urls.exchangeStatus, connection: 'reuse' });
  const b = spec({ url: sim.urls.exchangeDatasets, headers: { 'x-probe': 'b' }, connection: 'reuse' });
  assert.ok((await httpProbe(a, probeCtx())).success);
  // Another target (other path, other headers, so another got client) on the same host takes the socket a left idle.
  const o = await httpProbe(b, probeCtx());
  assert.ok(o.success, o.error);
  assert.is(o.phases?.connect, undefined);
  releaseHttpProbe(a);
  releaseHttpProbe(b);
});

test('connection: fresh opens a connection per probe and measures connect every time; reuse keeps one and hides a server that accepts no new connections', async () => {
  const { createServer } = await import('node:http');
  const net = await import('node:net');
  let connections = 0;
  let accepting = true;
  const server = createServer((_req, res) => res.end('ok'));
  server.keepAliveTimeout = 30_000;
  // In front: a listener that hands connections to the HTTP server while `accepting`, and drops new ones after (a
  // server that stops accepting connections, e.g. its accept queue is full, while its open sockets still answer).
  const front = net.createServer((sock) => {
    if (!accepting) return sock.destroy();
    connections++;
    server.emit('connection', sock);
  });
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(front.address() as { port: number }).port}/`;
  try {
    const fresh = spec({ url });
    assert.is(fresh.connection, 'fresh', 'fresh is the default');
    for (let i = 0; i < 3; i++) {
      const o = await httpProbe(fresh, probeCtx());
      assert.ok(o.success, o.error);
      assert.type(o.phases?.connect, 'number', 'connect measured on every fresh probe');
    }
    assert.is(connections, 3, 'one connection per fresh probe');
    const reuse = spec({ url, connection: 'reuse', headers: { 'x-mode': 'reuse' } });
    connections = 0;
    for (let i = 0; i < 3; i++) assert.ok((await httpProbe(reuse, probeCtx())).success);
    assert.is(connections, 1, 'reuse keeps one socket');
    accepting = false;
    const stillGreen = await httpProbe(reuse, probeCtx());
    assert.ok(stillGreen.success, 'reuse: the old socket still answers — what reuse hides');
    const o = await httpProbe(fresh, probeCtx(2000));
    assert.is(o.success, false, 'fresh: no new connection, the probe fails at once');
    assert.ok(['reset', 'refused', 'timeout'].includes(o.errorCode!), o.errorCode);
    releaseHttpProbe(fresh);
    releaseHttpProbe(reuse);
  } finally {
    server.closeAllConnections();
    front.close();
  }
});

test('JSON path mismatch: assertion_failed with the path, expected and actual', async () => {
  await sim.setFault('exchange', 'degraded');
  const o = await httpProbe(spec({ url: sim.urls.exchangeStatus, json: [{ path: '$.status', equals: 'ok' }] }), probeCtx());
  assert.is(o.success, false);
  assert.is(o.errorCode, 'assertion_failed');
  assert.is(o.error, '断言失败 assertion_failed: JSON路径 $.status 期望 "ok" 实际 "degraded"');
  assert.is(o.statusCode, 200);
});

test('JSON path oneOf / exists / matches and non-JSON bodies', async () => {
  const url = sim.urls.exchangeDatasets;
  assert.ok((await httpProbe(spec({ url, json: [{ path: '$.items[*].id', exists: true }, { path: '$.total', oneOf: [2, 3] }, { path: '$.items[0].name', matches: '^企业' }] }), probeCtx())).success);
  const missing = await httpProbe(spec({ url, json: [{ path: '$.nope', exists: true }] }), probeCtx());
  assert.match(missing.error!, 'JSON路径 $.nope 期望存在 实际不存在');
  const regex = await httpProbe(spec({ url, json: [{ path: '$.items[0].id', matches: '^X' }] }), probeCtx());
  assert.match(regex.error!, '期望匹配 /^X/ 实际 "DS-0001"');
  const html = await httpProbe(spec({ url: sim.urls.portal, json: [{ path: '$.status', equals: 'ok' }] }), probeCtx());
  assert.is(html.errorCode, 'assertion_failed');
  assert.match(html.error!, '响应体应为JSON');
});

test('body keyword and regex assertions', async () => {
  const url = sim.urls.portal;
  const a = await httpProbe(spec({ url, bodyContains: ['某市人民政府', '不存在的词'] }), probeCtx());
  assert.is(a.errorCode, 'assertion_failed');
  assert.match(a.error!, '响应体应包含 "不存在的词"');
  const b = await httpProbe(spec({ url, bodyNotContains: ['政务要闻'] }), probeCtx());
  assert.match(b.error!, '不应包含 "政务要闻"');
  const c = await httpProbe(spec({ url, bodyRegex: ['访问量：\\d+$'] }), probeCtx());
  assert.match(c.error!, '应匹配正则');
});

test('keywords searched in the body\'s bytes agree with the decoded text, invalid UTF-8 and U+FFFD included', () => {
  const none = { regexes: [], jsonMatchers: [] };
  // A stray lead byte and a cut sequence around the keyword; decoding turns them into U+FFFD.
  const bytes = Buffer.concat([Buffer.from('状态：'), Buffer.from([0xe5]), Buffer.from('共享交换平台'), Buffer.from([0xff, 0xe5, 0x85]), Buffer.from(' ok 😀')]);
  const text = bytes.toString('utf8');
  const cases: [string[], string[]][] = [
    [['共享交换平台'], []],
    [['共享交换平台', '缺失的词'], []],
    [[], ['共享交换平台']],
    [['\uFFFD共享'], []], // only in the decoded text
    [['台\uFFFD\uFFFD'], []],
    [['😀'], ['\uD83D']], // astral and lone surrogate: decoded search
    [[''], ['ok 😀x']],
  ];
  for (const [bodyContains, bodyNotContains] of cases) {
    const s = spec({ url: 'http://127.0.0.1:1/', bodyContains, bodyNotContains });
    assert.is(checkBody(s, none, bytes), checkBody(s, none, text), JSON.stringify([bodyContains, bodyNotContains]));
  }
  const s = spec({ url: 'http://127.0.0.1:1/', bodyContains: ['共享交换平台', '\uFFFD共享'], bodyNotContains: ['缺失'] });
  assert.is(checkBody(s, none, bytes), undefined);
  assert.match(checkBody(spec({ url: 'http://127.0.0.1:1/', bodyContains: ['缺失的词'] }), none, bytes)!, '响应体应包含 "缺失的词"');
  assert.match(checkBody(spec({ url: 'http://127.0.0.1:1/', bodyNotContains: ['交换'] }), none, bytes)!, '不应包含 "交换"');
  assert.is(checkBody(spec({ url: 'http://127.0.0.1:1/', bodyContains: ['x'] }), none, Buffer.alloc(0))!.includes('应包含'), true);
});

test('5xx: http_status with expected and actual', async () => {
  await sim.setFault('app', '5xx');
  const o = await httpProbe(spec({ url: sim.urls.appHealth }), probeCtx());
  assert.is(o.errorCode, 'http_status');
  assert.is(o.statusCode, 503);
  assert.match(o.error!, '期望 2xx 实际 503');
});

test('latency over maxResponseTime: response_too_slow', async () => {
  await sim.setFault('app', 'latency', 250);
  const o = await httpProbe(spec({ url: sim.urls.appHealth, maxResponseTime: '100ms' }), probeCtx());
  assert.is(o.errorCode, 'response_too_slow');
  assert.ok(o.durationMs >= 240, String(o.durationMs));
  assert.match(o.error!, '期望 ≤ 100 ms');
});

test('server never answers: timeout at the target timeout', async () => {
  await sim.setFault('app', 'timeout');
  const t0 = Date.now();
  const o = await httpProbe(spec({ url: sim.urls.appHealth }), probeCtx(300));
  assert.is(o.errorCode, 'timeout');
  assert.ok(Date.now() - t0 < 1500);
  assert.match(o.error!, '超时 timeout');
});

test('the scheduler aborting the signal ends the probe as a timeout', async () => {
  await sim.setFault('app', 'timeout');
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 100);
  const o = await httpProbe(spec({ url: sim.urls.appHealth }), { signal: ac.signal, timeoutMs: 5000, now: Date.now });
  assert.is(o.errorCode, 'timeout');
  assert.ok(o.durationMs < 2000);
});

test('closed port: refused', async () => {
  await sim.setFault('app', 'refused');
  const o = await httpProbe(spec({ url: sim.urls.appHealth }), probeCtx());
  assert.is(o.errorCode, 'refused');
  assert.match(o.error!, '连接被拒绝 refused');
});

test('bearer and basic auth; none → 401', async () => {
  const url = sim.urls.exchangeSecure;
  assert.ok((await httpProbe(spec({ url, auth: { bearer: 'sim-token-2026' } }), probeCtx())).success);
  assert.ok((await httpProbe(spec({ url, auth: { basic: { username: 'sim', password: 'sim-pass' } } }), probeCtx())).success);
  const o = await httpProbe(spec({ url }), probeCtx());
  assert.is(o.statusCode, 401);
  assert.is(o.errorCode, 'http_status');
});

test('POST with a JSON body and custom headers', async () => {
  const o = await httpProbe(spec({ url: sim.urls.exchangeEcho, method: 'POST', body: { q: '企业' }, headers: { 'x-trace': '1' }, json: [{ path: '$.contentType', equals: 'application/json' }, { path: '$.body', equals: '{"q":"企业"}' }] }), probeCtx());
  assert.ok(o.success, o.error);
});

test('redirects: followed, not followed, loop', async () => {
  const follow = await httpProbe(spec({ url: sim.urls.portalRoot, bodyContains: ['政务要闻'] }), probeCtx());
  assert.ok(follow.success, follow.error);
  const stay = await httpProbe(spec({ url: sim.urls.portalRoot, followRedirects: false, expectStatus: [302] }), probeCtx());
  assert.ok(stay.success, stay.error);
  assert.is(stay.statusCode, 302);
  const strict = await httpProbe(spec({ url: sim.urls.portalRoot, followRedirects: false }), probeCtx());
  assert.is(strict.errorCode, 'http_status');
  const loop = await httpProbe(spec({ url: sim.urls.portalLoop, maxRedirects: 3 }), probeCtx());
  assert.is(loop.errorCode, 'too_many_redirects');
});

test('TLS verify on: self-signed is tls_error; off: success with a tls phase', async () => {
  const bad = await httpProbe(spec({ url: sim.urls.httpsSelfSigned }), probeCtx());
  assert.is(bad.errorCode, 'tls_error');
  assert.match(bad.error!, 'DEPTH_ZERO_SELF_SIGNED_CERT');
  const ok = await httpProbe(spec({ url: sim.urls.httpsSelfSigned, tlsVerify: false }), probeCtx());
  assert.ok(ok.success, ok.error);
  assert.type(ok.phases?.tls, 'number');
});

test('a JSON path that cannot be evaluated is a probe_error outcome, not a throw', async () => {
  const o = await httpProbe(spec({ url: sim.urls.exchangeStatus, json: [{ path: '$..[?(@.x ==', equals: 1 }] }), probeCtx());
  assert.is(o.success, false);
  assert.is(o.errorCode, 'probe_error');
  assert.match(o.error!, '断言无法执行');
});

test('spec validation: bad URL, bad status, bad regex are rejected with a path', () => {
  for (const bad of [{ url: 'ftp://x' }, { url: 'http://127.0.0.1/', expectStatus: ['abc'] }, { url: 'http://127.0.0.1/', bodyRegex: ['('] }, { url: 'http://127.0.0.1/', nope: 1 }, { url: 'http://127.0.0.1/', body: 'x' }]) {
    const r = httpSpecSchema.safeParse(bad);
    assert.is(r.success, false, JSON.stringify(bad));
  }
  const r = httpSpecSchema.safeParse({ url: 'http://127.0.0.1/', json: [{ path: '$.a', matches: '[' }] });
  assert.equal(r.error?.issues[0].path, ['json', 0, 'matches']);
});

test.run();
