import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../app/config';
import { silentLogger } from '../core/log';
import { startSystem, type System } from '../app/system';
import { startPlatformSim, type PlatformSim } from '../ops/platform-sim/sim';
import { openTestDb, backend } from './helpers/db';
import { sleep } from '../core/time';
import { until } from './helpers/until';

/**
 * Issue #12 through the whole system (collector + alerts, real probes against the platform simulator on 127.0.0.1):
 * - a DNS hijack cannot heal itself: without `expect`, the first answers are the baseline; a changed answer is
 *   dns_changed on every probe, the target is down at once and the DNS alert fires on the first changed answer; a
 *   one-probe hijack leaves a resolved alert and a closed incident; a lasting one stays firing until the answers return
 *   or a security user (not ops) approves the new set with a reason, audited;
 * - an expiring certificate is a warning: the target is degraded and available, only cert_expiry fires (no
 *   target_down); after a restart the certificate's gauge is on /metrics before its first check, and TLS targets are
 *   checked once at start.
 */
const INTERVAL_S = 5;


let sim: PlatformSim;
test.before(async () => {
  sim = await startPlatformSim();
});
test.after(async () => {
  await sim.stop();
});

const configFor = (tlsInterval: string) => parseConfig(`
server: { port: 0, dataDir: ${mkdtempSync(join(tmpdir(), 'dns-cert-e2e-'))} }
collector:
  modules: [{ id: portal, name: 政府门户网站 }]
  targets:
    - { id: portal-dns, module: portal, name: 门户域名解析, type: dns, interval: ${INTERVAL_S}s, timeout: 2s, failureThreshold: 3, spec: { name: portal.city.local, servers: ["${sim.urls.dns}"] } }
    - { id: portal-cert, module: portal, name: 门户证书, type: tls, interval: ${tlsInterval}, timeout: 3s, failureThreshold: 1, spec: { host: 127.0.0.1, port: ${sim.ports['https-expiring']}, servername: portal.city.local, caFile: "${sim.caFile}", minDaysLeft: 14 } }
alerts:
  evaluationInterval: 1s
  notifyTick: 200ms
  rules:
    - { name: 目标不可用, type: target_down, severity: critical }
    - { name: DNS解析变化, type: dns_changed, severity: critical }
    - { name: 证书即将过期, type: cert_expiry }
`);

async function tokens(sys: System) {
  const mk = async (role: 'ops' | 'security') => (await sys.auth.createToken({ name: `${role}-user`, role, createdBy: 'test' })).token;
  const [ops, security] = await Promise.all([mk('ops'), mk('security')]);
  const call = (token: string) => async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${sys.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
    const text = await res.text();
    return { status: res.status, body: (text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text) as any };
  };
  return { ops: call(ops), security: call(security) };
}

