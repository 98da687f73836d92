import type { Queryable } from '../../core/db';
import { ms, readSource } from './safe';

export interface SystemEvent {
  ts: number;
  source: string;
  kind: string;
  severity: string;
  labels: Record<string, string>;
  value: number | null;
  message: string;
}

/** system_events of one kind in a window, oldest first (the reporter writes them: batch_failed, records_overdue, reconciliation_mismatch). */
export async function loadEvents(db: Queryable, kind: string, windowMs: number, now: number, source?: string): Promise<SystemEvent[]> {
  const rows = await readSource<Record<string, unknown>>(
    db,
    'system_events',
    `SELECT ts, source, kind, severity, labels, value, message FROM system_events
      WHERE kind = $1 AND ts > $2 AND ts <= $3 AND ($4::text IS NULL OR source = $4)
      ORDER BY ts LIMIT 100000`,
    [kind, new Date(now - windowMs), new Date(now), source ?? null],
  );
  return rows.map((r) => ({
    ts: ms(r.ts) ?? 0,
    source: String(r.source),
    kind: String(r.kind),
    severity: String(r.severity),
    labels: (r.labels as Record<string, string>) ?? {},
    value: r.value == null ? null : Number(r.value),
    message: String(r.message ?? ''),
  }));
}
