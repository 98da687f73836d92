import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { stringify } from 'csv-stringify/sync';
import { allows, isFullAdmin } from '../../core/auth/roles';
import { addMonths, isCalendarDate, chinaDate, chinaDayStart, chinaWallClock } from '../../core/china-time';
import { auditFrom, httpError, page, readJson, type AppEnv } from '../../core/http';
import type { AuthService } from '../../core/auth/service';
import { NOTICE_LEVEL_ZH, NOTICE_SOURCE_ZH, NOTICE_STATUS_ZH, type Notice, type NoticeLevel, type NoticeStatus } from '../../contract/notices';
import type { AlertsConfig, AlertsContext } from '../config';
import { getAlert } from '../store/alerts';
import { NoticeStateError, NoticeStore, type NewAttachment, type NoticeFilter } from '../notices/store';
import { printView } from '../notices/print';

const LEVELS = ['critical', 'high', 'medium', 'low'] as const;
const SOURCES = ['alert', 'cac', 'police', 'cncert', 'vendor', 'other'] as const;
const STATUSES = ['issued', 'acknowledged', 'submitted', 'returned', 'closed'] as const;

const text = (max: number) => z.string().trim().max(max);
const issueBody = z
  .object({
    /** Turn this alert into a notice: title, module and department come from it unless given. */
    alertId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
    source: z.enum(SOURCES).optional(),
    sourceRef: text(100).default(''),
    title: text(200).optional(),
    level: z.enum(LEVELS),
    moduleId: text(100).optional(),
    department: text(100).optional(),
    affectedSystems: z.array(text(100).min(1)).max(50).default([]),
    description: text(20_000).optional(),
    requirement: text(20_000).default(''),
    /** ISO instant; default: issue time + alerts.notices.deadlines[level]. */
    deadline: z.string().datetime({ offset: true }).optional(),
    comment: text(2_000).default(''),
  })
  .strict();
const commentBody = z.object({ comment: text(2_000).default('') }).strict();
const reasonBody = z.object({ comment: text(2_000).min(1, '请填写原因') }).strict();
const feedbackBody = z
  .object({
    /** 整改反馈: what was done. */
    comment: text(20_000).min(1, '请填写整改情况'),
    attachments: z
      .array(
        z.object({
          filename: z.string().trim().min(1).max(200).regex(/^[^\\/\u0000-\u001f]+$/, '文件名不能含路径或控制字符'),
          contentType: z.string().max(100).regex(/^[\w.+-]+\/[\w.+-]+$/, '应为 MIME 类型，如 application/pdf').default('application/octet-stream'),
          /** The file, base64. */
          data: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, '应为 base64'),
        }).strict(),
      )
      .max(20)
      .default([]),
  })
  .strict();

const zIssues = (e: z.ZodError) => `请求内容不合法：${e.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`;

/**
 * 通报 (notices) under /api/alerts/notices: security issues them (from an alert or by hand) and reviews the
 * department's feedback; a department user sees and answers only its own department's notices; ops reads them.
 * Every step is a notice event and an audit_log entry.
 */
