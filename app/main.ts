#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { loadConfig, ConfigError } from './config';
import { ROLE_NAMES, type RoleName } from '../core/area';
import { createLogger } from '../core/log';
import { startSystem } from './system';

const USAGE = `usage: city-ops [--config FILE] [--role collector|alerts|reporter|dashboard ...]
  --config FILE   the YAML configuration (default: ops/demo.yaml when CONFIG is unset)
  --role ROLE     run only this role (repeatable); default: every role in one process`;

async function main() {
  const { values } = parseArgs({
    options: {
      config: { type: 'string', short: 'c' },
      role: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const file = values.config ?? process.env.CONFIG ?? 'ops/demo.yaml';
  const roles = (values.role ?? []).flatMap((r) => r.split(','));
  for (const r of roles) {
    if (!ROLE_NAMES.includes(r as RoleName)) {
      console.error(`unknown role "${r}"; expected one of ${ROLE_NAMES.join(', ')}\n${USAGE}`);
      process.exit(2);
    }
  }
  const t0 = Date.now();
  // The signal handlers come first: a stop asked for while the system is still starting waits for the start to finish
  // and then stops it cleanly (exit 0), instead of dying of the signal half-started.
  let stopping = false;
  let started: { stop(): Promise<void> } | undefined;
  let log: ReturnType<typeof createLogger> | undefined;
  const shutdown = async (sig: string) => {
    if (stopping) return;
    stopping = true;
    log?.info({ sig }, 'stopping');
    if (started) {
      await started.stop();
      process.exit(0);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  let config;
  try {
    config = loadConfig(file);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  log = createLogger({ level: config.log.level });
  const sys = await startSystem({ config, roles: roles.length ? (roles as RoleName[]) : undefined, log });
  started = sys;
  if (stopping) {
    await sys.stop();
    process.exit(0);
  }
  log.info({ url: sys.url, roles: roles.length ? roles : 'all', backend: sys.db.kind, startupMs: Date.now() - t0 }, 'city-ops started');
  console.log(`\n  城市大数据平台运行监测 — dashboard: ${sys.url}/   (health: ${sys.url}/healthz)\n`);
}

main().catch((err) => {
  console.error(`city-ops failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
