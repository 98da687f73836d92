import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A real city-ops process (`app/main.ts`) on its own data folder, as an operator starts it: every role, a free port
 * (port 0), the embedded database in `<dir>/data/db` unless `databaseUrl` is given. For tests that need another
 * process: a second instance beside the first, a CLI against a running server, a crash (SIGKILL).
 */
export const ADMIN = { username: 'admin', password: 'Chief-console-2026' };
export const OPS = { username: 'ops', password: 'Duty-console-2026' };
const root = new URL('../..', import.meta.url).pathname;

export interface InstanceFiles {
  dir: string;
  config: string;
  dataDir: string;
  dbDir: string;
  /** Environment for the instance and CLIs on the same configuration (DATABASE_URL set or removed). */
  env: NodeJS.ProcessEnv;
}

/** Writes `<dir>/config.yaml` for an instance on `<dir>/data`. */
export function instanceFiles(dir: string, databaseUrl?: string): InstanceFiles {
  mkdirSync(dir, { recursive: true });
  const dataDir = join(dir, 'data');
  const dbDir = join(dataDir, 'db');
  const config = join(dir, 'config.yaml');
  writeFileSync(config, `server: { host: 127.0.0.1, port: 0, dataDir: ${dataDir} }
database: { dataDir: ${dbDir} }
log: { level: warn }
auth:
  initialAdmin: { username: ${ADMIN.username}, password: ${ADMIN.password} }
  seedUsers: [{ username: ${OPS.username}, password: ${OPS.password}, role: ops }]
`);
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn' };
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  else delete env.DATABASE_URL;
  return { dir, config, dataDir, dbDir, env };
}

export interface Instance {
  url: string;
  pid: number;
  child: ChildProcess;
  output(): string;
  /** SIGTERM, and wait for the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL (a crash), and wait until it is gone. */
  kill(): Promise<void>;
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((r) => child.once('exit', (code) => r(code)));
}

/** Starts `app/main.ts` (with `args`, e.g. `--role dashboard`) and resolves once it serves HTTP (it prints its URL). */
export function startInstance(f: InstanceFiles, args: string[] = [], timeoutMs = 90_000): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'app/main.ts', '--config', f.config, ...args], { cwd: root, env: f.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`city-ops did not start within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = () => {
      const m = /dashboard: (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      resolve({
        url: m[1],
        pid: child.pid!,
        child,
        output: () => out,
        async stop() {
          child.kill('SIGTERM');
          return exited(child);
        },
        async kill() {
          child.kill('SIGKILL');
          await exited(child);
        },
      });
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`city-ops exited (${code}) before it served:\n${out}`));
    });
  });
}

/** Runs a command of this repository to its end (a second `app/main.ts`, a CLI) and returns its exit and output. */
export function runToEnd(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 90_000): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((r) => child.once('close', (code) => (clearTimeout(timer), r({ code, out }))));
}

/** Logs in and returns a fetch bound to the session. */
export async function session(url: string, user: { username: string; password: string }) {
  const res = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(user) });
  if (res.status !== 200) throw new Error(`login ${user.username}: ${res.status} ${await res.text()}`);
  const cookie = res.headers.get('set-cookie')!.split(';')[0];
  return (path: string, init: RequestInit = {}) => fetch(url + path, { ...init, headers: { cookie, ...(init.headers ?? {}) } });
}
