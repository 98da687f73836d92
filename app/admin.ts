#!/usr/bin/env node
/**
 * One-time administration commands against the configured database:
 *   npx tsx app/admin.ts create-user --username NAME --role admin|ops|security|regulator [--display-name TEXT]
 *   npx tsx app/admin.ts create-token --name NAME --role ROLE
 * The password is read from the CITY_OPS_NEW_PASSWORD environment variable or from standard input (never an
 * argument, which would land in the shell history and the process list).
 */
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { loadConfig, configPath, ConfigError } from './config';
import { openDb } from '../core/db';
import { AuthService, authOptionsOf } from '../core/auth/service';
import { ROLES, type Role } from '../core/auth/roles';
import { systemClock } from '../core/time';

async function readPassword(): Promise<string> {
  if (process.env.CITY_OPS_NEW_PASSWORD) return process.env.CITY_OPS_NEW_PASSWORD;
  process.stderr.write('password: ');
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    rl.close();
    return line;
  }
  throw new Error('no password given (set CITY_OPS_NEW_PASSWORD or type it on standard input)');
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      config: { type: 'string', default: process.env.CONFIG ?? 'ops/demo.yaml' },
      username: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      'display-name': { type: 'string' },
      department: { type: 'string' },
    },
  });
  const cmd = positionals[0];
  const role = values.role as Role;
  if (!['create-user', 'create-token'].includes(cmd ?? '') || !ROLES.includes(role)) {
    console.error('usage: app/admin.ts create-user --username NAME --role admin|ops|security|regulator|department [--department 部门] | create-token --name NAME --role ROLE [--config FILE]');
    process.exit(2);
  }
  const config = loadConfig(values.config!);
  const url = process.env.DATABASE_URL || config.database.url;
  const db = await openDb({ url, dataDir: url ? undefined : configPath(config, config.database.dataDir) });
  const auth = new AuthService(db, systemClock, config.auth.sessionTtl, authOptionsOf(config.auth));
  try {
    if (cmd === 'create-user') {
      if (!values.username) throw new Error('--username is required');
      const id = await auth.createUser({ username: values.username, password: await readPassword(), role, displayName: values['display-name'], department: values.department });
      await auth.audit({ actor: 'cli', action: 'user.create', target: values.username, details: { role, ...(values.department ? { department: values.department } : {}) } });
      console.log(`created user ${values.username} (id ${id}, role ${role})`);
    } else {
      if (!values.name) throw new Error('--name is required');
      const t = await auth.createToken({ name: values.name, role, createdBy: 'cli' });
      await auth.audit({ actor: 'cli', action: 'token.create', target: values.name, details: { id: t.id, role } });
      console.log(`token (shown once, store it now): ${t.token}`);
    }
  } finally {
    await db.close();
  }
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : `error: ${(err as Error).message}`);
  process.exit(1);
});
