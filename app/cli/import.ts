#!/usr/bin/env node
/**
 * Bulk import of one record type from a file (the command; the import itself is reporter/intake/import.ts):
 *   npx tsx app/cli/import.ts --type PENALTY --file x.csv [--format csv|jsonl|xlsx] [--encoding auto|utf-8|gbk] [--errors report.csv] [--dry-run] [--config ops/demo.yaml]
 * A progress bar goes to stderr; the run ends with a summary and the paths of the error report and the rejected rows.
 * Exit 0 when the import completed (also when rows were rejected: they are kept as invalid and reported); 2 usage
 * error; 1 when it could not run.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { DATA_TYPE_ZH } from '../../reporter/standard/codes';
import { isDataType, DATA_TYPES } from '../../reporter/standard/types';
import { importFile } from '../../reporter/intake/import';

const USAGE = `用法 (usage): npx tsx app/cli/import.ts --type ${DATA_TYPES.join('|')} --file FILE [--format csv|jsonl|xlsx] [--encoding auto|utf-8|gbk] [--errors report.csv] [--dry-run] [--config ops/demo.yaml]`;

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
  const { openDb } = await import('../../core/db');
  const { createLogger } = await import('../../core/log');
  const { Intake } = await import('../../reporter/intake/service');
  const config = loadConfig(values.config ?? process.env.CONFIG ?? 'ops/demo.yaml');
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

if (process.argv[1] && resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  main().catch((err) => {
    // A server running on the same embedded database holds its folder: say so in the clerk's language first.
    const busy = (err as Error).name === 'FolderInUseError' ? '数据库正被另一个进程（如运行中的服务）使用，请先停止它再导入，或通过服务的接口提交记录（POST /api/reporter/records/<类型>，见 docs/reporter-data.md）。\n' : '';
    console.error(err instanceof UsageError ? `${err.message}\n${USAGE}` : `导入失败：${busy}${(err as Error).message}`);
    process.exit(err instanceof UsageError ? 2 : 1);
  });
}
