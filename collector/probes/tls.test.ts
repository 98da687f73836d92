import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startPlatformSim, type PlatformSim } from '../../ops/platform-sim/sim';
import { tlsProbe, tlsSpecSchema } from './tls';
import { DAY_MS, probeCtx } from './testkit';

let sim: PlatformSim;
const spec = (port: number, s: Record<string, unknown> = {}) => tlsSpecSchema.parse({ host: '127.0.0.1', port, servername: 'portal.city.local', caFile: sim.caFile, ...s });

test.before(async () => {
  sim = await startPlatformSim();
});
test.after(async () => {
  await sim.stop();
});

test('valid CA-signed certificate: success with expiry facts for metrics', async () => {
  const o = await tlsProbe(spec(sim.ports['https-valid']), probeCtx());
  assert.ok(o.success, o.error);
  const d = o.detail!;
  assert.ok(Number(d.daysLeft) > 360 && Number(d.daysLeft) <= 365, String(d.daysLeft));
  assert.match(String(d.notAfter), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
  assert.match(String(d.issuer), 'CN=City Sim Root CA');
  assert.match(String(d.subject), 'CN=portal.city.local');
  assert.match(String(d.san), 'DNS:portal.city.local');
  assert.is(d.authorized, true);
  assert.type(o.phases?.tls, 'number');
  assert.type(o.phases?.connect, 'number');
});

test('certificate expiring in ~10 days: a warning (success, cert_expiring) below the threshold, nothing above it', async () => {
  const o = await tlsProbe(spec(sim.ports['https-expiring'], { minDaysLeft: 14 }), probeCtx());
  assert.is(o.success, true, 'expiring is not an outage');
  assert.is(o.errorCode, undefined);
  assert.is(o.warning?.code, 'cert_expiring');
  assert.equal(o.detail?.warning, o.warning);
  assert.ok(Number(o.detail?.daysLeft) > 9 && Number(o.detail?.daysLeft) <= 10, String(o.detail?.daysLeft));
  assert.match(o.warning!.message, '证书即将过期 cert_expiring: portal.city.local 证书剩余天数 期望 ≥ 14 实际 9.');
  const fine = await tlsProbe(spec(sim.ports['https-expiring'], { minDaysLeft: 7 }), probeCtx());
  assert.ok(fine.success);
  assert.is(fine.warning, undefined);
});

test('after notAfter (clock moved on): cert_expired', async () => {
  const o = await tlsProbe(spec(sim.ports['https-expiring']), probeCtx(3000, () => Date.now() + 11 * DAY_MS));
  assert.is(o.errorCode, 'cert_expired');
  assert.is(o.success, false, 'expired is a failure');
  assert.ok(Number(o.detail?.daysLeft) < 0);
});

test('self-signed: cert_invalid with the authorization error; reported only when chain checks are off', async () => {
  const o = await tlsProbe(spec(sim.ports['https-selfsigned']), probeCtx());
  assert.is(o.errorCode, 'cert_invalid');
  assert.match(o.error!, 'DEPTH_ZERO_SELF_SIGNED_CERT');
  assert.is(o.detail?.authorized, false);
  const lax = await tlsProbe(spec(sim.ports['https-selfsigned'], { verifyChain: false }), probeCtx());
  assert.ok(lax.success, lax.error);
  assert.is(lax.detail?.authorizationError, 'DEPTH_ZERO_SELF_SIGNED_CERT');
});

test('without the private CA the valid certificate is untrusted', async () => {
  const o = await tlsProbe(spec(sim.ports['https-valid'], { caFile: undefined }), probeCtx());
  assert.is(o.errorCode, 'cert_invalid');
});

test('name not in the SAN: cert_hostname', async () => {
  const o = await tlsProbe(spec(sim.ports['https-valid'], { servername: 'bank.city.local' }), probeCtx());
  assert.is(o.errorCode, 'cert_hostname');
  assert.match(o.error!, '证书SAN期望包含 bank.city.local');
  assert.is(o.detail?.hostnameMatch, false);
});

test('closed port: refused; silent port: timeout', async () => {
  await sim.setFault('https-valid', 'refused');
  assert.is((await tlsProbe(spec(sim.ports['https-valid']), probeCtx())).errorCode, 'refused');
  await sim.setFault('https-valid', 'none');
  // The video port speaks plain text and never starts a handshake when silent.
  await sim.setFault('video', 'timeout');
  const o = await tlsProbe(spec(sim.ports.video), probeCtx(300));
  assert.is(o.errorCode, 'timeout');
  await sim.setFault('video', 'none');
});

test('plain-text server: tls_error', async () => {
  const o = await tlsProbe(spec(sim.ports.app), probeCtx());
  assert.is(o.success, false);
  assert.ok(['tls_error', 'reset'].includes(o.errorCode!), o.error);
});

test.run();
