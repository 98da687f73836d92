import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Registry } from 'prom-client';
import { CollectorMetrics } from './metrics';

const make = () => {
  const reg = new Registry();
  return { reg, m: new CollectorMetrics(reg, { bufferDepth: () => 3, journalBytes: () => 0 }) };
};
const lines = async (reg: Registry, name: string) => (await reg.metrics()).split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));

test('a probe sets its target\'s gauges under blackbox_exporter\'s names, labels target then module (phase last)', async () => {
  const { reg, m } = make();
  m.observe('portal', 'web', 'http', { success: true, durationMs: 120, statusCode: 200, phases: { resolve: 1, connect: 2, tls: 30, processing: 40, transfer: 5 } });
  m.observe('db', 'core', 'tcp', { success: false, durationMs: 5000, errorCode: 'timeout' });
  assert.equal(await lines(reg, 'probe_success'), ['probe_success{target="portal",module="web"} 1', 'probe_success{target="db",module="core"} 0']);
  assert.equal(await lines(reg, 'probe_duration_seconds'), ['probe_duration_seconds{target="portal",module="web"} 0.12', 'probe_duration_seconds{target="db",module="core"} 5']);
  // Only what a probe reported has a series: no status code for TCP, no phases for TCP.
  assert.equal(await lines(reg, 'probe_http_status_code'), ['probe_http_status_code{target="portal",module="web"} 200']);
  assert.equal(await lines(reg, 'probe_http_duration_seconds'), ['resolve 0.001', 'connect 0.002', 'tls 0.03', 'processing 0.04', 'transfer 0.005'].map((s) => {
    const [phase, v] = s.split(' ');
    return `probe_http_duration_seconds{target="portal",module="web",phase="${phase}"} ${v}`;
  }));
  assert.equal(await lines(reg, 'probe_dns_lookup_time_seconds'), ['probe_dns_lookup_time_seconds{target="portal",module="web"} 0.001']);
  assert.equal(await lines(reg, 'collector_probes_total'), ['collector_probes_total{type="http"} 1', 'collector_probes_total{type="tcp"} 1']);
  assert.match(await reg.metrics(), '# TYPE probe_success gauge');
  assert.match(await reg.metrics(), '# HELP probe_http_duration_seconds Duration of the last HTTP probe by phase');
});

test('the next probe overwrites in place; a reused connection keeps the last DNS time; phases missing count as 0', async () => {
  const { reg, m } = make();
  m.observe('portal', 'web', 'http', { success: true, durationMs: 100, statusCode: 200, phases: { resolve: 4, connect: 2, tls: 3, processing: 40, transfer: 5 } });
  m.observe('portal', 'web', 'http', { success: false, durationMs: 50, statusCode: 503, phases: { processing: 30, transfer: 1 } });
  assert.equal(await lines(reg, 'probe_success'), ['probe_success{target="portal",module="web"} 0']);
  assert.equal(await lines(reg, 'probe_http_status_code'), ['probe_http_status_code{target="portal",module="web"} 503']);
  assert.equal(await lines(reg, 'probe_dns_lookup_time_seconds'), ['probe_dns_lookup_time_seconds{target="portal",module="web"} 0.004']);
  assert.match((await lines(reg, 'probe_http_duration_seconds')).join('\n'), 'phase="connect"} 0\n');
  assert.equal(await lines(reg, 'collector_probes_total'), ['collector_probes_total{type="http"} 2']);
});

test('certificate expiry from the detail; a module change and a removed target drop the old series; restore never overrides a probe', async () => {
  const { reg, m } = make();
  m.restore('cert', 'web', { success: true, durationMs: 10, detail: { notAfter: '2027-01-02T00:00:00Z' } });
  assert.equal(await lines(reg, 'probe_ssl_earliest_cert_expiry'), [`probe_ssl_earliest_cert_expiry{target="cert",module="web"} ${Date.parse('2027-01-02T00:00:00Z') / 1000}`]);
  assert.equal(await lines(reg, 'collector_probes_total'), [], 'a restore is no probe');
  m.observe('cert', 'web', 'tls', { success: false, durationMs: 20, errorCode: 'cert_expired', detail: { certNotAfter: Date.parse('2026-01-01T00:00:00Z') } });
  m.restore('cert', 'web', { success: true, durationMs: 10 });
  assert.equal(await lines(reg, 'probe_success'), ['probe_success{target="cert",module="web"} 0']);
  m.observe('cert', 'portal', 'tls', { success: true, durationMs: 20 });
  assert.equal(await lines(reg, 'probe_success'), ['probe_success{target="cert",module="portal"} 1']);
  assert.equal(await lines(reg, 'probe_ssl_earliest_cert_expiry'), [], 'the new module has not reported an expiry yet');
  assert.equal(m.targets(), ['cert']);
  m.forget('cert');
  assert.equal(await lines(reg, 'probe_success'), []);
  assert.equal(m.targets(), []);
});

test.run();
