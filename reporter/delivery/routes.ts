import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { Db } from '../../core/db';
import type { AuthService } from '../../core/auth/service';
import type { Clock } from '../../core/time';
import { auditFrom, httpError, page, readJson, requirePermission, type AppEnv } from '../../core/http';
import { csvEnum, listQuery, queryInput } from '../../core/input';
import type { Page } from '../../contract/common';
import type { Batch, BatchDetail, DeliveryStatus, DryRun, Indicators, ResendAnswer, RunStarted } from '../../contract/reporter';
import { markForResend } from './outbox';
import { SEND_ORDER, type DataType } from '../adapters/types';
import { RunInProgressError, type DeliveryService } from './service';
import { indicators, coverage } from './indicators';
import { addMonths, chinaDate, isCalendarDate } from '../../core/china-time';
import {
  getBatch, latestRuns, listAttempts, listBatches, listBatchItems, listCorrections, listOverdue, listReconciliations, listRuns, openBatchCounts, type BatchFilter, type Listed,
} from './queries';

/**
 * The delivery side's HTTP API, mounted at /api/reporter (read: `read`; run now: `reporter:write`, audited).
 * Every list is paginated (?limit=&offset=) and answers Page<T> ({ items, total, limit, offset }) of
 * contract/reporter.ts; the SQL is in queries.ts.
 */
/** GET /batches: ?status=pending,processing,done,failed &dataType=ITEM,… &q= (batch id, receipt id, last error) &sort=-createdAt|recordCount|status. */
export const batchListQuery = listQuery(
  {
    status: csvEnum(['pending', 'processing', 'done', 'failed'] as const).optional(),
    dataType: z.preprocess((v) => (typeof v === 'string' ? v.toUpperCase() : v), csvEnum(SEND_ORDER)).optional(),
  },
  { sorts: ['createdAt', 'recordCount', 'status'] as const, defaultSort: '-createdAt', limit: 100, max: 1000 },
);

export interface DeliveryRouteDeps {
  db: Db;
  auth: AuthService;
  clock: Clock;
  service: () => DeliveryService | null;
  coverageCategories: () => string[];
}

