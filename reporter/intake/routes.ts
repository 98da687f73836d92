/**
 * The intake's JSON API, mounted by reporter/index.ts under /api/reporter:
 *   POST /records/:dataType                     one record or an array; answered per record      (reporter:ingest)
 *   GET  /records                               paginated list with filters                      (read)
 *   GET  /records/stats                         counts per type and status                        (read)
 *   GET  /records/:dataType/:recordId           the record with its history                       (read)
 *   GET  /rejects                               input that could not be keyed (kept, never dropped) (read)
 *   POST /records/:dataType/check               validate one record, store nothing (the correction form) (reporter:ingest)
 *   POST /records/:dataType/:recordId/withdraw  op DELETE                                         (reporter:ingest)
 *   POST /staging/run                           pick up the staging table now                     (reporter:write)
 *   POST /imports?type=&format=&encoding=&name= a file (csv/jsonl/xlsx) as the body (streamed, capped): the import (reporter:ingest)
 *   GET  /imports, /imports/:id                 the import log with counts (also while one runs)  (read)
 *   GET  /imports/:id/findings?kind=            one part of its report: error / waiting / warning (read)
 *   GET  /imports/:id/report.csv?part=          that part as the clerk's CSV (UTF-8 BOM, Chinese headers) (read)
 *   GET  /imports/:id/report.xlsx               the three parts as one workbook, a worksheet per part    (read)
 *   GET  /corrections/report.csv?part=&dataType= the whole correction queue's part as CSV             (read)
 *   GET  /corrections/report.xlsx?dataType=      the whole queue's three parts as one workbook          (read)
 * Every write is audited. Personal ID numbers are masked for callers who may not write records.
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AuthService } from '../../core/auth/service';
import { allows } from '../../core/auth/roles';
import { auditFrom, clientIp, httpError, page, readJson, requirePermission, type AppEnv } from '../../core/http';
import { maskIdNumber, scrub } from '../../core/mask';
import type { Db } from '../../core/db';
import type { IngestAnswer, IntakeReject, RecordCheck, RecordDetail, RecordStats, ReporterRecord, StagingRun, WithdrawAnswer } from '../../contract/reporter';
import type { Page } from '../../contract/common';
import { DATA_TYPES, isDataType, type DataType, type RecordStatus } from '../standard/types';
import { RECORD_ID_RE } from '../standard/validate';
import { CODE_TABLES, CODE_TABLE_NAMES_ZH, FIELD_CODE_TABLES, FIELDS, MULTI_VALUE_FIELDS } from '../standard/codes';
import type { Intake } from './service';
import { ingestStaging } from './staging';
import { formatOf, importStream, ImportTooLargeError, ImportUnreadableError, type ImportEncoding } from './import';
import { FINDING_PART_ZH, findingsCsv, getImport, importFindings, listImports } from './imports';
import { attachment, importLines, queueLines, reportCsv, reportXlsx } from './reports';
import { Readable } from 'node:stream';
import type { ImportFindingKind, ImportRecord, ImportFinding } from '../../contract/reporter';
import { getRecord, listRecords, listRejects, recordHistory, recordStats, RECORD_SORTS, RECORD_STATUSES, type RecordFilter } from './queries';
import { queryInput, searchText, sortParam } from '../../core/input';
import { z } from 'zod';

/** GET /records: the list's search and order (README "Lists"); its filters are read by the route itself. */
export const recordListExtras = z.object({ q: searchText.optional().default(''), sort: sortParam(RECORD_SORTS).prefault('-lastArrivedAt') });

