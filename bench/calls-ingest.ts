/**
 * Interface call ingest, end to end: a load generator in its own process posts NDJSON batches of call records
 * (`--lines` per request, unique ids) over loopback with keep-alive and C concurrent requests for S seconds to the
 * real system's POST /api/collector/calls/ingest (token auth, the input layer, validation, the one pipeline); the
 * rows go into a fresh database (DATABASE_URL's server, else embedded in memory). Reports records/s acknowledged
 * (200 after commit) and the rows counted in the database afterwards (must equal acknowledged).
 *
 *   npx tsx bench/calls-ingest.ts [--seconds 15] [--concurrency 8] [--lines 5000] [--gzip]
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { parseConfig } from '../app/config';
import { startSystem } from '../app/system';
import { silentLogger } from '../core/log';
import { openTestDb } from '../test/helpers/db';
import { cpuMeter, loadavg } from './_cpu';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '15' }, concurrency: { type: 'string', default: '8' }, lines: { type: 'string', default: '5000' }, gzip: { type: 'boolean', default: false } }, strict: false });

const GENERATOR = `
const { gzipSync } = require('node:zlib');
const [url, token, seconds, conc, lines, gz] = process.argv.slice(1);
const n = Number(lines);
const ts = new Date(Date.now() - 60000).toISOString();
const depts = ['市公安局', '市民政局', '市税务局', '市市场监管局', '市卫健委', '市人社局', '市住建局', '市教育局'];
const template = Array.from({ length: n }, (_, k) => JSON.stringify({ time: ts, interface: 'IF' + (k % 200), callerDept: depts[k % depts.length], callerSystem: 'sys' + (k % 3),
  callerId: 'u' + (k % 50), status: k % 50 ? 200 : 500, latencyMs: 5 + (k % 97), records: k % 20, bytes: 800 + k % 400, id: '§-' + k })).join('\\n');
const headers = { 'content-type': 'application/x-ndjson', authorization: 'Bearer ' + token, ...(gz === '1' ? { 'content-encoding': 'gzip' } : {}) };
const end = Date.now() + Number(seconds) * 1000;
let ok = 0, other = {}, lat = [];
(async () => {
  await Promise.all(Array.from({ length: Number(conc) }, async (_, w) => {
    let i = 0;
    while (Date.now() < end) {
      const text = template.replaceAll('§', w + '.' + i++);
      const body = gz === '1' ? gzipSync(text) : text;
      const t0 = performance.now();
      const r = await fetch(url, { method: 'POST', headers, body });
      const j = await r.json();
      lat.push(performance.now() - t0);
      if (r.status === 200) ok += j.inserted; else other[r.status] = (other[r.status] || 0) + 1;
    }
  }));
  lat.sort((a, b) => a - b);
  const cpu = process.cpuUsage();
  console.log(JSON.stringify({ ok, other, p50: lat[Math.floor(lat.length * 0.5)], p99: lat[Math.floor(lat.length * 0.99)], cpu: (cpu.user + cpu.system) / 1e6 }));
})();
`;

const db = await openTestDb();
const sys = await startSystem({ config: parseConfig('server: { host: 127.0.0.1, port: 0 }\nlog: { level: silent }\ncalls: { staging: { enabled: false } }\n', '<inline>'), db, log: silentLogger(), roles: [] });
const token = (await sys.auth.createToken({ name: 'bench', role: 'ops', createdBy: 'bench' })).token;
const seconds = Number(values.seconds);
const load0 = loadavg();
const cpu = await cpuMeter(db);
const t0 = performance.now();
const child = spawn(process.execPath, ['-e', GENERATOR, `${sys.url}/api/collector/calls/ingest`, token, String(values.seconds), String(values.concurrency), String(values.lines), values.gzip ? '1' : '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
let out = '';
child.stdout.on('data', (d) => (out += d));
await new Promise((r) => child.once('exit', r));
const elapsed = (performance.now() - t0) / 1000;
const used = cpu();
const r = JSON.parse(out) as { ok: number; other: Record<string, number>; p50: number; p99: number; cpu: number };
const stored = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM call_records')).rows[0].n;
console.log(
  `calls ingest (${db.kind}${values.gzip ? ', gzip' : ''}, ${values.concurrency} concurrent, ${values.lines} lines/request, ${seconds}s): ` +
    `${Math.round(r.ok / elapsed).toLocaleString('en')} records/s acknowledged, ${stored.toLocaleString('en')} stored (acknowledged ${r.ok.toLocaleString('en')}), ` +
    `request p50 ${r.p50?.toFixed(0)} ms p99 ${r.p99?.toFixed(0)} ms${Object.keys(r.other).length ? `, other answers ${JSON.stringify(r.other)}` : ''}`,
);
const per = (s: number) => (r.ok ? ((s / r.ok) * 100_000).toFixed(2) : '–');
console.log(
  `  CPU-s per 100k records: app ${per(used.app)}${used.db != null ? `, database server ${per(used.db)}, app + database ${per(used.app + used.db)}` : ' (database in process)'}` +
    `; load generator ${per(r.cpu)} (not counted); loadavg before ${load0}, after ${loadavg()}`,
);
await sys.stop();
await db.close();
if (stored !== r.ok) {
  console.error(`stored ${stored} ≠ acknowledged ${r.ok}`);
  process.exit(1);
}