export function createDeliveryRoutes(d: DeliveryRouteDeps) {
  const app = new Hono<AppEnv>();
  /** One page of a list: the paging of the request, the store's query. */
  const paged = async <T>(c: Context, load: (p: { limit: number; offset: number }) => Promise<Listed<T>>): Promise<Page<T>> => {
    const { limit, offset } = page(c);
    const { items, total } = await load({ limit, offset });
    return { items, total, limit, offset };
  };
  const query = (c: Context, k: string) => c.req.query(k) || undefined;

  app.get('/delivery/status', requirePermission('read'), async (c) => {
    const s = d.service();
    const running = s?.current() ?? null;
    const answer: DeliveryStatus = {
      enabled: !!s,
      province: s ? { url: s.url, adapter: s.adapter.name } : null,
      sender: s?.mayRun() ?? false,
      running: running ? { kind: running.kind, runId: running.runId, since: new Date(running.since).toISOString() } : null,
      lastRuns: await latestRuns(d.db),
      nextRuns: s?.nextRuns() ?? [],
      openBatches: await openBatchCounts(d.db),
    };
    return c.json(answer);
  });

  app.get('/runs', requirePermission('read'), async (c) => c.json(await paged(c, (p) => listRuns(d.db, p))));

  // Run now: {"kind": "incremental" | "full" | "reconcile" | "dry-run"}. A dry run answers what would be sent.
  app.post('/runs', requirePermission('reporter:write'), async (c) => {
    const body = await readJson<{ kind?: string }>(c);
    if (!body.ok) return body.response;
    const kind = body.value?.kind ?? 'incremental';
    if (!['incremental', 'full', 'reconcile', 'dry-run'].includes(kind)) return httpError(c, 400, 'bad_kind', `kind 须为 incremental、full、reconcile 或 dry-run，收到 ${JSON.stringify(kind)}`);
    const s = d.service();
    if (!s) return httpError(c, 409, 'not_configured', '未配置省平台地址或密钥（reporter.province.url / secret），无法上报');
    const actor = c.get('principal')?.name ?? null;
    if (kind === 'dry-run') {
      await auditFrom(c, d.auth, { action: 'reporter.run', target: 'dry-run', details: {} });
      const plan: DryRun = await s.dryRun();
      return c.json(plan);
    }
    if (!s.mayRun()) return httpError(c, 409, 'not_leader', '本进程不是上报主节点（未运行 reporter 角色或未持有主节点锁）；请在上报主节点上执行');
    try {
      const { runId } = await s.launch(kind as 'incremental' | 'full' | 'reconcile', 'api', actor);
      await auditFrom(c, d.auth, { action: 'reporter.run', target: kind, details: { runId } });
      const started: RunStarted = { runId, kind: kind as RunStarted['kind'], status: 'running' };
      return c.json(started, 202);
    } catch (err) {
      if (err instanceof RunInProgressError) return httpError(c, 409, 'run_in_progress', `已有上报任务在运行：${err.message}`);
      throw err;
    }
  });

  app.get('/batches', requirePermission('read'), async (c) => {
    const p = queryInput(c, batchListQuery);
    if (!p.ok) return p.response;
    const { limit, offset, q, sort, status, dataType } = p.value;
    const { items, total } = await listBatches(d.db, { statuses: status, dataTypes: dataType, q, sort: sort as BatchFilter['sort'] }, { limit, offset });
    return c.json({ items, total, limit, offset } satisfies Page<Batch>);
  });

  app.get('/batches/:id', requirePermission('read'), async (c) => {
    const id = c.req.param('id');
    const batch = await getBatch(d.db, id);
    if (!batch) return httpError(c, 404, 'not_found', `没有批次 ${id}`);
    const answer: BatchDetail = { batch, attempts: await paged(c, (p) => listAttempts(d.db, id, p)) };
    return c.json(answer);
  });

  // Re-send on demand (reporter:write, audited): the records become due again in their current version; the next run
  // (or POST /runs) sends them in a new batch. Records still in an open batch are left to that batch's resumption.
  app.post('/batches/:id/resend', requirePermission('reporter:write'), async (c) => {
    const id = c.req.param('id');
    if (!(await getBatch(d.db, id))) return httpError(c, 404, 'not_found', `没有批次 ${id}`);
    const r: ResendAnswer = await markForResend(d.db, { batchId: id });
    await auditFrom(c, d.auth, { action: 'reporter.resend', target: `batch/${id}`, details: { ...r } });
    return c.json(r);
  });

  app.post('/records/:dataType/:recordId/resend', requirePermission('reporter:write'), async (c) => {
    const dataType = c.req.param('dataType').toUpperCase();
    if (!SEND_ORDER.includes(dataType as DataType)) return httpError(c, 404, 'unknown_data_type', `数据类型 "${c.req.param('dataType')}" 不存在，应为 ${SEND_ORDER.join('、')} 之一`);
    const recordId = c.req.param('recordId');
    const r: ResendAnswer = await markForResend(d.db, { dataType: dataType as DataType, recordId });
    await auditFrom(c, d.auth, { action: 'reporter.resend', target: `${dataType}/${recordId}`, details: { ...r } });
    return c.json(r);
  });

  app.get('/batches/:id/items', requirePermission('read'), async (c) => c.json(await paged(c, (p) => listBatchItems(d.db, c.req.param('id'), p))));

  app.get('/attempts', requirePermission('read'), async (c) => c.json(await paged(c, (p) => listAttempts(d.db, null, p))));

  // The correction queue: records held back by the city's own validation, and records the province rejected in
  // their current version, each with its reasons. They leave the queue when a corrected version is accepted.
  // ?dataType=&code=&dept=&foundBy=city|province&q=&limit=&offset=: the queue filtered on the server, with its total.
  app.get('/corrections', requirePermission('read'), async (c) => {
    const foundBy = query(c, 'foundBy');
    if (foundBy && foundBy !== 'city' && foundBy !== 'province') return httpError(c, 400, 'bad_filter', `foundBy 应为 city（本市校验）或 province（省平台拒收），收到 "${foundBy}"`);
    const code = query(c, 'code');
    if (code && !/^[A-Z][A-Z0-9_]{1,40}$/.test(code)) return httpError(c, 400, 'bad_filter', `code 应为原因代码，如 E_CHECKSUM，收到 "${code.slice(0, 60)}"`);
    const f = { dataType: query(c, 'dataType')?.toUpperCase(), code, dept: query(c, 'dept'), foundBy: foundBy as 'city' | 'province' | undefined, q: query(c, 'q')?.slice(0, 100) };
    return c.json(await paged(c, (p) => listCorrections(d.db, f, p)));
  });

  // Records past their reporting deadline that the province has not accepted (never sent, rejected, held back, or
  // still waiting for a verdict), oldest deadline first: what the office must chase today.
  app.get('/overdue', requirePermission('read'), async (c) =>
    c.json(await paged(c, (p) => listOverdue(d.db, chinaDate(d.clock()), { dataType: query(c, 'dataType'), dept: query(c, 'dept') }, p))),
  );

  app.get('/reconciliations', requirePermission('read'), async (c) => c.json(await paged(c, (p) => listReconciliations(d.db, p))));

  // Indicators for one period [from, to) of the record's date (default: this month, UTC+8), per type and department.
  app.get('/indicators', requirePermission('read'), async (c) => {
    const today = chinaDate(d.clock());
    const from = c.req.query('from') ?? `${today.slice(0, 7)}-01`;
    const to = c.req.query('to') ?? addMonths(from, 1);
    if (!isCalendarDate(from) || !isCalendarDate(to) || from >= to) return httpError(c, 400, 'bad_period', 'from / to 须为 yyyy-MM-dd 且 from < to（区间含 from、不含 to）');
    const dept = c.req.query('dept') || undefined;
    const allCategories = c.req.query('allCategories') === 'true';
    const s = d.service();
    const rows = await indicators(d.db, from, to, d.clock(), { dept, provinceCount: s ? (t, f, u) => s.provinceCount(t, f, u) : undefined });
    const { limit, offset } = page(c);
    const answer: Indicators = {
      period: { from, to },
      items: rows.slice(offset, offset + limit),
      total: rows.length,
      limit,
      offset,
      coverage: await coverage(d.db, from, to, allCategories ? null : d.coverageCategories()),
    };
    return c.json(answer);
  });

  return app;
}

