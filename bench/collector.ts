/**
 * Collector benchmark: N HTTP targets at an interval (default 30 s) against a fast local HTTP server (its own
 * process), the collector engine with its real writer into a fresh database (DATABASE_URL's server, else embedded in
 * a fresh data folder as `npm start` runs it; `--in-memory`: PGlite's in-memory file system, whose files then count
 * as RSS). Reports probes/s, scheduling lag p50/p99, CPU % (of one core), peak RSS and rows/s for each N; then runs
 * the same N targets through Prometheus + blackbox_exporter (Debian packages, loopback ports, generated configs) and
 * compares all-in CPU-seconds per 1,000 probes. Like for like: every target serves the same ~2.8 KB HTML page and
 * both sides assert a keyword in it (collector `bodyContains`, blackbox `fail_if_body_not_matches_regexp`), GET over
 * IPv4 with a 5 s timeout; the target server counts each side's requests, and each side's failed probes are reported.
 *
 * All-in CPU: the collector process, plus on the server back end every process of the database server instance
 * (its postmaster and all its children — the bench's backends, WAL writer, checkpointer, autovacuum, TimescaleDB's
 * job workers — user + system from /proc, reaped children included). Give the bench a server instance of its own
 * (`TSDB_LOCAL_INSTANCE=bench ops/timescaledb-local start`), or other clients' queries count too. On the embedded back
 * end the database runs inside the collector process and is in its CPU already. The peer: blackbox_exporter plus
 * Prometheus (its scrapes and TSDB). The target server is neither side's.
 *
 * The floor: a bare `node:http` loop (its own process) on the same targets, same keyword search in the body's bytes,
 * agents as the collector has them (`reuse`: keep-alive; `fresh`: a connection per request), nothing stored, no
 * scheduler, no state, no metrics. What the collector costs above it is its own work; what it costs up to it is Node's
 * HTTP client (undici's `request` measured the same within 5 % on this machine, so the floor is not node:http's).
 *
 *   npx tsx bench/collector.ts [--targets 1000,5000,10000] [--interval 30] [--seconds 120] [--warmup 35] [--no-blackbox] [--no-floor] [--connection fresh|reuse] [--cpu-prof DIR] [--in-memory]
 * Every address is 127.0.0.1. Each N runs in its own process so one run's memory does not colour the next.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    targets: { type: 'string', default: '1000,5000,10000' },
    seconds: { type: 'string', default: '120' },
    warmup: { type: 'string', default: '35' },
    /** Probe (and scrape) interval, seconds. */
    interval: { type: 'string', default: '30' },
    'no-blackbox': { type: 'boolean', default: false },
    /** Skip the bare node:http loop (the HTTP client's floor) on the same targets. */
    'no-floor': { type: 'boolean', default: false },
    'floor-child': { type: 'string' },
    /** fresh (a connection per probe, like blackbox) or reuse (keep-alive). */
    connection: { type: 'string', default: 'fresh' },
    /** Write a CPU profile of each collector run (node --cpu-prof) into this folder. */
    'cpu-prof': { type: 'string' },
    /** The embedded database in memory (the tests' way) instead of a data folder (what `npm start` runs). */
    'in-memory': { type: 'boolean', default: false },
    child: { type: 'string' },
    port: { type: 'string' },
  },
});
const seconds = Number(values.seconds);
const warmup = Number(values.warmup);
const interval = Number(values.interval);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------------------------
// The target server: its own process, counts hits per path prefix (/c/ collector, /bb/ blackbox). Every probe gets
// the same realistic small page (about 3 KB of UTF-8 HTML, the keyword near its end), and both sides assert the
// keyword: the collector with `bodyContains`, blackbox_exporter with `fail_if_body_not_matches_regexp`.
const KEYWORD = '共享交换平台运行正常';
const TARGET_SERVER = `
const http = require('node:http');
const hits = { c: 0, bb: 0 };
const rows = Array.from({ length: 24 }, (_, i) => '<tr><td>服务' + i + '</td><td>数据接口 /api/v2/exchange/' + i + '</td><td>200</td><td>' + (12 + i) + ' ms</td></tr>').join('\\n');
const page = Buffer.from('<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>城市大数据局 共享交换平台</title>' +
  '<link rel="stylesheet" href="/static/app.css"></head><body><header><h1>共享交换平台 服务状态</h1><nav><a href="/">首页</a> <a href="/api">接口目录</a></nav></header>' +
  '<main><table><thead><tr><th>服务</th><th>接口</th><th>状态</th><th>耗时</th></tr></thead><tbody>' + rows + '</tbody></table>' +
  '<p class="status">${KEYWORD}</p></main><footer>© 城市大数据局</footer></body></html>');
const s = http.createServer((req, res) => {
  if (req.url === '/__count') return res.end(JSON.stringify(hits));
  if (req.url.startsWith('/bb/')) hits.bb++; else hits.c++;
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': page.length });
  res.end(page);
});
s.keepAliveTimeout = 20000;
s.listen(0, '127.0.0.1', () => console.log(s.address().port + ' ' + page.length));
`;

