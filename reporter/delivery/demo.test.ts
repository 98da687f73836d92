// `npm start`'s reporter: the demo simulator starts, demo records go in through the staging table and the intake,
// and the first run delivers them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../../app/config';
import { startSystem, type System } from '../../app/system';
import { silentLogger } from '../../core/log';
import { openTestDb } from '../../test/helpers/db';

let sys: System;

test.before(async () => {
  const db = await openTestDb();
  const config = parseConfig(`reporter:\n  demoSimulator: true\n  schedule: { runOnStart: true }\n  delivery: { receiptPollInterval: 10ms }\n`);
  sys = await startSystem({ config, roles: ['reporter'], db, listen: false, log: silentLogger() });
});
test.after(async () => {
  const db = sys.db;
  await sys.stop();
  await db.close();
});

test('demo: staged records are taken in by the intake and delivered on the first run', async () => {
  let run: { status: string } | undefined;
  for (let i = 0; i < 600 && !run; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const r = await sys.db.query<{ status: string }>(`SELECT status FROM report_runs WHERE trigger = 'start' AND status <> 'running'`);
    run = r.rows[0];
  }
  assert.ok(run, 'the start run finished');
  assert.is(run!.status, 'ok');
  const staged = await sys.db.query<{ n: string }>(`SELECT count(*) AS n FROM reporter_staging WHERE picked_up_at IS NOT NULL`);
  assert.is(Number(staged.rows[0].n), 694, 'every type, COERCION (80) included');
  const recs = await sys.db.query<{ status: string; n: string }>(`SELECT status, count(*) AS n FROM reporter_records GROUP BY 1`);
  const by = Object.fromEntries(recs.rows.map((r) => [r.status, Number(r.n)]));
  assert.ok(by.valid > 500 && by.invalid > 0, JSON.stringify(by));
  const acc = await sys.db.query<{ n: string }>(`SELECT count(*) AS n FROM report_deliveries WHERE accepted_version IS NOT NULL`);
  assert.is(Number(acc.rows[0].n), by.valid, 'every valid record accepted by the simulator');
  const coe = await sys.db.query<{ n: string }>(`SELECT count(*) AS n FROM report_deliveries WHERE data_type = 'COERCION' AND accepted_version IS NOT NULL`);
  assert.ok(Number(coe.rows[0].n) > 60, `COERCION records delivered (${coe.rows[0].n})`);
});

test.run();
