import type { Queryable } from '../../core/db';
import { ms, readSource } from './safe';

/** An open 通报 past its deadline (notices, sql/025_notices.sql): the input of the notice_overdue rule. */
export interface OverdueNotice {
  id: number;
  number: string;
  title: string;
  level: string;
  department: string;
  moduleId: string | null;
  status: string;
  deadline: number;
}

export async function loadOverdueNotices(db: Queryable, now: number): Promise<OverdueNotice[]> {
  const rows = await readSource<Record<string, unknown>>(
    db,
    'notices',
    `SELECT id, number, title, level, department, module_id, status, deadline FROM notices WHERE status <> 'closed' AND deadline < $1 ORDER BY deadline`,
    [new Date(now)],
  );
  return rows.map((r) => ({
    id: Number(r.id), number: String(r.number), title: String(r.title), level: String(r.level), department: String(r.department),
    moduleId: (r.module_id as string) ?? null, status: String(r.status), deadline: ms(r.deadline)!,
  }));
}
