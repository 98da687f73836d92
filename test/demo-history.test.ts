import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { parseConfig } from '../app/config';
import { startSystem, type System } from '../app/system';
import { silentLogger } from '../core/log';
import { manualClock } from '../core/time';
import { tsdbMode } from '../core/db/jobs';
import type { Db } from '../core/db';
import type { Incident, Overview, Series } from '../contract/collector';
import type { Page } from '../contract/common';
import { seedDemoHistory } from '../collector/demo-history';
import { until } from './helpers/until';

// The demo's simulated history (collector.demoHistoryDays) on the embedded database of a real data folder, with an
// injected clock: written once through the writer, in the rollups, shown on the 7-day range, not seeded twice.
const DAY = 86_400_000;
const saved = process.env.DATABASE_URL;
delete process.env.DATABASE_URL;
const dir = mkdtempSync('/tmp/demo-history-');
const clock = manualClock(Date.UTC(2026, 10, 20, 4, 0, 0));
const yaml = `server: { port: 0, dataDir: ${dir} }
database: { dataDir: ${dir}/db }
auth:
  initialAdmin: { username: admin, password: Chief-pass-123 }
collector:
  demoHistoryDays: 4
  demoHistoryStep: 10m
  modules:
    - { id: gov, name: 政务服务平台 }
    - { id: batch, name: 批处理作业 }
  targets:
    - { id: gov-health, module: gov, name: 健康检查, type: tcp, interval: 1m, slow: 20ms, spec: { host: 127.0.0.1, port: 1 } }
    - { id: gov-home, module: gov, name: 首页防篡改, type: content, interval: 1m, spec: { url: "http://127.0.0.1:1/index.html" } }
    - { id: nightly, module: batch, name: 夜间作业, type: heartbeat, interval: 1m, token: demo-history-test-token-1, spec: { period: 1d, grace: 2h } }
`;
const config = () => parseConfig(yaml, `${dir}/inline.yaml`);

async function start(): Promise<{ sys: System; get<T>(path: string): Promise<T> }> {
  const sys = await startSystem({ config: config(), log: silentLogger(), roles: ['collector'], clock });
  const token = (await sys.auth.createToken({ name: `t-${Math.random()}`, role: 'ops', createdBy: 'test' })).token;
  const get = async <T>(path: string) => {
    const r = await fetch(sys.url + path, { headers: { authorization: `Bearer ${token}` } });
    assert.is(r.status, 200, `${path}: ${await r.clone().text()}`);
    return (await r.json()) as T;
  };
  return { sys, get };
}

/** The overview once the history is written (the start does not wait for it). */
function seeded(get: <T>(path: string) => Promise<T>): Promise<NonNullable<Overview['demoHistory']>> {
  return until('the demo history seeded', async () => (await get<Overview>('/api/collector/overview')).demoHistory, 60_000, 250);
}

const count = async (db: Db, sql: string) => Number((await db.query<{ n: number }>(sql)).rows[0].n);

/** Rows the 1-hour rollup has materialised (not what real-time aggregation adds on read). */
async function materialised1h(db: Db): Promise<{ n: number; days: number }> {
  let table = 'probe_results_1h';
  if ((await tsdbMode(db)) === 'timescale') {
    const r = await db.query<{ s: string; t: string }>(`SELECT materialization_hypertable_schema AS s, materialization_hypertable_name AS t FROM timescaledb_information.continuous_aggregates WHERE view_name = 'probe_results_1h'`);
    table = `"${r.rows[0].s}"."${r.rows[0].t}"`;
  }
  const r = await db.query<{ n: number; days: number }>(`SELECT count(*)::int AS n, count(DISTINCT date_trunc('day', bucket))::int AS days FROM ${table}`);
  return { n: Number(r.rows[0].n), days: Number(r.rows[0].days) };
}

let results = 0;
let seededAt = '';

