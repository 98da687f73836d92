#!/usr/bin/env node
// Runs every *.test.ts file in its own Node process (isolation: servers, databases, timers), two at a time,
// and ends with one line "N passed, N failed". Usage: node test/run.mjs [filter-substring ...]
import { spawn } from 'node:child_process';
import { readdirSync, statSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const SKIP = new Set(['node_modules', 'data', '.git', 'dist', 'test-artifacts']);
function find(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) find(p, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}
const filters = process.argv.slice(2);
const files = find(root).sort().filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
const parallel = Number(process.env.TEST_PARALLEL ?? 2);
const timeoutMs = Number(process.env.TEST_FILE_TIMEOUT_MS ?? 600_000);
mkdirSync(join(root, 'test-artifacts'), { recursive: true });

let passed = 0, failed = 0, skipped = 0;
const failures = [];
function runFile(file) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: root, env: { ...process.env, FORCE_COLOR: '0', LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => { out += `\n[runner] ${file} timed out after ${timeoutMs} ms\n`; child.kill('SIGKILL'); }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      // uvu prints "Total: N  Passed: N  Skipped: N" per file.
      const total = Number(/Total:\s+(\d+)/.exec(out)?.[1] ?? 0);
      const ok = Number(/Passed:\s+(\d+)/.exec(out)?.[1] ?? 0);
      const sk = Number(/Skipped:\s+(\d+)/.exec(out)?.[1] ?? 0);
      let bad = total - ok - sk;
      if (code !== 0 && bad === 0) bad = 1; // crashed before or after its tests
      if (total === 0 && code === 0) bad = 1, out += '\n[runner] file ran no test\n';
      passed += ok; failed += bad; skipped += sk;
      const secs = ((Date.now() - t0) / 1000).toFixed(1);
      console.log(`${bad ? 'FAIL' : 'ok  '} ${file} (${ok}/${total}, ${secs}s)`);
      if (bad) { failures.push(file); console.log(out.split('\n').map((l) => '    ' + l).join('\n')); }
      writeFileSync(join(root, 'test-artifacts', file.replace(/[\/]/g, '__') + '.log'), out);
      resolve();
    });
  });
}
const queue = [...files];
await Promise.all(Array.from({ length: parallel }, async () => { while (queue.length) await runFile(queue.shift()); }));
if (failures.length) console.log(`\nfailed files:\n  ${failures.join('\n  ')}`);
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed || files.length === 0 ? 1 : 0);
