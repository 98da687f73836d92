import { Hono } from 'hono';
import { z } from 'zod';
import { auditFrom, httpError, requirePermission, type AppEnv } from '../../core/http';
import { boolParam, queryInput } from '../../core/input';
import type { AuthService } from '../../core/auth/service';
import type { ConfigObjects } from '../../core/config/store';
import { CatalogueFileError, readCatalogue } from './read';
import { CatalogueConfigError, importCatalogue } from './plan';

/** The largest catalogue upload (app/system.ts bodyLimitFor): 10,000 rows of CSV are about 2 MiB. */
export const CATALOGUE_MAX_BYTES = 32 * 1024 * 1024;

const catalogueQuery = z.object({
  dryRun: boolParam.optional(),
  archiveMissing: boolParam.optional(),
  format: z.enum(['auto', 'csv', 'openapi'], { message: 'format 应为 auto、csv 或 openapi' }).optional(),
  encoding: z.enum(['auto', 'utf-8', 'utf8', 'gbk', 'gb18030'], { message: 'encoding 应为 auto、utf-8 或 gbk' }).optional(),
  name: z.string().max(200).optional(),
  reason: z.string().max(500).optional(),
});

/**
 * POST /api/collector/config/catalogue?dryRun=1&archiveMissing=1&format=&encoding=&name=&reason= with the file itself
 * as the body (application/octet-stream; README: 接口目录导入). Answers the preview (CataloguePreview): creates,
 * updates, unchanged, missing, per-row errors; without dryRun the changes are applied in one transaction and run at
 * once. ops and admin (targets:write); an applied import is audited (config.catalogue.import).
 */
export function catalogueRoutes(objects: ConfigObjects, auth: AuthService) {
  const r = new Hono<AppEnv>();
  r.post('/', requirePermission('targets:write'), async (c) => {
    const q = queryInput(c, catalogueQuery);
    if (!q.ok) return q.response;
    const { dryRun = false, archiveMissing = false, format = 'auto', encoding = 'auto', name, reason } = q.value;
    // The file itself is the body (as the dashboard and the CLI send it), not a form.
    if (/^(multipart\/form-data|application\/x-www-form-urlencoded)\b/i.test(c.req.header('content-type') ?? '')) {
      return httpError(c, 415, 'unsupported_media_type', '请把目录文件本身作为请求体发送（content-type: application/octet-stream），不要用表单上传', { field: 'body' });
    }
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (!bytes.length) return httpError(c, 400, 'empty', '请求体为空：请把目录文件本身作为请求体发送（CSV 或 OpenAPI 文档）', { field: 'body' });
    let read;
    try {
      read = readCatalogue(bytes, { format, encoding: encoding === 'utf8' ? 'utf-8' : encoding === 'gbk' ? 'gb18030' : encoding, name });
    } catch (err) {
      if (err instanceof CatalogueFileError) return httpError(c, 422, err.code, err.message, { field: 'body' });
      throw err;
    }
    const p = c.get('principal')!;
    try {
      const preview = await importCatalogue(objects, read, {
        dryRun, archiveMissing,
        actor: { name: p.name, role: p.role, reason: reason || `接口目录导入${name ? ` ${name}` : ''}` },
      });
      if (preview.applied) {
        await auditFrom(c, auth, {
          action: 'config.catalogue.import',
          target: `catalogue:${name ?? read.format}`,
          details: {
            counts: preview.counts, archiveMissing, reason: reason ?? '',
            created: preview.changes.filter((x) => x.op === 'create').slice(0, 200).map((x) => x.id),
            updated: preview.changes.filter((x) => x.op === 'update').slice(0, 200).map((x) => x.id),
            archived: preview.missing.filter((m) => m.archived).slice(0, 200).map((m) => m.id),
          },
        });
      }
      return c.json(preview);
    } catch (err) {
      if (err instanceof CatalogueConfigError) return httpError(c, 409, 'invalid_config', err.message, { problems: err.problems.slice(0, 20) });
      throw err;
    }
  });
  return r;
}
