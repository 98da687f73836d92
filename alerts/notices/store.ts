import { createHash } from 'node:crypto';
import type { Db, Queryable } from '../../core/db';
import { CHINA_OFFSET_MS, chinaDate } from '../../core/china-time';
import type { Notice, NoticeAction, NoticeAttachment, NoticeDepartmentStats, NoticeDetail, NoticeEvent, NoticeLevel, NoticeSource, NoticeStatus, NoticeStats } from '../../contract/notices';

/**
 * 通报 in the database (sql/025_notices.sql): notices, their events (every step, with who and why) and the attachments
 * of a feedback. Every write is one transaction that changes the notice only from the state the step allows
 * (`WHERE status = ANY(...)`), so two people acting at once cannot both move it.
 */

/** A notice to issue: its fields as the contract names them; the deadline as epoch ms. */
export type NewNotice = Pick<Notice, 'title' | 'level' | 'source' | 'sourceRef' | 'alertId' | 'moduleId' | 'department' | 'affectedSystems' | 'description' | 'requirement'> & {
  deadline: number;
};

export interface NewAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface Actor {
  name: string;
  role: string;
}

export interface NoticeFilter {
  department?: string;
  status?: NoticeStatus[];
  level?: NoticeLevel[];
  /** Searched in number, title, description and affected systems. */
  q?: string;
  /** Only notices past their deadline and not closed. */
  overdue?: boolean;
  issuedFrom?: number;
  issuedTo?: number;
}

const iso = (v: unknown) => (v == null ? null : new Date(v as string).toISOString());

function rowToNotice(r: Record<string, unknown>, now: number): Notice {
  const deadline = new Date(r.deadline as string).getTime();
  return {
    id: Number(r.id), number: String(r.number), title: String(r.title), level: r.level as NoticeLevel, source: r.source as NoticeSource,
    sourceRef: String(r.source_ref ?? ''), alertId: r.alert_id == null ? null : Number(r.alert_id), moduleId: (r.module_id as string) ?? null,
    department: String(r.department), affectedSystems: (r.affected_systems as string[]) ?? [], description: String(r.description),
    requirement: String(r.requirement ?? ''), status: r.status as NoticeStatus, deadline: iso(r.deadline)!,
    overdue: r.status !== 'closed' && deadline < now,
    issuedBy: String(r.issued_by), issuedAt: iso(r.issued_at)!, acknowledgedBy: (r.acknowledged_by as string) ?? null, acknowledgedAt: iso(r.acknowledged_at),
    submittedAt: iso(r.submitted_at), closedBy: (r.closed_by as string) ?? null, closedAt: iso(r.closed_at),
  };
}

/** The year of a notice's number: the issue's calendar year in UTC+8. */
export const noticeYear = (ms: number) => Number(chinaDate(ms).slice(0, 4));

export function formatNumber(pattern: string, year: number, seq: number): string {
  return pattern.replaceAll('{year}', String(year)).replaceAll('{seq}', String(seq));
}

/** Thrown when a step is not allowed from the notice's current state (409 to the client). */
export class NoticeStateError extends Error {
  constructor(readonly status: NoticeStatus, readonly action: NoticeAction, message: string) {
    super(message);
  }
}

export class NoticeStore {
  constructor(private db: Db) {}

  /** The department a module belongs to (modules.tags.department, from the collector's configuration), or null. */
  async moduleDepartment(moduleId: string): Promise<string | null> {
    const r = await this.db.query<{ d: string | null }>(`SELECT tags->>'department' AS d FROM modules WHERE id = $1`, [moduleId]);
    const d = r.rows[0]?.d;
    return d ? d : null;
  }

  /** An open notice about this alert, if there is one. */
  async openForAlert(alertId: number): Promise<{ id: number; number: string } | null> {
    const r = await this.db.query<{ id: number; number: string }>(`SELECT id, number FROM notices WHERE alert_id = $1 AND status <> 'closed' LIMIT 1`, [alertId]);
    return r.rows[0] ? { id: Number(r.rows[0].id), number: r.rows[0].number } : null;
  }

