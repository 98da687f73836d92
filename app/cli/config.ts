#!/usr/bin/env node
/**
 * The configuration store from the command line (README: 统一配置):
 *   npx tsx app/cli/config.ts export [--out FILE] [--config ops/demo.yaml]
 *   npx tsx app/cli/config.ts import FILE [--dry-run] [--prune] [--reason TEXT] [--config ops/demo.yaml]
 *   npx tsx app/cli/config.ts catalogue FILE [--dry-run] [--archive-missing] [--format csv|openapi] [--encoding utf-8|gbk] [--reason TEXT]
 *       [--server URL] [--token T | --token-file PATH] [--direct]
 * `export` writes what runs (the file's objects and the stored ones) as YAML in the file's own format; `import` prints
 * the exact diff of FILE against what runs and applies it in one transaction (not with --dry-run). FILE may be a whole
 * configuration file: only the lists of objects (collector.modules, collector.targets, alerts.rules, alerts.receivers)
 * are read. `catalogue` imports the exchange platform's interface catalogue (CSV with Chinese headers, or OpenAPI 3;
 * README: 接口目录导入) as modules and http targets, idempotent by 接口编码; a bad row is reported and the rest imported.
 * `catalogue` goes to the running server when one runs (like app/cli/import.ts: --server URL, else the config's
 * server if GET /healthz answers; --direct skips it), with an API token of ops or admin (--token, --token-file or
 * CITY_OPS_TOKEN); with no server it opens the database itself. A running server applies an import written into the
 * database within seconds (it polls the store), without a restart.
 * Exit 0 done; 1 the import has problems (config import: nothing applied; catalogue: the bad rows left out, the rest
 * applied) or could not run; 2 usage error.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ImportPlan } from '../../core/config/store';
import { exportYaml, importYaml, type LocatedProblem } from '../../core/config/exchange';
import type { CataloguePreview } from '../../contract/catalogue';
import { answers, hostOf, runningServer } from './server';

const USAGE = `用法 (usage):
  npx tsx app/cli/config.ts export [--out FILE] [--config ops/demo.yaml]
  npx tsx app/cli/config.ts import FILE [--dry-run] [--prune] [--reason 说明] [--config ops/demo.yaml]
  npx tsx app/cli/config.ts catalogue FILE [--dry-run] [--archive-missing] [--format auto|csv|openapi] [--encoding auto|utf-8|gbk] [--reason 说明] [--config ops/demo.yaml]
      [--server URL] [--token T | --token-file PATH]  (发给运行中的服务；默认：配置中的服务若在运行，令牌亦可用 CITY_OPS_TOKEN)
      [--direct]  (直接写数据库，需先停止服务)`;

export { exportYaml, readImportDoc } from '../../core/config/exchange';

/** The plan, as the operator reads it: one line per object, one per changed field. */
export function formatPlan(plan: ImportPlan, dryRun: boolean, located: LocatedProblem[] = plan.errors): string {
  const sym = { create: '+', update: '~', delete: '-', keep: '=' } as const;
  const word = { create: '新增', update: '修改', delete: '归档', keep: '保留（文件中没有；加 --prune 则归档）' } as const;
  const lines: string[] = [];
  for (const c of plan.changes) {
    lines.push(`${sym[c.op]} ${c.kind} ${c.id}：${word[c.op]}`);
    if (c.op !== 'keep') for (const d of c.diff) lines.push(`    ${d.path}: ${JSON.stringify(d.before) ?? '（无）'} → ${JSON.stringify(d.after) ?? '（无）'}`);
  }
  for (const e of located) lines.push(`! ${e.line ? `第 ${e.line} 行 ` : ''}${e.object ? `${e.object.kind} ${e.object.id} ` : ''}${e.field}：${e.message}`);
  const n = plan.changes.filter((c) => c.op !== 'keep').length;
  if (plan.errors.length) lines.push(`有 ${plan.errors.length} 处问题，未导入任何内容；改正后重试`);
  else if (!n) lines.push('没有变化：文件与运行中的配置一致');
  else lines.push(dryRun ? `共 ${n} 项变化（--dry-run：未写入）` : `已导入 ${n} 项变化（一个事务）；运行中的服务数秒内生效`);
  return lines.join('\n');
}

