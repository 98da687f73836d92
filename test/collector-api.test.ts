import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http from 'node:http';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../app/config';
import { startSystem, type System } from '../app/system';
import { silentLogger } from '../core/log';
import { openTestDb, backend } from './helpers/db';
import { until } from './helpers/until';

// A local platform: /ok answers 200, /flaky answers `flakyStatus`, /page is a portal page.
let flakyStatus = 500;
const platform = http.createServer((req, res) => {
  if (req.url === '/ok') return void res.end('ok');
  if (req.url === '/flaky') return void res.writeHead(flakyStatus).end('flaky');
  if (req.url === '/page') return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<html><body><h1>政府门户网站</h1><p>欢迎</p></body></html>');
  res.writeHead(404).end();
});
await new Promise<void>((r) => platform.listen(0, '127.0.0.1', () => r()));
const base = `http://127.0.0.1:${(platform.address() as { port: number }).port}`;
const dir = mkdtempSync(join(tmpdir(), 'collector-api-'));
const TOKEN = 'hb-token-0123456789abcdef';

const yaml = (extra = '') => `
server: { host: 127.0.0.1, port: 0 }
log: { level: silent }
collector:
  journalDir: ${dir}/journal
  statsEvery: 1s
  batch: { size: 100, age: 100ms }
  modules:
    - { id: portal, name: 政府门户网站, slo: 99.9 }
    - { id: exchange, name: 共享交换平台, slo: 99.5 }
  targets:
    - { id: ok, module: portal, name: 正常接口, type: http, interval: 5s, spec: { url: "${base}/ok" } }
    - { id: flaky, module: exchange, name: 故障接口, type: http, interval: 5s, failureThreshold: 1, successThreshold: 1, spec: { url: "${base}/flaky" } }
    - { id: page, module: portal, name: 首页内容, type: content, interval: 5s, spec: { url: "${base}/page" } }
    - { id: job, module: exchange, name: 夜间同步, type: heartbeat, interval: 5s, token: ${TOKEN}, spec: { period: 1h } }
${extra}`;
const cfgFile = join(dir, 'config.yaml');
writeFileSync(cfgFile, yaml());

const db = await openTestDb();
const sys: System = await startSystem({ config: parseConfig(yaml(), cfgFile), db, log: silentLogger() });
const ops = (await sys.auth.createToken({ name: 't-ops', role: 'ops', createdBy: 'test' })).token;
const reg = (await sys.auth.createToken({ name: 't-reg', role: 'regulator', createdBy: 'test' })).token;
const api = async (path: string, init: RequestInit & { token?: string } = {}) => {
  const res = await fetch(`${sys.url}/api/collector${path}`, { ...init, headers: { 'content-type': 'application/json', ...(init.token !== '' ? { authorization: `Bearer ${init.token ?? ops}` } : {}) } });
  return { status: res.status, body: (await res.json()) as any };
};

test(`[${backend}] targets are probed and mirrored; modules roll up; unauthenticated reads are refused`, async () => {
  const t = await until('first results', async () => {
    const r = await api('/targets?limit=10');
    return r.body.items?.filter((x: any) => x.last && ['ok', 'flaky', 'page'].includes(x.id)).length === 3 && r.body;
  });
  assert.is(t.total, 4);
  const byId = Object.fromEntries(t.items.map((x: any) => [x.id, x]));
  assert.is(byId.ok.state, 'up');
  assert.is(byId.flaky.state, 'down');
  assert.is(byId.flaky.last.errorCode, 'http_status');
  const mods = await api('/modules');
  const m = Object.fromEntries(mods.body.items.map((x: any) => [x.id, x]));
  assert.is(m.exchange.status, 'down');
  assert.is(m.portal.name, '政府门户网站');
  assert.is((await api('/targets?state=down')).body.items[0].id, 'flaky');
  assert.is((await api('/modules', { token: '' })).status, 401);
});

test(`[${backend}] target detail, failures, incidents, overview`, async () => {
  const d = await api('/targets/flaky');
  assert.is(d.status, 200);
  assert.ok(d.body.openIncident, 'open incident');
  assert.is(d.body.openIncident.firstErrorCode, 'http_status');
  const fails = await api('/targets/flaky/results?failures=1&limit=5');
  assert.ok(fails.body.items.length >= 1 && fails.body.items.every((x: any) => !x.success));
  const inc = await api('/incidents?open=1');
  assert.is(inc.body.items.length, 1);
  assert.is(inc.body.items[0].target, 'flaky');
  assert.ok(inc.body.items[0].ongoing);
  const ov = await api('/overview');
  assert.is(ov.body.targets.down, 1);
  assert.is(ov.body.openIncidents, 1);
  assert.ok(ov.body.modules.some((x: any) => x.id === 'portal' && typeof x.slo === 'number'));
  assert.is((await api('/targets/nope')).status, 404);
});

test(`[${backend}] series picks raw, 1-minute or 1-hour data by range`, async () => {
  const now = Date.now();
  const short = await api(`/targets/ok/series?from=${now - 10 * 60_000}&to=${now + 1000}&step=30s`);
  assert.is(short.status, 200);
  assert.is(short.body.source, 'raw');
  assert.ok(short.body.summary.n >= 1);
  assert.is(short.body.summary.availability, 100);
  assert.is((await api(`/targets/ok/series?from=${now - 2 * 3600_000}&to=${now}`)).body.source, '1m');
  assert.is((await api(`/targets/ok/series?from=${now - 7 * 86_400_000}&to=${now}`)).body.source, '1h');
  assert.is((await api(`/targets/ok/series?from=${now}&to=${now - 1}`)).status, 400);
});

