import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../../app/config';
import { startSystem } from '../../app/system';
import { silentLogger } from '../../core/log';
import { manualClock } from '../../core/time';
import { refreshRollups } from '../../core/db/jobs';
import { openTestDb } from '../../test/helpers/db';
import { CALL_ROLLUPS } from './rollups';
import { callerStats, callTotals, callTrend, interfaceStats } from './read';
import type { CallOverview } from '../../contract/calls';

// The city overview over ≥ 1 day reads the rollups without the caller (sql/061); everything but the percentiles must
// be what the interface × caller rollups answer, on the same rows.
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.parse('2026-11-24T05:37:00Z');
const clock = manualClock(NOW);
const db = await openTestDb();
const sys = await startSystem({ config: parseConfig('server: { host: 127.0.0.1, port: 0 }\nlog: { level: silent }\n', '<inline>'), db, log: silentLogger(), clock, listen: false });
const reader = (await sys.auth.createToken({ name: 'reader', role: 'ops', createdBy: 'test' })).token;

// 5 interfaces × 4 departments (2 systems each), a call every 7–13 minutes per pair over 5 days up to a minute ago,
// latencies and failures varying with the interface, the hour and the pair.
await db.query(
  `INSERT INTO call_records (ts, interface_code, caller_dept, caller_system, success, status_code, latency_ms, records, bytes, dedupe_key)
   SELECT t, 'IF' || i, '部门' || c, 'sys-' || (s % 2), s % (7 + i) <> 0, CASE WHEN s % (7 + i) = 0 THEN 500 ELSE 200 END,
          5 + (s * 37 + i * 101) % (50 * i) + extract(hour FROM t) * i, s % 17, 100 * (s % 9), 't:' || i || ':' || c || ':' || s
     FROM generate_series(1, 5) i, generate_series(1, 4) c,
          LATERAL generate_series(0, (5 * 1440) / (7 + i + c)) s,
          LATERAL (SELECT $1::timestamptz - INTERVAL '1 minute' - s * (7 + i + c) * INTERVAL '1 minute' AS t) x`,
  [new Date(NOW)],
);
await refreshRollups(db, CALL_ROLLUPS, new Date(NOW));

const strip = <T extends { p95Ms: number | null }>(x: T) => ({ ...x, p95Ms: null });
const ranges: [string, number, number][] = [
  ['7 d to now', NOW - 7 * DAY, NOW],
  ['30 h to now', NOW - 30 * HOUR, NOW],
  ['3 whole days in the past', Date.parse('2026-11-20T00:00:00Z'), Date.parse('2026-11-23T00:00:00Z')],
  ['ragged, in the past', Date.parse('2026-11-19T13:20:00Z'), Date.parse('2026-11-23T09:10:00Z')],
];

for (const live of [true, false]) {
  for (const [name, from, to] of ranges) {
    test(`${name} (${live ? 'live' : 'refreshed to now'}): totals, trend, top interfaces and departments as the interface × caller path`, async () => {
      const now = live ? NOW : null;
      const [a, b] = await Promise.all([callTotals(db, from, to, now), callTotals(db, from, to, now, { pairs: true })]);
      assert.ok(a.totals.calls > 1000);
      assert.equal(strip(a.totals), strip(b.totals));
      assert.equal([a.interfaces, a.callers], [b.interfaces, b.callers]);
      assert.equal([a.interfaces, a.callers], [5, 4]);
      const [ta, tb] = await Promise.all([callTrend(db, from, to, now), callTrend(db, from, to, now, { pairs: true })]);
      assert.ok(ta.length > 24);
      assert.equal(ta.map(strip), tb.map(strip));
      for (const sort of ['calls', 'failures'] as const) {
        const o = { now, sort, limit: 3, offset: 1 };
        const [ia, ib] = await Promise.all([interfaceStats(db, from, to, o), interfaceStats(db, from, to, { ...o, pairs: true })]);
        assert.is(ia.total, 5);
        assert.equal(ia.items.map(strip), ib.items.map(strip));
      }
      const [ca, cb] = await Promise.all([callerStats(db, from, to, { now, limit: 5, offset: 0 }), callerStats(db, from, to, { now, limit: 5, offset: 0, pairs: true })]);
      assert.is(ca.total, 8);
      assert.equal(ca.items.map(strip), cb.items.map(strip));
    });
  }
}

test('p95 over whole days: the call-weighted mean of each interface\'s daily p95 of the raw calls; the top by p95 in that order', async () => {
  const [from, to] = [Date.parse('2026-11-20T00:00:00Z'), Date.parse('2026-11-23T00:00:00Z')];
  const ref = await db.query<{ code: string; p95: number }>(
    `SELECT code, sum(p95 * n) / sum(n) AS p95 FROM (
       SELECT interface_code AS code, time_bucket(INTERVAL '1 day', ts) AS d, count(*) AS n, percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95
         FROM call_records WHERE ts >= $1 AND ts < $2 GROUP BY 1, 2) x GROUP BY code ORDER BY 2 DESC, 1`,
    [new Date(from), new Date(to)],
  );
  const top = await interfaceStats(db, from, to, { now: NOW, sort: 'p95', limit: 10, offset: 0 });
  assert.equal(top.items.map((i) => i.code), ref.rows.map((r) => r.code));
  assert.equal(top.items.map((i) => i.p95Ms), ref.rows.map((r) => Math.round(Number(r.p95) * 10) / 10));
});

test('the overview API answers from them: 7 d, hourly trend, the same totals', async () => {
  const from = new Date(NOW - 7 * DAY).toISOString();
  const res = await sys.app.request(`/api/collector/calls/overview?from=${from}&to=${new Date(NOW).toISOString()}`, { headers: { authorization: `Bearer ${reader}` } });
  assert.is(res.status, 200);
  const o = (await res.json()) as CallOverview;
  const n = await db.query<{ n: number; f: number }>('SELECT count(*)::int AS n, (count(*) FILTER (WHERE NOT success))::int AS f FROM call_records WHERE ts >= time_bucket(INTERVAL \'1 hour\', $1::timestamptz) + INTERVAL \'1 hour\'', [from]);
  assert.equal([o.totals.calls, o.totals.failures], [n.rows[0].n, n.rows[0].f]);
  assert.is(o.step, '1h');
  assert.equal([o.interfaces, o.callers], [5, 4]);
});

test.after(async () => {
  await sys.stop();
  await db.close();
});
test.run();