async function startTargetServer(): Promise<{ port: number; bodyBytes: number; proc: ChildProcess; count(): Promise<{ c: number; bb: number }> }> {
  const proc = spawn(process.execPath, ['-e', TARGET_SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [port, bodyBytes] = await new Promise<number[]>((resolve) => proc.stdout!.once('data', (d) => resolve(String(d).trim().split(' ').map(Number))));
  return { port: port!, bodyBytes: bodyBytes!, proc, count: () => countHits(port!) };
}

async function countHits(port: number): Promise<{ c: number; bb: number }> {
  return (await fetch(`http://127.0.0.1:${port}/__count`)).json() as Promise<{ c: number; bb: number }>;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

/** CPU seconds (user + system) and RSS of a process from /proc. */
function procStat(pid: number): { cpu: number; rss: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const tick = 100; // USER_HZ on Linux
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return { cpu: (Number(f[11]) + Number(f[12])) / tick, rss: rssKb * 1024 };
}

/**
 * CPU seconds of a database server instance: its postmaster (own + reaped children) and every live child (own +
 * reaped). A backend that exits between two samples moves from the children's sum to the postmaster's reaped time,
 * so the difference of two samples is the instance's CPU in between.
 */
function instanceCpu(postmaster: number): number {
  const ticks = (f: string[], withChildren: boolean) => (Number(f[11]) + Number(f[12]) + (withChildren ? Number(f[13]) + Number(f[14]) : 0)) / 100;
  const fields = (pid: number | string) => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  };
  let total = ticks(fields(postmaster), true);
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const f = fields(pid);
      if (Number(f[1]) === postmaster) total += ticks(f, true);
    } catch {
      /* exited meanwhile */
    }
  }
  return total;
}

/** CPU seconds of this process's main thread and of the others by name (V8's GC and compiler workers, libuv's pool). */
function threadCpu(): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // Node names its threads "node" (main, V8 workers) or e.g. "libuv-worker"; the main thread's tid is the pid.
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/\d+$/, '');
      const name = Number(tid) === process.pid ? 'main' : `${comm} (other)`;
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(name, (out.get(name) ?? 0) + (Number(f[11]) + Number(f[12])) / 100);
    } catch {
      /* exited */
    }
  }
  return out;
}

interface RunResult {
  targets: number;
  backend: string;
  connection: string;
  intervalS: number;
  seconds: number;
  probesPerS: number;
  lagP50Ms: number;
  lagP99Ms: number;
  cpuPct: number;
  /** The collector process alone. */
  cpuSecondsPer1000Probes: number;
  appCpuS: number;
  /** Of which in the kernel (sockets: a fresh connection's connect and close are mostly here). */
  appSysCpuS: number;
  /** The app's CPU-s by thread name (those above 0.1 s). */
  threads: Record<string, number>;
  /** The database server instance's processes (0 on the embedded back end: it is in the app's). */
  dbCpuS: number;
  /** (app + database server) CPU-s per 1,000 probes. */
  allInCpuSPer1000: number;
  /** Machine load average (1 min) at the end of the run: other work on the machine. */
  load1: number;
  peakRssMb: number;
  peakHeapMb: number;
  /** VmHWM: the whole run's peak RSS, start-up and configuration parsing included. */
  hwmRssMb: number;
  rowsPerS: number;
  writeErrors: number;
  /** Requests the target server saw from the collector per interval (should be the number of targets). */
  hitsPerInterval: number;
  /** Results of the measured window that failed (the keyword not found, a timeout...): should be 0. */
  failedResults: number;
}

