// Transport faults from small real servers: a peer that resets, a name the city resolver does not know.
import net from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startPlatformSim, type PlatformSim } from '../../ops/platform-sim/sim';
import { contentProbe, contentSpecSchema } from './content';
import { httpProbe, httpSpecSchema } from './http';
import { probeCtx } from './testkit';

let sim: PlatformSim;
let resetter: net.Server;
let resetPort: number;

test.before(async () => {
  sim = await startPlatformSim();
  // Accepts, then answers the request with a TCP RST.
  resetter = net.createServer((s) => s.once('data', () => s.resetAndDestroy()));
  await new Promise<void>((r) => resetter.listen(0, '127.0.0.1', r));
  resetPort = (resetter.address() as net.AddressInfo).port;
});
test.after(async () => {
  await sim.stop();
  await new Promise((r) => resetter.close(r));
});

test('host resolved through the city resolver', async () => {
  const url = `http://portal.city.local:${sim.ports.portal}/portal/index.html`;
  const o = await httpProbe(httpSpecSchema.parse({ url, dnsServers: [sim.urls.dns], bodyContains: ['政务要闻'] }), probeCtx());
  assert.ok(o.success, o.error);
});

test('unknown host: dns_failure', async () => {
  const o = await httpProbe(httpSpecSchema.parse({ url: `http://nosuch.city.local:${sim.ports.portal}/`, dnsServers: [sim.urls.dns] }), probeCtx());
  assert.is(o.success, false);
  assert.is(o.errorCode, 'dns_failure');
  assert.match(o.error!, '域名解析失败 dns_failure: GET http://nosuch.city.local');
});

test('connection reset by the peer: reset', async () => {
  const o = await httpProbe(httpSpecSchema.parse({ url: `http://127.0.0.1:${resetPort}/` }), probeCtx());
  assert.is(o.errorCode, 'reset');
  assert.match(o.error!, '连接被重置 reset');
});

test('content probe maps transport faults the same way', async () => {
  await sim.setFault('portal', 'refused');
  const o = await contentProbe(contentSpecSchema.parse({ url: sim.urls.portal }), probeCtx());
  assert.is(o.errorCode, 'refused');
  await sim.setFault('portal', 'none');
});

test.run();
