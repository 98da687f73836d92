/**
 * Cold and warm start of `npm start`'s system (the demo configuration: every role, the embedded database, both
 * simulators) to the first 200 from /healthz, in a fresh data folder and then again on the same folder.
 * Ports: the server on an ephemeral port; the demo simulators need a block of 14 fixed ports, taken where a probe
 * finds them free (127.0.0.1 only). Reports wall time, the process's own `startupMs`, and its CPU time.
 *   npm run bench -- start
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { defaultTemplatePath } from '../core/db/pglite-template';

const root = new URL('..', import.meta.url).pathname;
const free = (port: number) => new Promise<boolean>((r) => {
  const s = net.createServer().once('error', () => r(false)).listen(port, '127.0.0.1', () => s.close(() => r(true)));
});
async function portBlock(n: number): Promise<number> {
  for (let base = 20_000 + Math.floor(Math.random() * 20_000); ; base += n + 1) {
    let ok = true;
    for (let i = 0; i < n && ok; i++) ok = await free(base + i);
    if (ok) return base;
  }
}

const dir = mkdtempSync(join(tmpdir(), 'bench-start-'));
const cfg = parse(readFileSync(join(root, 'ops/demo.yaml'), 'utf8'));
cfg.server = { ...cfg.server, port: 0, dataDir: join(dir, 'data') };
cfg.database = { ...cfg.database, dataDir: join(dir, 'data/db') };
cfg.log = { level: 'info' };
cfg.collector.demoSimulatorPort = await portBlock(14);
const gw = cfg.reporter?.demoGatewayPort !== undefined ? (cfg.reporter.demoGatewayPort = await portBlock(2)) : undefined;
// Targets of the demo name the simulator's ports: move them with it.
const text = stringify(cfg).replace(/127\.0\.0\.1:180(\d\d)/g, (_m, d) => `127.0.0.1:${cfg.collector.demoSimulatorPort + Number(d)}`);
const file = join(dir, 'demo.yaml');
writeFileSync(file, text);

async function once(label: string) {
  const t0 = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'app/main.ts'), '--config', file], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const started = await new Promise<{ url: string; startupMs: number }>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.includes('"city-ops started"'));
      if (line) resolve(JSON.parse(line));
    });
    child.once('exit', (c) => reject(new Error(`exited ${c} before it started:\n${out.slice(-2000)}`)));
  });
  for (;;) {
    const ok = await fetch(`${started.url}/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const wall = Date.now() - t0;
  const cpu = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const tick = 100; // USER_HZ
  const cpuS = (Number(cpu[11]) + Number(cpu[12])) / tick;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  console.log(`${label.padEnd(34)} ${String(wall).padStart(6)} ms to /healthz 200 (startupMs ${started.startupMs}, CPU ${cpuS.toFixed(2)} s)`);
}

console.log(`database template: ${existsSync(defaultTemplatePath()) ? defaultTemplatePath() : 'none (run `npm run build`)'}${gw ? '' : ''}`);
await once('cold (empty data folder)');
await once('warm (same folder, restart)');
rmSync(dir, { recursive: true, force: true });
