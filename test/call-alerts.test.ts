import { test } from 'uvu';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { parseConfig } from '../app/config';
import { startSystem } from '../app/system';
import { silentLogger } from '../core/log';
import { manualClock } from '../core/time';
import { refreshRollups } from '../core/db/jobs';
import { AlertEngine } from '../alerts/engine';
import { loadOpenAlerts } from '../alerts/store/alerts';
import { CALL_ROLLUPS } from '../collector/calls/rollups';
import { openTestDb, backend } from './helpers/db';

// 02:30 Beijing time on Tuesday 2026-11-24: the middle of the night, whatever today is.
const NIGHT = Date.parse('2026-11-24T02:30:00+08:00');
const clock = manualClock(NIGHT);
// Parsed as if it were a file in a fresh folder: the collector's journal (./data) goes there, not into the
// checkout's ./data, which a running `npm start` may hold.
const yaml = `
server: { host: 127.0.0.1, port: 0 }
log: { level: silent }
calls:
  interfaces:
    - { code: RK001, name: 人口基本信息查询, level: provincial, sensitive: true }
    - { code: WX001, name: 天气预报 }
  staging: { every: 1h }
alerts:
  rules:
    - { name: 非工作时间批量拉取, type: call_off_hours_bulk, window: 1h, minRecords: 10000 }
    - { name: 接口失败率, type: call_error_rate, thresholdPct: 20, minCalls: 10 }
`;

test(`[${backend}] an injected night-time bulk pull raises exactly one security warning with its evidence`, async () => {
  const db = await openTestDb();
  const sys = await startSystem({ config: parseConfig(yaml, join(mkdtempSync(join(tmpdir(), 'call-alerts-')), 'config.yaml')), db, log: silentLogger(), clock, listen: false, roles: ['collector'] });
  try {
    const token = (await sys.auth.createToken({ name: 'shipper', role: 'ops', createdBy: 'test' })).token;
    const lines: string[] = [];
    const call = (t: number, o: Record<string, unknown>) => lines.push(JSON.stringify({ time: new Date(t).toISOString(), status: 200, latencyMs: 30, callerSystem: 'sys', ...o }));
    // History: the tax bureau and the police call the population library in office hours on the past weekdays.
    for (let day = 1; day <= 14; day++) {
      const t = Date.parse('2026-11-24T10:00:00+08:00') - day * 86_400_000;
      for (let i = 0; i < 10; i++) {
        call(t + i * 60_000, { interface: 'RK001', callerDept: '市税务局', records: 20, id: `h-${day}-${i}` });
        call(t + i * 60_000, { interface: 'RK001', callerDept: '市公安局', records: 5, id: `p-${day}-${i}` });
      }
    }
    // Tonight: 60 calls of 500 records each by the tax bureau between 01:40 and 02:20; a few small police look-ups;
    // a bulk pull of a non-sensitive interface.
    for (let i = 0; i < 60; i++) call(NIGHT - 50 * 60_000 + i * 40_000, { interface: 'RK001', callerDept: '市税务局', records: 500, id: `n-${i}` });
    for (let i = 0; i < 5; i++) call(NIGHT - 20 * 60_000 + i * 60_000, { interface: 'RK001', callerDept: '市公安局', records: 5, id: `np-${i}` });
    for (let i = 0; i < 40; i++) call(NIGHT - 30 * 60_000 + i * 30_000, { interface: 'WX001', callerDept: '市气象局', records: 1000, id: `w-${i}` });
    const res = await sys.app.request('/api/collector/calls/ingest', { method: 'POST', body: lines.join('\n'), headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' } });
    assert.is(res.status, 200);
    assert.is(((await res.json()) as { inserted: number }).inserted, lines.length);
    await refreshRollups(db, CALL_ROLLUPS, new Date(clock()));

    const engine = new AlertEngine(db, silentLogger(), clock, sys.config.alerts);
    await engine.evaluate(clock());
    clock.advance('1m');
    await engine.evaluate(clock());
    const open = (await loadOpenAlerts(db)).filter((a) => a.labels.team === 'security');
    assert.is(open.length, 1, 'exactly one security warning');
    const a = open[0];
    assert.equal([a.labels.kind, a.labels.caller, a.labels.interface, a.labels.severity], ['call_off_hours_bulk', '市税务局', 'RK001', 'warning']);
    assert.is(a.annotations.caller, '市税务局');
    assert.is(a.annotations.records, '30000');
    assert.match(a.annotations.interface, '人口基本信息查询');
    // The baseline: 20 records per call, 10 calls per office hour → 200 records per hour; tonight 150 times that.
    assert.match(a.annotations.evidence, '平均 200 条/小时');
    assert.match(a.annotations.evidence, '150 倍');
    assert.match(a.annotations.summary, '市税务局 在非工作时间调用敏感接口 人口基本信息查询（RK001） 60 次，返回 30000 条记录');
    const total = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM alerts WHERE rule = '非工作时间批量拉取'`);
    assert.is(total.rows[0].n, 1, 'one alert row, not one per evaluation');

    // The same pull in office hours is no warning.
    const day = Date.parse('2026-11-24T11:30:00+08:00');
    const more = Array.from({ length: 60 }, (_, i) => JSON.stringify({ time: new Date(day - 50 * 60_000 + i * 40_000).toISOString(), interface: 'RK001', callerDept: '市民政局', status: 200, latencyMs: 30, records: 500, id: `d-${i}` }));
    clock.set(day);
    await sys.app.request('/api/collector/calls/ingest', { method: 'POST', body: more.join('\n'), headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' } });
    await refreshRollups(db, CALL_ROLLUPS, new Date(clock()));
    await engine.evaluate(clock());
    const day1 = (await loadOpenAlerts(db)).filter((x) => x.labels.team === 'security' && x.labels.caller === '市民政局');
    assert.is(day1.length, 0);
  } finally {
    await sys.stop();
    await db.close();
  }
});

test.run();
