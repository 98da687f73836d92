/**
 * Interface call monitoring over a month of a city's traffic: 30 days × 2,000 interfaces × 200 caller departments,
 * the rollups seeded directly with set-based SQL (generate_series), a short raw tail on top. Measures, over HTTP on
 * 127.0.0.1 with a token, the requests the 接口调用 pages make (the city view's three in parallel, one interface,
 * one department) for 1 h / 24 h / 7 d / 30 d, and the alert engine's evaluation of the four abnormal-access rules
 * over the same data against one evaluation interval. Goal: page p95 < 150 ms (the city view's too); evaluation < alerts.evaluationInterval.
 *
 *   npx tsx bench/calls-api.ts [--days 30] [--interfaces 2000] [--callers 200] [--runs 40]
 *
 * The shape (docs/benchmarks.md): not every pair every hour. Each interface has 5–20 caller departments (about
 * 12.5, so ~25,000 pairs; each department uses ~125 interfaces); a pair calls in 1–3 fixed office hours of a
 * weekday (Beijing time), on four weekdays of five, 5–400 calls an hour, and once in a while at night. The clock is
 * put at the last weekday 16:00 in Beijing, so "1 h" is an office hour.
 */
import { parseArgs } from 'node:util';
import { parseConfig } from '../app/config';
import { startSystem } from '../app/system';
import { AlertEngine } from '../alerts/engine';
import { silentLogger } from '../core/log';
import { tsdbMode } from '../core/db/jobs';
import type { Db } from '../core/db';
import { openTestDb } from '../test/helpers/db';
import { cpuMeter, loadavg } from './_cpu';

const { values } = parseArgs({ options: { days: { type: 'string', default: '30' }, interfaces: { type: 'string', default: '2000' }, callers: { type: 'string', default: '200' }, runs: { type: 'string', default: '40' } }, strict: false });
const DAYS = Number(values.days);
const IFACES = Number(values.interfaces);
const CALLERS = Number(values.callers);
const RUNS = Number(values.runs);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const BJ = 8 * HOUR;

// The last weekday 16:00 Beijing time before the real now: office hours, whatever time the bench is run.
let NOW = Math.floor((Date.now() + BJ) / DAY) * DAY - BJ + 16 * HOUR;
while (NOW > Date.now() || [0, 6].includes(new Date(NOW + BJ).getUTCDay())) NOW -= DAY;
const t0real = Date.now();
const clock = () => NOW + (Date.now() - t0real);

const H = Math.floor(NOW / HOUR) * HOUR; // hourly rollup materialised up to the hour before: its real-time part is raw rows
const H1 = H - HOUR;
const M = Math.floor(NOW / 60_000) * 60_000 - 60_000; // minute rollup materialised up to a minute ago
const DAY0 = Math.floor((NOW + BJ) / DAY) * DAY - BJ - DAYS * DAY; // Beijing midnight DAYS ago
const DOW0 = new Date(DAY0 + BJ).getUTCDay(); // 0 = Sunday

const db = await openTestDb();
const mode = await tsdbMode(db);

/** The table to write a rollup into: itself on the Apache build, the continuous aggregate's materialisation on the licensed one (its watermark moved to `wm`). */
async function target(view: string, wm: number): Promise<string> {
  if (mode === 'apache') return view;
  const m = (await db.query<{ s: string; n: string; id: number }>(
    `SELECT c.materialization_hypertable_schema AS s, c.materialization_hypertable_name AS n, h.id
       FROM timescaledb_information.continuous_aggregates c JOIN _timescaledb_catalog.hypertable h
         ON h.schema_name = c.materialization_hypertable_schema AND h.table_name = c.materialization_hypertable_name
      WHERE c.view_name = $1`, [view])).rows[0];
  await db.query('UPDATE _timescaledb_catalog.continuous_aggs_watermark SET watermark = $1 WHERE mat_hypertable_id = $2', [String(BigInt(wm) * 1000n), m.id]);
  return `${m.s}.${m.n}`;
}

