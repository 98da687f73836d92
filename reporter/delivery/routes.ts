import { Hono } from 'hono';
import type { Db } from '../../core/db';
import type { AuthService } from '../../core/auth/service';
import type { Clock } from '../../core/time';
import { auditFrom, httpError, page, readJson, requirePermission, type AppEnv } from '../../core/http';
import { RunInProgressError, type DeliveryService } from './service';
import { indicators, coverage } from './indicators';
import { addMonths, chinaDate, isCalendarDate } from '../../core/china-time';

/**
 * The delivery side's HTTP API, mounted at /api/reporter (read: `read`; run now: `reporter:write`, audited).
 * Every list is paginated (?limit=&offset=) and answers { items, total, limit, offset }.
 */
export interface DeliveryRouteDeps {
  db: Db;
  auth: AuthService;
  clock: Clock;
  service: () => DeliveryService | null;
  coverageCategories: () => string[];
}

export function createDeliveryRoutes(d: DeliveryRouteDeps) {
  const app = new Hono<AppEnv>();
  const list = async (sql: string, countSql: string, params: unknown[], c: Parameters<typeof page>[0]) => {
    const { limit, offset } = page(c);
    const [rows, total] = await Promise.all([
      d.db.query(`${sql} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`, [...params, limit, offset]),
      d.db.query<{ n: string }>(countSql, params),
    ]);
    return { items: rows.rows, total: Number(total.rows[0]?.n ?? 0), limit, offset };
  };

  app.get('/delivery/status', requirePermission('read'), async (c) => {
    const s = d.service();
    const last = await d.db.query(`SELECT DISTINCT ON (kind) id, kind, trigger, actor, started_at, finished_at, status, stats, error FROM report_runs ORDER BY kind, started_at DESC`);
    const open = await d.db.query<{ status: string; n: string }>(`SELECT status, count(*) AS n FROM report_batches WHERE status IN ('pending', 'processing') GROUP BY 1`);
    return c.json({
      enabled: !!s,
      province: s ? { url: s.url, adapter: s.adapter.name } : null,
      sender: s?.mayRun() ?? false,
      running: s?.current() ?? null,
      lastRuns: last.rows,
      nextRuns: s?.nextRuns() ?? [],
      openBatches: Object.fromEntries(open.rows.map((r) => [r.status, Number(r.n)])),
    });
  });

  app.get('/runs', requirePermission('read'), async (c) =>
    c.json(await list(`SELECT id, kind, trigger, actor, started_at, finished_at, status, stats, error FROM report_runs ORDER BY started_at DESC, id DESC`, `SELECT count(*) AS n FROM report_runs`, [], c)),
  );

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
      return c.json(await s.dryRun());
    }
    if (!s.mayRun()) return httpError(c, 409, 'not_leader', '本进程不是上报主节点（未运行 reporter 角色或未持有主节点锁）；请在上报主节点上执行');
    try {
      const { runId } = await s.launch(kind as 'incremental' | 'full' | 'reconcile', 'api', actor);
      await auditFrom(c, d.auth, { action: 'reporter.run', target: kind, details: { runId } });
      return c.json({ runId, kind, status: 'running' }, 202);
    } catch (err) {
      if (err instanceof RunInProgressError) return httpError(c, 409, 'run_in_progress', `已有上报任务在运行：${err.message}`);
      throw err;
    }
  });

  app.get('/batches', requirePermission('read'), async (c) => {
    const params: unknown[] = [];
    const where: string[] = [];
    for (const [q, col] of [['status', 'status'], ['dataType', 'data_type']] as const) {
      const v = c.req.query(q);
      if (v) {
        params.push(v);
        where.push(`${col} = $${params.length}`);
      }
    }
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    return c.json(
      await list(
        `SELECT batch_id, data_type, run_id, created_at, status, record_count, body_bytes, attempts, first_answer_at, finished_at, receipt_id, accepted, rejected, last_error
           FROM report_batches ${w} ORDER BY created_at DESC, seq DESC`,
        `SELECT count(*) AS n FROM report_batches ${w}`,
        params,
        c,
      ),
    );
  });

  app.get('/batches/:id', requirePermission('read'), async (c) => {
    const id = c.req.param('id');
    const b = await d.db.query(`SELECT batch_id, data_type, run_id, created_at, status, record_count, body_bytes, attempts, first_answer_at, finished_at, receipt_id, receipt, accepted, rejected, last_error FROM report_batches WHERE batch_id = $1`, [id]);
    if (!b.rows.length) return httpError(c, 404, 'not_found', `没有批次 ${id}`);
    const attempts = await list(`SELECT time, kind, attempt, request_id, http_status, outcome, error, duration_ms, receipt FROM report_attempts WHERE batch_id = $1 ORDER BY time`, `SELECT count(*) AS n FROM report_attempts WHERE batch_id = $1`, [id], c);
    return c.json({ batch: b.rows[0], attempts });
  });

  app.get('/batches/:id/items', requirePermission('read'), async (c) => {
    const id = c.req.param('id');
    return c.json(await list(`SELECT data_type, record_id, version, op, verdict FROM report_batch_items WHERE batch_id = $1 ORDER BY record_id`, `SELECT count(*) AS n FROM report_batch_items WHERE batch_id = $1`, [id], c));
  });

  app.get('/attempts', requirePermission('read'), async (c) =>
    c.json(await list(`SELECT time, batch_id, kind, attempt, request_id, http_status, outcome, error, duration_ms, receipt FROM report_attempts ORDER BY time DESC`, `SELECT count(*) AS n FROM report_attempts`, [], c)),
  );

  // The correction queue: records held back by the city's own validation, and records the province rejected in
  // their current version, each with its reasons. They leave the queue when a corrected version is accepted.
  app.get('/corrections', requirePermission('read'), async (c) => {
    const params: unknown[] = [];
    let filter = '';
    const t = c.req.query('dataType');
    if (t) {
      params.push(t);
      filter = `AND r.data_type = $1`;
    }
    const from = `FROM reporter_records r LEFT JOIN report_deliveries d ON d.data_type = r.data_type AND d.record_id = r.record_id
      WHERE (r.status IN ('invalid', 'held_reference') OR (r.status = 'valid' AND d.rejected_version = r.version)) ${filter}`;
    return c.json(
      await list(
        `SELECT r.data_type, r.record_id, r.version, r.status, r.dept_code, r.deadline, r.last_arrived_at,
                CASE WHEN r.status = 'valid' THEN 'province' ELSE 'city' END AS found_by,
                CASE WHEN r.status = 'valid' THEN d.rejected_errors ELSE r.errors END AS errors,
                d.rejected_batch, d.rejected_at
           ${from} ORDER BY r.deadline NULLS LAST, r.data_type, r.record_id`,
        `SELECT count(*) AS n ${from}`,
        params,
        c,
      ),
    );
  });

  // Records past their reporting deadline that the province has not accepted (never sent, rejected, held back, or
  // still waiting for a verdict), oldest deadline first: what the office must chase today.
  app.get('/overdue', requirePermission('read'), async (c) => {
    const params: unknown[] = [chinaDate(d.clock())];
    let filter = '';
    for (const [key, col] of [['dataType', 'r.data_type'], ['dept', 'r.dept_code']] as const) {
      const v = c.req.query(key);
      if (v) {
        params.push(v);
        filter += ` AND ${col} = $${params.length}`;
      }
    }
    const from = `FROM reporter_records r LEFT JOIN report_deliveries d ON d.data_type = r.data_type AND d.record_id = r.record_id
      WHERE r.deadline < $1::date AND r.status <> 'withdrawn' AND d.accepted_version IS NULL ${filter}`;
    return c.json(
      await list(
        `SELECT r.data_type, r.record_id, r.version, r.status, r.dept_code, r.record_date, r.deadline,
                ($1::date - r.deadline) AS days_overdue,
                CASE WHEN r.status IN ('invalid', 'held_reference') THEN 'city_invalid'
                     WHEN d.rejected_version IS NOT NULL THEN 'province_rejected'
                     WHEN d.first_delivered_at IS NULL THEN 'not_sent' ELSE 'awaiting_verdict' END AS reason,
                CASE WHEN r.status = 'valid' THEN d.rejected_errors ELSE r.errors END AS errors
           ${from} ORDER BY r.deadline, r.data_type, r.record_id`,
        `SELECT count(*) AS n ${from}`,
        params,
        c,
      ),
    );
  });

  app.get('/reconciliations', requirePermission('read'), async (c) =>
    c.json(await list(`SELECT id, run_id, checked_at, data_type, period_from, period_to, city_count, province_count, match, error FROM report_reconciliations ORDER BY checked_at DESC, id DESC`, `SELECT count(*) AS n FROM report_reconciliations`, [], c)),
  );

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
    return c.json({
      period: { from, to },
      items: rows.slice(offset, offset + limit),
      total: rows.length,
      limit,
      offset,
      coverage: await coverage(d.db, from, to, allCategories ? null : d.coverageCategories()),
    });
  });

  return app;
}

