/**
 * Configuration store benchmark (README: 统一配置). `npx tsx bench/config-edit.ts [--targets=10000] [--trials=20]`
 * (DATABASE_URL for the server back end; embedded in memory otherwise). Everything on 127.0.0.1.
 *
 * N http targets (interval 1h, at a local server) are stored as UI-managed objects (one `config import`
 * transaction, timed), then the whole system starts. Each trial edits one target through the API
 * (PUT /api/collector/config/targets/:id, its expected status) and measures until the answer: by then the edit is
 * validated with the whole configuration, versioned, audited, mirrored into the catalogue and handed to the running
 * scheduler (the reload path runs before the answer). Checked after each trial: the catalogue row has the new spec.
 * Goal: p95 < 1 s at 10,000 targets. Then the admin's export → dry run → apply through /api/config (one target changed).
 */
import http from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../app/config';
import { startSystem } from '../app/system';
import { openConfigObjects } from '../app/objects';
import { openDb, type Db } from '../core/db';
import { silentLogger } from '../core/log';

const arg = (k: string, d: number) => Number(process.argv.find((a) => a.startsWith(`--${k}=`))?.split('=')[1] ?? d);
const N = arg('targets', 10_000);
const TRIALS = arg('trials', 20);

async function openBenchDb(): Promise<Db> {
  if (!process.env.DATABASE_URL) return openDb({});
  const { openTestDb } = await import('../test/helpers/db');
  return openTestDb();
}

const svc = http.createServer((_req, res) => void res.end('ok'));
await new Promise<void>((r) => svc.listen(0, '127.0.0.1', () => r()));
const url = `http://127.0.0.1:${(svc.address() as { port: number }).port}/`;
const dir = mkdtempSync(join(tmpdir(), 'bench-config-'));
const file = join(dir, 'config.yaml');
const yaml = `
server: { host: 127.0.0.1, port: 0 }
log: { level: silent }
collector:
  journalDir: ${dir}/journal
  modules: [{ id: m0, name: 模块0 }]
`;
writeFileSync(file, yaml);
const config = parseConfig(yaml, file);
const db = await openBenchDb();
const objects = openConfigObjects(db, Date.now, () => config);
const modules = Array.from({ length: 200 }, (_, m) => ({ id: `mod${m}`, name: `模块${m}` }));
const targets = Array.from({ length: N }, (_, i) => ({ id: `t${i}`, module: `mod${i % 200}`, name: `接口${i}`, type: 'http', interval: '1h', spec: { url: `${url}t${i}` } }));
let t0 = performance.now();
const plan = await objects.plan({ collector: { modules, targets } });
const planMs = performance.now() - t0;
t0 = performance.now();
await objects.apply(plan, { name: 'bench' });
console.log(`import of ${N} targets in 200 modules: plan ${planMs.toFixed(0)} ms, apply (one transaction) ${(performance.now() - t0).toFixed(0)} ms`);

t0 = performance.now();
const sys = await startSystem({ config, db, log: silentLogger() });
console.log(`system started with ${N} stored targets in ${(performance.now() - t0).toFixed(0)} ms (backend ${db.kind})`);
const token = (await sys.auth.createToken({ name: 'bench', role: 'ops', createdBy: 'bench' })).token;
const ms: number[] = [];
for (let k = 0; k < TRIALS; k++) {
  const id = `t${(k * 7919) % N}`;
  const status = 200 + (k % 5);
  const start = performance.now();
  const res = await fetch(`${sys.url}/api/collector/config/targets/${id}`, {
    method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ data: { id, module: `mod${Number(id.slice(1)) % 200}`, name: `接口${id}`, type: 'http', interval: '1h', spec: { url: `${url}${id}`, expectStatus: [status, '2xx'] } }, reason: 'bench' }),
  });
  const took = performance.now() - start;
  if (res.status !== 200) throw new Error(`edit refused: ${res.status} ${await res.text()}`);
  const row = await db.query<{ spec: any }>(`SELECT spec FROM targets WHERE id = $1`, [id]);
  if (row.rows[0]?.spec?.expectStatus?.[0] !== status) throw new Error(`edit of ${id} not applied to the catalogue`);
  ms.push(took);
}
ms.sort((a, b) => a - b);
const q = (p: number) => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))];
console.log(`target edit applied to the running scheduler (${N} targets, ${TRIALS} edits): p50 ${q(0.5).toFixed(0)} ms, p95 ${q(0.95).toFixed(0)} ms, max ${ms[ms.length - 1].toFixed(0)} ms (goal < 1000 ms)`);

// The admin's round trip in the browser (管理 → 配置导出与导入): export, a dry run of the file with one interval
// changed, then the apply — the API calls the page makes.
const admin = (await sys.auth.createToken({ name: 'bench-admin', role: 'admin', createdBy: 'bench' })).token;
t0 = performance.now();
const exported = await (await fetch(`${sys.url}/api/config/export`, { headers: { authorization: `Bearer ${admin}` } })).text();
const exportMs = performance.now() - t0;
const edited = exported.replace(/(- id: t1\n(?:\s{4,}.*\n)*?\s{4,}interval: )1h/, '$145m');
if (edited === exported) throw new Error('could not edit t1 in the export');
const importCall = async (dryRun: boolean) => {
  const start = performance.now();
  const res = await fetch(`${sys.url}/api/config/import`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` }, body: JSON.stringify({ yaml: edited, dryRun }) });
  const body = (await res.json()) as { changed: number; applied: boolean };
  if (res.status !== 200 || body.changed !== 1) throw new Error(`import ${dryRun ? 'dry run' : 'apply'}: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
  return performance.now() - start;
};
const dryMs = await importCall(true);
const applyMs = await importCall(false);
console.log(`admin export → import (${N} targets, ${(exported.length / 1024 / 1024).toFixed(1)} MiB YAML): export ${exportMs.toFixed(0)} ms, dry run (the diff) ${dryMs.toFixed(0)} ms, apply ${applyMs.toFixed(0)} ms`);
await sys.stop();
await db.close();
svc.close();
