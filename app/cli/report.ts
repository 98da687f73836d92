#!/usr/bin/env node
// Delivery from the command line, on the database the configuration names (or DATABASE_URL):
//   npx tsx app/cli/report.ts run|full|dry-run|reconcile [--config ops/demo.yaml] [--json]
// It takes the same 'reporter' leader lock as a running reporter, so it never sends beside one. On the embedded
// database only one process may open the data folder (its lock refuses a second, naming the holder): stop the server
// first, or use its API (POST /api/reporter/runs).
import { parseArgs } from 'node:util';
import { loadConfig, configPath, ConfigError } from '../config';
import { openDb } from '../../core/db';
import { createLogger } from '../../core/log';
import { Leader } from '../../core/leader';
import { systemClock } from '../../core/time';
import { DeliveryService } from '../../reporter/delivery/service';
import { AuthService, authOptionsOf } from '../../core/auth/service';
import { Intake } from '../../reporter/intake/service';
import { beforeDeliveryRun } from '../../reporter/intake/staging';

const USAGE = `usage: npx tsx app/cli/report.ts run|full|dry-run|reconcile [--config FILE]
  run        incremental delivery of new and changed records (resumes open batches first)
  full       full pass: also re-sends records the province held back only for E_REFERENCE
  dry-run    prints what would be sent; writes and sends nothing
  reconcile  compares the province's counts with the city's live valid records, per type and month
  --config FILE   configuration (default ops/demo.yaml); the province URL may come from REPORTER_PROVINCE_URL`;

async function main() {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } } });
  const cmd = positionals[0];
  if (values.help || !cmd || !['run', 'full', 'dry-run', 'reconcile'].includes(cmd)) {
    console.log(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  let config;
  try {
    config = loadConfig(values.config ?? process.env.CONFIG ?? 'ops/demo.yaml');
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78);
    }
    throw err;
  }
  const rc = config.reporter;
  const url = process.env.REPORTER_PROVINCE_URL || rc.province.url;
  if (!url || !rc.province.secret) {
    console.error('reporter.province.url (or REPORTER_PROVINCE_URL) and reporter.province.secret are required; see docs/reporter-delivery.md');
    process.exit(78);
  }
  const log = createLogger({ level: config.log.level, name: 'reporter-cli' });
  const dbUrl = process.env.DATABASE_URL || config.database.url;
  const db = await openDb({ url: dbUrl, dataDir: dbUrl ? undefined : configPath(config, config.database.dataDir), poolSize: 4 });
  // As in the server: staging rows are picked up and held references re-checked before each run.
  const auth = new AuthService(db, systemClock, config.auth.sessionTtl, authOptionsOf(config.auth));
  const intake = new Intake({ db, reporter: rc, clock: systemClock, log: log.child({ part: 'intake' }), audit: (e) => auth.audit(e) });
  const svc = new DeliveryService({ db, log, clock: systemClock, config: rc, url, secret: rc.province.secret, beforeRun: () => beforeDeliveryRun(intake) });
  let code = 0;
  try {
    if (cmd === 'dry-run') {
      console.log(JSON.stringify(await svc.dryRun(), null, 2));
    } else {
      const leader = new Leader(db, 'reporter', log, 5_000);
      await leader.start();
      if (!leader.isLeader()) {
        console.error('another reporter holds the leader lock and is sending; not sending from here (try dry-run, or stop it)');
        code = 3;
      } else {
        const r = await svc.run(cmd === 'run' ? 'incremental' : (cmd as 'full' | 'reconcile'), 'cli', process.env.USER ?? 'cli');
        console.log(JSON.stringify(r, null, 2));
        code = r.status === 'ok' ? 0 : 4;
      }
      await leader.stop();
    }
  } finally {
    await svc.stop();
    await db.close();
  }
  process.exit(code);
}

main().catch((err) => {
  console.error(`reporter cli failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