// Pairs: interface i (1..IFACES) × its k = 5..20 departments c = (i·37 + j·53) mod CALLERS (distinct for j < CALLERS/gcd).
const PAIRS = `SELECT i, (i * 37 + j * 53) % ${CALLERS} AS c FROM generate_series(1, ${IFACES}) i, generate_series(0, 19) j WHERE j < 5 + (i * 7919) % 16`;
// A pair's office hours (Beijing, 9..16): 1–3 of them.
const HOURS = `SELECT p.i, p.c, hod FROM (${PAIRS}) p, generate_series(9, 16) hod WHERE (p.i * 31 + p.c * 17 + hod * 13) % 8 < 1 + (p.i + p.c) % 3`;
// Active pair-hours: weekdays, four of five; plus a night hour (02:00) one day in 40.
const ACTIVE = (fromDay = 0) => `
  SELECT i, c, d, hod FROM (${HOURS}) x, generate_series(${fromDay}, ${DAYS}) d
   WHERE (${DOW0} + d) % 7 NOT IN (0, 6) AND (i + c + d) % 5 <> 0
  UNION ALL
  SELECT i, c, d, 2 FROM (${PAIRS}) p, generate_series(${fromDay}, ${DAYS}) d WHERE (i * 13 + c * 7 + d) % 40 = 0`;
const STATS = (n: string, k: string) => `${n} AS n, ${n} - (${n}) / 40 - (CASE WHEN ${k} % 17 = 0 THEN ${n} / 5 ELSE 0 END) AS ok,
  20 + ${k} % 80 AS avg_ms, 200 + ${k} % 800 AS max_ms, 15 + ${k} % 60 AS p50_ms, 60 + ${k} % 300 AS p95_ms, 120 + ${k} % 600 AS p99_ms,
  ${n} * (1 + ${k} % 30) AS records, 1 + ${k} % 30 + ${k} % 7 AS max_records, ${n} * 1200 AS bytes`;
const COLS = 'bucket, interface_code, caller_dept, caller_system, n, ok, avg_ms, max_ms, p50_ms, p95_ms, p99_ms, records, max_records, bytes';
const code = (e: string) => `'IF' || lpad((${e})::text, 4, '0')`;
const dept = (e: string) => `'部门' || lpad((${e})::text, 3, '0')`;

