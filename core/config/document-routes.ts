import { Hono } from 'hono';
import { z } from 'zod';
import { auditFrom, httpError, readJson, requirePermission, type AppEnv } from '../http';
import type { AuthService } from '../auth/service';
import type { ConfigObjects } from './store';
import { exportYaml, importYaml, ImportSyntaxError } from './exchange';
import { redactDiff } from './redact';
import type { ConfigImportResult } from '../../contract/config';

/** The largest import document (an export of 10,000 targets is a few MiB). */
export const CONFIG_IMPORT_MAX_BYTES = 32 * 1024 * 1024;

/**
 * The whole configuration as one YAML document, for the admin (README: 统一配置; the 管理 page's 配置导出与导入):
 *   GET  /export   what runs, as `config export` writes it (a download)
 *   POST /import   { yaml, dryRun?, prune?, reason?, name? }: the exact diff against what runs, as `config import`
 *                  prints it; without dryRun applied in one transaction (not at all when any object has a problem)
 * The same code as the CLI (core/config/exchange.ts). Both are audited (config.export, config.import).
 */
export function configDocumentRoutes(objects: ConfigObjects, auth: AuthService) {
  const r = new Hono<AppEnv>();
  const body = z.object({
    yaml: z.string().max(CONFIG_IMPORT_MAX_BYTES),
    dryRun: z.boolean().optional(),
    prune: z.boolean().optional(),
    reason: z.string().max(500).optional(),
    name: z.string().max(200).optional(),
  }).strict();

  r.get('/export', requirePermission('config:admin'), async (c) => {
    const text = await exportYaml(objects);
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    await auditFrom(c, auth, { action: 'config.export', target: 'config', details: { bytes: Buffer.byteLength(text) } });
    return c.body(text, 200, {
      'content-type': 'application/yaml; charset=utf-8',
      'content-disposition': `attachment; filename="city-ops-config-${stamp}.yaml"`,
      'cache-control': 'no-store',
    });
  });

  r.post('/import', requirePermission('config:admin'), async (c) => {
    const j = await readJson(c);
    if (!j.ok) return j.response;
    const b = body.safeParse(j.value ?? {});
    if (!b.success) {
      const i = b.error.issues[0];
      return httpError(c, 400, 'bad_request', `请求体不对：${i.path.join('.') || '（整体）'}：${i.message}`, { field: i.path.join('.') });
    }
    const { yaml, dryRun = false, prune = false, reason, name = '导入的配置' } = b.data;
    const p = c.get('principal')!;
    let rep;
    try {
      rep = await importYaml(objects, yaml, { file: name, dryRun, prune, actor: { name: p.name, role: p.role, reason: reason || `配置导入 ${name}` } });
    } catch (err) {
      if (!(err instanceof ImportSyntaxError)) throw err;
      return httpError(c, 422, 'yaml_syntax', err.message, { problems: [{ field: '', message: err.message, ...(err.line ? { line: err.line } : {}) }] });
    }
    const changes = rep.plan.changes.map((x) => ({ kind: x.kind, id: x.id, op: x.op, diff: x.diff }));
    const counts = { create: 0, update: 0, delete: 0, keep: 0 };
    for (const x of changes) counts[x.op]++;
    if (rep.applied) {
      await auditFrom(c, auth, {
        action: 'config.import', target: 'config',
        details: { name, reason: reason ?? '', prune, counts, changes: changes.filter((x) => x.op !== 'keep').map((x) => ({ ...x, diff: redactDiff(x.diff) })) },
      });
    }
    const out: ConfigImportResult = { dryRun, applied: rep.applied, changed: rep.changed, counts, changes, errors: rep.errors };
    if (rep.errors.length) {
      const e = rep.errors[0];
      const where = `${e.line ? `第 ${e.line} 行 ` : ''}${e.object ? `${e.object.kind} ${e.object.id} 的 ` : ''}${e.field || '（整体）'}`;
      return httpError(c, 422, 'invalid_config', `有 ${rep.errors.length} 处问题，未导入任何内容；第一处在 ${where}：${e.message}`, { problems: rep.errors, result: out });
    }
    return c.json(out);
  });
  return r;
}
