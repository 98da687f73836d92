#!/usr/bin/env node
/**
 * The configuration store from the command line (README: 统一配置):
 *   npx tsx app/cli/config.ts export [--out FILE] [--config ops/demo.yaml]
 *   npx tsx app/cli/config.ts import FILE [--dry-run] [--prune] [--reason TEXT] [--config ops/demo.yaml]
 * `export` writes what runs (the file's objects and the stored ones) as YAML in the file's own format; `import` prints
 * the exact diff of FILE against what runs and applies it in one transaction (not with --dry-run). FILE may be a whole
 * configuration file: only the lists of objects (collector.modules, collector.targets, alerts.rules, alerts.receivers)
 * are read. A running server applies an import within seconds (it polls the store), without a restart.
 * Exit 0 done; 1 the import has problems (nothing applied) or could not run; 2 usage error.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import YAML from 'yaml';
import type { ConfigObjects, ImportPlan } from '../../core/config/store';

const USAGE = `用法 (usage):
  npx tsx app/cli/config.ts export [--out FILE] [--config ops/demo.yaml]
  npx tsx app/cli/config.ts import FILE [--dry-run] [--prune] [--reason 说明] [--config ops/demo.yaml]`;

/** What runs, as YAML that `import` reads back unchanged. */
export async function exportYaml(objects: ConfigObjects): Promise<string> {
  return `# city-ops 配置导出（config export）：运行中的模块、监测对象、告警规则与接收者\n${YAML.stringify(await objects.exportDoc(), { lineWidth: 0 })}`;
}

/** Reads an import document (YAML), or throws with the line of the syntax error. */
export function readImportDoc(text: string, file: string): unknown {
  const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) throw new Error(`${file}: YAML 语法错误：${doc.errors[0].message.split('\n')[0]}`);
  return doc.toJS() ?? {};
}

/** The plan, as the operator reads it: one line per object, one per changed field. */
export function formatPlan(plan: ImportPlan, dryRun: boolean): string {
  const sym = { create: '+', update: '~', delete: '-', keep: '=' } as const;
  const word = { create: '新增', update: '修改', delete: '归档', keep: '保留（文件中没有；加 --prune 则归档）' } as const;
  const lines: string[] = [];
  for (const c of plan.changes) {
    lines.push(`${sym[c.op]} ${c.kind} ${c.id}：${word[c.op]}`);
    if (c.op !== 'keep') for (const d of c.diff) lines.push(`    ${d.path}: ${JSON.stringify(d.before) ?? '（无）'} → ${JSON.stringify(d.after) ?? '（无）'}`);
  }
  for (const e of plan.errors) lines.push(`! ${e.object ? `${e.object.kind} ${e.object.id} ` : ''}${e.field}：${e.message}`);
  const n = plan.changes.filter((c) => c.op !== 'keep').length;
  if (plan.errors.length) lines.push(`有 ${plan.errors.length} 处问题，未导入任何内容；改正后重试`);
  else if (!n) lines.push('没有变化：文件与运行中的配置一致');
  else lines.push(dryRun ? `共 ${n} 项变化（--dry-run：未写入）` : `已导入 ${n} 项变化（一个事务）；运行中的服务数秒内生效`);
  return lines.join('\n');
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o' },
      'dry-run': { type: 'boolean' },
      prune: { type: 'boolean' },
      reason: { type: 'string' },
      config: { type: 'string', short: 'c' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return void console.log(USAGE);
  const [cmd, file] = positionals;
  if (cmd !== 'export' && cmd !== 'import') throw new UsageError('第一个参数应为 export 或 import');
  if (cmd === 'import' && !file) throw new UsageError('import 需要要导入的文件');
  const { loadConfig, configPath } = await import('../config');
  const { openDb } = await import('../../core/db');
  const { openConfigObjects } = await import('../objects');
  const config = loadConfig(values.config ?? process.env.CONFIG ?? 'ops/demo.yaml');
  const url = process.env.DATABASE_URL || config.database.url;
  const db = await openDb({ url, dataDir: url ? undefined : configPath(config, config.database.dataDir) });
  try {
    const objects = openConfigObjects(db, Date.now, () => config);
    if (cmd === 'export') {
      const text = await exportYaml(objects);
      if (values.out) writeFileSync(values.out, text);
      else process.stdout.write(text);
      return;
    }
    let text: string;
    try {
      text = readFileSync(file!, 'utf8');
    } catch {
      throw new UsageError(`找不到文件 ${file}`);
    }
    const plan = await objects.plan(readImportDoc(text, file!), values.prune);
    const dry = !!values['dry-run'] || plan.errors.length > 0;
    if (!dry) await objects.apply(plan, { name: `cli:${process.env.USER ?? 'unknown'}`, role: 'admin', reason: values.reason ?? `config import ${file}` });
    console.log(formatPlan(plan, !!values['dry-run']));
    process.exitCode = plan.errors.length ? 1 : 0;
  } finally {
    await db.close();
  }
}

class UsageError extends Error {}

if (process.argv[1] && resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  main().catch((err) => {
    const busy = (err as Error).name === 'FolderInUseError' ? '数据库正被另一个进程（如运行中的服务）使用：嵌入式数据库同时只能由一个进程打开，请先停止服务，或改用 API（/api/collector/config/…）。\n' : '';
    console.error(err instanceof UsageError ? `${err.message}\n${USAGE}` : `失败：${busy}${(err as Error).message}`);
    process.exit(err instanceof UsageError ? 2 : 1);
  });
}