async function seed(d: Db) {
  await d.query(
    `INSERT INTO call_interfaces (code, name, level, sensitive, known, first_seen, last_seen)
     SELECT ${code('i')}, '接口 ' || i, CASE WHEN i % 10 = 0 THEN 'national' WHEN i % 10 < 3 THEN 'provincial' ELSE 'city' END, i % 20 = 0, true, $1, $2
       FROM generate_series(1, ${IFACES}) i`, [new Date(DAY0), new Date(NOW)]);
  await d.query(`INSERT INTO call_callers SELECT ${dept('c')}, 'sys-' || c % 3, $1, $2 FROM generate_series(0, ${CALLERS - 1}) c`, [new Date(DAY0), new Date(NOW)]);
  await d.query(`INSERT INTO call_pairs SELECT ${code('i')}, ${dept('c')}, $1 FROM (${PAIRS}) p`, [new Date(DAY0)]);
  const t1h = await target('call_stats_1h', H1);
  const r1 = await d.query(
    `INSERT INTO ${t1h} (${COLS})
     SELECT b, ${code('i')}, ${dept('c')}, 'sys-' || c % 3, ${STATS('(5 + (i * 7 + c * 3 + d) % 396)', '(i + c * 7 + d * 3 + hod)')}
       FROM (SELECT i, c, d, hod, $1::timestamptz + (d * 24 + hod) * INTERVAL '1 hour' AS b FROM (${ACTIVE()}) a) x
      WHERE b < $2`, [new Date(DAY0), new Date(H1)]);
  // The minute rollup for the last 6 hours: an active pair-hour calls in 10 of its 60 minutes.
  const t1m = await target('call_stats_1m', M);
  const r2 = await d.query(
    `INSERT INTO ${t1m} (${COLS})
     SELECT b, ${code('i')}, ${dept('c')}, 'sys-' || c % 3, ${STATS('(1 + (i * 7 + c * 3 + m) % 40)', '(i + c * 7 + m)')}
       FROM (SELECT i, c, m, $1::timestamptz + (d * 24 + hod) * INTERVAL '1 hour' + m * INTERVAL '1 minute' AS b
               FROM (${ACTIVE(DAYS - 1)}) a, generate_series(0, 59) m WHERE (i + c + m) % 6 = 0) x
      WHERE b >= $2 AND b < $3`, [new Date(DAY0), new Date(NOW - 6 * HOUR), new Date(M)]);
  // The overview's rollups without the caller (sql/061), from the same hourly rows: per interface and per department
  // × system per hour and per day, the city per hour. (Their latencies: the call-weighted means of the seeded ones.)
  const AGG = `sum(n) AS n, sum(ok) AS ok, sum(avg_ms * n) / sum(n) AS avg_ms, max(max_ms) AS max_ms, sum(p50_ms * n) / sum(n) AS p50_ms,
    sum(p95_ms * n) / sum(n) AS p95_ms, sum(p99_ms * n) / sum(n) AS p99_ms, sum(records) AS records, max(max_records) AS max_records, sum(bytes) AS bytes`;
  const D1 = Math.floor(H1 / DAY) * DAY;
  let overviewRows = 0;
  for (const [view, keys, width, wm] of [
    ['call_iface_1h', 'interface_code', '1 hour', H1], ['call_dept_1h', 'caller_dept, caller_system', '1 hour', H1], ['call_city_1h', '', '1 hour', H1],
    ['call_iface_1d', 'interface_code', '1 day', D1], ['call_dept_1d', 'caller_dept, caller_system', '1 day', D1],
  ] as const) {
    const t = await target(view, wm);
    const r = await d.query(
      `INSERT INTO ${t} (bucket, ${keys ? `${keys}, ` : ''}n, ok, avg_ms, max_ms, p50_ms, p95_ms, p99_ms, records, max_records, bytes)
       SELECT time_bucket(INTERVAL '${width}', bucket), ${keys ? `${keys}, ` : ''}${AGG} FROM ${t1h} WHERE bucket < $1
        GROUP BY time_bucket(INTERVAL '${width}', bucket)${keys ? `, ${keys}` : ''}`, [new Date(wm)]);
    overviewRows += r.rowCount;
  }
  const ts = await target('call_status_1h', H1);
  await d.query(
    `INSERT INTO ${ts} (bucket, interface_code, status_code, n)
     SELECT bucket, interface_code, 200, sum(ok) FROM ${t1h} GROUP BY 1, 2
     UNION ALL SELECT bucket, interface_code, 500, sum(n - ok) FROM ${t1h} GROUP BY 1, 2 HAVING sum(n - ok) > 0`);
  // The raw tail: the calls since the hourly rollup's watermark (what a real-time aggregate reads on the licensed
  // build), ~40 calls/s spread over the pairs.
  const r3 = await d.query(
    `INSERT INTO call_records (ts, interface_code, caller_dept, caller_system, caller_id, success, status_code, latency_ms, records, bytes, dedupe_key, source)
     SELECT $1::timestamptz + s * INTERVAL '25 milliseconds', ${code('1 + (s::bigint * 7919) % ' + IFACES)}, ${dept('(s::bigint * 104729) % ' + CALLERS)}, 'sys-' || s % 3, 'u' || s % 50,
            s % 40 <> 0, CASE WHEN s % 40 = 0 THEN 500 ELSE 200 END, 10 + s % 90, s % 30, 1200, 'bench:' || s, 'http'
       FROM generate_series(0, (($2::bigint - $3::bigint) / 25)::int) s`, [new Date(H1), NOW, H1]);
  if (mode === 'apache') {
    await d.query(`INSERT INTO rollup_watermarks (rollup, refreshed_to) SELECT v, $1 FROM unnest(ARRAY['call_stats_1m', 'call_stats_1h', 'call_status_1h', 'call_iface_1h', 'call_dept_1h', 'call_city_1h', 'call_iface_1d', 'call_dept_1d']) v
                   ON CONFLICT (rollup) DO UPDATE SET refreshed_to = EXCLUDED.refreshed_to`, [new Date(NOW)]);
  }
  await d.exec('ANALYZE');
  return { hourly: r1.rowCount, minute: r2.rowCount, raw: r3.rowCount, overview: overviewRows };
}

