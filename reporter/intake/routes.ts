/**
 * The intake's JSON API, mounted by reporter/index.ts under /api/reporter:
 *   POST /records/:dataType                     one record or an array; answered per record      (reporter:ingest)
 *   GET  /records                               paginated list with filters                      (read)
 *   GET  /records/stats                         counts per type and status                        (read)
 *   GET  /records/:dataType/:recordId           the record with its history                       (read)
 *   GET  /rejects                               input that could not be keyed (kept, never dropped) (read)
 *   POST /records/:dataType/:recordId/withdraw  op DELETE                                         (reporter:ingest)
 *   POST /staging/run                           pick up the staging table now                     (reporter:write)
 * Every write is audited. Personal ID numbers are masked for callers who may not write records.
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AuthService } from '../../core/auth/service';
import { can } from '../../core/auth/roles';
import { auditFrom, httpError, page, readJson, requirePermission, type AppEnv } from '../../core/http';
import { maskIdNumber, scrub } from '../../core/mask';
import { DATA_TYPES, isDataType, type DataType } from '../standard/types';
import { RECORD_ID_RE } from '../standard/validate';
import type { Db } from '../../core/db';
import type { ReporterConfig } from '../config';
import type { Clock } from '../../core/time';
import type { Logger } from '../../core/log';
import type { Registry } from 'prom-client';

import { calendarWarnings } from '../standard/calendar';
import { Intake } from './service';
import { ingestStaging } from './staging';
import { chinaDate } from '../../core/china-time';

/** What the routes need; an AreaContext fits (reporter/index.ts passes its ctx). */
export interface IntakeRouteDeps {
  db: Db;
  auth: AuthService;
  config?: { reporter: ReporterConfig };
  clock?: Clock;
  log?: Logger;
  metrics?: Registry;
  onConfigReload?(fn: (config: { reporter: ReporterConfig }) => void | Promise<void>): void;
  /** An intake to use (tests); otherwise one is built from config.reporter and rebuilt on configuration reload. */
  intake?: Intake;
}

const INTAKES = new WeakMap<object, { get(): Intake }>();

/** One Intake per area context, rebuilt when the configuration is reloaded; warns at start about missing calendar years. */
export function intakeFor(deps: IntakeRouteDeps): { get(): Intake } {
  if (deps.intake) {
    const fixed = deps.intake;
    return { get: () => fixed };
  }
  const hit = INTAKES.get(deps);
  if (hit) return hit;
  const make = (config?: { reporter: ReporterConfig }) => new Intake({ db: deps.db, reporter: config?.reporter, clock: deps.clock, log: deps.log?.child({ part: 'intake' }), metrics: deps.metrics });
  let current = make(deps.config);
  for (const w of calendarWarnings(current.calendar, chinaDate(current.clock()))) current.log.warn(w);
  deps.onConfigReload?.((config) => {
    current = make(config);
    for (const w of calendarWarnings(current.calendar, chinaDate(current.clock()))) current.log.warn(w);
  });
  const ref = { get: () => current };
  INTAKES.set(deps, ref);
  return ref;
}

/** The delivery run's pre-run hook: pick up staging rows, then re-check records held for a missing reference. */
export async function beforeDeliveryRun(deps: IntakeRouteDeps) {
  const intake = intakeFor(deps).get();
  const staging = await ingestStaging(intake.db, { intake });
  const held = await intake.recheckHeld();
  return { staging, held };
}

const STATUSES = ['pending', 'valid', 'invalid', 'held_reference', 'withdrawn'];
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

