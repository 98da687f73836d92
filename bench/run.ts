/**
 * `npm run bench [-- name ...]`: runs every benchmark in bench/ (or those named), one after the other, each in its
 * own process so one's memory and CPU do not colour the next. Every target is on 127.0.0.1.
 * Results are printed; docs/benchmarks.md holds the numbers measured on the development machine.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const dir = new URL('.', import.meta.url).pathname;
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const passthrough = process.argv.slice(2).filter((a) => a.startsWith('-'));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.endsWith('.test.ts') && !f.startsWith('_'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();
let failed = 0;
for (const f of files) {
  console.log(`\n=== bench/${f} ${passthrough.join(' ')}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', `${dir}${f}`, ...passthrough], { stdio: 'inherit', env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' } });
  if (r.status !== 0) {
    failed++;
    console.log(`bench/${f} exited with ${r.status}`);
  }
}
process.exit(failed ? 1 : 0);
