// The bulk import command as a clerk runs it: a real process, a CSV file, an error report, exit codes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../core/db';
import { openTestDb } from './helpers/db';
import { makeFixtures, recordsToCsv } from '../reporter/fixtures/records';

const dir = mkdtempSync(join(tmpdir(), 'reporter-cli-'));
// On the server back end a fresh database; embedded: a data folder the command opens, then this test.
const server = process.env.DATABASE_URL ? await openTestDb() : null;
const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent' };
if (server) env.DATABASE_URL = server.url;
else delete env.DATABASE_URL;
writeFileSync(join(dir, 'config.yaml'), `database: { dataDir: ${join(dir, 'db')} }\nlog: { level: silent }\n`);
const f = makeFixtures({ seed: 4, items: 4, officers: 6, inspections: 30, invalidShare: 0.2, now: Date.now() });

function run(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'app/cli/import.ts', '--config', join(dir, 'config.yaml'), ...args], { env, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('usage errors exit 2 with the usage line', () => {
  const r = run(['--type', 'THING', '--file', 'x.csv']);
  assert.is(r.code, 2);
  assert.match(r.err, '--type');
  assert.match(r.err, '用法');
  assert.is(run(['--type', 'ITEM', '--file', join(dir, 'missing.csv')]).code, 2);
});

test('ITEM then INSPECTION: summary, error report, exit 0 also when rows were rejected (the import completed)', () => {
  writeFileSync(join(dir, 'items.csv'), recordsToCsv('ITEM', f.ITEM, { bom: true }));
  const a = run(['--type', 'item', '--file', join(dir, 'items.csv')]);
  assert.is(a.code, 0, a.err);
  assert.match(a.out, '接受 4');
  writeFileSync(join(dir, 'ins.csv'), recordsToCsv('INSPECTION', f.INSPECTION));
  const errors = join(dir, 'report.csv');
  const b = run(['--type', 'INSPECTION', '--file', join(dir, 'ins.csv'), '--errors', errors]);
  const bad = f.invalid.INSPECTION.size;
  assert.ok(bad > 0);
  assert.is(b.code, 0, b.err);
  assert.match(b.out, `拒绝 ${bad}`);
  assert.match(b.out, `待更正的错误 `);
  assert.match(b.out, /导入编号 \d+/);
  const report = readFileSync(errors, 'utf8');
  assert.ok(report.startsWith('\uFEFFrow,recordId,field,code,message'));
  assert.is(report.trim().split('\n').length, 1 + bad);
  assert.match(b.out, 'report.rows.csv');
});

test('a file that cannot be read as the type exits 1, non-zero', () => {
  writeFileSync(join(dir, 'wrong.csv'), 'a,b\n1,2\n');
  const r = run(['--type', 'ITEM', '--file', join(dir, 'wrong.csv')]);
  assert.is(r.code, 1, r.err);
  assert.match(r.err, '记录编码');
});

test('what the command wrote is in the database', async () => {
  const db = server ?? (await openDb({ dataDir: join(dir, 'db') }));
  const r = await db.query<{ status: string; n: string }>(`SELECT status, count(*) AS n FROM reporter_records GROUP BY 1 ORDER BY 1`);
  const counts = Object.fromEntries(r.rows.map((x) => [x.status, Number(x.n)]));
  assert.equal(counts, { invalid: f.invalid.INSPECTION.size, valid: 4 + 30 - f.invalid.INSPECTION.size });
  const audit = await db.query(`SELECT 1 FROM audit_log WHERE action = 'reporter.records.import'`);
  assert.is(audit.rows.length, 2);
  // The import log: both imports done, the wrong file failed with its reason.
  const log = await db.query<{ status: string; rejected: number }>(`SELECT status, rejected FROM reporter_imports ORDER BY id`);
  assert.equal(log.rows.map((x) => x.status), ['done', 'done', 'failed']);
  assert.is(log.rows[1].rejected, f.invalid.INSPECTION.size);
  await db.close();
});

test.run();
