/**
 * Import throughput: `npx tsx bench/reporter-import.ts [rows] [--xlsx]` (default 20,000 INSPECTION rows, 5 % invalid;
 * goal ≥ 5,000 records/s on the TimescaleDB server (DATABASE_URL), ≥ 2,000/s embedded). Imports the ITEMs and
 * OFFICERs first (not counted), then the INSPECTION file through importFile — the one pipeline the API and the
 * command use (read, validate, duplicates, store, findings) — and prints records/s on the import's own clock.
 */
import { mkdtempSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTestDb } from '../test/helpers/db';
import { makeFixtures, recordsToCsv, recordsToXlsx } from '../reporter/fixtures/records';
import { importFile } from '../reporter/intake/import';
import { Intake } from '../reporter/intake/service';

const rows = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 20_000);
const xlsx = process.argv.includes('--xlsx');
const dir = mkdtempSync(join(tmpdir(), 'bench-import-'));
const raw = await openTestDb();
// --trace: the time per SQL statement (first 80 characters), to see where the import spends it.
const trace = new Map<string, { n: number; ms: number }>();
const timed = <A extends unknown[], R>(name: string, fn: (...a: A) => Promise<R>) => async (...a: A): Promise<R> => {
  const t = performance.now();
  try {
    return await fn(...a);
  } finally {
    const k = name + ' ' + String(a[0]).replace(/\s+/g, ' ').slice(0, 90);
    const e = trace.get(k) ?? { n: 0, ms: 0 };
    e.n++;
    e.ms += performance.now() - t;
    trace.set(k, e);
  }
};
const db = process.argv.includes('--trace')
  ? Object.assign(Object.create(raw), { query: timed('query', raw.query.bind(raw)), insertMany: timed('insertMany', raw.insertMany.bind(raw)), exec: timed('exec', raw.exec.bind(raw)) })
  : raw;
const intake = new Intake({ db });
const fx = makeFixtures({ seed: 15, items: 50, officers: 200, inspections: rows, penalties: 0, invalidShare: 0.05, now: Date.now() });
for (const t of ['ITEM', 'OFFICER'] as const) {
  const file = join(dir, `${t}.csv`);
  writeFileSync(file, recordsToCsv(t, fx[t]));
  await importFile({ intake, dataType: t, file });
}
const file = join(dir, xlsx ? 'ins.xlsx' : 'ins.csv');
writeFileSync(file, xlsx ? await recordsToXlsx('INSPECTION', fx.INSPECTION, { dates: true }) : recordsToCsv('INSPECTION', fx.INSPECTION, { bom: true }));
trace.clear();
const t0 = performance.now();
const s = await importFile({ intake, dataType: 'INSPECTION', file });
const secs = (performance.now() - t0) / 1000;
console.log(
  `${s.rows.toLocaleString('en')} INSPECTION rows (${xlsx ? 'xlsx' : 'CSV'}, ${(statSync(file).size / 1048576).toFixed(1)} MiB) into the ${db.kind} database in ${secs.toFixed(1)} s: ` +
    `${Math.round(s.rows / secs).toLocaleString('en')} records/s (accepted ${s.accepted}, rejected ${s.rejected}, waiting ${s.heldReference}, warned ${s.warned})`,
);
const goal = db.kind === 'server' ? 5_000 : 2_000;
console.log(`goal ≥ ${goal.toLocaleString('en')}/s on ${db.kind}: ${s.rows / secs >= goal ? 'OK' : 'NOT MET'}`);
if (process.argv.includes('--trace')) for (const [k, v] of [...trace].sort((a, b) => b[1].ms - a[1].ms).slice(0, 20)) console.log(`${v.ms.toFixed(0).padStart(7)} ms ${String(v.n).padStart(6)}× ${k}`);
await raw.close();
