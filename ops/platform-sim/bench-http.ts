// Load check of the http probe: `npx tsx ops/platform-sim/bench-http.ts [rate=333] [seconds=10] [targets=50]`.
// The simulator runs in a child process so the CPU measured here is the probe's alone.
import { spawn } from 'node:child_process';
import { httpProbe, httpSpecSchema } from '../../collector/probes/http';

const [rate = 333, seconds = 10, targets = 50] = process.argv.slice(2).map(Number);
const child = spawn(process.execPath, ['--import', 'tsx', new URL('./main.ts', import.meta.url).pathname, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
let out = '';
const info = await new Promise<{ urls: Record<string, string> }>((resolve) =>
  child.stdout.on('data', (d) => {
    out += d;
    try {
      resolve(JSON.parse(out));
    } catch {
      /* partial */
    }
  }),
);
// One spec per target, as the scheduler holds them: each has its own keep-alive agent.
const specs = Array.from({ length: targets }, (_, i) =>
  httpSpecSchema.parse({ url: `${info.urls.exchangeStatus}?t=${i}`, ...(process.env.NO_JSON ? {} : { json: [{ path: "$.status", equals: "ok" }] }) }),
);
const durations: number[] = [];
let failures = 0;
const total = rate * seconds;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
let inFlight = 0;
await new Promise<void>((resolve) => {
  let sent = 0;
  const tick = setInterval(() => {
    const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate));
    for (; sent < due; sent++) {
      inFlight++;
      void httpProbe(specs[sent % targets], { signal: AbortSignal.timeout(5000), timeoutMs: 5000, now: Date.now }).then((o) => {
        inFlight--;
        durations.push(o.durationMs);
        if (!o.success) failures++;
        if (durations.length === total) resolve();
      });
    }
    if (sent >= total) clearInterval(tick);
  }, 5);
});
const wall = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
durations.sort((a, b) => a - b);
const p = (q: number) => durations[Math.floor(q * (durations.length - 1))];
console.log(JSON.stringify({ probes: total, failures, achievedPerSec: Math.round(total / wall), cpuPercentOfOneCore: Math.round(((cpu.user + cpu.system) / 1e6 / wall) * 100), cpuMsPerProbe: +((cpu.user + cpu.system) / 1000 / total).toFixed(3), p50: p(0.5), p95: p(0.95), p99: p(0.99), inFlightAtEnd: inFlight }));
child.kill('SIGTERM');
process.exit(0);
