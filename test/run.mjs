#!/usr/bin/env node
// Runs every *.test.ts file in its own Node process (isolation: servers, databases, timers), two at a time,
// and ends with one line "N passed, N failed".
//   node test/run.mjs [filter-substring ...]
//   node test/run.mjs --at 2026-12-31T23:59:00+08:00 [filter ...]   the same, with the whole process tree's clock moved
//   node test/run.mjs --dates [filter ...]    the date-sensitive files (or the filtered ones) at each of DATES below
// A moved clock is libfaketime (Debian package faketime) with a relative offset, so every process of a run (the test,
// the servers it spawns, PGlite inside it, Chromium) agrees on the time, and the time runs on from the chosen instant.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('..', import.meta.url).pathname;
const beforeErrors = pathToFileURL(join(root, 'test/helpers/before-errors.mjs')).href;
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
// The edges where a date bug shows: UTC+8 is 8 h ahead of UTC, the working-day calendar (reporter.calendar) has
// holidays, make-up working days and a last covered year.
const DATES = [
  ['2026-12-31T23:59:00+08:00', 'the last minute of a year in UTC+8 (UTC is still at 15:59)'],
  ['2026-02-24T09:00:00+08:00', 'the first working day after the 2026 Spring Festival holiday'],
  ['2026-02-28T10:00:00+08:00', 'a Saturday that is a working day (调休)'],
  ['2026-11-30T23:58:00+08:00', 'the end of a month, two minutes before the next'],
  ['2028-02-29T12:00:00+08:00', '29 February 2028, in a year the calendar does not cover'],
  ['2027-07-15T10:00:00+08:00', 'a year the calendar configuration does not cover'],
];
// Files whose results could depend on the date: records and deadlines, indicators and reconciliation periods, the
// pages that show them, batch ids, retention and rollups, certificates, maintenance windows and silences.
const DATE_SENSITIVE = ['reporter/', 'test/reporter-', 'test/dashboard-browser', 'ops/province-sim', 'core/china-time', 'core/db', 'core/config', 'collector/probes/tls', 'collector/writer', 'alerts/engine', 'alerts/api'];

const argv = process.argv.slice(2);
let at = null;
let dates = false;
const filters = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--at') at = argv[++i];
  else if (argv[i] === '--dates') dates = true;
  else filters.push(argv[i]);
}
if (at !== null && Number.isNaN(Date.parse(at))) {
  console.error(`--at ${at}: not a time; write it as ISO 8601 with an offset, e.g. 2026-12-31T23:59:00+08:00`);
  process.exit(2);
}
if ((at !== null || dates) && spawnSync('faketime', ['-f', '+0', 'true']).status !== 0) {
  console.error('--at / --dates move the clock with libfaketime: install it first (apt-get install faketime)');
  process.exit(2);
}
const pick = (list) => find(root).sort().filter((f) => list.length === 0 || list.some((s) => f.includes(s)));
const files = pick(dates && filters.length === 0 ? DATE_SENSITIVE : filters);
const parallel = Number(process.env.TEST_PARALLEL ?? 2);
const timeoutMs = Number(process.env.TEST_FILE_TIMEOUT_MS ?? 600_000);
mkdirSync(join(root, 'test-artifacts'), { recursive: true });

let passed = 0, failed = 0, skipped = 0;
const failures = [];
function runFile(file, atIso, label) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const env = { ...process.env, FORCE_COLOR: '0', LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' };
    // before-errors.mjs prints a test.before hook's error, which uvu drops (and exits 1 for it).
    const node = [process.execPath, '--import', 'tsx', '--import', beforeErrors, file];
    // The offset is taken when the file starts, so each file begins at the chosen instant.
    const cmd = atIso ? ['faketime', '-f', `${offsetSeconds(atIso) >= 0 ? '+' : ''}${offsetSeconds(atIso)}`, ...node] : node;
    const child = spawn(cmd[0], cmd.slice(1), { cwd: root, env });
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
      const name = label ? `${file} @ ${label}` : file;
      console.log(`${bad ? 'FAIL' : 'ok  '} ${name} (${ok}/${total}, ${secs}s)`);
      if (bad) { failures.push(name); console.log(out.split('\n').map((l) => '    ' + l).join('\n')); }
      writeFileSync(join(root, 'test-artifacts', (label ? `at-${label.replace(/[^0-9T]/g, '')}__` : '') + file.replace(/[\/]/g, '__') + '.log'), out);
      resolve();
    });
  });
}
function offsetSeconds(atIso) {
  return Math.round((Date.parse(atIso) - Date.now()) / 1000);
}

const runs = dates ? DATES.map(([iso, why]) => ({ iso, why })) : [{ iso: at, why: null }];
const queue = runs.flatMap((r) => files.map((f) => ({ file: f, iso: r.iso })));
for (const r of runs) if (r.iso) console.log(`clock moved to ${r.iso}${r.why ? ` — ${r.why}` : ''}`);
await Promise.all(Array.from({ length: parallel }, async () => {
  while (queue.length) {
    const q = queue.shift();
    await runFile(q.file, q.iso, q.iso ?? undefined);
  }
}));
if (failures.length) console.log(`\nfailed files:\n  ${failures.join('\n  ')}`);
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed || files.length === 0 ? 1 : 0);