  /** Issues a notice: takes the year's next number, stores the notice and its first event. */
  async issue(n: NewNotice, pattern: string, by: Actor, now: number, comment = ''): Promise<Notice> {
    return this.db.tx(async (q) => {
      const year = noticeYear(now);
      const c = await q.query<{ last: number }>(
        `INSERT INTO notice_counters (year, last) VALUES ($1, 1) ON CONFLICT (year) DO UPDATE SET last = notice_counters.last + 1 RETURNING last`,
        [year],
      );
      const seq = Number(c.rows[0].last);
      const r = await q.query(
        `INSERT INTO notices (number, year, seq, title, level, source, source_ref, alert_id, module_id, department, affected_systems, description,
                              requirement, status, deadline, issued_by, issued_at, updated_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,'issued',$14,$15,$16,$16) RETURNING *`,
        [formatNumber(pattern, year, seq), year, seq, n.title, n.level, n.source, n.sourceRef, n.alertId, n.moduleId, n.department, n.affectedSystems,
          n.description, n.requirement, new Date(n.deadline), by.name, new Date(now)],
      );
      const notice = rowToNotice(r.rows[0], now);
      await this.event(q, notice.id, 'issued', by, now, comment);
      return notice;
    });
  }

  /**
   * Moves a notice `from` one of the allowed states `to` the next, with its event (and the feedback's attachments).
   * Returns the notice after the step, null when there is no such notice (for this department, if one is given).
   */
  async step(
    id: number,
    s: { action: NoticeAction; from: NoticeStatus[]; to: NoticeStatus; set?: Record<string, unknown>; department?: string },
    by: Actor,
    now: number,
    comment: string,
    attachments: NewAttachment[] = [],
  ): Promise<Notice | null> {
    return this.db.tx(async (q) => {
      const cur = await q.query<{ status: NoticeStatus; department: string }>('SELECT status, department FROM notices WHERE id = $1 FOR UPDATE', [id]);
      const row = cur.rows[0];
      if (!row || (s.department !== undefined && row.department !== s.department)) return null;
      if (!s.from.includes(row.status)) throw new NoticeStateError(row.status, s.action, `该通报当前状态不允许此操作（${row.status} → ${s.action}）`);
      const set = { status: s.to, updated_at: new Date(now), ...(s.set ?? {}) };
      const cols = Object.keys(set);
      const r = await q.query(
        `UPDATE notices SET ${cols.map((k, i) => `${k} = $${i + 2}`).join(', ')} WHERE id = $1 RETURNING *`,
        [id, ...cols.map((k) => (set as Record<string, unknown>)[k])],
      );
      const eventId = await this.event(q, id, s.action, by, now, comment);
      for (const a of attachments) {
        await q.query(
          `INSERT INTO notice_attachments (notice_id, event_id, filename, content_type, size, sha256, content) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
          [id, eventId, a.filename, a.contentType, a.content.length, createHash('sha256').update(a.content).digest('hex'), a.content],
        );
      }
      return rowToNotice(r.rows[0], now);
    });
  }

  private async event(q: Queryable, noticeId: number, action: NoticeAction, by: Actor, now: number, comment: string): Promise<number> {
    const r = await q.query<{ id: number }>(
      `INSERT INTO notice_events (notice_id, at, actor, role, action, comment) VALUES ($1,$2,$3,$4,$5,$6) RETURNING id`,
      [noticeId, new Date(now), by.name, by.role, action, comment],
    );
    return Number(r.rows[0].id);
  }

  private where(f: NoticeFilter, now: number): { sql: string; args: unknown[] } {
    const w: string[] = [];
    const args: unknown[] = [];
    const add = (cond: (p: string) => string, v: unknown) => {
      args.push(v);
      w.push(cond(`$${args.length}`));
    };
    if (f.department !== undefined) add((p) => `department = ${p}`, f.department);
    if (f.status?.length) add((p) => `status = ANY(${p}::text[])`, f.status);
    if (f.level?.length) add((p) => `level = ANY(${p}::text[])`, f.level);
    if (f.issuedFrom !== undefined) add((p) => `issued_at >= ${p}`, new Date(f.issuedFrom));
    if (f.issuedTo !== undefined) add((p) => `issued_at < ${p}`, new Date(f.issuedTo));
    if (f.overdue) add((p) => `status <> 'closed' AND deadline < ${p}`, new Date(now));
    if (f.q) {
      const like = `%${f.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
      add((p) => `(number ILIKE ${p} OR title ILIKE ${p} OR description ILIKE ${p} OR array_to_string(affected_systems, ' ') ILIKE ${p})`, like);
    }
    return { sql: w.length ? `WHERE ${w.join(' AND ')}` : '', args };
  }

  async list(f: NoticeFilter, limit: number, offset: number, now: number): Promise<{ items: Notice[]; total: number }> {
    const { sql, args } = this.where(f, now);
    const [rows, n] = await Promise.all([
      this.db.query(`SELECT * FROM notices ${sql} ORDER BY issued_at DESC, id DESC LIMIT $${args.length + 1} OFFSET $${args.length + 2}`, [...args, limit, offset]),
      this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM notices ${sql}`, args),
    ]);
    return { items: rows.rows.map((r) => rowToNotice(r, now)), total: Number(n.rows[0].n) };
  }

  async get(id: number, now: number, department?: string): Promise<NoticeDetail | null> {
    const r = await this.db.query('SELECT * FROM notices WHERE id = $1', [id]);
    if (!r.rows[0]) return null;
    const notice = rowToNotice(r.rows[0], now);
    if (department !== undefined && notice.department !== department) return null;
    const [ev, at] = await Promise.all([
      this.db.query('SELECT id, at, actor, role, action, comment FROM notice_events WHERE notice_id = $1 ORDER BY at, id', [id]),
      this.db.query('SELECT id, event_id, filename, content_type, size, sha256 FROM notice_attachments WHERE notice_id = $1 ORDER BY id', [id]),
    ]);
    const byEvent = new Map<number, NoticeAttachment[]>();
    for (const a of at.rows) {
      const att: NoticeAttachment = { id: Number(a.id), eventId: Number(a.event_id), filename: String(a.filename), contentType: String(a.content_type), size: Number(a.size), sha256: String(a.sha256) };
      byEvent.set(att.eventId, [...(byEvent.get(att.eventId) ?? []), att]);
    }
    const events: NoticeEvent[] = ev.rows.map((e) => ({
      id: Number(e.id), at: iso(e.at)!, actor: String(e.actor), role: (e.role as string) ?? null, action: e.action as NoticeAction, comment: String(e.comment ?? ''),
      attachments: byEvent.get(Number(e.id)) ?? [],
    }));
    return { ...notice, events };
  }

  async attachment(noticeId: number, attachmentId: number): Promise<{ filename: string; contentType: string; content: Buffer } | null> {
    const r = await this.db.query('SELECT filename, content_type, content FROM notice_attachments WHERE notice_id = $1 AND id = $2', [noticeId, attachmentId]);
    const a = r.rows[0];
    return a ? { filename: String(a.filename), contentType: String(a.content_type), content: Buffer.from(a.content as Uint8Array) } : null;
  }

  /** Open notices past their deadline: the input of the notice_overdue rule. */
  async overdue(now: number): Promise<Notice[]> {
    const r = await this.db.query(`SELECT * FROM notices WHERE status <> 'closed' AND deadline < $1 ORDER BY deadline`, [new Date(now)]);
    return r.rows.map((x) => rowToNotice(x, now));
  }

  /** Per department, the notices issued in the month `yyyy-MM` (UTC+8); see NoticeDepartmentStats. */
  async stats(month: string, now: number, department?: string): Promise<NoticeStats> {
    const [y, m] = month.split('-').map(Number);
    const from = Date.UTC(y, m - 1, 1) - CHINA_OFFSET_MS;
    const to = Date.UTC(y, m, 1) - CHINA_OFFSET_MS;
    const r = await this.db.query<{ department: string; issued: number; closed: number; on_time: number; open: number; overdue: number; due: number }>(
      `SELECT department,
              count(*)::int AS issued,
              count(*) FILTER (WHERE status = 'closed')::int AS closed,
              count(*) FILTER (WHERE status = 'closed' AND submitted_at <= deadline)::int AS on_time,
              count(*) FILTER (WHERE status <> 'closed')::int AS open,
              count(*) FILTER (WHERE status <> 'closed' AND deadline < $3)::int AS overdue,
              count(*) FILTER (WHERE status = 'closed' OR deadline < $3)::int AS due
         FROM notices
        WHERE issued_at >= $1 AND issued_at < $2 ${department !== undefined ? 'AND department = $4' : ''}
        GROUP BY department ORDER BY department`,
      [new Date(from), new Date(to), new Date(now), ...(department !== undefined ? [department] : [])],
    );
    const rate = (onTime: number, due: number) => (due > 0 ? onTime / due : null);
    const departments: NoticeDepartmentStats[] = r.rows.map((x) => ({
      department: x.department, issued: x.issued, closed: x.closed, closedOnTime: x.on_time, open: x.open, overdue: x.overdue, onTimeRate: rate(x.on_time, x.due),
    }));
    const sum = (k: 'issued' | 'closed' | 'on_time' | 'open' | 'overdue' | 'due') => r.rows.reduce((a, x) => a + x[k], 0);
    return {
      month,
      departments,
      total: { issued: sum('issued'), closed: sum('closed'), closedOnTime: sum('on_time'), open: sum('open'), overdue: sum('overdue'), onTimeRate: rate(sum('on_time'), sum('due')) },
    };
  }
}
