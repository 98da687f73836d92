/**
 * Dashboard API latency with 30 days of data for 1,000 targets (100 modules × 10), rollups seeded directly: the
 * overview page's and the target page's requests, issued as the browser issues them (in parallel), N times each.
 * Reports p50/p95 per page (wall time of the parallel requests) and per endpoint. Goal: page p95 < 150 ms.
 *
 *   npx tsx bench/dashboard-api.ts [--targets 1000] [--days 30] [--runs 100] [--sequential]
 * --sequential issues a page's requests one after another, so each endpoint's own time shows (the embedded database
 * answers one query at a time anyway).
 */
import { parseArgs } from 'node:util';
import { parseConfig } from '../app/config';
import { startSystem } from '../app/system';
import { openTestDb } from '../test/helpers/db';
import { seedAlerts, seedMonitoring } from '../test/dashboard-seed';

const { values } = parseArgs({ options: { targets: { type: 'string', default: '1000' }, days: { type: 'string', default: '30' }, runs: { type: 'string', default: '100' }, sequential: { type: 'boolean', default: false } } });
const perModule = 10;
const modules = Math.ceil(Number(values.targets) / perModule);
const db = await openTestDb();
const now = Date.now();
let t0 = Date.now();
const { targets } = await seedMonitoring(db, { now, modules, targetsPerModule: perModule, days: Number(values.days), directRollups: true });
await seedAlerts(db, now);
await db.exec('ANALYZE');
console.log(`seeded ${targets.length} targets × ${values.days} days of 1-hour rollups (${targets.length * Number(values.days) * 24} rows) in ${((Date.now() - t0) / 1000).toFixed(1)} s on ${db.kind}`);

const system = await startSystem({ config: parseConfig('server: { host: 127.0.0.1, port: 0 }\nlog: { level: warn }'), db, roles: ['dashboard'] });
const token = (await system.auth.createToken({ name: 'bench', role: 'ops', createdBy: 'bench' })).token;
const perEndpoint = new Map<string, number[]>();
async function get(name: string, path: string) {
  const s = performance.now();
  const r = await fetch(system.url + path, { headers: { authorization: `Bearer ${token}` } });
  await r.arrayBuffer();
  if (r.status >= 500) throw new Error(`${path}: ${r.status}`);
  (perEndpoint.get(name) ?? perEndpoint.set(name, []).get(name)!).push(performance.now() - s);
}
const iso = (t: number) => new Date(t).toISOString();
const all = async (reqs: (() => Promise<void>)[]) => {
  if (values.sequential) for (const r of reqs) await r();
  else await Promise.all(reqs.map((r) => r()));
};
const pages = {
  overview: () => all([
    () => get('overview', `/api/collector/overview?from=${iso(now - 86_400_000)}&to=${iso(now)}`),
    () => get('modules', '/api/collector/modules'),
    () => get('incidents(open)', '/api/collector/incidents?open=true&limit=20'),
    () => get('alerts(firing)', '/api/alerts/alerts?state=firing&limit=1'),
  ]),
  target: (id: string) => all([
    () => get('targets(list)', '/api/collector/targets?limit=1000'),
    () => get('target', `/api/collector/targets/${id}`),
    () => get('series 24h', `/api/collector/targets/${id}/series?from=${iso(now - 86_400_000)}&to=${iso(now)}`),
    () => get('series 90d/1d', `/api/collector/targets/${id}/series?from=${iso(now - 90 * 86_400_000)}&to=${iso(now)}&step=1d`),
    () => get('results(failures)', `/api/collector/targets/${id}/results?failures=true&limit=30`),
    () => get('baseline', `/api/collector/targets/${id}/baseline`),
  ]),
};
const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const runs = Number(values.runs);
for (let i = 0; i < 5; i++) await Promise.all([pages.overview(), pages.target(targets[i].id)]); // warm-up
perEndpoint.clear();
for (const [page, fn] of Object.entries(pages)) {
  const wall: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    await fn(targets[(i * 37) % targets.length].id);
    wall.push(performance.now() - s);
  }
  console.log(`${page} page: p50 ${q(wall, 0.5).toFixed(1)} ms, p95 ${q(wall, 0.95).toFixed(1)} ms (${runs} loads, requests ${values.sequential ? "one after another" : "in parallel"})`);
}
for (const [name, xs] of perEndpoint) console.log(`  ${name.padEnd(18)} p50 ${q(xs, 0.5).toFixed(1).padStart(6)} ms  p95 ${q(xs, 0.95).toFixed(1).padStart(6)} ms`);
await system.stop();
await db.close();
