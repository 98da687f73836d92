import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../app/config';
import { startSystem } from '../app/system';
import { openDb } from '../core/db';
import { silentLogger } from '../core/log';
import { openTestDb } from './helpers/db';
import { toGbk } from './helpers/gbk';

// `npm run config -- catalogue FILE` (app/cli/config.ts) as an operator runs it: with no server it writes into the
// database itself; with a server running it sends the file to the server's API (preview, apply, audit there).
const dir = mkdtempSync(join(tmpdir(), 'catalogue-cli-'));
const server = process.env.DATABASE_URL ? await openTestDb() : null;
const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent' };
if (server) env.DATABASE_URL = server.url;
else delete env.DATABASE_URL;
delete env.CITY_OPS_TOKEN;
const cfgFile = join(dir, 'config.yaml');
// Port 0: the command finds no server at the configuration's address (nothing listens on port 0).
writeFileSync(cfgFile, `server: { host: 127.0.0.1, port: 0 }\ndatabase: { dataDir: ${join(dir, 'db')} }\nlog: { level: silent }\ncollector: { journalDir: ${join(dir, 'journal')} }\n`);
const HEADER = '接口编码,接口名称,接口地址,请求方式,所属系统,提供部门,重要程度,是否涉敏';
const rows = {
  rk: 'RK-001,人口基本信息查询,http://127.0.0.1:9/rk,GET,人口库,市公安局,高,是',
  fr: 'FR-001,法人信息查询,http://127.0.0.1:9/fr,GET,法人库,市市场监管局,中,否',
  bad: 'BAD-001,坏接口,127.0.0.1/rk,GET,人口库,市公安局,高,否',
};
const write = (name: string, ...r: string[]) => {
  const p = join(dir, name);
  writeFileSync(p, toGbk([HEADER, ...r].join('\r\n') + '\r\n'));
  return p;
};
const run = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'app/cli/config.ts', ...args, '--config', cfgFile], { env: { ...env, ...extraEnv }, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const runAsync = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
  new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'app/cli/config.ts', ...args, '--config', cfgFile], { env: { ...env, ...extraEnv } });
    let out = '';
    let err = '';
    p.stdout.on('data', (c) => (out += c));
    p.stderr.on('data', (c) => (err += c));
    p.on('close', (code) => resolve({ code, out, err }));
  });

test('usage: no file, an unknown format', () => {
  assert.is(run(['catalogue']).code, 2);
  const r = run(['catalogue', join(dir, 'none.csv'), '--format', 'xml']);
  assert.is(r.code, 2);
  assert.match(r.err, '--format');
});

test('no server: a dry run prints the preview and writes nothing; the import applies the good rows, the bad one named', () => {
  const f = write('catalogue.csv', rows.rk, rows.bad, rows.fr);
  const dry = run(['catalogue', f, '--dry-run']);
  assert.is(dry.code, 1, dry.err); // a bad row: exit 1
  assert.match(dry.out, '+ 第 2 行 RK-001 → rk-001：新增「人口基本信息查询」');
  assert.match(dry.out, '! 第 3 行「接口地址」[bad_url]');
  assert.match(dry.out, /新建「人口库」（市公安局）/);
  assert.match(dry.out, '--dry-run：未写入');
  const again = run(['catalogue', f, '--dry-run']);
  assert.match(again.out, '新增 2'); // still nothing written
  const apply = run(['catalogue', f]);
  assert.match(apply.out, '已导入');
  assert.match(apply.out, '出错的行未导入');
  const ok = run(['catalogue', write('fixed.csv', rows.rk, rows.fr)]);
  assert.is(ok.code, 0, ok.err);
  assert.match(ok.out, '新增 0，修改 0，未变 2');
});

test('a server running: the command sends the file to it (token required), which previews and archives on request', async () => {
  const db = server ?? (await openDb({ dataDir: join(dir, 'db') }));
  const sys = await startSystem({ config: loadConfig(cfgFile), db, log: silentLogger() });
  try {
    const token = (await sys.auth.createToken({ name: 'cli', role: 'ops', createdBy: 'test' })).token;
    // The stored targets run in the server (the command wrote them while it was down).
    const live = await fetch(`${sys.url}/api/collector/targets/rk-001`, { headers: { authorization: `Bearer ${token}` } });
    assert.is(live.status, 200);
    const f = write('without-fr.csv', rows.rk);
    const noToken = await runAsync(['catalogue', f, '--server', sys.url!]);
    assert.is(noToken.code, 2);
    assert.match(noToken.err, 'CITY_OPS_TOKEN');
    const dry = await runAsync(['catalogue', f, '--server', sys.url!, '--dry-run'], { CITY_OPS_TOKEN: token });
    assert.is(dry.code, 0, dry.err);
    assert.match(dry.out, `由服务 ${sys.url} 导入`);
    assert.match(dry.out, '- FR-001 → fr-001：目录中已没有「法人信息查询」（加 --archive-missing 则归档）');
    const arch = await runAsync(['catalogue', f, '--server', sys.url!, '--archive-missing', '--token', token]);
    assert.is(arch.code, 0, arch.err);
    assert.match(arch.out, '已归档');
    assert.is((await fetch(`${sys.url}/api/collector/config/targets/fr-001`, { headers: { authorization: `Bearer ${token}` } })).status, 404);
    const audit = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'config.catalogue.import'`);
    assert.is(audit.rows[0].n, 1); // the server audits what it applied
  } finally {
    await sys.stop();
    await db.close();
  }
});

test.run();
