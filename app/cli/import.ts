#!/usr/bin/env node
/**
 * Bulk import of one record type from a file (the command; the import itself is reporter/intake/import.ts):
 *   npx tsx app/cli/import.ts --type PENALTY --file x.csv [--format csv|jsonl|xlsx] [--encoding auto|utf-8|gbk] [--errors report.csv] [--dry-run] [--config ops/demo.yaml]
 * A progress bar goes to stderr; the run ends with a summary and the paths of the error report and the rejected rows.
 * Exit 0 when the import completed (also when rows were rejected: they are kept as invalid and reported); 2 usage
 * error; 1 when it could not run.
 *
 * Where it goes: to the running server when one runs, else straight into the database.
 *   - `--server URL`: that server (it must answer, else exit 1);
 *   - without it: the server of the configuration (server.host / server.port of --config, the file the server runs
 *     with) is asked for GET /healthz (1.5 s); if it answers, the import goes there; `--direct` skips the question.
 * To the server, the file is streamed to POST /api/reporter/imports with an API token of a role that may import
 * (regulator): `--token T`, or the CITY_OPS_TOKEN environment variable (better: not in the process list), or
 * `--token-file PATH`. The report is the server's: its three parts as one .xlsx (`<file>.report.xlsx`, or --errors).
 * Only with no server running does the command open the database itself (the embedded folder is the server's
 * while it runs).
 */
