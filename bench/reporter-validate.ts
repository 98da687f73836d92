/**
 * Validation throughput: `npx tsx bench/reporter-validate.ts [records]`. Validates fixtures of all four types with an
 * in-memory reference lookup (as the intake does after loading references) and prints records/s. Target ≥ 100,000/s.
 */
import { makeFixtures, fixtureReferences } from '../reporter/fixtures/records';
import { validateRecord } from '../reporter/standard/validate';

const total = Number(process.argv[2] ?? 200_000);
const f = makeFixtures({ items: 200, officers: 400, inspections: Math.round(total * 0.6), penalties: Math.round(total * 0.4) - 600, invalidShare: 0.05, now: Date.now() });
const all = f.all();
const refs = fixtureReferences(f);
const now = Date.UTC(2026, 10, 24, 4);
// Warm-up so the JIT has compiled the hot paths.
for (let i = 0; i < Math.min(20_000, all.length); i++) validateRecord(all[i][0], all[i][1], { now, refs });
let runs = 0;
let errors = 0;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let rep = 0; rep < 3; rep++) {
  for (const [type, rec] of all) {
    errors += validateRecord(type, rec, { now, refs }).errors.length;
    runs++;
  }
}
const sec = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const cpuSec = (cpu.user + cpu.system) / 1e6;
// Wall time suffers when other work shares the machine; records per CPU-second is what one core can do.
console.log(
  `validated ${runs} records (${all.length} distinct, ${errors} errors) in ${sec.toFixed(2)} s: ` +
    `${Math.round(runs / sec).toLocaleString('en')} records/s wall, ${Math.round(runs / cpuSec).toLocaleString('en')} records per CPU-second`,
);
