import type { Db } from '../../core/db';
import { validateRecord } from '../standard/validate';
import { createCalendar, deadlineFor, recordDate } from '../standard/calendar';
import type { DataType } from '../standard/types';

/**
 * Test and benchmark helper: validates records with the standard's validator and writes reporter_records rows as the
 * intake would (normalised data, status, record date, deadline), so delivery tests do not depend on intake code
 * paths. References are not checked here (as if every referenced record were valid). Not used by production code.
 */
const CAL = createCalendar();
const DEADLINES = { PENALTY: 7, COERCION: 7, INSPECTION: 7, INSPECTION_PLAN: 20 };

export async function putRecords(db: Db, recs: [DataType, object][], opts: { now?: number; version?: number; withdrawn?: boolean } = {}) {
  const now = opts.now ?? Date.now();
  const rows = recs.map(([t, input]) => {
    const v = validateRecord(t, input, { now });
    const data = v.data;
    const status = opts.withdrawn ? 'withdrawn' : v.status;
    return [
      t, v.recordId, opts.version ?? 1, opts.withdrawn ? 'DELETE' : 'UPSERT', status, JSON.stringify(data), JSON.stringify(v.errors), 'api', new Date(now), new Date(now),
      recordDate(t, data) ?? null, deadlineFor(t, data, CAL, DEADLINES) ?? null, (data.deptCode as string) ?? null, (data.implCode as string) ?? null,
      (data.inspectionRef as string) ?? null, `${v.recordId}:${opts.version ?? 1}`,
    ];
  });
  const cols = ['data_type', 'record_id', 'version', 'op', 'status', 'data', 'errors', 'source', 'first_arrived_at', 'last_arrived_at', 'record_date', 'deadline', 'dept_code', 'impl_code', 'inspection_ref', 'content_hash'];
  const upd = cols.slice(2).filter((c) => c !== 'first_arrived_at' && c !== 'source').map((c) => `${c} = EXCLUDED.${c}`).join(', ');
  for (let i = 0; i < rows.length; i += 2000) await db.insertMany('reporter_records', cols, rows.slice(i, i + 2000), `ON CONFLICT (data_type, record_id) DO UPDATE SET ${upd}`);
}