let t = Date.now();
const seeded = await seed(db);
const pairs = Number((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM call_pairs')).rows[0].n);
console.log(`seeded on ${db.kind} (${mode}): ${IFACES} interfaces, ${CALLERS} departments, ${pairs} pairs; ${seeded.hourly.toLocaleString('en')} hourly rows over ${DAYS} days, ` +
  `${seeded.minute.toLocaleString('en')} minute rows (6 h), ${seeded.raw.toLocaleString('en')} raw rows (tail), ${seeded.overview.toLocaleString('en')} rows of the overview's rollups in ${((Date.now() - t) / 1000).toFixed(1)} s; loadavg ${loadavg()}`);

const yaml = `server: { host: 127.0.0.1, port: 0 }
log: { level: warn }
calls:
  staging: { enabled: false }
alerts:
  rules:
    - { name: 非工作时间批量拉取, type: call_off_hours_bulk }
    - { name: 调用量超基线, type: call_volume_baseline }
    - { name: 首次调用敏感接口, type: call_first_caller }
    - { name: 单次返回记录过多, type: call_records_per_call }
`;
const sys = await startSystem({ config: parseConfig(yaml, '<inline>'), db, clock, roles: [] });
const token = (await sys.auth.createToken({ name: 'bench', role: 'ops', createdBy: 'bench' })).token;
const perEndpoint = new Map<string, number[]>();
async function get(name: string, path: string) {
  const s = performance.now();
  // Embedded, a long query blocks the event loop (PGlite runs on it), and the server's keep-alive timer may close
  // a connection the client is just reusing: an idempotent GET is sent again then, its time counted from the first.
  const send = () => fetch(sys.url + path, { headers: { authorization: `Bearer ${token}` } });
  const r = await send().catch((err: Error & { cause?: { code?: string } }) => {
    if (err.cause?.code !== 'ECONNRESET' && err.cause?.code !== 'UND_ERR_SOCKET') throw err;
    return send();
  });
  await r.arrayBuffer();
  if (r.status !== 200) throw new Error(`${path}: ${r.status}`);
  (perEndpoint.get(name) ?? perEndpoint.set(name, []).get(name)!).push(performance.now() - s);
}
const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const RANGES: [string, number][] = [['1h', HOUR], ['24h', DAY], ['7d', 7 * DAY], ['30d', 30 * DAY]];
const ifaceOf = (k: number) => `IF${String(1 + ((k * 7919) % IFACES)).padStart(4, '0')}`;
const deptOf = (k: number) => encodeURIComponent(`部门${String((k * 37) % CALLERS).padStart(3, '0')}`);
const pages = {
  city: (r: string, k: number) => Promise.all([
    get(`overview ${r}`, `/api/collector/calls/overview?${r}`),
    get(`interfaces ${r}`, `/api/collector/calls/interfaces?${r}&sort=${['calls', 'failures', 'p95'][k % 3]}&limit=20`),
    get(`callers ${r}`, `/api/collector/calls/callers?${r}&limit=10`),
  ]),
  interface: (r: string, k: number) => get(`interface ${r}`, `/api/collector/calls/interfaces/${ifaceOf(k)}?${r}`),
  caller: (r: string, k: number) => get(`caller ${r}`, `/api/collector/calls/callers/${deptOf(k)}?${r}&limit=20&offset=0`),
};
const cpu = await cpuMeter(db);
let loads = 0;
let worst = 0;
for (const [label, span] of RANGES) {
  const now = clock();
  const r = `from=${new Date(now - span).toISOString()}&to=${new Date(now).toISOString()}`;
  for (const fn of Object.values(pages)) for (let k = 0; k < 3; k++) await fn(r, k); // warm-up
  perEndpoint.clear();
  const line: string[] = [];
  for (const [name, fn] of Object.entries(pages)) {
    const wall: number[] = [];
    for (let k = 0; k < RUNS; k++) {
      const s = performance.now();
      await fn(r, k + 1);
      wall.push(performance.now() - s);
      loads++;
    }
    worst = Math.max(worst, q(wall, 0.95)); // the goal: every page, the city view (its three requests in parallel) too
    line.push(`${name} p50 ${q(wall, 0.5).toFixed(1)} p95 ${q(wall, 0.95).toFixed(1)}`);
  }
  const ov = [...perEndpoint].find(([k]) => k.startsWith('overview '))![1];
  console.log(`  ${label.padEnd(4)} ${line.join(' | ')} ms (overview API alone p95 ${q(ov, 0.95).toFixed(1)})`);
}
const used = cpu();
console.log(`page p95 worst ${worst.toFixed(1)} ms (goal < 150: city view, interface, caller); ${loads} page loads, ${RUNS} per page and range; CPU-s per page load: app ${(used.app / loads * 1000).toFixed(1)} ms` +
  `${used.db != null ? `, database server ${(used.db / loads * 1000).toFixed(1)} ms` : ''}; loadavg ${loadavg()}`);

// The abnormal-access rules over the same data: the engine's own evaluation, as its timer runs it.
const engine = new AlertEngine(db, silentLogger(), clock, sys.config.alerts);
const evals: number[] = [];
let instances = 0;
for (let k = 0; k < 5; k++) {
  const s = await engine.evaluate(clock());
  evals.push(s.durationMs);
  instances = s.instances;
}
const interval = sys.config.alerts.evaluationInterval;
console.log(`anomaly evaluation (4 rules over ${pairs} pairs, ${Math.round(pairs / 20)} on sensitive interfaces): p50 ${q(evals, 0.5).toFixed(0)} ms, max ${Math.max(...evals).toFixed(0)} ms ` +
  `(evaluation interval ${interval / 1000} s), ${instances} alerts active`);
await sys.stop();
await db.close();
if (worst >= 150 || Math.max(...evals) >= interval) process.exitCode = 1;