// ---------------------------------------------------------------------------------------------------------------
// One collector run (child process).
async function childRun(n: number, port: number): Promise<RunResult> {
  const { Registry } = await import('prom-client');
  const { parseConfig } = await import('../app/config');
  const { silentLogger } = await import('../core/log');
  const { CollectorEngine } = await import('../collector/engine');
  const { openTestDb, backend } = await import('../test/helpers/db');
  // Built and parsed in a helper so the 10,000-line text is garbage before the run (a local would live as long as it).
  const config = benchConfig(parseConfig, n, port);
  const dir = mkdtempSync(join(tmpdir(), 'bench-collector-'));
  const { openDb } = await import('../core/db');
  const db = backend === 'embedded' && !values['in-memory'] ? await openDb({ dataDir: join(dir, 'db') }) : await openTestDb();
  const engine = new CollectorEngine({ db, log: silentLogger(), clock: Date.now, metrics: new Registry(), journalDir: join(dir, 'journal') }, config);
  // The server instance: the postmaster is the parent of this connection's backend (same pid namespace: the local
  // server runs in a chroot on this machine). Unknown (remote server) → the database's CPU cannot be counted: say so.
  let postmaster = 0;
  if (backend === 'server') {
    const pid = Number((await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid);
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      postmaster = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      console.error(`database backend ${pid} not visible in /proc: the server's CPU is not counted`);
    }
  }
  await engine.start();
  await sleep(warmup * 1000);
  engine.resetLagSamples();
  const db0 = postmaster ? instanceCpu(postmaster) : 0;
  const cpu0 = process.cpuUsage();
  const th0 = threadCpu();
  const t0 = performance.now();
  const probes0 = engine.scheduler.counters.started;
  const hits0 = (await countHits(port)).c;
  const since = new Date();
  const rows0 = engine.writer.totals.written;
  let peakRss = process.memoryUsage().rss;
  let peakHeap = process.memoryUsage().heapUsed;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 250);
  await sleep(seconds * 1000);
  clearInterval(sampler);
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const hits = (await countHits(port)).c - hits0;
  const threads: Record<string, number> = {};
  for (const [name, v] of threadCpu()) if (v - (th0.get(name) ?? 0) >= 0.1) threads[name] = round(v - (th0.get(name) ?? 0), 2);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  const dbS = postmaster ? instanceCpu(postmaster) - db0 : 0;
  const probes = engine.scheduler.counters.started - probes0;
  const rows = engine.writer.totals.written - rows0;
  const lag = engine.lagQuantiles();
  const result: RunResult = {
    targets: n,
    backend: postmaster || backend === 'embedded' ? (backend === 'embedded' ? (values['in-memory'] ? 'embedded (in memory)' : 'embedded (data folder)') : backend) : 'server (DB CPU not counted)',
    connection: String(values.connection),
    intervalS: interval,
    seconds: Math.round(elapsed),
    probesPerS: round(probes / elapsed),
    lagP50Ms: round(lag.p50 ?? NaN),
    lagP99Ms: round(lag.p99 ?? NaN),
    cpuPct: round((cpuS / elapsed) * 100),
    cpuSecondsPer1000Probes: round((cpuS / probes) * 1000, 3),
    appCpuS: round(cpuS, 2),
    appSysCpuS: round(cpu.system / 1e6, 2),
    threads,
    dbCpuS: round(dbS, 2),
    allInCpuSPer1000: round(((cpuS + dbS) / probes) * 1000, 3),
    load1: Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]),
    peakRssMb: round(peakRss / 2 ** 20),
    peakHeapMb: round(peakHeap / 2 ** 20),
    hwmRssMb: round(Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024),
    rowsPerS: round(rows / elapsed),
    writeErrors: engine.writer.totals.errors,
    hitsPerInterval: round((hits / elapsed) * interval),
    failedResults: 0,
  };
  await engine.stop();
  const failed = await db.query<{ n: string }>('SELECT count(*) AS n FROM probe_results WHERE ts >= $1 AND NOT success', [since]);
  result.failedResults = Number(failed.rows[0]!.n);
  await db.close();
  rmSync(dir, { recursive: true, force: true });
  return result;
}