test('a first start seeds 4 days of history; the 7-day range shows it from the hourly rollup', async () => {
  const t0 = Date.now();
  const { sys, get } = await start();
  try {
    const h = await seeded(get);
    console.log(`4 days × 3 targets seeded and rolled up in ${Date.now() - t0} ms (start included)`);
    assert.is(h.days, 4);
    assert.ok(Math.abs(Date.parse(h.from) - (clock() - 4 * DAY)) <= 30 * 60_000, `from ${h.from}`);
    assert.ok(Date.parse(h.to) < clock() && Date.parse(h.to) > clock() - 30 * 60_000, `to ${h.to}`);
    results = await count(sys.db, `SELECT count(*)::int AS n FROM probe_results WHERE ts < '${h.to}'::timestamptz + interval '1 second'`);
    assert.is(results, 3 * 4 * 144, 'one result per target per 10 minutes');
    assert.is(h.results, results);
    seededAt = String((await sys.db.query<{ s: Date }>('SELECT seeded_at AS s FROM demo_history')).rows[0].s);

    const m = await materialised1h(sys.db);
    assert.ok(m.days >= 4, `the 1-hour rollup holds every day: ${m.days}`);
    assert.ok(m.n >= 3 * 4 * 24 - 3, `hourly rows: ${m.n}`);
    assert.ok((await count(sys.db, 'SELECT count(*)::int AS n FROM probe_results_1m')) >= 3 * 4 * 144 - 3, 'the 1-minute rollup as well');

    const s = await get<Series>(`/api/collector/targets/gov-health/series?from=${new Date(clock() - 7 * DAY).toISOString()}&to=${new Date(clock()).toISOString()}`);
    assert.is(s.source, '1h');
    const pts = s.points.filter((p) => p.n > 0);
    const span = Date.parse(pts[pts.length - 1].t) - Date.parse(pts[0].t);
    assert.ok(span >= 3.5 * DAY, `the 7-day chart spans the seeded days: ${span / DAY} d`);
    assert.ok(new Set(pts.map((p) => p.p95)).size > 10, 'latency varies');
    assert.ok(pts.some((p) => p.availability !== null && p.availability < 100), 'some hours had failures');

    const inc = await get<Page<Incident>>('/api/collector/incidents?state=closed');
    assert.ok(inc.total >= 3 && inc.total === h.incidents, `closed incidents: ${inc.total} (history says ${h.incidents})`);
    assert.ok(inc.items.every((i) => Date.parse(i.start) >= Date.parse(h.from) && !i.ongoing));
    const slow = await count(sys.db, `SELECT count(*)::int AS n FROM probe_results WHERE target_id = 'gov-health' AND success AND duration_ms > 20 AND ts <= '${h.to}'`);
    assert.ok(slow >= 4, `a slow spell past the target's slow threshold: ${slow} results`);
    const content = await sys.db.query<{ error_code: string }>(`SELECT DISTINCT error_code FROM probe_results WHERE target_id = 'gov-home' AND NOT success`);
    assert.equal(content.rows.map((r) => r.error_code), ['content_changed'], 'the content target fails as a changed page');
  } finally {
    await sys.stop();
  }
});

test('a restart does not seed again; a seed that died half-way (no marker) writes nothing twice', async () => {
  clock.advance('2h');
  const { sys, get } = await start();
  try {
    const h = await seeded(get);
    assert.is(String((await sys.db.query<{ s: Date }>('SELECT seeded_at AS s FROM demo_history')).rows[0].s), seededAt, 'the same marker');
    assert.is(await count(sys.db, `SELECT count(*)::int AS n FROM probe_results WHERE ts <= '${h.to}'`), results, 'no history written twice');
    // As if the first start had been killed before it wrote the marker, with the clock where it was then.
    await sys.db.query('DELETE FROM demo_history');
    const incidents = await count(sys.db, 'SELECT count(*)::int AS n FROM incidents');
    const cfg = config().collector;
    const again = await seedDemoHistory({ db: sys.db, log: silentLogger(), clock: () => Date.parse(h.to) + 15 * 60_000, config: cfg, journalDir: `${dir}/retry-journal`, pause: false });
    assert.ok(again);
    assert.is(await count(sys.db, `SELECT count(*)::int AS n FROM probe_results WHERE ts <= '${h.to}'`), results, 'the same result ids: nothing twice');
    assert.is(await count(sys.db, 'SELECT count(*)::int AS n FROM incidents'), incidents, 'the same incident ids');
  } finally {
    await sys.stop();
  }
});

test.after(() => {
  if (saved !== undefined) process.env.DATABASE_URL = saved;
});
test.run();