test(`[${backend}] heartbeat ingest: token in the path, no login, validated body`, async () => {
  const ok = await api(`/heartbeat/${TOKEN}`, { method: 'POST', body: JSON.stringify({ status: 'ok', message: '同步完成 110101199003077777' }), token: '' });
  assert.is(ok.status, 202);
  assert.is(ok.body.target, 'job');
  assert.is((await api(`/heartbeat/${TOKEN}`, { method: 'POST', token: '' })).status, 202, 'empty body = ok');
  assert.is((await api('/heartbeat/wrong-token-000000000', { method: 'POST', token: '' })).status, 404);
  assert.is((await api(`/heartbeat/${TOKEN}`, { method: 'POST', body: '{"status":"maybe"}', token: '' })).status, 422);
  assert.is((await api(`/heartbeat/${TOKEN}`, { method: 'POST', body: '{bad', token: '' })).status, 400);
  const rows = await db.query<{ message: string | null }>(`SELECT message FROM heartbeats WHERE target_id = 'job' ORDER BY ts`);
  assert.is(rows.rows.length, 2);
  assert.not.match(rows.rows[0].message ?? '', /110101199003077777/, 'ID numbers are masked');
  const st = await until('heartbeat judged', async () => (await api('/targets/job')).body.last?.success === true && true);
  assert.ok(st);
});

test(`[${backend}] content baseline: candidate, approval (permission, audit), then compared`, async () => {
  const b = await until('candidate', async () => (await api('/targets/page/baseline')).body.candidate && (await api('/targets/page/baseline')).body);
  assert.is(b.approved, null);
  assert.match(b.candidate.text, /政府门户网站/);
  assert.is((await api('/targets/page/baseline/approve', { method: 'POST', body: '{}', token: reg })).status, 403);
  const ap = await api('/targets/page/baseline/approve', { method: 'POST', body: JSON.stringify({ resultId: b.candidate.resultId }) });
  assert.is(ap.status, 200);
  assert.is(ap.body.hash, b.candidate.hash);
  const audit = await db.query(`SELECT actor FROM audit_log WHERE action = 'collector.baseline.approve' AND target = 'page'`);
  assert.is(audit.rows.length, 1);
  const after = await api('/targets/page/baseline');
  assert.is(after.body.approved.hash, b.candidate.hash);
  assert.is((await api('/targets/ok/baseline')).status, 404);
  // The next run compares with the baseline: unchanged page → success with detail.changed false.
  const r = await until('a compared run', async () => {
    const x = await api('/targets/page/results?limit=1');
    const d = x.body.items[0]?.detail;
    return d?.baselineHash === b.candidate.hash && x.body.items[0];
  });
  assert.ok(r.success);
  assert.is(r.detail.changed, false);
});

test(`[${backend}] recovery closes the incident; /system and /metrics report the engine`, async () => {
  flakyStatus = 200;
  await until('incident closed', async () => (await api('/incidents?target=flaky')).body.items[0]?.end);
  const inc = (await api('/incidents?target=flaky')).body.items[0];
  assert.ok(inc.durationMs > 0);
  assert.is((await api('/targets/flaky')).body.state, 'up');
  const sysj = await until('stats', async () => (await api('/system')).body.instances?.length && (await api('/system')).body);
  assert.ok(sysj.live.targets === 4);
  assert.ok(sysj.database.hypertables.some((h: any) => h.name === 'probe_results'));
  assert.ok(sysj.database.bytes > 0);
  const metrics = await (await fetch(`${sys.url}/metrics`)).text();
  assert.match(metrics, /probe_success\{target="ok",module="portal"\} 1/);
  assert.match(metrics, /probe_http_duration_seconds\{target="ok",module="portal",phase="connect"\}/);
  assert.match(metrics, /collector_scheduler_lag_seconds_bucket/);
  assert.match(metrics, /collector_rows_written_total \d+/);
  let promtool = true;
  try {
    execFileSync('promtool', ['--version'], { stdio: 'ignore' });
  } catch {
    promtool = false;
  }
  if (promtool) {
    // promtool exits non-zero on format errors; lint problems (none expected) are printed.
    // prom-client's own default nodejs_* gauges end in _total, which promtool's linter flags: check ours.
    const ours = metrics.split('\n').filter((l) => !/^(# (HELP|TYPE) )?nodejs_/.test(l)).join('\n');
    const out = execFileSync('promtool', ['check', 'metrics'], { input: ours }).toString();
    assert.is(out.trim(), '', out);
  }
});

test(`[${backend}] a changed configuration file adds and removes targets without a restart`, async () => {
  writeFileSync(cfgFile, yaml(`    - { id: ok2, module: portal, name: 新接口, type: http, interval: 5s, spec: { url: "${base}/ok" } }`).replace(/^    - \{ id: page.*$/m, ''));
  await until('reload', async () => {
    const r = await db.query<{ id: string; active: boolean }>(`SELECT id, active FROM targets ORDER BY id`);
    const m = Object.fromEntries(r.rows.map((x) => [x.id, x.active]));
    return m.ok2 === true && m.page === false;
  });
  await until('new target probed', async () => (await api('/targets/ok2')).body.last);
  assert.is((await api('/targets')).body.total, 4);
});

test.after(async () => {
  await sys.stop();
  await db.close();
  platform.close();
});

test.run();
