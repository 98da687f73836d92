import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startPlatformSim, type PlatformSim } from '../../ops/platform-sim/sim';
import { tcpProbe, tcpSpecSchema } from './tcp';
import { probeCtx } from './testkit';

let sim: PlatformSim;
const spec = (s: Record<string, unknown>) => tcpSpecSchema.parse({ host: '127.0.0.1', port: sim.ports.video, ...s });

test.before(async () => {
  sim = await startPlatformSim();
});
test.after(async () => {
  await sim.stop();
});
test.before.each(async () => {
  await sim.setFault('video', 'none');
});

test('connect only: success with the connect time', async () => {
  const o = await tcpProbe(spec({}), probeCtx());
  assert.ok(o.success, o.error);
  assert.type(o.phases?.connect, 'number');
  assert.type(o.detail?.connectMs, 'number');
});

test('banner by string and by regex', async () => {
  const a = await tcpProbe(spec({ expect: 'READY' }), probeCtx());
  assert.ok(a.success, a.error);
  assert.match(String(a.detail?.banner), 'VCS-SIGNAL/1.0 200 READY');
  const b = await tcpProbe(spec({ expectRegex: '^VCS-SIGNAL/\\d\\.\\d 200' }), probeCtx());
  assert.ok(b.success, b.error);
});

test('send then expect the reply', async () => {
  const o = await tcpProbe(spec({ send: 'PING\r\n', expect: 'PONG' }), probeCtx());
  assert.ok(o.success, o.error);
});

test('wrong banner and the server closes: assertion_failed with expected and actual', async () => {
  await sim.setFault('video', '5xx');
  const o = await tcpProbe(spec({ expect: 'READY' }), probeCtx());
  assert.is(o.errorCode, 'assertion_failed');
  assert.match(o.error!, '期望回应 "READY" 实际 "VCS-SIGNAL/1.0 503 OVERLOADED\\r\\n"');
});

test('silent server: timeout, saying the connection was made', async () => {
  await sim.setFault('video', 'timeout');
  const o = await tcpProbe(spec({ expect: 'READY' }), probeCtx(300));
  assert.is(o.errorCode, 'timeout');
  assert.match(o.error!, '已连接 但 300 ms 内未收到期望的回应');
  assert.type(o.phases?.connect, 'number');
});

test('slow banner within the timeout still passes; beyond it times out', async () => {
  await sim.setFault('video', 'latency', 150);
  assert.ok((await tcpProbe(spec({ expect: 'READY' }), probeCtx(2000))).success);
  const o = await tcpProbe(spec({ expect: 'READY' }), probeCtx(50));
  assert.is(o.errorCode, 'timeout');
});

test('closed listener: refused', async () => {
  await sim.setFault('video', 'refused');
  const o = await tcpProbe(spec({ expect: 'READY' }), probeCtx());
  assert.is(o.errorCode, 'refused');
  assert.match(o.error!, `连接被拒绝 refused: 127.0.0.1:${sim.ports.video}`);
  await sim.setFault('video', 'none');
  assert.ok((await tcpProbe(spec({ expect: 'READY' }), probeCtx())).success, 'the listener reopens on the same port');
});

test('invalid spec rejected', () => {
  assert.is(tcpSpecSchema.safeParse({ host: 'x', port: 70000 }).success, false);
  assert.is(tcpSpecSchema.safeParse({ host: 'x', port: 1, expectRegex: '(' }).success, false);
});

test.run();
