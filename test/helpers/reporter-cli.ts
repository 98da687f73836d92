import { spawn } from 'node:child_process';

const root = new URL('../..', import.meta.url).pathname;

export interface Spawned { done: Promise<number>; kill(): void; out: () => string }

/**
 * `npx tsx app/cli/report.ts <cmd>`, or with cmd 'role' the server itself: `app/main.ts --role reporter`, on the
 * server database at `databaseUrl` or (undefined) the embedded one of the config. `done` is the exit code (137 after
 * a kill); `out` is stdout and stderr so far.
 */
export function reporterCli(cmd: string, cfg: string, databaseUrl: string | undefined): Spawned {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn' };
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  else delete env.DATABASE_URL;
  const args = cmd === 'role' ? ['app/main.ts', '--config', cfg, '--role', 'reporter'] : ['app/cli/report.ts', cmd, '--config', cfg];
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: root, env });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const done = new Promise<number>((r) => child.on('close', (code, sig) => r(code ?? (sig ? 137 : 1))));
  return { done, kill: () => child.kill('SIGKILL'), out: () => out };
}