/** What the routes need: the area's one intake pipeline (reporter/index.ts builds it), the audit log. */
export interface IntakeRouteDeps {
  db: Db;
  auth: AuthService;
  intake: Intake;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

export function createIntakeRoutes(deps: IntakeRouteDeps): Hono<AppEnv> {
  const { auth, db, intake } = deps;
  const app = new Hono<AppEnv>();

  const badType = (c: Context, t: string) => httpError(c, 404, 'unknown_data_type', `数据类型 "${t}" 不存在，应为 ${DATA_TYPES.join('、')} 之一 (use /records/ITEM, /records/INSPECTION, ...)`);

  // Built per request so that a configuration reload applies.
  const limitBody: MiddlewareHandler<AppEnv> = (c, next) => {
    const max = intake.reporter.intake.maxRequestBytes;
    return bodyLimit({
      maxSize: max,
      onError: (c) => httpError(c, 413, 'body_too_large', `请求体超过 ${(max / 1048576).toFixed(1)} MiB，请分批提交或使用批量导入命令 (app/cli/import.ts)`),
    })(c, next);
  };

  app.post('/records/:dataType', requirePermission('reporter:ingest'), limitBody, async (c) => {
    const dataType = c.req.param('dataType').toUpperCase();
    if (!isDataType(dataType)) return badType(c, c.req.param('dataType'));
    const body = await readJson(c);
    if (!body.ok) return body.response;
    const inputs = Array.isArray(body.value) ? body.value : [body.value];
    const max = intake.reporter.intake.maxRecordsPerRequest;
    if (inputs.length === 0) return httpError(c, 400, 'empty', '请求中没有记录 (send one record object or a non-empty array)');
    if (inputs.length > max) {
      return httpError(c, 413, 'too_many_records', `一次最多提交 ${max} 条记录，本次 ${inputs.length} 条；请分批提交或使用批量导入命令 (app/cli/import.ts)`);
    }
    const p = c.get('principal');
    const { outcomes, counts } = await intake.submit(dataType, inputs.map((input) => ({ input })), {
      source: 'api', actor: p?.name ?? 'anonymous', duplicates: 'request', audit: { action: 'reporter.records.ingest', role: p?.role, ip: clientIp(c) },
    });
    const answer: IngestAnswer = {
      dataType,
      ...counts,
      results: outcomes.map((o) => ({ index: o.index, recordId: o.recordId, outcome: o.outcome, status: o.status, version: o.version, errors: o.errors, warnings: o.warnings })),
    };
    return c.json(answer);
  });

  // The correction form's check as the clerk types: the one validator with the city's references, nothing stored,
  // counted or audited (a dry-run submission).
  app.post('/records/:dataType/check', requirePermission('reporter:ingest'), async (c) => {
    const dataType = c.req.param('dataType').toUpperCase();
    if (!isDataType(dataType)) return badType(c, c.req.param('dataType'));
    const body = await readJson(c);
    if (!body.ok) return body.response;
    if (!body.value || typeof body.value !== 'object' || Array.isArray(body.value)) return httpError(c, 400, 'bad_body', '请求体应为一条记录的 JSON 对象 (one record object)');
    const p = c.get('principal');
    const { outcomes } = await intake.submit(dataType, [{ input: body.value }], { source: 'api', actor: p?.name ?? 'anonymous', dryRun: true });
    const o = outcomes[0];
    const answer: RecordCheck = { dataType, recordId: o.recordId, status: o.outcome === 'accepted' ? 'valid' : o.outcome === 'held_reference' ? 'held_reference' : 'invalid', errors: o.errors, warnings: o.warnings };
    return c.json(answer);
  });

  app.get('/records/stats', requirePermission('read'), async (c) => c.json(await recordStats(db) satisfies RecordStats));

  app.get('/records', requirePermission('read'), async (c) => {
    const { limit, offset } = page(c, 100, 1000);
    const q = (k: string) => c.req.query(k) || undefined;
    const f: RecordFilter = { deptCode: q('deptCode'), source: q('source'), recordIdPrefix: q('recordId'), errorCode: q('errorCode') };
    const t = q('dataType');
    if (t) {
      if (!isDataType(t.toUpperCase())) return badType(c, t);
      f.dataType = t.toUpperCase() as DataType;
    }
    const status = q('status');
    if (status) {
      const list = status.split(',');
      const wrong = list.find((s) => !RECORD_STATUSES.includes(s as RecordStatus));
      if (wrong) return httpError(c, 400, 'bad_filter', `status "${wrong}" 不存在，应为 ${RECORD_STATUSES.join('、')}（可用逗号分隔多个）`);
      f.statuses = list as RecordStatus[];
    }
    for (const key of ['from', 'to', 'deadlineFrom', 'deadlineTo'] as const) {
      const v = c.req.query(key);
      if (v === undefined) continue;
      if (!DATE_RE.test(v)) return httpError(c, 400, 'bad_filter', `${key} 应为 yyyy-MM-dd 日期，收到 "${v}"`);
      f[key] = v;
    }
    const extra = queryInput(c, recordListExtras);
    if (!extra.ok) return extra.response;
    f.q = extra.value.q || undefined;
    f.sort = extra.value.sort as RecordFilter['sort'];
    const withData = q('withData') === '1' || q('withData') === 'true';
    const { total, items } = await listRecords(db, f, { limit, offset, withData });
    const reveal = mayReveal(c);
    const answer: Page<ReporterRecord> = { total, limit, offset, items: items.map((r) => recordView(r, reveal)) };
    return c.json(answer);
  });

  app.get('/records/:dataType/:recordId', requirePermission('read'), async (c) => {
    const dataType = c.req.param('dataType').toUpperCase();
    if (!isDataType(dataType)) return badType(c, c.req.param('dataType'));
    const recordId = c.req.param('recordId');
    const record = await getRecord(db, dataType, recordId);
    if (!record) return httpError(c, 404, 'not_found', `没有 ${dataType} 记录 "${recordId}"`);
    const { limit, offset } = page(c, 50, 500);
    const history = await recordHistory(db, dataType, recordId, { limit, offset });
    const reveal = mayReveal(c);
    const answer: RecordDetail = {
      record: recordView(record, reveal),
      fields: FIELDS[dataType].map(([key, label]) => ({ key, label, multi: MULTI_VALUE_FIELDS.has(key), ...codeTableOf(dataType, key) })),
      history: history.map((h) => ({ ...h, data: reveal ? h.data : (maskData(h.data) ?? null) })),
      limit,
      offset,
    };
    return c.json(answer);
  });

  app.post('/records/:dataType/:recordId/withdraw', requirePermission('reporter:ingest'), async (c) => {
    const dataType = c.req.param('dataType').toUpperCase();
    if (!isDataType(dataType)) return badType(c, c.req.param('dataType'));
    const recordId = c.req.param('recordId');
    if (!RECORD_ID_RE.test(recordId)) return httpError(c, 400, 'bad_record_id', `记录编码 "${recordId}" 格式不正确（1-50 位字母、数字、_ 或 -）`);
    let reason: string | undefined;
    if ((c.req.header('content-length') ?? '0') !== '0') {
      const body = await readJson<{ reason?: unknown }>(c);
      if (!body.ok) return body.response;
      if (body.value && typeof body.value.reason === 'string') reason = body.value.reason.slice(0, 500);
    }
    const who = c.get('principal')?.name ?? 'anonymous';
    const o = await intake.withdraw(dataType as DataType, recordId, { source: 'api', actor: who });
    if (o.outcome === 'not_found') return httpError(c, 404, 'not_found', `没有 ${dataType} 记录 "${recordId}"，无需撤回`);
    await auditFrom(c, auth, { action: 'reporter.records.withdraw', target: `${dataType}/${recordId}`, details: { outcome: o.outcome, version: o.version, reason } });
    const answer: WithdrawAnswer = { dataType, recordId, outcome: o.outcome, status: o.status, version: o.version };
    return c.json(answer);
  });

  // Input that could not be keyed (no usable recordId, not an object, unknown type in staging): kept, listed here.
  app.get('/rejects', requirePermission('read'), async (c) => {
    const { limit, offset } = page(c, 100, 1000);
    const { total, items } = await listRejects(db, { source: c.req.query('source') || undefined }, { limit, offset });
    const reveal = mayReveal(c);
    const answer: Page<IntakeReject> = { total, limit, offset, items: items.map((r) => (reveal ? r : { ...r, payload: scrub(r.payload) })) };
    return c.json(answer);
  });

  app.post('/staging/run', requirePermission('reporter:write'), async (c) => {
    const r: StagingRun = await ingestStaging(db, { intake });
    await auditFrom(c, auth, { action: 'reporter.staging.run', target: 'reporter_staging', details: { ...r } });
    return c.json(r);
  });

  // A file as the request body (not multipart: the dashboard sends the File itself), read as it arrives, batch by batch
  // through the same pipeline as the command, while probing and delivery go on. The body limit of this route is
  // reporter.intake.maxImportBytes (app/system.ts bodyLimitFor); the import also counts the bytes itself.
  app.post('/imports', requirePermission('reporter:ingest'), async (c) => {
    const t = (c.req.query('type') ?? '').toUpperCase();
    if (!isDataType(t)) return badType(c, c.req.query('type') ?? '');
    const name = (c.req.query('name') ?? '').slice(0, 200) || undefined;
    const fmt = (c.req.query('format') ?? formatOf(name)).toLowerCase();
    if (fmt === 'xls' || (name && /\.xls$/i.test(name))) {
      return httpError(c, 415, 'unsupported_format', '旧版 Excel 文件（.xls）不能导入：请在 Excel 中"另存为 Excel 工作簿（.xlsx）"或"CSV UTF-8（逗号分隔）"后导入');
    }
    if (fmt !== 'csv' && fmt !== 'jsonl' && fmt !== 'xlsx') return httpError(c, 400, 'bad_format', `format 应为 csv、jsonl 或 xlsx，收到 "${fmt}"`);
    const enc = (c.req.query('encoding') ?? 'auto').toLowerCase();
    const encoding: ImportEncoding | null = enc === 'auto' ? 'auto' : enc === 'utf-8' || enc === 'utf8' ? 'utf-8' : enc === 'gbk' || enc === 'gb18030' ? 'gb18030' : null;
    if (!encoding) return httpError(c, 400, 'bad_encoding', `encoding 应为 auto、utf-8 或 gbk，收到 "${enc}"`);
    const body = c.req.raw.body;
    if (!body) return httpError(c, 400, 'empty', '请求体为空：请把文件本身作为请求体发送 (send the file as the body)');
    const p = c.get('principal');
    const max = intake.reporter.intake.maxImportBytes;
    const length = Number(c.req.header('content-length') ?? 0) || undefined;
    try {
      const s = await importStream({
        intake, dataType: t, input: body as unknown as AsyncIterable<Uint8Array>, format: fmt, encoding, fileName: name, totalBytes: length, maxBytes: max,
        via: 'api', receivedBy: p?.name ?? 'anonymous', audit: { role: p?.role, ip: clientIp(c) },
      });
      const answer: ImportRecord | null = await getImport(db, s.importId!);
      return c.json(answer);
    } catch (err) {
      if (err instanceof ImportTooLargeError) return httpError(c, 413, 'body_too_large', err.message, { limit: max });
      if (err instanceof ImportUnreadableError) return httpError(c, 400, 'unreadable_file', err.message);
      throw err;
    }
  });

  app.get('/imports', requirePermission('read'), async (c) => {
    const { limit, offset } = page(c, 20, 200);
    const answer: Page<ImportRecord> = { limit, offset, ...(await listImports(db, { limit, offset })) };
    return c.json(answer);
  });

  const importOf = async (c: Context<AppEnv>) => {
    const id = Number(c.req.param('id'));
    if (!Number.isSafeInteger(id) || id < 1) return { res: httpError(c, 400, 'bad_id', `导入编号应为正整数，收到 "${c.req.param('id')}"`) };
    const rec = await getImport(db, id);
    return rec ? { rec } : { res: httpError(c, 404, 'not_found', `没有编号为 ${id} 的导入`) };
  };
  const partOf = (c: Context<AppEnv>, key: string): ImportFindingKind | Response => {
    const v = c.req.query(key) ?? 'error';
    return v === 'error' || v === 'waiting' || v === 'warning' ? v : httpError(c, 400, 'bad_filter', `${key} 应为 error（待更正的错误）、waiting（等待关联记录）或 warning（警告），收到 "${v}"`);
  };

  app.get('/imports/:id', requirePermission('read'), async (c) => {
    const r = await importOf(c);
    return r.res ?? c.json(r.rec satisfies ImportRecord);
  });

  app.get('/imports/:id/findings', requirePermission('read'), async (c) => {
    const r = await importOf(c);
    if (r.res) return r.res;
    const kind = partOf(c, 'kind');
    if (kind instanceof Response) return kind;
    const { limit, offset } = page(c, 100, 1000);
    const answer: Page<ImportFinding> = { limit, offset, ...(await importFindings(db, r.rec.id, kind, { limit, offset })) };
    return c.json(answer);
  });

  app.get('/imports/:id/report.csv', requirePermission('read'), async (c) => {
    const r = await importOf(c);
    if (r.res) return r.res;
    const kind = partOf(c, 'part');
    if (kind instanceof Response) return kind;
    const csv = await findingsCsv(db, r.rec.id, kind, mayReveal(c));
    const file = `导入${r.rec.id}-${r.rec.dataType}-${FINDING_PART_ZH[kind]}.csv`;
    return c.body(csv, 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="import-${r.rec.id}-${kind}.csv"; filename*=UTF-8''${encodeURIComponent(file)}`,
    });
  });

  const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  app.get('/imports/:id/report.xlsx', requirePermission('read'), async (c) => {
    const r = await importOf(c);
    if (r.res) return r.res;
    const id = r.rec.id;
    const body = Readable.toWeb(reportXlsx((kind) => importLines(db, id, kind), false, mayReveal(c))) as ReadableStream;
    return c.body(body, 200, { 'Content-Type': XLSX, 'Content-Disposition': attachment(`import-${id}-report.xlsx`, `导入${id}-${r.rec.dataType}-错误报告.xlsx`) });
  });

  // The whole correction queue (GET /corrections), as the same three parts.
  const queueType = (c: Context<AppEnv>): DataType | undefined | Response => {
    const t = (c.req.query('dataType') ?? '').toUpperCase();
    if (!t) return undefined;
    return isDataType(t) ? t : badType(c, t);
  };
  app.get('/corrections/report.csv', requirePermission('read'), async (c) => {
    const kind = partOf(c, 'part');
    if (kind instanceof Response) return kind;
    const dataType = queueType(c);
    if (dataType instanceof Response) return dataType;
    const csv = await reportCsv(queueLines(db, kind, { dataType }), kind, true, mayReveal(c));
    return c.body(csv, 200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': attachment(`queue-${kind}.csv`, `更正队列-${FINDING_PART_ZH[kind]}.csv`) });
  });
  app.get('/corrections/report.xlsx', requirePermission('read'), async (c) => {
    const dataType = queueType(c);
    if (dataType instanceof Response) return dataType;
    const body = Readable.toWeb(reportXlsx((kind) => queueLines(db, kind, { dataType }), true, mayReveal(c))) as ReadableStream;
    return c.body(body, 200, { 'Content-Type': XLSX, 'Content-Disposition': attachment('queue-report.xlsx', '更正队列-错误报告.xlsx') });
  });

  return app;
}

/**
 * The regulatory office sees ID numbers in full (it corrects the records); every other role, admin too, masked. A
 * regulator's API token only with the `reporter:write` scope (or none): a token scoped to reading or ingesting sees
 * them masked.
 */
export function mayReveal(c: Context<AppEnv>): boolean {
  const p = c.get('principal');
  return p?.role === 'regulator' && allows(p, 'reporter:write');
}

function maskData<T extends Record<string, unknown> | null | undefined>(data: T): T {
  if (!data || typeof data !== 'object') return data;
  const out: Record<string, unknown> = { ...data };
  if (typeof out.idNo === 'string') out.idNo = maskIdNumber(out.idNo);
  if (typeof out.partyCertNo === 'string' && out.partyCertType !== '001') out.partyCertNo = maskIdNumber(out.partyCertNo);
  return out as T;
}

function recordView(r: ReporterRecord, reveal: boolean): ReporterRecord {
  return r.data === undefined || reveal ? r : { ...r, data: maskData(r.data) };
}

/** A code field's table for the correction form (its entries in code order, with their Chinese labels). */
function codeTableOf(dataType: DataType, key: string) {
  const name = FIELD_CODE_TABLES[dataType][key];
  if (!name) return {};
  const options = Object.entries(CODE_TABLES[name] as Record<string, string>)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([value, label]) => ({ value, label }));
  return { codeTable: { name, label: CODE_TABLE_NAMES_ZH[name], options } };
}