function benchConfig(parse: typeof import('../app/config').parseConfig, n: number, port: number) {
  const lines = Array.from({ length: n }, (_, i) => `    - { id: t${i}, module: m, name: t${i}, type: http, interval: ${interval}s, timeout: 5s, spec: { url: "http://127.0.0.1:${port}/c/${i}", bodyContains: ["${KEYWORD}"], connection: ${values.connection === 'reuse' ? 'reuse' : 'fresh'} } }`);
  return parse(`
collector:
  concurrency: 2000
  perHostConcurrency: 2000
  bufferSize: 200000
  batch: { size: 2000, age: 1s }
  statsEvery: 1h
  modules: [{ id: m, name: 基准 }]
  targets:
${lines.join('\n')}
`).collector;
}

const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;

// ---------------------------------------------------------------------------------------------------------------
// Prometheus + blackbox_exporter on the same 1,000 targets.
async function blackboxRun(n: number, target: Awaited<ReturnType<typeof startTargetServer>>) {
  const have = (bin: string) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
  if (!have('prometheus') || !have('prometheus-blackbox-exporter')) {
    return { skipped: 'prometheus / prometheus-blackbox-exporter not installed (apt-get install -y prometheus prometheus-blackbox-exporter)' };
  }
  const dir = mkdtempSync(join(tmpdir(), 'bench-blackbox-'));
  const bbPort = await freePort();
  const promPort = await freePort();
    // As the collector's targets: IPv4 only, 5 s timeout, 2xx, the keyword asserted in the body, redirects followed.
  writeFileSync(
    join(dir, 'blackbox.yml'),
    `modules:\n  http_keyword:\n    prober: http\n    timeout: 5s\n    http:\n      preferred_ip_protocol: ip4\n      ip_protocol_fallback: false\n      valid_status_codes: []\n      fail_if_body_not_matches_regexp: ["${KEYWORD}"]\n`,
  );
  const targets = Array.from({ length: n }, (_, i) => `        - http://127.0.0.1:${target.port}/bb/${i}`).join('\n');
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global:\n  scrape_interval: ${interval}s\n  scrape_timeout: ${Math.min(10, interval)}s\nscrape_configs:\n  - job_name: blackbox\n    metrics_path: /probe\n    params:\n      module: [http_keyword]\n    static_configs:\n      - targets:\n${targets}\n    relabel_configs:\n      - source_labels: [__address__]\n        target_label: __param_target\n      - source_labels: [__param_target]\n        target_label: instance\n      - target_label: __address__\n        replacement: 127.0.0.1:${bbPort}\n`,
  );
  const bb = spawn('prometheus-blackbox-exporter', [`--config.file=${join(dir, 'blackbox.yml')}`, `--web.listen-address=127.0.0.1:${bbPort}`, '--timeout-offset=0'], { stdio: 'ignore' });
  const prom = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`], { stdio: 'ignore' });
  try {
    await sleep(warmup * 1000);
    const h0 = (await target.count()).bb;
    const a0 = procStat(bb.pid!);
    const b0 = procStat(prom.pid!);
    const t0 = performance.now();
    let peak = a0.rss + b0.rss;
    const sampler = setInterval(() => {
      try {
        peak = Math.max(peak, procStat(bb.pid!).rss + procStat(prom.pid!).rss);
      } catch {
        /* exited */
      }
    }, 500);
    await sleep(seconds * 1000);
    clearInterval(sampler);
    const elapsed = (performance.now() - t0) / 1000;
    const a1 = procStat(bb.pid!);
    const b1 = procStat(prom.pid!);
    const probes = (await target.count()).bb - h0;
    const cpuS = a1.cpu - a0.cpu + (b1.cpu - b0.cpu);
    // Did the peer's probes pass (the keyword found)? Prometheus's view of the last scrape of every target.
    const q = async (expr: string) => {
      try {
        const r = (await (await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(expr)}`)).json()) as { data: { result: { value: [number, string] }[] } };
        return Number(r.data.result[0]?.value[1] ?? NaN);
      } catch {
        return NaN;
      }
    };
    const failing = await q('count(probe_success == 0) or vector(0)');
    // And is the assertion live? A page without the keyword (the counter's JSON) must fail, the page must pass.
    const probeOnce = async (path: string) => /^probe_success 1$/m.test(await (await fetch(`http://127.0.0.1:${bbPort}/probe?module=http_keyword&target=${encodeURIComponent(`http://127.0.0.1:${target.port}${path}`)}`)).text());
    const keywordAsserted = (await probeOnce('/bb/check')) && !(await probeOnce('/__count'));
    return {
      targets: n,
      seconds: Math.round(elapsed),
      probesPerS: round(probes / elapsed),
      cpuPct: round((cpuS / elapsed) * 100),
      cpuSecondsBlackbox: round(a1.cpu - a0.cpu, 2),
      cpuSecondsPrometheus: round(b1.cpu - b0.cpu, 2),
      cpuSecondsPer1000Probes: round((cpuS / probes) * 1000, 3),
      blackboxPer1000: round(((a1.cpu - a0.cpu) / probes) * 1000, 3),
      prometheusPer1000: round(((b1.cpu - b0.cpu) / probes) * 1000, 3),
      hitsPerInterval: round((probes / elapsed) * interval),
      failingTargets: failing,
      keywordAsserted,
      load1: Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]),
      peakRssMb: round(peak / 2 ** 20),
    };
  } finally {
    bb.kill('SIGTERM');
    prom.kill('SIGTERM');
    await sleep(500);
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The floor (child process): the same requests with nothing around them but a timer per target and the keyword search.
async function floorRun(n: number, port: number) {
  const http = await import('node:http');
  const reuse = values.connection === 'reuse';
  const agent = new http.Agent(reuse ? { keepAlive: true, timeout: 4000, maxFreeSockets: 256, scheduling: 'lifo' } : { keepAlive: false });
  const keyword = Buffer.from(KEYWORD);
  let done = 0;
  let failed = 0;
  const probe = (i: number) => {
    const req = http.request({ hostname: '127.0.0.1', port, path: `/c/${i}`, agent, timeout: 5000 });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode !== 200 || !Buffer.concat(chunks).includes(keyword)) failed++;
        done++;
      });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => {
      failed++;
      done++;
    });
    req.end();
  };
  const every = interval * 1000;
  for (let i = 0; i < n; i++) {
    setTimeout(function tick() {
      probe(i);
      setTimeout(tick, every);
    }, (i * every) / n);
  }
  await sleep(warmup * 1000);
  const cpu0 = process.cpuUsage();
  const d0 = done;
  const f0 = failed;
  await sleep(seconds * 1000);
  const cpu = process.cpuUsage(cpu0);
  const probes = done - d0;
  return { targets: n, connection: values.connection, probes, failed: failed - f0, cpuSecondsPer1000Probes: round(((cpu.user + cpu.system) / 1e6 / probes) * 1000, 3), load1: Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]) };
}

