import type { Queryable } from '../../core/db';

/** A system event for the alert rules (source 'reporter'): batch_failed, records_overdue, reconciliation_mismatch. */
export async function emitEvent(
  db: Queryable,
  at: number,
  e: { kind: 'batch_failed' | 'records_overdue' | 'reconciliation_mismatch'; severity: 'info' | 'warning' | 'critical'; labels?: Record<string, string>; value?: number; message: string },
) {
  await db.query(`INSERT INTO system_events (ts, source, kind, severity, labels, value, message) VALUES ($1, 'reporter', $2, $3, $4::jsonb, $5, $6)`, [
    new Date(at), e.kind, e.severity, JSON.stringify(e.labels ?? {}), e.value ?? null, e.message,
  ]);
}
