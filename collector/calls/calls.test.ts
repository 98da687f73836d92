import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { gzipSync } from 'node:zlib';
import { parseConfig } from '../../app/config';
import { startSystem } from '../../app/system';
import { silentLogger } from '../../core/log';
import { manualClock } from '../../core/time';
import { refreshRollups } from '../../core/db/jobs';
import { openTestDb } from '../../test/helpers/db';
import { CALL_ROLLUPS } from './rollups';
import { pickUpStaging } from './staging';
import type { CallIngestSummary, CallOverview, InterfaceCallDetail, CallerDetail, CallCumulative } from '../../contract/calls';

// 2026-11-24 10:00 Beijing time, a Tuesday.
const clock = manualClock(Date.parse('2026-11-24T02:00:00Z'));
const yaml = `
server: { host: 127.0.0.1, port: 0 }
log: { level: silent }
collector:
  modules: [{ id: exchange, name: 共享交换平台 }]
  targets:
    - { id: rk-probe, module: exchange, name: 人口库接口探测, type: tcp, interval: 1h, tags: { interface: RK001 }, spec: { host: 127.0.0.1, port: 9 } }
calls:
  countSince: 2026-11-01T00:00:00+08:00
  baseline: { city: 14000000 }
  interfaces:
    - { code: RK001, name: 人口基本信息查询, level: provincial, sensitive: true }
    - { code: FR001, name: 法人信息查询 }
  staging: { every: 1h }
`;
const db = await openTestDb();
const sys = await startSystem({ config: parseConfig(yaml, '<inline>'), db, log: silentLogger(), clock, listen: false });
const ops = (await sys.auth.createToken({ name: 'shipper', role: 'ops', scopes: ['calls:ingest'], createdBy: 'test' })).token;
const reader = (await sys.auth.createToken({ name: 'reader', role: 'ops', createdBy: 'test' })).token;
const reg = (await sys.auth.createToken({ name: 'reg', role: 'regulator', createdBy: 'test' })).token;

const at = (min: number) => new Date(clock() - 60 * 60_000 + min * 60_000).toISOString();
const line = (i: number, o: Record<string, unknown> = {}) =>
  JSON.stringify({ time: at(i % 50), interface: i % 3 ? 'RK001' : 'FR001', callerDept: i % 2 ? '市公安局' : '市民政局', callerSystem: 'sys-a', status: i % 10 === 0 ? 500 : 200, latencyMs: 20 + (i % 7), records: 5, bytes: 900, id: `log-${i}`, ...o });