if (values['floor-child']) {
  const r = await floorRun(Number(values['floor-child']), Number(values.port));
  console.log(`RESULT ${JSON.stringify(r)}`);
  process.exit(0);
}

if (values.child) {
  const r = await childRun(Number(values.child), Number(values.port));
  console.log(`RESULT ${JSON.stringify(r)}`);
  process.exit(0);
}

const sizes = values.targets!.split(',').map(Number).filter((x) => x > 0);
const target = await startTargetServer();
const results: RunResult[] = [];
const peers = new Map<number, Awaited<ReturnType<typeof blackboxRun>>>();
const floors = new Map<number, Awaited<ReturnType<typeof floorRun>>>();
try {
  for (const n of sizes) {
    console.log(`collector: ${n} targets at ${interval} s (${values.connection}), warm-up ${warmup} s, measuring ${seconds} s ...`);
    const prof = values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', values['cpu-prof']] : [];
    const out = spawnSync(process.execPath, [...prof, '--import', 'tsx', new URL(import.meta.url).pathname, '--child', String(n), '--port', String(target.port), '--seconds', String(seconds), '--warmup', String(warmup), '--interval', String(interval), '--connection', String(values.connection), ...(values['in-memory'] ? ['--in-memory'] : [])], {
      encoding: 'utf8',
      env: process.env,
      maxBuffer: 64 * 2 ** 20,
    });
    const line = out.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    if (!line) {
      console.log(`run with ${n} targets failed (exit ${out.status}):\n${out.stderr.slice(-2000)}`);
      continue;
    }
    const r = JSON.parse(line.slice(7)) as RunResult;
    results.push(r);
    console.log(`  ${JSON.stringify(r)}`);
    // The peer right after, on the same targets: side by side in one run, under the machine's load of the moment.
    if (!values['no-blackbox']) {
      console.log(`Prometheus + blackbox_exporter: ${n} targets at ${interval} s, warm-up ${warmup} s, measuring ${seconds} s ...`);
      const bb = await blackboxRun(n, target);
      peers.set(n, bb);
      console.log(`  ${JSON.stringify(bb)}`);
    }
    if (!values['no-floor']) {
      console.log(`floor (bare node:http loop, ${values.connection}): ${n} targets at ${interval} s, warm-up ${warmup} s, measuring ${seconds} s ...`);
      const f = spawnSync(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--floor-child', String(n), '--port', String(target.port), '--seconds', String(seconds), '--warmup', String(warmup), '--interval', String(interval), '--connection', String(values.connection)], { encoding: 'utf8' });
      const fl = f.stdout.split('\n').find((l) => l.startsWith('RESULT '));
      if (fl) {
        floors.set(n, JSON.parse(fl.slice(7)));
        console.log(`  ${fl.slice(7)}`);
      } else console.log(`floor run failed (exit ${f.status}):\n${f.stderr.slice(-2000)}`);
    }
  }
  console.log('\n| targets | backend | connection | probes/s | lag p50 ms | lag p99 ms | CPU % | app CPU-s / 1000 probes | app CPU-s | DB server CPU-s | all-in CPU-s / 1000 probes | load | peak RSS MB | peak heap MB | RSS high-water incl. start-up MB | rows/s |');
  console.log('| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) console.log(`| ${r.targets} | ${r.backend} | ${r.connection} | ${r.probesPerS} | ${r.lagP50Ms} | ${r.lagP99Ms} | ${r.cpuPct} | ${r.cpuSecondsPer1000Probes} | ${r.appCpuS} | ${r.dbCpuS} | ${r.allInCpuSPer1000} | ${r.load1} | ${r.peakRssMb} | ${r.peakHeapMb} | ${r.hwmRssMb} | ${r.rowsPerS} |`);
  if (peers.size) {
    console.log(`\nBoth sides: GET, IPv4, 5 s timeout, 2xx, keyword "${KEYWORD}" asserted in a ${target.bodyBytes}-byte HTML body, results stored.`);
    console.log('| targets × interval | connection | collector all-in CPU-s / 1000 probes | peer: blackbox_exporter + Prometheus CPU-s / 1000 probes | ratio | hits / interval collector / peer | failed collector / peer | collector / peer peak RSS MB | load |');
    console.log('| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const r of results) {
      const bb = peers.get(r.targets);
      if (!bb || !('cpuSecondsPer1000Probes' in bb) || bb.cpuSecondsPer1000Probes === undefined) {
        console.log(`| ${r.targets} × ${r.intervalS} s | ${r.connection} | ${r.allInCpuSPer1000} | ${bb && 'skipped' in bb ? bb.skipped : 'n/a'} | | | | | ${r.load1} |`);
        continue;
      }
      console.log(`| ${r.targets} × ${r.intervalS} s | ${r.connection} | ${r.allInCpuSPer1000} | ${bb.blackboxPer1000} + ${bb.prometheusPer1000} = ${bb.cpuSecondsPer1000Probes} | ${round(r.allInCpuSPer1000 / bb.cpuSecondsPer1000Probes, 2)} | ${r.hitsPerInterval} / ${bb.hitsPerInterval} | ${r.failedResults} / ${bb.failingTargets}${bb.keywordAsserted ? '' : ' (blackbox assertion NOT live)'} | ${r.peakRssMb} / ${bb.peakRssMb} | ${r.load1} / ${bb.load1} |`);
    }
  }
  if (floors.size) {
    console.log('\nThe floor: the same requests from a bare node:http loop (nothing stored). Above it: the collector\'s own work.');
    console.log('| targets × interval | connection | floor CPU-s / 1000 probes | collector all-in | collector above the floor | peer | floor / peer | failed (floor) |');
    console.log('| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const r of results) {
      const f = floors.get(r.targets);
      if (!f) continue;
      const bb = peers.get(r.targets);
      const peer = bb && 'cpuSecondsPer1000Probes' in bb ? bb.cpuSecondsPer1000Probes : undefined;
      console.log(`| ${r.targets} × ${r.intervalS} s | ${r.connection} | ${f.cpuSecondsPer1000Probes} | ${r.allInCpuSPer1000} | ${round(r.allInCpuSPer1000 - f.cpuSecondsPer1000Probes, 3)} | ${peer ?? 'n/a'} | ${peer ? round(f.cpuSecondsPer1000Probes / peer, 2) : ''} | ${f.failed} |`);
    }
  }
} finally {
  target.proc.kill('SIGTERM');
}
