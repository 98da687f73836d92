/**
 * Faro receiver throughput: a load generator in its own process posts Faro SDK bodies (100 items each: exceptions,
 * web-vital measurements, logs, events) over loopback with keep-alive and C concurrent requests for S seconds; the
 * receiver writes into a fresh database (DATABASE_URL's server, else embedded in memory). Reports items/s accepted
 * (202) and items/s stored (rows counted in the database afterwards; must equal accepted), p50/p99 request latency.
 *
 *   npx tsx bench/faro.ts [--seconds 20] [--concurrency 16] [--items 100] [--gzip]
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import { Registry } from 'prom-client';
import { parseConfig } from '../app/config';
import { silentLogger } from '../core/log';
import { systemClock } from '../core/time';
import type { AppEnv } from '../core/http';
import { createFaroReceiver } from '../collector/faro/index';
import { openTestDb } from '../test/helpers/db';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '20' }, concurrency: { type: 'string', default: '16' }, items: { type: 'string', default: '100' }, gzip: { type: 'boolean', default: false } } });
const KEY = 'bench-key-0123456789';

const GENERATOR = `
const { gzipSync } = require('node:zlib');
const [url, key, seconds, conc, items, gz] = process.argv.slice(1);
const n = Number(items);
function body(i) {
  const ts = new Date().toISOString();
  const meta = { sdk: { name: '@grafana/faro-web-sdk', version: '2.12.1' }, app: { name: 'bench', version: '1' }, session: { id: 's' + (i % 500) },
    page: { url: 'https://www.example.gov.cn/p/' + (i % 20) }, browser: { name: 'Chrome', version: '126', os: 'Linux' } };
  const q = Math.floor(n / 5);
  return JSON.stringify({ meta,
    exceptions: Array.from({ length: q }, (_, k) => ({ type: 'TypeError', value: 'x is undefined ' + (k % 7), timestamp: ts, stacktrace: { frames: [{ filename: 'https://www.example.gov.cn/app.js', function: 'f' + (k % 3), lineno: 1, colno: 2 }] } })),
    measurements: Array.from({ length: n - 3 * q }, (_, k) => ({ type: 'web-vitals', values: { [['lcp', 'fcp', 'ttfb', 'cls', 'inp'][k % 5]]: 100 + k }, timestamp: ts, context: { rating: 'good' } })),
    logs: Array.from({ length: q }, (_, k) => ({ level: 'info', message: 'log ' + k, timestamp: ts, context: {} })),
    events: Array.from({ length: q }, (_, k) => ({ name: 'click', timestamp: ts, attributes: { k: String(k) } })) });
}
const bodies = Array.from({ length: 64 }, (_, i) => gz === '1' ? gzipSync(body(i)) : body(i));
const headers = { 'content-type': 'application/json', 'x-api-key': key, ...(gz === '1' ? { 'content-encoding': 'gzip' } : {}) };
const end = Date.now() + Number(seconds) * 1000;
let ok = 0, other = {}, lat = [];
(async () => {
  await Promise.all(Array.from({ length: Number(conc) }, async (_, w) => {
    let i = w;
    while (Date.now() < end) {
      const t0 = performance.now();
      const r = await fetch(url, { method: 'POST', headers, body: bodies[i++ % bodies.length] });
      await r.arrayBuffer();
      lat.push(performance.now() - t0);
      if (r.status === 202) ok++; else other[r.status] = (other[r.status] || 0) + 1;
    }
  }));
  lat.sort((a, b) => a - b);
  console.log(JSON.stringify({ ok, other, p50: lat[Math.floor(lat.length * 0.5)], p99: lat[Math.floor(lat.length * 0.99)] }));
})();
`;

const db = await openTestDb();
const config = parseConfig(`faro:
  apps: [{ name: bench, key: ${KEY} }]
  rateLimit: { perSecond: 1000000, burst: 1000000 }
  maxBodyBytes: 4194304
`);
const faro = createFaroReceiver({ config, db, log: silentLogger(), clock: systemClock, metrics: new Registry() });
const app = new Hono<AppEnv>();
// The read routes need a principal; the bench reads as an ops user would (the receiver itself needs none).
app.use('*', async (c, next) => {
  c.set('principal', { kind: 'token', name: 'bench', role: 'ops' });
  await next();
});
app.route('/api/collector/faro', faro.routes);
const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
await new Promise((r) => server.once('listening', r));
const port = (server.address() as { port: number }).port;

const seconds = Number(values.seconds);
const items = Number(values.items);
const t0 = Date.now();
const child = spawn(process.execPath, ['-e', GENERATOR, `http://127.0.0.1:${port}/api/collector/faro/collect`, KEY, String(seconds), values.concurrency!, String(items), values.gzip ? '1' : '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
let out = '';
child.stdout!.on('data', (d) => (out += d));
await new Promise((r) => child.on('close', r));
const elapsed = (Date.now() - t0) / 1000;
await faro.writer.stop();
const res = JSON.parse(out);
let stored = 0;
for (const t of ['faro_exceptions', 'faro_measurements', 'faro_logs', 'faro_events']) stored += Number((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t}`)).rows[0].n);
const accepted = res.ok * items;
console.log(`faro receiver (${db.kind}, ${values.gzip ? 'gzip' : 'plain'} bodies of ${items} items, concurrency ${values.concurrency}, ${seconds}s):`);
console.log(`  requests accepted ${res.ok} (${(res.ok / elapsed).toFixed(0)}/s), other statuses ${JSON.stringify(res.other)}`);
console.log(`  items accepted ${accepted} → ${(accepted / elapsed).toFixed(0)} items/s; stored ${stored} → ${(stored / elapsed).toFixed(0)} rows/s (${stored === accepted ? 'all accepted items stored' : 'MISMATCH'})`);
console.log(`  request latency p50 ${res.p50?.toFixed(1)} ms, p99 ${res.p99?.toFixed(1)} ms; writer batches ${faro.writer.batches}`);
// The 前端体验 page's reads over the last 24 h of what was just stored.
for (const path of ['vitals', 'vitals?exact=1', 'pages', 'errors', 'sessions']) {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const s = performance.now();
    const r = await fetch(`http://127.0.0.1:${port}/api/collector/faro/${path}`);
    await r.arrayBuffer();
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  console.log(`  GET /faro/${path.padEnd(16)} median ${times[2].toFixed(0)} ms over ${stored} rows`);
}
server.close();
await db.close();
if (stored !== accepted) process.exit(1);