/** A catalogue import's preview, as the operator reads it: one line per change, per missing interface, per bad row. */
export function formatCatalogue(p: CataloguePreview): string {
  const lines: string[] = [];
  for (const m of p.modulesCreated) lines.push(`+ 模块 ${m.id}：新建「${m.name}」（${m.department}）`);
  for (const c of p.changes) {
    lines.push(`${c.op === 'create' ? '+' : '~'} 第 ${c.row} 行 ${c.interfaceCode} → ${c.id}：${c.op === 'create' ? '新增' : '修改'}「${c.name}」`);
    for (const d of c.diff) lines.push(`    ${d.path}: ${JSON.stringify(d.before) ?? '（无）'} → ${JSON.stringify(d.after) ?? '（无）'}`);
  }
  for (const m of p.missing) lines.push(`- ${m.interfaceCode} → ${m.id}：目录中已没有「${m.name}」${m.archived ? '，已归档' : '（加 --archive-missing 则归档）'}`);
  for (const e of p.errors) lines.push(`! 第 ${e.row} 行「${e.column}」[${e.code}]：${e.message}`);
  const n = p.counts;
  lines.push(`共 ${n.rows} ${p.format === 'openapi' ? '个操作' : '行'}：新增 ${n.create}，修改 ${n.update}，未变 ${n.unchanged}，目录中缺少 ${n.missing}${n.archived ? `（已归档 ${n.archived}）` : ''}，出错 ${n.errors}${n.skipped ? `，跳过 ${n.skipped}（非 GET/HEAD 且未标 x-probe）` : ''}；新建模块 ${n.modulesCreated}`);
  lines.push(p.dryRun ? '--dry-run：未写入' : p.applied ? `已导入（一个事务）${n.errors ? '；出错的行未导入，改正后重新导入即可' : ''}；运行中的服务数秒内生效` : '未写入');
  return lines.join('\n');
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o' },
      'dry-run': { type: 'boolean' },
      prune: { type: 'boolean' },
      'archive-missing': { type: 'boolean' },
      format: { type: 'string' },
      encoding: { type: 'string' },
      reason: { type: 'string' },
      config: { type: 'string', short: 'c' },
      server: { type: 'string' },
      token: { type: 'string' },
      'token-file': { type: 'string' },
      direct: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return void console.log(USAGE);
  const [cmd, file] = positionals;
  if (cmd !== 'export' && cmd !== 'import' && cmd !== 'catalogue') throw new UsageError('第一个参数应为 export、import 或 catalogue');
  if ((cmd === 'import' || cmd === 'catalogue') && !file) throw new UsageError(`${cmd} 需要要导入的文件`);
  const format = (values.format ?? 'auto').toLowerCase();
  if (format !== 'auto' && format !== 'csv' && format !== 'openapi') throw new UsageError('--format 应为 auto、csv 或 openapi');
  const enc = (values.encoding ?? 'auto').toLowerCase();
  const encoding = enc === 'auto' ? 'auto' : enc === 'utf-8' || enc === 'utf8' ? 'utf-8' : enc === 'gbk' || enc === 'gb18030' ? 'gb18030' : null;
  if (!encoding) throw new UsageError('--encoding 应为 auto、utf-8 或 gbk');
  const { loadConfig, configPath } = await import('../config');
  const config = loadConfig(values.config ?? process.env.CONFIG ?? 'ops/demo.yaml');
  let bytes: Buffer | undefined;
  if (file) {
    try {
      bytes = readFileSync(file);
    } catch {
      throw new UsageError(`找不到文件 ${file}`);
    }
  }
  // The catalogue goes to the running server when one runs (its API previews and applies, audited); only with none
  // does the command open the database itself (the embedded folder is the server's while it runs).
  if (cmd === 'catalogue') {
    if (values.server && values.direct) throw new UsageError('--server 与 --direct 不能同时使用');
    const server = values.server ? values.server.replace(/\/+$/, '') : values.direct ? null : await runningServer(`http://${hostOf(config.server.host)}:${config.server.port}`);
    if (values.server && !(await answers(server!))) throw new Error(`服务 ${server} 没有响应（GET /healthz）：请检查地址，或不带 --server 直接写入数据库（需先停止服务）`);
    if (server) {
      const token = values.token ?? (values['token-file'] ? readFileSync(values['token-file'], 'utf8').trim() : process.env.CITY_OPS_TOKEN);
      if (!token) throw new UsageError(`服务 ${server} 正在运行，目录将发送给它导入：需要运维或管理员角色的 API 令牌，用 --token、--token-file 或环境变量 CITY_OPS_TOKEN 提供（或加 --direct 并先停止服务）`);
      const q = new URLSearchParams({ name: basename(file!), format, encoding: encoding === 'gb18030' ? 'gbk' : encoding, ...(values['dry-run'] ? { dryRun: '1' } : {}), ...(values['archive-missing'] ? { archiveMissing: '1' } : {}), ...(values.reason ? { reason: values.reason } : {}) });
      const res = await fetch(`${server}/api/collector/config/catalogue?${q}`, { method: 'POST', body: new Uint8Array(bytes!), headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' } });
      const body = (await res.json().catch(() => null)) as (CataloguePreview & { error?: { message: string } }) | null;
      if (res.status === 401) throw new Error(`服务 ${server} 拒绝了令牌（401）：令牌无效或已过期`);
      if (res.status !== 200 || !body) throw new Error(`服务 ${server} 未完成导入（${res.status}）：${body?.error?.message ?? ''}`);
      console.log(`（由服务 ${server} 导入）\n${formatCatalogue(body)}`);
      process.exitCode = body.errors.length ? 1 : 0;
      return;
    }
  }
  const { openDb } = await import('../../core/db');
  const { openConfigObjects } = await import('../objects');
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
    if (cmd === 'catalogue') {
      const { readCatalogue, importCatalogue } = await import('../../collector');
      const read = readCatalogue(bytes!, { format, encoding, name: file });
      const preview = await importCatalogue(objects, read, {
        dryRun: !!values['dry-run'], archiveMissing: !!values['archive-missing'],
        actor: { name: `cli:${process.env.USER ?? 'unknown'}`, role: 'admin', reason: values.reason ?? `接口目录导入 ${file}` },
      });
      console.log(formatCatalogue(preview));
      process.exitCode = preview.errors.length ? 1 : 0;
      return;
    }
    const r = await importYaml(objects, bytes!.toString('utf8'), {
      file: file!, dryRun: !!values['dry-run'], prune: values.prune,
      actor: { name: `cli:${process.env.USER ?? 'unknown'}`, role: 'admin', reason: values.reason ?? `config import ${file}` },
    });
    console.log(formatPlan(r.plan, !!values['dry-run'], r.errors));
    process.exitCode = r.errors.length ? 1 : 0;
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
