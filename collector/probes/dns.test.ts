import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startPlatformSim, type PlatformSim } from '../../ops/platform-sim/sim';
import { dnsProbe, dnsSpecSchema } from './dns';
import { probeCtx } from './testkit';

let sim: PlatformSim;
const spec = (s: Record<string, unknown>) => dnsSpecSchema.parse({ servers: [sim.urls.dns], ...s });

test.before(async () => {
  sim = await startPlatformSim();
});
test.after(async () => {
  await sim.stop();
});
test.before.each(async () => {
  await sim.setFault('dns', 'none');
});

test('A record with the expected answer, through a resolver on a custom port', async () => {
  const o = await dnsProbe(spec({ name: 'portal.city.local', expect: ['127.0.0.1'] }), probeCtx());
  assert.ok(o.success, o.error);
  assert.equal(o.detail?.answers, ['127.0.0.1']);
  assert.type(o.phases?.resolve, 'number');
});

test('AAAA and CNAME', async () => {
  const a = await dnsProbe(spec({ name: 'portal.city.local', recordType: 'AAAA', expect: ['::1'] }), probeCtx());
  assert.ok(a.success, a.error);
  const c = await dnsProbe(spec({ name: 'www.city.local', recordType: 'CNAME', expect: ['portal.city.local.'] }), probeCtx());
  assert.ok(c.success, c.error);
});

test('changed answer: dns_changed with old and new answers', async () => {
  await sim.setFault('dns', 'dns_changed');
  const o = await dnsProbe(spec({ name: 'portal.city.local', expect: ['127.0.0.1'] }), probeCtx());
  assert.is(o.errorCode, 'dns_changed');
  assert.equal(o.detail?.oldAnswers, ['127.0.0.1']);
  assert.equal(o.detail?.newAnswers, ['127.0.0.66']);
  assert.is(o.error, 'DNS解析结果变化 dns_changed: portal.city.local A @' + sim.urls.dns + ' 期望 ["127.0.0.1"] 实际 ["127.0.0.66"]');
  const cname = await dnsProbe(spec({ name: 'www.city.local', recordType: 'CNAME', expect: ['portal.city.local'] }), probeCtx());
  assert.is(cname.errorCode, 'dns_changed');
});

test('no pinned answer: compared with the baseline the collector passes in, on every run until it returns', async () => {
  const first = await dnsProbe(spec({ name: 'exchange.city.local' }), probeCtx());
  assert.ok(first.success);
  assert.is(first.detail?.firstSeen, true, 'without a baseline the answers are marked as seen first');
  const withBaseline = spec({ name: 'exchange.city.local', baselineAnswers: first.detail?.answers });
  await sim.setFault('dns', 'dns_changed');
  for (let i = 0; i < 3; i++) {
    const o = await dnsProbe(withBaseline, probeCtx());
    assert.is(o.errorCode, 'dns_changed', `run ${i}`);
    assert.match(o.error!, '基线 ["127.0.0.1"] 实际 ["127.0.0.66"]');
    assert.is(o.detail?.pinned, false);
  }
  await sim.setFault('dns', 'none');
  const back = await dnsProbe(withBaseline, probeCtx());
  assert.ok(back.success, back.error);
  assert.is(back.detail?.firstSeen, undefined);
});

test('unknown name: dns_failure NXDOMAIN', async () => {
  const o = await dnsProbe(spec({ name: 'nosuch.city.local' }), probeCtx());
  assert.is(o.errorCode, 'dns_failure');
  assert.match(o.error!, 'NXDOMAIN');
});

test('SERVFAIL and REFUSED: dns_failure', async () => {
  await sim.setFault('dns', '5xx');
  assert.is((await dnsProbe(spec({ name: 'portal.city.local' }), probeCtx())).errorCode, 'dns_failure');
  await sim.setFault('dns', 'refused');
  assert.is((await dnsProbe(spec({ name: 'portal.city.local' }), probeCtx())).errorCode, 'dns_failure');
});

test('resolver never answers: timeout', async () => {
  await sim.setFault('dns', 'timeout');
  const t0 = Date.now();
  const o = await dnsProbe(spec({ name: 'portal.city.local' }), probeCtx(400));
  assert.is(o.errorCode, 'timeout');
  assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms`);
});

test('bad server address rejected by the schema', () => {
  assert.is(dnsSpecSchema.safeParse({ name: 'a', servers: ['dns.example:53'] }).success, false);
});

test.run();
