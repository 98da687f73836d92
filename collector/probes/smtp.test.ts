import net, { type AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { smtpProbe, smtpSpecSchema } from './smtp';
import { probeCtx } from './testkit';

// A real SMTP server (smtp-server) on 127.0.0.1, port 0; STARTTLS with the package's own self-signed certificate.
let server: SMTPServer;
let port: number;
const spec = (s: Record<string, unknown> = {}) => smtpSpecSchema.parse({ host: '127.0.0.1', port, ...s });

test.before(async () => {
  server = new SMTPServer({ name: 'mail.city.local', banner: 'city-ops test MTA', authOptional: true, logger: false });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  port = (server.server.address() as AddressInfo).port;
});
test.after(() => new Promise<void>((ok) => server.close(() => ok())));

test('greeting only: success with connect and banner (processing) times and the banner', async () => {
  const o = await smtpProbe(spec(), probeCtx());
  assert.ok(o.success, o.error);
  assert.type(o.phases?.connect, 'number');
  assert.type(o.phases?.processing, 'number');
  assert.is(o.phases?.tls, undefined);
  assert.match(String(o.detail?.banner), /^mail\.city\.local ESMTP city-ops test MTA/);
  assert.type(o.detail?.bannerMs, 'number');
});

test('expected banner regex: matching passes, another fails with expected and actual', async () => {
  assert.ok((await smtpProbe(spec({ expectBanner: '^mail\\.city\\.local ESMTP' }), probeCtx())).success);
  const o = await smtpProbe(spec({ expectBanner: '^mx\\.other' }), probeCtx());
  assert.is(o.errorCode, 'assertion_failed');
  assert.match(o.error!, '问候 期望匹配 /^mx\\.other/ 实际 "mail.city.local ESMTP city-ops test MTA"');
});

test('EHLO lists the extensions; STARTTLS completes the handshake (tls phase) when the certificate need not be trusted', async () => {
  const e = await smtpProbe(spec({ ehlo: 'monitor.city.local' }), probeCtx());
  assert.ok(e.success, e.error);
  assert.ok((e.detail?.extensions as string[]).includes('STARTTLS'));
  const t = await smtpProbe(spec({ ehlo: 'monitor.city.local', starttls: true, tlsVerify: false }), probeCtx());
  assert.ok(t.success, t.error);
  assert.type(t.phases?.tls, 'number');
  assert.match(String((t.detail?.tls as { protocol: string }).protocol), /^TLSv1\.[23]$/);
});

test('STARTTLS with verification: the self-signed certificate is a tls_error', async () => {
  const o = await smtpProbe(spec({ ehlo: 'monitor.city.local', starttls: true }), probeCtx());
  assert.is(o.errorCode, 'tls_error');
  assert.type(o.phases?.processing, 'number');
});

test('a server without STARTTLS: assertion_failed naming what it offers', async () => {
  const plain = new SMTPServer({ disabledCommands: ['STARTTLS'], authOptional: true, logger: false });
  await new Promise<void>((ok) => plain.listen(0, '127.0.0.1', ok));
  try {
    const o = await smtpProbe(spec({ port: (plain.server.address() as AddressInfo).port, ehlo: 'monitor.city.local', starttls: true }), probeCtx());
    assert.is(o.errorCode, 'assertion_failed');
    assert.match(o.error!, '期望 EHLO 应答提供 STARTTLS');
  } finally {
    await new Promise<void>((ok) => plain.close(() => ok()));
  }
});

/** A raw TCP server that plays a scripted SMTP peer. */
async function fakeServer(onConnect: (s: net.Socket) => void) {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    onConnect(s);
  });
  await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', ok));
  return {
    port: (srv.address() as AddressInfo).port,
    close: () => new Promise<void>((ok) => {
      for (const s of sockets) s.destroy();
      srv.close(() => ok());
    }),
  };
}

test('a refusing greeting (554) is smtp_status with the code; a silent server times out saying it was connected', async () => {
  const busy = await fakeServer((s) => s.end('554 5.3.2 too busy, try later\r\n'));
  const silent = await fakeServer(() => undefined);
  try {
    const o = await smtpProbe(spec({ port: busy.port }), probeCtx());
    assert.is(o.errorCode, 'smtp_status');
    assert.is(o.statusCode, 554);
    assert.match(o.error!, '问候 期望 220 实际 554 "5.3.2 too busy, try later"');
    assert.ok(o.error!.startsWith('SMTP状态码异常 smtp_status: '), o.error); // the title kept in smtp.ts
    const t = await smtpProbe(spec({ port: silent.port }), probeCtx(300));
    assert.is(t.errorCode, 'timeout');
    assert.match(t.error!, '已连接 但未收到 220 问候 (300 ms)');
    assert.type(t.phases?.connect, 'number');
  } finally {
    await busy.close();
    await silent.close();
  }
});

test('a multi-line greeting is one reply; a peer that is not SMTP or closes is a network_error', async () => {
  const multi = await fakeServer((s) => s.write('220-mail.city.local first line\r\n220 second line\r\n'));
  const http = await fakeServer((s) => s.write('HTTP/1.1 400 Bad Request\r\n\r\n'));
  const closes = await fakeServer((s) => s.end());
  try {
    const m = await smtpProbe(spec({ port: multi.port }), probeCtx());
    assert.ok(m.success, m.error);
    assert.is(m.detail?.banner, 'mail.city.local first line\nsecond line');
    const h = await smtpProbe(spec({ port: http.port }), probeCtx());
    assert.is(h.errorCode, 'network_error');
    assert.match(h.error!, 'not an SMTP reply: "HTTP/1.1 400 Bad Request"');
    const c = await smtpProbe(spec({ port: closes.port }), probeCtx());
    assert.is(c.errorCode, 'network_error');
    assert.match(c.error!, '连接已被对端关闭');
  } finally {
    await multi.close();
    await http.close();
    await closes.close();
  }
});

test('nothing listening: refused, as tcp.ts classifies it', async () => {
  const gone = await fakeServer(() => undefined);
  const p = gone.port;
  await gone.close();
  const o = await smtpProbe(spec({ port: p }), probeCtx());
  assert.is(o.errorCode, 'refused');
  assert.match(o.error!, `127.0.0.1:${p}`);
});

test('invalid specs: bad regex, starttls without ehlo, unknown key', () => {
  assert.is(smtpSpecSchema.safeParse({ host: 'x', expectBanner: '(' }).success, false);
  const r = smtpSpecSchema.safeParse({ host: 'x', starttls: true });
  assert.is(r.success, false);
  assert.match(JSON.stringify(r.error?.issues), 'starttls needs ehlo');
  assert.is(smtpSpecSchema.safeParse({ host: 'x', helo: 'y' }).success, false);
  assert.is(smtpSpecSchema.parse({ host: 'x' }).port, 25);
});

test.run();
