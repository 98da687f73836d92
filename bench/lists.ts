/**
 * List APIs at 10,000 targets (issue #13): 200 modules × 50 targets with 30 days of 1-hour rollups (seeded directly)
 * and 2,000 alerts; the targets list (first page, a filtered page, a searched page, sorted by state) and the alerts
 * list (first page, filtered, searched), each N times one after another. Goal: p95 < 150 ms on each back end
 * (DATABASE_URL set: the server; else embedded).
 *
 *   npx tsx bench/lists.ts [--targets 10000] [--days 30] [--runs 100]
 */
import { parseArgs } from 'node:util';
import { parseConfig } from '../app/config';
import { startSystem } from '../app/system';
import { openTestDb } from '../test/helpers/db';
import { seedAlerts, seedMonitoring } from '../test/dashboard-seed';

const { values } = parseArgs({ options: { targets: { type: 'string', default: '10000' }, days: { type: 'string', default: '30' }, runs: { type: 'string', default: '100' } }, strict: false });
const perModule = 50;
const modules = Math.ceil(Number(values.targets) / perModule);
const db = await openTestDb();
const now = Date.now();
const t0 = Date.now();
const { targets } = await seedMonitoring(db, { now, modules, targetsPerModule: perModule, days: Number(values.days), directRollups: true });
await seedAlerts(db, now);
const alerts: unknown[][] = [];
for (let i = 0; i < 2000; i++) {
  const t = targets[(i * 7) % targets.length];
  const state = i % 10 === 0 ? 'firing' : 'resolved';
  alerts.push([`fp-b${i}`, i % 3 ? 'latency_high' : 'target_down', 'probe', JSON.stringify({ target: t.id, module: t.module, team: i % 4 ? 'ops' : 'security' }), JSON.stringify({ summary: `接口 ${t.id} 异常 ${i}` }),
    i % 3 ? 'warning' : 'critical', i % 4 ? 'ops' : 'security', t.module, t.id, state, 1, new Date(now - i * 600_000), new Date(now - i * 600_000 + 60_000), state === 'resolved' ? new Date(now - i * 600_000 + 600_000) : null, new Date(now)]);
}
await db.insertMany('alerts', ['fingerprint', 'rule', 'rule_type', 'labels', 'annotations', 'severity', 'team', 'module_id', 'target_id', 'state', 'value', 'active_at', 'starts_at', 'ends_at', 'last_eval'], alerts);
await db.exec('ANALYZE');
console.log(`seeded ${targets.length} targets in ${modules} modules × ${values.days} days of 1-hour rollups, ${alerts.length + 4} alerts in ${((Date.now() - t0) / 1000).toFixed(1)} s on ${db.kind}`);

const system = await startSystem({ config: parseConfig('server: { host: 127.0.0.1, port: 0 }\nlog: { level: warn }'), db, roles: ['dashboard'] });
const token = (await system.auth.createToken({ name: 'bench', role: 'ops', createdBy: 'bench' })).token;
const cases: [string, string][] = [
  ['targets first page', '/api/collector/targets?limit=50'],
  ['targets by state', '/api/collector/targets?limit=50&sort=state'],
  ['targets filtered', '/api/collector/targets?limit=50&module=m17&type=http&state=up,down'],
  ['targets searched', `/api/collector/targets?limit=50&q=${encodeURIComponent('m12-t3')}`],
  ['targets search+sort', `/api/collector/targets?limit=50&q=${encodeURIComponent('接口')}&sort=-name&offset=5000`],
  ['alerts first page', '/api/alerts/alerts?limit=50'],
  ['alerts filtered', '/api/alerts/alerts?limit=50&state=resolved&team=ops&severity=warning'],
  ['alerts searched', `/api/alerts/alerts?limit=50&q=${encodeURIComponent('m12-t')}`],
];
const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const runs = Number(values.runs);
let worst = 0;
for (const [name, path] of cases) {
  const xs: number[] = [];
  let total = 0;
  for (let i = 0; i < runs + 5; i++) {
    const s = performance.now();
    const r = await fetch(system.url + path, { headers: { authorization: `Bearer ${token}` } });
    const body = (await r.json()) as { total: number };
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${JSON.stringify(body)}`);
    total = body.total;
    if (i >= 5) xs.push(performance.now() - s);
  }
  worst = Math.max(worst, q(xs, 0.95));
  console.log(`  ${name.padEnd(22)} total ${String(total).padStart(6)}  p50 ${q(xs, 0.5).toFixed(1).padStart(6)} ms  p95 ${q(xs, 0.95).toFixed(1).padStart(6)} ms`);
}
console.log(`worst p95 ${worst.toFixed(1)} ms (goal < 150 ms) on ${db.kind}`);
await system.stop();
await db.close();
