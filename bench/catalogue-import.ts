/**
 * Interface catalogue import benchmark (README: 接口目录导入). `npx tsx bench/catalogue-import.ts [--rows=10000]`
 * (DATABASE_URL for the server back end; embedded in memory otherwise). Everything on 127.0.0.1.
 *
 * A CSV catalogue of N interfaces in 200 systems (GBK, as spreadsheets export it; interval 1h, at a local server):
 * first its parts in-process on a store of its own (read, plan, apply: no running system), then imported into a
 * running system through its API: the dry run (read, map, whole-configuration check), the import
 * (one transaction, N + 200 versions, applied to the running scheduler: timed until the catalogue table has every
 * target active), a re-import of the same file (all unchanged) and one with 1 % of the rows changed.
 */
import http from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../app/config';
import { startSystem } from '../app/system';
import { openDb, type Db } from '../core/db';
import { silentLogger } from '../core/log';
import { toGbk } from '../test/helpers/gbk';
import { openConfigObjects } from '../app/objects';
import { readCatalogue } from '../collector/catalogue/read';
import { planCatalogue } from '../collector/catalogue/plan';

const arg = (k: string, d: number) => Number(process.argv.find((a) => a.startsWith(`--${k}=`))?.split('=')[1] ?? d);
const N = arg('rows', 10_000);

async function openBenchDb(): Promise<Db> {
  if (!process.env.DATABASE_URL) return openDb({});
  const { openTestDb } = await import('../test/helpers/db');
  return openTestDb();
}

const svc = http.createServer((_req, res) => void res.end('{"code":0}'));
await new Promise<void>((r) => svc.listen(0, '127.0.0.1', () => r()));
const url = `http://127.0.0.1:${(svc.address() as { port: number }).port}`;
const dir = mkdtempSync(join(tmpdir(), 'bench-catalogue-'));
const file = join(dir, 'config.yaml');
const yaml = `
server: { host: 127.0.0.1, port: 0 }
log: { level: silent }
collector:
  journalDir: ${dir}/journal
`;
writeFileSync(file, yaml);
const db = await openBenchDb();
const sys = await startSystem({ config: parseConfig(yaml, file), db, log: silentLogger() });
const token = (await sys.auth.createToken({ name: 'bench', role: 'ops', createdBy: 'bench' })).token;

const HEADER = '接口编码,接口名称,接口地址,请求方式,所属系统,提供部门,重要程度,是否涉敏,期望状态码,断言,检测间隔';
const csv = (changed = -1) => toGbk([HEADER, ...Array.from({ length: N }, (_, i) =>
  `JK-${String(i).padStart(6, '0')},接口${i}${i % 100 === changed ? '（新）' : ''},${url}/if/${i},GET,系统${i % 200},部门${i % 37},${['高', '中', '低', '核心'][i % 4]},${i % 10 ? '否' : '是'},200,$.code == 0,1h`)].join('\r\n') + '\r\n');

async function post(body: Buffer, q: string) {
  const t0 = performance.now();
  const res = await fetch(`${sys.url}/api/collector/config/catalogue${q}`, { method: 'POST', body: new Uint8Array(body), headers: { 'content-type': 'application/octet-stream', authorization: `Bearer ${token}` } });
  const j = (await res.json()) as any;
  if (res.status !== 200) throw new Error(`${res.status} ${JSON.stringify(j).slice(0, 300)}`);
  return { ms: performance.now() - t0, j };
}
const active = async () => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM targets WHERE active`)).rows[0].n;

const body = csv();
{
  const own = await openDb({});
  const objects = openConfigObjects(own, Date.now, () => parseConfig(yaml, file));
  let t = performance.now();
  const lap = () => { const n = performance.now(); const ms = n - t; t = n; return ms.toFixed(0); };
  const read = readCatalogue(body);
  const readMs = lap();
  const plan = await planCatalogue(objects, read, { dryRun: true });
  const planMs = lap();
  await objects.apply({ changes: plan.changes, errors: [] }, { name: 'bench' });
  const applyMs = lap();
  const again = await planCatalogue(objects, read, { dryRun: true });
  console.log(`in-process, no running system: read (GBK decode, CSV, cell checks) ${readMs} ms, plan ${planMs} ms, apply (one transaction, ${plan.changes.length} versions) ${applyMs} ms, re-plan unchanged ${lap()} ms (${again.preview.counts.unchanged} unchanged)`);
  await own.close();
}
console.log(`catalogue: ${N} rows in 200 systems, ${(body.length / 1048576).toFixed(1)} MiB GBK CSV; backend ${db.kind}`);
const dry = await post(body, '?dryRun=1');
console.log(`dry run (read, map, whole-configuration check): ${dry.ms.toFixed(0)} ms — create ${dry.j.counts.create}, modules ${dry.j.counts.modulesCreated}, errors ${dry.j.counts.errors}`);
const t0 = performance.now();
const applied = await post(body, '');
while ((await active()) < N) await new Promise((r) => setTimeout(r, 50));
console.log(`import: answered in ${applied.ms.toFixed(0)} ms; every target active in the running scheduler's catalogue after ${(performance.now() - t0).toFixed(0)} ms`);
const same = await post(body, '');
console.log(`re-import, unchanged: ${same.ms.toFixed(0)} ms — unchanged ${same.j.counts.unchanged}, update ${same.j.counts.update}`);
const some = await post(csv(7), '');
console.log(`re-import, 1 % changed: ${some.ms.toFixed(0)} ms — update ${some.j.counts.update}`);
await sys.stop();
await db.close();
svc.close();