test(`[${backend}] DNS hijack: one probe → fired and resolved with an incident; lasting → firing until a security user approves`, async () => {
  const db = await openTestDb();
  await sim.setFault('dns', 'none');
  const config = configFor('10m');
  const sys = await startSystem({ config, db, log: silentLogger(), roles: ['collector', 'alerts'] });
  try {
    const api = await tokens(sys);
    const dnsResults = async () => (await db.query<{ success: boolean; error_code: string | null; ts: Date }>(`SELECT success, error_code, ts FROM probe_results WHERE target_id = 'portal-dns' ORDER BY ts`)).rows;
    const dnsAlerts = async () => (await api.ops(`/api/alerts/alerts?target=portal-dns`)).body.items as any[];

    // The first answers become the baseline, marked as seen first (not yet approved by a person).
    const first = await until('the first-seen baseline', async () => {
      const v = (await api.ops('/api/collector/targets/portal-dns/dns-baseline')).body;
      return v.approved ? v : null;
    }, 3 * INTERVAL_S * 1000, 100);
    assert.equal(first.approved.answers, ['127.0.0.1']);
    assert.is(first.approved.firstSeen, true);
    assert.is(first.history.length, 1);

    // --- A hijack for one probe.
    const before = (await dnsResults()).length;
    await sim.setFault('dns', 'dns_changed');
    await until('the hijacked answer', async () => (await dnsResults()).slice(before).some((r) => r.error_code === 'dns_changed'), 2 * INTERVAL_S * 1000, 100);
    await sim.setFault('dns', 'none');
    const fired = await until('the DNS alert firing', async () => (await dnsAlerts()).find((a) => a.ruleType === 'dns_changed' && a.state === 'firing'), 4000, 100);
    assert.match(fired.summary, '127.0.0.66');
    const resolved = await until('the DNS alert resolved', async () => (await dnsAlerts()).find((a) => a.id === fired.id && a.state === 'resolved'), 2 * INTERVAL_S * 1000 + 4000, 100);
    assert.ok(resolved.endsAt);
    const hist = (await api.ops(`/api/alerts/history?alert=${fired.id}`)).body.items as any[];
    assert.ok(hist.some((e) => e.to === 'firing') && hist.some((e) => e.to === 'resolved'), JSON.stringify(hist));
    const incidents = (await api.ops('/api/collector/incidents?target=portal-dns')).body.items as any[];
    assert.is(incidents.length, 1, 'a one-probe hijack leaves an incident');
    assert.is(incidents[0].firstErrorCode, 'dns_changed');
    assert.is(incidents[0].ongoing, false);
    // The DNS alert counts as the one alert: target_down (if it fired at all) was inhibited by it, never sent alone.
    assert.not.ok((await dnsAlerts()).some((a) => a.ruleType === 'target_down' && a.state === 'firing' && !a.mutedBy));

    // --- A hijack that stays: failing on every probe, alert firing throughout.
    await sim.setFault('dns', 'dns_changed');
    const start = (await dnsResults()).length;
    const lasting = await until('the DNS alert firing again', async () => (await dnsAlerts()).find((a) => a.ruleType === 'dns_changed' && a.state === 'firing'), 2 * INTERVAL_S * 1000 + 4000, 100);
    assert.is.not(lasting.id, fired.id);
    // A bound to wait, not a speed asserted: a machine busy with other work may run the probes late.
    await until('four hijacked probes', async () => (await dnsResults()).slice(start).length >= 4, 8 * INTERVAL_S * 1000, 100);
    const during = (await dnsResults()).slice(start);
    assert.ok(during.every((r) => r.error_code === 'dns_changed' && !r.success), 'the hijack never heals itself: ' + JSON.stringify(during));
    assert.is((await dnsAlerts()).find((a) => a.id === lasting.id)?.state, 'firing');
    const view = (await api.ops('/api/collector/targets/portal-dns/dns-baseline')).body;
    assert.equal(view.current.answers, ['127.0.0.66']);
    assert.is(view.current.matches, false);

    // Approval: ops is refused; security without a reason is refused; security with a reason is accepted and audited.
    const byOps = await api.ops('/api/collector/targets/portal-dns/dns-baseline/approve', { method: 'POST', body: JSON.stringify({ reason: '换了 CDN' }) });
    assert.is(byOps.status, 403);
    const noReason = await api.security('/api/collector/targets/portal-dns/dns-baseline/approve', { method: 'POST', body: '{}' });
    assert.is(noReason.status, 400);
    assert.is(noReason.body.error.code, 'reason_required');
    const ok = await api.security('/api/collector/targets/portal-dns/dns-baseline/approve', { method: 'POST', body: JSON.stringify({ reason: '迁移至新机房，变更单 2026-118' }) });
    assert.is(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.answers, ['127.0.0.66']);
    assert.equal(ok.body.previous, ['127.0.0.1']);
    const audit = await db.query<{ actor: string; role: string; details: any }>(`SELECT actor, role, details FROM audit_log WHERE action = 'collector.dns_baseline.approve'`);
    assert.is(audit.rows.length, 1);
    assert.is(audit.rows[0].role, 'security');
    assert.is((typeof audit.rows[0].details === 'string' ? JSON.parse(audit.rows[0].details) : audit.rows[0].details).reason, '迁移至新机房，变更单 2026-118');

    await until('the DNS alert resolved after approval', async () => (await dnsAlerts()).find((a) => a.id === lasting.id && a.state === 'resolved'), 2 * INTERVAL_S * 1000 + 4000, 100);
    const after = (await api.ops('/api/collector/targets/portal-dns/dns-baseline')).body;
    assert.is(after.approved.firstSeen, false);
    assert.is(after.approved.approvedBy, 'token:security-user');
    assert.equal(after.history.map((h: any) => h.answers[0]), ['127.0.0.66', '127.0.0.1']);
    // And now the old answer is the changed one.
    await sim.setFault('dns', 'none');
    const back = (await dnsResults()).length;
    await until('the old answer judged against the new baseline', async () => (await dnsResults()).slice(back).some((r) => r.error_code === 'dns_changed'), 2 * INTERVAL_S * 1000, 100);
  } finally {
    await sim.setFault('dns', 'none');
    await sys.stop();
    await db.close();
  }
});