import { createReadStream, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { DATA_TYPE_ZH } from '../../reporter/standard/codes';
import { isDataType, DATA_TYPES, type DataType } from '../../reporter/standard/types';
import type { ImportRecord } from '../../contract/reporter';
import { importFile } from '../../reporter/intake/import';
import { answers, hostOf, runningServer } from './server';

const USAGE = `用法 (usage): npx tsx app/cli/import.ts --type ${DATA_TYPES.join('|')} --file FILE [--format csv|jsonl|xlsx] [--encoding auto|utf-8|gbk] [--errors report.csv] [--dry-run] [--config ops/demo.yaml]
  [--server URL] [--token T | --token-file PATH]  (to the running server; default: the config's server if it answers, CITY_OPS_TOKEN)
  [--direct]  (write into the database itself, even if the config's server answers)`;

async function main() {
  const { values } = parseArgs({
    options: {
      type: { type: 'string' },
      file: { type: 'string' },
      format: { type: 'string' },
      encoding: { type: 'string' },
      errors: { type: 'string' },
      'dry-run': { type: 'boolean' },
      config: { type: 'string', short: 'c' },
      server: { type: 'string' },
      token: { type: 'string' },
      'token-file': { type: 'string' },
      direct: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return void console.log(USAGE);
  const type = values.type?.toUpperCase();
  if (!type || !isDataType(type)) throw new UsageError(`--type 应为 ${DATA_TYPES.join('、')} 之一`);
  if (!values.file) throw new UsageError('缺少 --file（要导入的 CSV、Excel .xlsx 或 JSON Lines 文件）');
  if (values.format && !['csv', 'jsonl', 'xlsx'].includes(values.format)) throw new UsageError('--format 应为 csv、jsonl 或 xlsx（默认按扩展名）');
  const enc = (values.encoding ?? 'auto').toLowerCase();
  const encoding = enc === 'gbk' || enc === 'gb18030' ? 'gb18030' : enc === 'utf-8' || enc === 'utf8' ? 'utf-8' : enc === 'auto' ? 'auto' : null;
  if (!encoding) throw new UsageError('--encoding 应为 auto、utf-8 或 gbk');
  try {
    statSync(values.file);
  } catch {
    throw new UsageError(`找不到文件 ${values.file}`);
  }
  const { loadConfig, configPath } = await import('../config');
  const config = loadConfig(values.config ?? process.env.CONFIG ?? 'ops/demo.yaml');
  if (values.server && values.direct) throw new UsageError('--server 与 --direct 不能同时使用');
  const server = values.server ? values.server.replace(/\/+$/, '') : values.direct ? null : await runningServer(`http://${hostOf(config.server.host)}:${config.server.port}`);
  if (values.server && !(await answers(server!))) throw new Error(`服务 ${server} 没有响应（GET /healthz）：请检查地址，或不带 --server 直接写入数据库（需先停止服务）`);
  if (server) {
    if (values['dry-run']) throw new UsageError(`服务 ${server} 正在运行：--dry-run 只能在直接写库时使用（加 --direct 并先停止服务，或用页面导入后查看报告）`);
    const token = values.token ?? (values['token-file'] ? readFileSync(values['token-file'], 'utf8').trim() : process.env.CITY_OPS_TOKEN);
    if (!token) {
      throw new UsageError(`服务 ${server} 正在运行，导入将发送给它：需要可导入（regulator 角色）的 API 令牌，用 --token、--token-file 或环境变量 CITY_OPS_TOKEN 提供（管理员在"用户与令牌"或 npx tsx app/admin.ts create-token --name 导入 --role regulator 创建）`);
    }
    return viaServer(server, token, { type, file: values.file, format: values.format, encoding: enc === 'gb18030' ? 'gbk' : enc, errors: values.errors });
  }
  const { openDb } = await import('../../core/db');
  const { createLogger } = await import('../../core/log');
  const { Intake } = await import('../../reporter/intake/service');
  const url = process.env.DATABASE_URL || config.database.url;
  const db = await openDb({ url, dataDir: url ? undefined : configPath(config, config.database.dataDir) });
  const log = createLogger({ level: process.env.LOG_LEVEL ?? 'warn' });
  const intake = new Intake({ db, reporter: config.reporter, log });
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: '导入 {bar} {percentage}% | {rows} 行 | 接受 {accepted} | 拒绝 {rejected}', hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(statSync(values.file).size, 0, { rows: 0, accepted: 0, rejected: 0 });
  let s: Awaited<ReturnType<typeof importFile>>;
  try {
    s = await importFile({
      intake, dataType: type, file: values.file, format: values.format as 'csv' | 'jsonl' | 'xlsx' | undefined, errorsFile: values.errors, dryRun: values['dry-run'], encoding,
      onProgress: (p) => bar.update(p.bytes, { rows: p.rows, accepted: p.accepted, rejected: p.rejected }),
    });
    bar.update(statSync(values.file).size);
  } finally {
    bar.stop();
    await db.close();
  }
  const lines = [
    `${DATA_TYPE_ZH[s.dataType]}（${s.dataType}）${values['dry-run'] ? '检查完成（--dry-run，未写入数据库）' : '导入完成'}：${s.rows} 行，用时 ${s.seconds.toFixed(1)} 秒` +
      (s.importId !== undefined ? `，导入编号 ${s.importId}` : ''),
    `  接受 ${s.accepted}，等待关联记录 ${s.heldReference}，拒绝 ${s.rejected}，未变化 ${s.unchanged}，带警告 ${s.warned}`,
    `  待更正的错误 ${s.findings.error} 条，等待关联记录 ${s.findings.waiting} 条，警告 ${s.findings.warning} 条` +
      (s.importId !== undefined ? `（三部分可在看板"数据直报"页或 GET /api/reporter/imports/${s.importId}/report.csv?part=error|waiting|warning 下载）` : ''),
    `  错误报告：${resolve(s.errorsFile)}（${s.errorLines} 条）`,
  ];
  if (s.rejectedRowsFile) lines.push(`  被拒绝的行：${resolve(s.rejectedRowsFile)}（改正后可直接重新导入）`);
  if (s.unknownColumns.length) lines.push(`  未识别的列（已忽略）：${s.unknownColumns.join('、')}`);
  if (s.missingColumns.length) lines.push(`  文件中没有的列：${s.missingColumns.join('、')}`);
  console.log(lines.join('\n'));
  // The import completed: 0, also when rows were rejected (they are kept as invalid and listed in the report).
  // Non-zero only when it could not run: 2 usage, 1 failure.
  process.exitCode = 0;
}

class UsageError extends Error {}

/** The file streamed to the server's import (node:http: no response timeout while the server works through it). */
async function viaServer(base: string, token: string, o: { type: DataType; file: string; format?: string; encoding: string; errors?: string }) {
  const size = statSync(o.file).size;
  const q = new URLSearchParams({ type: o.type, name: basename(o.file), encoding: o.encoding, ...(o.format ? { format: o.format } : {}) });
  const url = new URL(`${base}/api/reporter/imports?${q}`);
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: `发送至 ${base} {bar} {percentage}% | 服务器校验、入库中（可在看板"数据直报"页查看进度）`, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(size, 0);
  let sent = 0;
  const send = (url.protocol === 'https:' ? httpsRequest : httpRequest);
  const answer = await new Promise<{ status: number; body: string }>((resolveP, reject) => {
    const req = send(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', 'content-length': String(size) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolveP({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    const input = createReadStream(o.file);
    input.on('data', (c) => bar.update((sent += c.length)));
    input.on('error', reject);
    input.pipe(req);
  }).finally(() => bar.stop());
  let body: any = null;
  try {
    body = JSON.parse(answer.body);
  } catch {
    body = null;
  }
  if (answer.status === 401) throw new Error(`服务 ${base} 拒绝了令牌（401）：令牌无效或已过期，请向管理员申请新的令牌`);
  if (answer.status === 403) throw new Error(`服务 ${base} 拒绝了导入（403）：令牌的角色不能导入记录，需要 regulator（数据录入）角色`);
  if (answer.status !== 200 || !body) throw new Error(`服务 ${base} 未完成导入（${answer.status}）：${body?.error?.message ?? answer.body.slice(0, 300)}`);
  const r = body as ImportRecord;
  // The report: the server's three parts, one workbook (or the error part as CSV when --errors names a .csv).
  const reportPath = o.errors ?? o.file.replace(/\.(csv|jsonl?|ndjson|xlsx|txt)$/i, '') + '.report.xlsx';
  const csv = /\.csv$/i.test(reportPath);
  const rep = await fetch(`${base}/api/reporter/imports/${r.id}/${csv ? 'report.csv?part=error' : 'report.xlsx'}`, { headers: { authorization: `Bearer ${token}` } });
  if (rep.ok) writeFileSync(reportPath, Buffer.from(await rep.arrayBuffer()));
  const lines = [
    `${DATA_TYPE_ZH[r.dataType]}（${r.dataType}）导入完成（由服务 ${base} 完成）：${r.rows} 行，导入编号 ${r.id}`,
    `  接受 ${r.accepted}，等待关联记录 ${r.heldReference}，拒绝 ${r.rejected}，未变化 ${r.unchanged}，带警告 ${r.warned}`,
    `  待更正的错误 ${r.findings.error} 条，等待关联记录 ${r.findings.waiting} 条，警告 ${r.findings.warning} 条`,
    rep.ok ? `  错误报告：${resolve(reportPath)}（${csv ? '待更正的错误，CSV' : '三部分，Excel'}；也可在看板"数据直报"页下载）` : `  错误报告下载失败（${rep.status}），可在看板"数据直报"页下载`,
  ];
  if (r.unknownColumns.length) lines.push(`  未识别的列（已忽略）：${r.unknownColumns.join('、')}`);
  if (r.missingColumns.length) lines.push(`  文件中没有的列：${r.missingColumns.join('、')}`);
  console.log(lines.join('\n'));
  process.exitCode = 0;
}

if (process.argv[1] && resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  main().catch((err) => {
    // A server running on the same embedded database holds its folder: say so in the clerk's language first.
    const busy = (err as Error).name === 'FolderInUseError' ? '数据库正被另一个进程（如运行中的服务）使用：用 --server 地址 --token 令牌 把文件发给服务导入，或先停止服务再导入。\n' : '';
    console.error(err instanceof UsageError ? `${err.message}\n${USAGE}` : `导入失败：${busy}${(err as Error).message}`);
    process.exit(err instanceof UsageError ? 2 : 1);
  });
}