export function createIntakeRoutes(deps: IntakeRouteDeps): Hono<AppEnv> {
  const ref = intakeFor(deps);
  const auth = deps.auth;
  const db = deps.db;
  const app = new Hono<AppEnv>();

  const badType = (c: Context, t: string) => httpError(c, 404, 'unknown_data_type', `数据类型 "${t}" 不存在，应为 ${DATA_TYPES.join('、')} 之一 (use /records/ITEM, /records/INSPECTION, ...)`);

  // Built per request so that a configuration reload applies.
  const limitBody: MiddlewareHandler<AppEnv> = (c, next) => {
    const max = ref.get().reporter.intake.maxRequestBytes;
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
    const intake = ref.get();
    const max = intake.reporter.intake.maxRecordsPerRequest;
    if (inputs.length === 0) return httpError(c, 400, 'empty', '请求中没有记录 (send one record object or a non-empty array)');
    if (inputs.length > max) {
      return httpError(c, 413, 'too_many_records', `一次最多提交 ${max} 条记录，本次 ${inputs.length} 条；请分批提交或使用批量导入命令 (app/cli/import.ts)`);
    }
    const who = c.get('principal')?.name ?? 'anonymous';
    const { outcomes } = await intake.ingest(dataType, inputs, { source: 'api', receivedBy: who, markDuplicates: true });
    const counts = countOutcomes(outcomes.map((o) => o.outcome));
    await auditFrom(c, auth, { action: 'reporter.records.ingest', target: dataType, details: { records: inputs.length, ...counts } });
    return c.json({
      dataType,
      ...counts,
      results: outcomes.map((o) => ({
        index: o.index,
        recordId: o.recordId,
        outcome: o.outcome,
        status: o.status,
        version: o.version,
        errors: o.errors,
        warnings: o.warnings,
      })),
    });
  });

  app.get('/records/stats', requirePermission('read'), async (c) => {
    const res = await db.query<{ data_type: string; status: string; n: string }>(
      `SELECT data_type, status, count(*) AS n FROM reporter_records GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    const out: Record<string, Record<string, number>> = {};
    for (const t of DATA_TYPES) out[t] = Object.fromEntries(STATUSES.map((s) => [s, 0]));
    for (const r of res.rows) out[r.data_type][r.status] = Number(r.n);
    return c.json({ counts: out });
  });

  app.get('/records', requirePermission('read'), async (c) => {
    const { limit, offset } = page(c, 100, 1000);
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    const q = (k: string) => c.req.query(k);
    const t = q('dataType');
    if (t) {
      if (!isDataType(t.toUpperCase())) return badType(c, t);
      add('data_type = ?', t.toUpperCase());
    }
    const status = q('status');
    if (status) {
      const list = status.split(',');
      const wrong = list.find((s) => !STATUSES.includes(s));
      if (wrong) return httpError(c, 400, 'bad_filter', `status "${wrong}" 不存在，应为 ${STATUSES.join('、')}（可用逗号分隔多个）`);
      add('status = ANY(?::text[])', list);
    }
    if (q('deptCode')) add('dept_code = ?', q('deptCode'));
    if (q('source')) add('source = ?', q('source'));
    if (q('recordId')) add('record_id LIKE ?', `${q('recordId')!.replace(/[%_\\]/g, '\\$&')}%`);
    if (q('errorCode')) add(`errors @> ?::jsonb`, JSON.stringify([{ code: q('errorCode') }]));
    for (const [key, col, op] of [
      ['from', 'record_date', '>='],
      ['to', 'record_date', '<'],
      ['deadlineFrom', 'deadline', '>='],
      ['deadlineTo', 'deadline', '<'],
    ] as const) {
      const v = q(key);
      if (v === undefined) continue;
      if (!DATE_RE.test(v)) return httpError(c, 400, 'bad_filter', `${key} 应为 yyyy-MM-dd 日期，收到 "${v}"`);
      add(`${col} ${op} ?::date`, v);
    }
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = await db.query<{ n: string }>(`SELECT count(*) AS n FROM reporter_records ${w}`, params);
    const withData = q('withData') === '1' || q('withData') === 'true';
    const rows = await db.query<Record<string, unknown>>(
      `SELECT data_type, record_id, version, op, status, errors, warnings, source, first_arrived_at, last_arrived_at,
              record_date::text AS record_date, deadline::text AS deadline, dept_code ${withData ? ', data' : ''}
         FROM reporter_records ${w} ORDER BY last_arrived_at DESC, data_type, record_id LIMIT ${limit} OFFSET ${offset}`,
      params,
    );
    const reveal = mayReveal(c);
    return c.json({ total: Number(total.rows[0].n), limit, offset, items: rows.rows.map((r) => recordView(r, reveal)) });
  });

  app.get('/records/:dataType/:recordId', requirePermission('read'), async (c) => {
    const dataType = c.req.param('dataType').toUpperCase();
    if (!isDataType(dataType)) return badType(c, c.req.param('dataType'));
    const recordId = c.req.param('recordId');
    const res = await db.query<Record<string, unknown>>(
      `SELECT data_type, record_id, version, op, status, data, errors, warnings, source, first_arrived_at, last_arrived_at,
              validated_at, record_date::text AS record_date, deadline::text AS deadline, dept_code
         FROM reporter_records WHERE data_type = $1 AND record_id = $2`,
      [dataType, recordId],
    );
    if (res.rows.length === 0) return httpError(c, 404, 'not_found', `没有 ${dataType} 记录 "${recordId}"`);
    const { limit, offset } = page(c, 50, 500);
    const hist = await db.query<Record<string, unknown>>(
      `SELECT version, op, source, arrived_at, received_by, status, data, errors, warnings
         FROM reporter_record_versions WHERE data_type = $1 AND record_id = $2 ORDER BY version DESC LIMIT ${limit} OFFSET ${offset}`,
      [dataType, recordId],
    );
    const reveal = mayReveal(c);
    return c.json({
      record: recordView(res.rows[0], reveal),
      history: hist.rows.map((h) => ({
        version: h.version,
        op: h.op,
        source: h.source,
        arrivedAt: h.arrived_at,
        receivedBy: h.received_by,
        status: h.status,
        errors: h.errors,
        warnings: h.warnings,
        data: reveal ? h.data : maskData(h.data as Record<string, unknown>),
      })),
      limit,
      offset,
    });
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
    const o = await ref.get().withdraw(dataType as DataType, recordId, { source: 'api', receivedBy: who });
    if (o.outcome === 'not_found') return httpError(c, 404, 'not_found', `没有 ${dataType} 记录 "${recordId}"，无需撤回`);
    await auditFrom(c, auth, { action: 'reporter.records.withdraw', target: `${dataType}/${recordId}`, details: { outcome: o.outcome, version: o.version, reason } });
    return c.json({ dataType, recordId, outcome: o.outcome, status: o.status, version: o.version });
  });

  // Input that could not be keyed (no usable recordId, not an object, unknown type in staging): kept, listed here.
  app.get('/rejects', requirePermission('read'), async (c) => {
    const { limit, offset } = page(c, 100, 1000);
    const source = c.req.query('source');
    const params: unknown[] = [];
    let where = '';
    if (source) {
      params.push(source);
      where = 'WHERE source = $1';
    }
    const total = await db.query<{ n: string }>(`SELECT count(*) AS n FROM reporter_intake_rejects ${where}`, params);
    const rows = await db.query<Record<string, unknown>>(
      `SELECT id, data_type, source, arrived_at, received_by, row_no, payload, errors FROM reporter_intake_rejects ${where}
        ORDER BY id DESC LIMIT ${limit} OFFSET ${offset}`,
      params,
    );
    const reveal = mayReveal(c);
    return c.json({
      total: Number(total.rows[0].n),
      limit,
      offset,
      items: rows.rows.map((r) => ({
        id: Number(r.id),
        dataType: r.data_type,
        source: r.source,
        arrivedAt: r.arrived_at,
        receivedBy: r.received_by,
        row: r.row_no,
        errors: r.errors,
        payload: reveal ? r.payload : scrub(r.payload),
      })),
    });
  });

  app.post('/staging/run', requirePermission('reporter:write'), async (c) => {
    const r = await ingestStaging(db, { intake: ref.get() });
    await auditFrom(c, auth, { action: 'reporter.staging.run', target: 'reporter_staging', details: { ...r } });
    return c.json(r);
  });

  return app;
}

function countOutcomes(list: string[]) {
  const counts = { accepted: 0, held_reference: 0, rejected: 0, unchanged: 0 };
  for (const o of list) if (o in counts) counts[o as keyof typeof counts]++;
  return counts;
}

/** Whoever may write records sees ID numbers in full (to correct them); readers see them masked. */
function mayReveal(c: Context<AppEnv>): boolean {
  const p = c.get('principal');
  return !!p && (can(p.role, 'reporter:ingest') || can(p.role, 'reporter:write'));
}

function maskData(data: Record<string, unknown> | null | undefined): Record<string, unknown> | null | undefined {
  if (!data || typeof data !== 'object') return data;
  const out = { ...data };
  if (typeof out.idNo === 'string') out.idNo = maskIdNumber(out.idNo);
  if (typeof out.partyCertNo === 'string' && out.partyCertType !== '001') out.partyCertNo = maskIdNumber(out.partyCertNo);
  return out;
}

function recordView(r: Record<string, unknown>, reveal: boolean) {
  return {
    dataType: r.data_type,
    recordId: r.record_id,
    version: r.version,
    op: r.op,
    status: r.status,
    source: r.source,
    firstArrivedAt: r.first_arrived_at,
    lastArrivedAt: r.last_arrived_at,
    validatedAt: r.validated_at,
    recordDate: r.record_date,
    deadline: r.deadline,
    deptCode: r.dept_code,
    errors: r.errors,
    warnings: r.warnings,
    ...(r.data !== undefined ? { data: reveal ? r.data : maskData(r.data as Record<string, unknown>) } : {}),
  };
}
