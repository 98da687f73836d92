/**
 * The collector's result writer alone: batches of `--rows` HTTP results (and the newest state of each target in the
 * batch, as the engine hands them over) through `ResultWriter` into a fresh database (DATABASE_URL's server, else
 * embedded in memory), `--batches` times after 20 warm-up batches. The shape of the 1,000 × 5 s collector bench:
 * 200 results a second, one batch a second (batch.age), 1,000 targets. Reports rows/s and CPU-s per 1,000 rows of
 * this process and, on the server, of the whole database server instance (bench/_cpu.ts).
 *
 *   npx tsx bench/writer.ts [--batches 200] [--rows 200] [--targets 1000]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { silentLogger } from '../core/log';
import { Journal } from '../collector/journal';
import { ResultWriter } from '../collector/writer';
import { openTestDb } from '../test/helpers/db';
import { cpuMeter, loadavg } from './_cpu';

const { values } = parseArgs({ options: { batches: { type: 'string', default: '200' }, rows: { type: 'string', default: '200' }, targets: { type: 'string', default: '1000' } }, strict: false });
const batches = Number(values.batches);
const perBatch = Number(values.rows);
const targets = Number(values.targets);

const db = await openTestDb();
const w = new ResultWriter({ db, journal: new Journal(mkdtempSync(join(tmpdir(), 'bench-writer-'))), log: silentLogger(), clock: () => Date.now(), batchSize: 1_000_000, batchAgeMs: 1e9, bufferSize: 1_000_000 });
let n = 0;
async function batch() {
  const now = Date.now();
  for (let i = 0; i < perBatch; i++) {
    const targetId = `target-${n++ % targets}`;
    w.push({ k: 'r', r: { resultId: randomUUID(), ts: now - i, targetId, moduleId: 'm1', type: 'http', success: true, durationMs: 12.345 + i / 7, statusCode: 200, resolveMs: 0.2, connectMs: 0.3, processingMs: 4.5, transferMs: 0.7, detail: { bytes: 2800, bodyMatched: true } } });
    w.setState({ targetId, state: 'up', since: now - 100_000, consecutiveFailures: 0, consecutiveSuccesses: n, lastTs: now - i, lastSuccess: true, lastDurationMs: 12.3, lastErrorCode: null, lastError: null, lastDetail: { bytes: 2800 } });
  }
  await w.flush();
}
try {
  for (let i = 0; i < 20; i++) await batch();
  const load0 = loadavg();
  const cpu = await cpuMeter(db);
  const t0 = performance.now();
  for (let i = 0; i < batches; i++) await batch();
  const s = (performance.now() - t0) / 1000;
  const c = cpu();
  const rows = batches * perBatch;
  const per = (x: number | null) => (x == null ? 'n/a' : (x / (rows / 1000)).toFixed(4));
  console.log(JSON.stringify({ backend: db.kind, rows, rowsPerS: Math.round(rows / s), appCpuS: +c.app.toFixed(2), dbCpuS: c.db == null ? null : +c.db.toFixed(2), appCpuSPer1000: per(c.app), dbCpuSPer1000: per(c.db), writeErrors: w.totals.errors, load: `${load0} → ${loadavg()}` }));
} finally {
  await w.stop();
  await db.close();
}
