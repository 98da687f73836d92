// The bulk import command as a clerk runs it: a real process, a CSV file, an error report, exit codes; and with a
// server running (a real app/main.ts process): the file goes to it, found from the config or named by --server.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import ExcelJS from 'exceljs';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../core/db';
import { openTestDb } from './helpers/db';
import { makeFixtures, recordsToCsv, recordsToXlsx } from '../reporter/fixtures/records';

const dir = mkdtempSync(join(tmpdir(), 'reporter-cli-'));
// On the server back end a fresh database; embedded: a data folder the command opens, then this test.
const server = process.env.DATABASE_URL ? await openTestDb() : null;
const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent' };
if (server) env.DATABASE_URL = server.url;
else delete env.DATABASE_URL;
writeFileSync(join(dir, 'config.yaml'), `database: { dataDir: ${join(dir, 'db')} }\nlog: { level: silent }\n`);
const f = makeFixtures({ seed: 4, items: 4, officers: 6, inspections: 30, invalidShare: 0.2, now: Date.now() });

// --direct: the config names no server, but whatever listens on the default port must not receive these.
function run(args: string[], o: { config?: string; env?: NodeJS.ProcessEnv; direct?: boolean } = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'app/cli/import.ts', '--config', o.config ?? join(dir, 'config.yaml'), ...(o.direct === false ? [] : ['--direct']), ...args], {
    env: { ...env, ...o.env }, encoding: 'utf8', timeout: 120_000,
  });
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

// ---- with a server running ----

/** A port free right now (the server's config must name one for the command to find it). */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

const sdir = mkdtempSync(join(tmpdir(), 'reporter-cli-srv-'));
let proc: ChildProcess | null = null;
let base = '';
let token = '';
const served = process.env.DATABASE_URL ? await openTestDb() : null;
const senv: NodeJS.ProcessEnv = { ...env };
if (served) senv.DATABASE_URL = served.url;
const scfg = join(sdir, 'config.yaml');

test('server: a token made, the server started (a real process) on the port of its config', async () => {
  const port = await freePort();
  writeFileSync(scfg, `server: { host: 127.0.0.1, port: ${port} }\ndatabase: { dataDir: ${join(sdir, 'db')} }\nlog: { level: warn }\n`);
  const t = spawnSync(process.execPath, ['--import', 'tsx', 'app/admin.ts', 'create-token', '--name', '导入', '--role', 'regulator', '--config', scfg], { env: senv, encoding: 'utf8', timeout: 120_000 });
  assert.is(t.status, 0, t.stderr);
  token = /token \(shown once, store it now\): (\S+)/.exec(t.stdout)![1];
  proc = spawn(process.execPath, ['--import', 'tsx', 'app/main.ts', '--config', scfg, '--role', 'reporter'], { env: senv, stdio: ['ignore', 'pipe', 'pipe'] });
  base = await new Promise<string>((resolveP, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 90_000);
    proc!.stdout!.on('data', (c) => {
      out += c;
      const m = /dashboard: (http:\/\/\S+?)\/\s/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolveP(m[1]);
      }
    });
    proc!.stderr!.on('data', (c) => (out += c));
    proc!.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
  assert.is(base, `http://127.0.0.1:${port}`);
});

test('server found from the config: without a token the command refuses (exit 2) and writes nothing', () => {
  writeFileSync(join(sdir, 'items.csv'), recordsToCsv('ITEM', f.ITEM, { bom: true }));
  const r = run(['--type', 'ITEM', '--file', join(sdir, 'items.csv')], { config: scfg, env: { ...senv, CITY_OPS_TOKEN: '' }, direct: false });
  assert.is(r.code, 2, r.err);
  assert.match(r.err, 'CITY_OPS_TOKEN');
});

test('server found from the config: the file goes to it (token from CITY_OPS_TOKEN), summary printed, exit 0', async () => {
  const a = run(['--type', 'ITEM', '--file', join(sdir, 'items.csv')], { config: scfg, env: { ...senv, CITY_OPS_TOKEN: token }, direct: false });
  assert.is(a.code, 0, a.err);
  assert.match(a.out, `由服务 ${base} 完成`);
  assert.match(a.out, '接受 4');
  // An .xlsx with rejected rows, named by --server and --token: exit 0, the counts, the report as a workbook.
  const file = join(sdir, '检查.xlsx');
  writeFileSync(file, await recordsToXlsx('INSPECTION', f.INSPECTION, { dates: true }));
  const b = run(['--type', 'INSPECTION', '--file', file, '--server', base, '--token', token], { config: join(dir, 'config.yaml'), env: senv, direct: false });
  const bad = f.invalid.INSPECTION.size;
  assert.is(b.code, 0, b.err);
  assert.match(b.out, `拒绝 ${bad}`);
  assert.match(b.out, `接受 ${30 - bad}`);
  assert.match(b.out, /待更正的错误 \d+ 条，等待关联记录 0 条，警告 \d+ 条/);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(join(sdir, '检查.report.xlsx'));
  assert.is(wb.getWorksheet('待更正的错误')!.rowCount - 1 >= bad, true);
  const list = (await (await fetch(`${base}/api/reporter/imports`, { headers: { authorization: `Bearer ${token}` } })).json()) as any;
  assert.equal(list.items.map((i: any) => [i.format, i.via]), [['xlsx', 'api'], ['csv', 'api']]);
});

test('server: a wrong token exits 1 with the reason; --server that does not answer exits 1', () => {
  const a = run(['--type', 'ITEM', '--file', join(sdir, 'items.csv'), '--server', base, '--token', 'cot_wrong'], { env: senv, direct: false });
  assert.is(a.code, 1);
  assert.match(a.err, '401');
  const b = run(['--type', 'ITEM', '--file', join(sdir, 'items.csv'), '--server', 'http://127.0.0.1:1', '--token', token], { env: senv, direct: false });
  assert.is(b.code, 1);
  assert.match(b.err, '没有响应');
});

test.after(async () => {
  if (proc && proc.exitCode === null) {
    const done = new Promise((r) => proc!.once('exit', r));
    proc.kill('SIGTERM');
    await done;
  }
  await served?.close();
});

test.run();
