#!/usr/bin/env node
/**
 * Import of the exchange platform's exported call logs (the import itself is collector/calls/file-import.ts):
 *   npx tsx app/cli/import-calls.ts --file calls.csv [--format csv|jsonl] [--encoding auto|utf-8|gbk] [--config ops/demo.yaml]
 * A progress bar goes to stderr; the run ends with a summary and the first per-line errors. Exit 0 when the import
 * completed (also with rejected lines), 2 usage error, 1 when it could not run.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';

const USAGE = '用法 (usage): npx tsx app/cli/import-calls.ts --file FILE [--format csv|jsonl] [--encoding auto|utf-8|gbk] [--config ops/demo.yaml]';

class UsageError extends Error {}

async function main() {
  const { values } = parseArgs({
    options: { file: { type: 'string' }, format: { type: 'string' }, encoding: { type: 'string' }, config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return void console.log(USAGE);
  if (!values.file) throw new UsageError('缺少 --file（要导入的 CSV 或 JSON Lines 调用日志）');
  if (values.format && values.format !== 'csv' && values.format !== 'jsonl') throw new UsageError('--format 应为 csv 或 jsonl');
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
  const { importCallFile } = await import('../../collector/calls/file-import');
  const config = loadConfig(values.config ?? process.env.CONFIG ?? 'ops/demo.yaml');
  const url = process.env.DATABASE_URL || config.database.url;
  const db = await openDb({ url, dataDir: url ? undefined : configPath(config, config.database.dataDir) });
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: '导入 {bar} {percentage}% | {lines} 行 | 新增 {inserted} | 重复 {duplicates} | 拒绝 {rejected}', hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(statSync(values.file).size, 0, { lines: 0, inserted: 0, duplicates: 0, rejected: 0 });
  let s: Awaited<ReturnType<typeof importCallFile>>;
  try {
    s = await importCallFile({
      db, config: config.calls, file: values.file, format: values.format as 'csv' | 'jsonl' | undefined, encoding,
      onProgress: (p) => bar.update(p.bytes, { lines: p.lines, inserted: p.inserted, duplicates: p.duplicates, rejected: p.rejected }),
    });
  } finally {
    bar.stop();
    await db.close();
  }
  const out = [`调用日志导入完成：${s.lines} 行，新增 ${s.inserted}，已存在（未重复计数）${s.duplicates}，拒绝 ${s.rejected}`];
  for (const e of s.errors) out.push(`  第 ${e.line} 行：${e.message}`);
  if (s.rejected > s.errors.length) out.push(`  ……另有 ${s.rejected - s.errors.length} 行被拒绝（collector.calls.maxErrorsListed 限制了列出的条数）`);
  console.log(out.join('\n'));
}

if (process.argv[1] && resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  main().catch((err) => {
    const busy = (err as Error).name === 'FolderInUseError' ? '数据库正被另一个进程（如运行中的服务）使用，请先停止它再导入，或通过 POST /api/collector/calls/ingest 发送。\n' : '';
    console.error(err instanceof UsageError ? `${err.message}\n${USAGE}` : `导入失败：${busy}${(err as Error).message}`);
    process.exit(err instanceof UsageError ? 2 : 1);
  });
}