test(`[${backend}] expiring certificate: degraded and available, one alert (cert_expiry); after a restart the expiry is on /metrics at once`, async () => {
  const db = await openTestDb();
  await sim.setFault('https-expiring', 'none');
  // An interval of 10 minutes: only the check at start can produce a result within this test.
  const config = configFor('10m');
  let sys = await startSystem({ config, db, log: silentLogger(), roles: ['collector', 'alerts'] });
  try {
    let api = await tokens(sys);
    const state = await until('the certificate checked at start', async () => (await db.query<{ state: string; last_success: boolean; last_detail: any }>(`SELECT state, last_success, last_detail FROM target_state WHERE target_id = 'portal-cert' AND last_ts IS NOT NULL`)).rows[0], 8000, 100);
    assert.is(state.state, 'degraded', 'expiring is a warning state, not down');
    assert.is(state.last_success, true);
    assert.is(state.last_detail.warning.code, 'cert_expiring');
    const cert = await until('the cert_expiry alert', async () => ((await api.ops('/api/alerts/alerts?target=portal-cert')).body.items as any[]).find((a) => a.ruleType === 'cert_expiry' && a.state === 'firing'), 5000, 100);
    assert.is(cert.severity, 'warning');
    await sleep(2500);
    const all = (await api.ops('/api/alerts/alerts?target=portal-cert')).body.items as any[];
    assert.equal(all.map((a) => a.ruleType), ['cert_expiry'], 'one alert per certificate problem: no target_down');
    const t = (await api.ops('/api/collector/targets/portal-cert')).body;
    assert.is(t.state, 'degraded');
    // Availability counts it as up (raw rows over a short range: the rollups of the server build refresh later).
    const series = (await api.ops(`/api/collector/targets/portal-cert/series?from=${Date.now() - 600_000}&to=${Date.now() + 60_000}`)).body;
    assert.is(series.source, 'raw');
    assert.is(series.summary.availability, 100);
    const mod = ((await api.ops('/api/collector/modules')).body.items as any[]).find((m) => m.id === 'portal');
    assert.is.not(mod.status, 'down', 'the module is not red for an expiring certificate');
    const notAfter = Math.floor(Date.parse(state.last_detail.notAfter) / 1000);

    // Restart with the certificate's server away: the check at start fails (refused, no certificate), so the gauge
    // on /metrics can only come from the stored result.
    await sys.stop();
    await sim.setFault('https-expiring', 'refused');
    sys = await startSystem({ config, db, log: silentLogger(), roles: ['collector', 'alerts'] });
    api = await tokens(sys);
    const metrics = (await api.ops('/metrics')).body as string;
    const line = metrics.split('\n').find((l) => l.startsWith('probe_ssl_earliest_cert_expiry{') && l.includes('target="portal-cert"'));
    assert.ok(line, 'probe_ssl_earliest_cert_expiry restored at start');
    assert.is(Number(line!.split(' ').pop()), notAfter);
    await until('the check at start after the restart', async () => (await db.query(`SELECT 1 FROM probe_results WHERE target_id = 'portal-cert' AND error_code = 'refused'`)).rows.length > 0, 8000, 100);
  } finally {
    await sim.setFault('https-expiring', 'none');
    await sys.stop();
    await db.close();
  }
});

test.run();