async function post(body: string | Uint8Array, headers: Record<string, string> = {}, token = ops) {
  const res = await sys.app.request('/api/collector/calls/ingest', { method: "POST", body: body as BodyInit, headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${token}`, ...headers } });
  return { status: res.status, body: (await res.json()) as CallIngestSummary & { error?: { code: string; message: string } } };
}
async function get<T>(path: string): Promise<T> {
  const res = await sys.app.request(`/api/collector/calls${path}`, { headers: { authorization: `Bearer ${reader}` } });
  assert.is(res.status, 200, `${path}: ${await res.clone().text()}`);
  return (await res.json()) as T;
}

test('NDJSON over HTTP: valid lines stored, bad lines answered one by one, a resend is not counted twice', async () => {
  const lines = Array.from({ length: 100 }, (_, i) => line(i));
  lines.splice(10, 0, '{not json', JSON.stringify({ time: at(1), interface: 'RK001' }), '');
  const r = await post(lines.join('\n') + '\n');
  assert.is(r.status, 200);
  assert.equal({ lines: r.body.lines, accepted: r.body.accepted, inserted: r.body.inserted, rejected: r.body.rejected }, { lines: 102, accepted: 100, inserted: 100, rejected: 2 });
  assert.equal(r.body.errors.map((e) => e.line), [11, 12]);
  assert.match(r.body.errors[1].message, /callerDept/);
  const again = await post(gzipSync(Buffer.from(lines.join('\n'))), { 'content-encoding': 'gzip' });
  assert.is(again.status, 200);
  assert.is(again.body.inserted, 0);
  assert.is(again.body.duplicates, 100);
  // What Fluent Bit's http output sends (Format json_lines, Compress gzip): Content-Type application/json.
  const fb = await post(gzipSync(Buffer.from(lines.slice(0, 3).join('\n'))), { 'content-encoding': 'gzip', 'content-type': 'application/json' });
  assert.is(fb.status, 200);
  assert.is(fb.body.duplicates, 3);
  const n = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM call_records');
  assert.is(n.rows[0].n, 100);
});

test('ingest needs a token with calls:ingest; an unknown interface is kept and listed', async () => {
  assert.is((await post(line(1), {}, reg)).status, 403);
  assert.is((await post(line(1), {}, 'cot_nope')).status, 401);
  const r = await post(line(200, { interface: 'NEW-IFACE', id: 'x-1', status: 200 }));
  assert.is(r.body.inserted, 1);
  const u = await get<{ items: { code: string }[] }>('/unknown');
  assert.equal(u.items.map((i) => i.code), ['NEW-IFACE']);
});

test('the read API: overview, top interfaces, one interface with its probe, one caller, cumulative, CSV', async () => {
  await refreshRollups(db, CALL_ROLLUPS, new Date(clock()));
  const o = await get<CallOverview>(`/overview?from=${encodeURIComponent(at(-10))}&to=${encodeURIComponent(at(70))}`);
  assert.is(o.totals.calls, 101);
  assert.is(o.totals.failures, 10);
  assert.is(o.step, '1m');
  assert.ok(o.trend.length >= 50);
  assert.is(o.unknownInterfaces, 1);
  const top = await get<{ items: { code: string; calls: number }[]; total: number }>('/interfaces?sort=calls&limit=1');
  assert.is(top.total, 3);
  assert.equal(top.items.map((i) => [i.code, i.calls]), [['RK001', 66]]);
  const d = await get<InterfaceCallDetail>('/interfaces/RK001');
  assert.is(d.interface.level, 'provincial');
  assert.ok(d.interface.sensitive);
  assert.is(d.totals.calls, 66);
  assert.ok(d.totals.p99Ms! >= d.totals.p50Ms!);
  assert.equal(d.probes.map((p) => p.targetId), ['rk-probe']);
  assert.ok(d.statusCodes.some((s) => s.status === 500));
  assert.equal(new Set(d.topCallers.map((c) => c.callerDept)), new Set(['市公安局', '市民政局']));
  const c = await get<CallerDetail>(`/callers/${encodeURIComponent('市公安局')}`);
  assert.is(c.totals.calls, 50);
  assert.equal(c.systems.map((s) => s.callerSystem), ['sys-a']);
  const cum = await get<CallCumulative>('/cumulative');
  const lv = Object.fromEntries(cum.levels.map((l) => [l.level, l.calls]));
  assert.equal(lv, { city: 14_000_000 + 34 + 1, provincial: 66, national: 0 });
  const res = await sys.app.request('/api/collector/calls/export.csv', { headers: { authorization: `Bearer ${reader}` } });
  const bytes = Buffer.from(await res.arrayBuffer());
  assert.equal([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]); // BOM: Excel opens it as UTF-8
  const csv = bytes.subarray(3).toString('utf8');
  assert.match(csv, /^接口编码,接口名称,级别,调用部门/);
  assert.is(csv.trim().split('\n').length, 1 + 5);
});

test('pick-up from the staging table: good rows moved once, bad rows kept with the reason', async () => {
  await db.query(
    `INSERT INTO call_records_staging (ts, interface_code, caller_dept, caller_system, status_code, latency_ms, records, record_id) VALUES
     ($1, 'FR001', '市市场监管局', 'sc', 200, 15, 3, 'st-1'), ($1, 'FR001', '市市场监管局', 'sc', 200, 15, 3, 'st-2'), ($1, NULL, '市市场监管局', 'sc', 200, 15, 3, 'st-3')`,
    [new Date(clock() - 60_000)],
  );
  const r = await pickUpStaging(db, sys.config.calls, clock());
  assert.equal(r, { taken: 3, inserted: 2, rejected: 1 });
  assert.equal(await pickUpStaging(db, sys.config.calls, clock()), { taken: 0, inserted: 0, rejected: 0 });
  const rej = await db.query<{ error: string }>('SELECT error FROM call_staging_rejects');
  assert.match(rej.rows[0].error, /interface/);
});

test.after(async () => {
  await sys.stop();
  await db.close();
});
test.run();
