/**
 * Import throughput: `npx tsx bench/reporter-import.ts [rows] [--xlsx] [--trace]` (default 20,000 INSPECTION rows,
 * 5 % invalid; goal ≥ 5,000 records/s on the TimescaleDB server (DATABASE_URL), ≥ 2,000/s embedded). Imports the
 * ITEMs and OFFICERs first (not counted), then the INSPECTION file through importFile — the one pipeline the API and
 * the command use (read, validate, duplicates, store, findings) — and prints records/s on the import's own clock.
 *
 * On a shared machine the wall clock says little, so it also prints what load does not change: the import process's
 * CPU time per 1,000 records (embedded: this includes the database, which runs in-process), the statements sent
 * per 1,000 records (round trips), and on a server on this machine (ops/timescaledb-local) the CPU time its backend
 * processes spent (/proc of the postmaster's children). `--trace` lists the time per statement.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtempSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTestDb } from '../test/helpers/db';
import type { Db, Queryable } from '../core/db';
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
// Every statement is counted (inside transactions too); with --trace also timed.
let statements = 0;
const tracing = process.argv.includes('--trace');
const counted = <A extends unknown[], R>(name: string, fn: (...a: A) => Promise<R>) => {
  const t = tracing ? timed(name, fn) : fn;
  return (...a: A) => (statements++, t(...a));
};
const wrapQ = (q: Queryable, pre: string): Queryable => ({ query: counted(pre + 'query', q.query.bind(q)) as Queryable['query'], exec: counted(pre + 'exec', q.exec.bind(q)) });
const db: Db = Object.assign(Object.create(raw), {
  ...wrapQ(raw, ''),
  tx: <T>(fn: (q: Queryable) => Promise<T>) => raw.tx((q) => ((statements += 2), fn(wrapQ(q, 'tx.')))),
  insertMany: (t: string, c: string[], r: unknown[][], suf?: string, q?: Queryable) => raw.insertMany(t, c, r, suf, q ? wrapQ(q, 'tx.') : wrapQ(raw, '')),
});
/** CPU seconds (user + system) of the server's backends, when it runs on this machine; undefined otherwise. */
const postmaster = raw.kind === 'server' ? await raw.query<{ pid: number }>('SELECT pg_backend_pid() AS pid').then((r) => ppid(r.rows[0].pid)) : undefined;
function ppid(pid: number): number | undefined {
  try {
    return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1]);
  } catch {
    return undefined;
  }
}
function serverCpu(): number | undefined {
  if (!postmaster) return undefined;
  let ticks = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const f = readFileSync(`/proc/${d}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
      if (Number(f[1]) === postmaster || Number(d) === postmaster) ticks += Number(f[11]) + Number(f[12]);
    } catch {
      /* gone */
    }
  }
  return ticks / 100;
}
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
statements = 0;
const cpu0 = process.cpuUsage();
const srv0 = serverCpu();
const t0 = performance.now();
const s = await importFile({ intake, dataType: 'INSPECTION', file });
const secs = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const srv = srv0 === undefined ? undefined : serverCpu()! - srv0;
console.log(
  `${s.rows.toLocaleString('en')} INSPECTION rows (${xlsx ? 'xlsx' : 'CSV'}, ${(statSync(file).size / 1048576).toFixed(1)} MiB) into the ${db.kind} database in ${secs.toFixed(1)} s: ` +
    `${Math.round(s.rows / secs).toLocaleString('en')} records/s (accepted ${s.accepted}, rejected ${s.rejected}, waiting ${s.heldReference}, warned ${s.warned})`,
);
const per1k = (x: number) => ((x * 1000) / s.rows).toFixed(2);
console.log(
  `per 1,000 records: import process ${per1k((cpu.user + cpu.system) / 1e6)} CPU-s` +
    (srv === undefined ? '' : `, database backends ${per1k(srv)} CPU-s`) +
    `, ${per1k(statements)} statements; load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')}`,
);
const goal = db.kind === 'server' ? 5_000 : 2_000;
console.log(`goal ≥ ${goal.toLocaleString('en')}/s on ${db.kind}: ${s.rows / secs >= goal ? 'OK' : 'NOT MET'}`);
if (process.argv.includes('--trace')) for (const [k, v] of [...trace].sort((a, b) => b[1].ms - a[1].ms).slice(0, 20)) console.log(`${v.ms.toFixed(0).padStart(7)} ms ${String(v.n).padStart(6)}× ${k}`);
await raw.close();