export function noticeRoutes(ctx: AlertsContext, cfg: () => AlertsConfig, auth: AuthService) {
  const r = new Hono<AppEnv>();
  const store = new NoticeStore(ctx.db);
  const { clock } = ctx;

  /** Who may read: security, ops, admin (all departments), a department user (its own). undefined = refused. */
  const scope = (c: Context<AppEnv>): { department?: string } | undefined => {
    const p = c.get('principal');
    if (!p) return undefined;
    if (allows(p, 'notices:read')) return {};
    if (p.role === 'department' && p.department && allows(p, 'notices:respond')) return { department: p.department };
    return undefined;
  };
  const actor = (c: Context<AppEnv>) => ({ name: c.get('principal')!.name, role: c.get('principal')!.role });
  const refuse = (c: Context<AppEnv>) =>
    c.get('principal') ? httpError(c, 403, 'forbidden', '无权访问通报') : httpError(c, 401, 'unauthenticated', '需要登录');
  const idOf = (c: Context) => {
    const v = c.req.param('id') ?? '';
    return /^\d{1,15}$/.test(v) ? Number(v) : null;
  };
  const notFound = (c: Context) => httpError(c, 404, 'not_found', '没有这份通报');

  function filterOf(c: Context<AppEnv>, department: string | undefined): NoticeFilter | Response {
    const list = (k: string) => (c.req.query(k) ?? '').split(',').filter(Boolean);
    const status = list('status');
    if (status.some((s) => !STATUSES.includes(s as NoticeStatus))) return httpError(c, 400, 'bad_status', `status 应为 ${STATUSES.join('|')}（可逗号分隔多个）`, { field: 'status' });
    const level = list('level');
    if (level.some((s) => !LEVELS.includes(s as NoticeLevel))) return httpError(c, 400, 'bad_level', `level 应为 ${LEVELS.join('|')}`, { field: 'level' });
    const q = (c.req.query('q') ?? '').trim().slice(0, 100);
    return {
      department: department ?? (c.req.query('department') || undefined),
      status: status as NoticeStatus[], level: level as NoticeLevel[], q: q || undefined, overdue: c.req.query('overdue') === 'true',
    };
  }

  r.get('/notices', async (c) => {
    const s = scope(c);
    if (!s) return refuse(c);
    const f = filterOf(c, s.department);
    if (f instanceof Response) return f;
    const { limit, offset } = page(c, 50, 500);
    const { items, total } = await store.list(f, limit, offset, clock());
    return c.json({ items, total, limit, offset });
  });

  r.get('/notices/stats', async (c) => {
    const s = scope(c);
    if (!s) return refuse(c);
    const month = c.req.query('month') ?? chinaDate(clock()).slice(0, 7);
    if (!/^\d{4}-\d{2}$/.test(month) || !isCalendarDate(`${month}-01`)) return httpError(c, 400, 'bad_month', 'month 应为 yyyy-MM，如 2026-12', { field: 'month' });
    return c.json(await store.stats(month, clock(), s.department));
  });

  // CSV of the notices a filter selects (the list's filters; all pages), for the monthly report.
  r.get('/notices/export', async (c) => {
    const s = scope(c);
    if (!s) return refuse(c);
    const f = filterOf(c, s.department);
    if (f instanceof Response) return f;
    const month = c.req.query('month');
    if (month !== undefined) {
      if (!/^\d{4}-\d{2}$/.test(month) || !isCalendarDate(`${month}-01`)) return httpError(c, 400, 'bad_month', 'month 应为 yyyy-MM', { field: 'month' });
      // The month in UTC+8: from its first midnight to the next month's.
      f.issuedFrom = chinaDayStart(`${month}-01`);
      f.issuedTo = chinaDayStart(addMonths(`${month}-01`, 1));
    }
    const rows: Notice[] = [];
    for (let offset = 0; ; offset += 1000) {
      const { items } = await store.list(f, 1000, offset, clock());
      rows.push(...items);
      if (items.length < 1000 || rows.length >= 100_000) break;
    }
    const t = (v: string | null) => (v ? chinaWallClock(new Date(v).getTime()) : '');
    const csv = stringify(
      rows.map((n) => [n.number, n.title, NOTICE_LEVEL_ZH[n.level], NOTICE_SOURCE_ZH[n.source], n.department, n.affectedSystems.join('、'), NOTICE_STATUS_ZH[n.status],
        t(n.issuedAt), t(n.deadline), t(n.acknowledgedAt), t(n.submittedAt), t(n.closedAt), n.overdue ? '是' : '否']),
      { header: true, columns: ['编号', '标题', '级别', '来源', '责任部门', '涉及系统', '状态', '下发时间', '整改期限', '签收时间', '反馈时间', '办结时间', '逾期'], cast: { string: (v) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v) } },
    );
    await auditFrom(c, auth, { action: 'notices.export', details: { count: rows.length, ...(month ? { month } : {}) } });
    return new Response('\uFEFF' + csv, {
      headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="notices${month ? '-' + month : ''}.csv"` },
    });
  });

  r.get('/notices/:id', async (c) => {
    const s = scope(c);
    if (!s) return refuse(c);
    const id = idOf(c);
    const n = id === null ? null : await store.get(id, clock(), s.department);
    return n ? c.json(n) : notFound(c);
  });

  // The printable notice (HTML with print styles; the browser's print dialog makes the PDF).
  r.get('/notices/:id/print', async (c) => {
    const s = scope(c);
    if (!s) return refuse(c);
    const id = idOf(c);
    const n = id === null ? null : await store.get(id, clock(), s.department);
    if (!n) return notFound(c);
    return c.html(printView(n, cfg().timezone));
  });

  r.get('/notices/:id/attachments/:aid', async (c) => {
    const s = scope(c);
    if (!s) return refuse(c);
    const id = idOf(c);
    const aid = /^\d{1,15}$/.test(c.req.param('aid')) ? Number(c.req.param('aid')) : null;
    if (id === null || aid === null || !(await store.get(id, clock(), s.department))) return notFound(c);
    const a = await store.attachment(id, aid);
    if (!a) return httpError(c, 404, 'not_found', '没有这个附件');
    return new Response(new Uint8Array(a.content), {
      headers: {
        'content-type': a.contentType,
        'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(a.filename)}`,
        'x-content-type-options': 'nosniff',
      },
    });
  });

  r.post('/notices', async (c) => {
    const p = c.get('principal');
    if (!p || !allows(p, 'notices:issue')) return refuse(c);
    const body = await readJson(c);
    if (!body.ok) return body.response;
    const parsed = issueBody.safeParse(body.value);
    if (!parsed.success) return httpError(c, 400, 'bad_request', zIssues(parsed.error));
    const b = parsed.data;
    const now = clock();
    let title = b.title, description = b.description, moduleId = b.moduleId, department = b.department;
    if (b.alertId !== undefined) {
      const alert = await getAlert(ctx.db, b.alertId);
      if (!alert) return httpError(c, 404, 'alert_not_found', `没有告警 ${b.alertId}`, { field: 'alertId' });
      const open = await store.openForAlert(b.alertId);
      if (open) return httpError(c, 409, 'notice_exists', `该告警已有未办结的通报 ${open.number}`, { noticeId: open.id });
      title ??= alert.annotations.summary || alert.rule;
      description ??= [alert.annotations.summary, alert.annotations.description].filter(Boolean).join('\n');
      moduleId ??= alert.moduleId ?? undefined;
    } else if (!b.source || b.source === 'alert') {
      return httpError(c, 400, 'bad_request', '手工录入的预警需要 source（cac 网信办 | police 公安 | cncert | vendor 厂商 | other），来自告警的通报需要 alertId', { field: 'source' });
    }
    if (!department && moduleId) department = (await store.moduleDepartment(moduleId)) ?? undefined;
    if (!title) return httpError(c, 400, 'bad_request', 'title: 请填写标题', { field: 'title' });
    if (!description) return httpError(c, 400, 'bad_request', 'description: 请填写通报内容', { field: 'description' });
    if (!department) return httpError(c, 400, 'department_required', '无法从模块确定责任部门：请填写 department（或在模块的 tags.department 中配置）', { field: 'department' });
    const deadline = b.deadline ? new Date(b.deadline).getTime() : now + cfg().notices.deadlines[b.level];
    if (!(deadline > now)) return httpError(c, 400, 'bad_deadline', 'deadline 应晚于现在', { field: 'deadline' });
    const n = await store.issue(
      { title, level: b.level, source: b.alertId !== undefined ? 'alert' : b.source!, sourceRef: b.sourceRef, alertId: b.alertId ?? null, moduleId: moduleId ?? null,
        department, affectedSystems: b.affectedSystems, description, requirement: b.requirement, deadline },
      cfg().notices.numberPattern, actor(c), now, b.comment,
    );
    await auditFrom(c, auth, { action: 'notice.issue', target: n.number, details: { id: n.id, department, level: n.level, alertId: n.alertId } });
    return c.json(n, 201);
  });

  /** One step of the workflow: who may take it, from which states, to which. */
  const step = (
    path: string,
    s: { action: 'acknowledged' | 'feedback' | 'returned' | 'closed'; from: NoticeStatus[]; to: NoticeStatus; who: 'department' | 'security'; schema: z.ZodType<{ comment: string; attachments?: z.infer<typeof feedbackBody>['attachments'] }>; set: (now: number, by: string) => Record<string, unknown> },
  ) =>
    r.post(`/notices/:id/${path}`, async (c) => {
      const p = c.get('principal');
      if (!p) return refuse(c);
      const allowed = s.who === 'security' ? allows(p, 'notices:issue') : (p.role === 'department' && !!p.department && allows(p, 'notices:respond')) || isFullAdmin(p);
      if (!allowed) return httpError(c, 403, 'forbidden', s.who === 'security' ? '只有安全人员可以审核、退回或办结通报' : '只有责任部门的联络人可以签收和反馈通报');
      const id = idOf(c);
      if (id === null) return notFound(c);
      const body = await readJson(c);
      if (!body.ok) return body.response;
      const parsed = s.schema.safeParse(body.value ?? {});
      if (!parsed.success) return httpError(c, 400, 'bad_request', zIssues(parsed.error));
      const limits = cfg().notices.attachments;
      const files: NewAttachment[] = [];
      for (const [i, a] of (parsed.data.attachments ?? []).entries()) {
        if (i >= limits.maxFiles) return httpError(c, 413, 'too_many_attachments', `附件最多 ${limits.maxFiles} 个`, { field: 'attachments' });
        const content = Buffer.from(a.data, 'base64');
        if (content.length > limits.maxBytes) return httpError(c, 413, 'attachment_too_large', `附件 ${a.filename} 超过 ${Math.round(limits.maxBytes / 1024)} KB`, { field: `attachments.${i}` });
        files.push({ filename: a.filename, contentType: a.contentType, content });
      }
      const now = clock();
      try {
        const n = await store.step(id, { action: s.action, from: s.from, to: s.to, set: s.set(now, p.name), department: p.role === 'department' ? p.department : undefined }, actor(c), now, parsed.data.comment, files);
        if (!n) return notFound(c);
        await auditFrom(c, auth, { action: `notice.${s.action}`, target: n.number, details: { id: n.id, status: n.status, ...(files.length ? { attachments: files.length } : {}) } });
        return c.json(n);
      } catch (err) {
        if (err instanceof NoticeStateError) return httpError(c, 409, 'bad_state', `通报状态为「${NOTICE_STATUS_ZH[err.status]}」，不能${ACTION_ZH[s.action]}`, { status: err.status });
        throw err;
      }
    });

  step('acknowledge', { action: 'acknowledged', from: ['issued'], to: 'acknowledged', who: 'department', schema: commentBody, set: (now, by) => ({ acknowledged_at: new Date(now), acknowledged_by: by }) });
  step('feedback', { action: 'feedback', from: ['acknowledged', 'returned'], to: 'submitted', who: 'department', schema: feedbackBody, set: (now) => ({ submitted_at: new Date(now) }) });
  step('return', { action: 'returned', from: ['submitted'], to: 'returned', who: 'security', schema: reasonBody, set: () => ({}) });
  step('close', { action: 'closed', from: ['submitted'], to: 'closed', who: 'security', schema: commentBody, set: (now, by) => ({ closed_at: new Date(now), closed_by: by }) });

  return r;
}

const ACTION_ZH = { acknowledged: '签收', feedback: '提交整改反馈', returned: '退回', closed: '办结' } as const;
