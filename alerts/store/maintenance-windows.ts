import type { Queryable } from '../../core/db';
import { occurrence, type WindowInput } from '../maintenance-windows';
import type { MaintenanceWindow } from '../notify/mute';

/** Maintenance windows (maintenance_windows, active_maintenance(now)): written through the API, read by the notifier. */
export interface WindowRecord extends MaintenanceWindow {
  durationMs: number | null;
  timezone: string;
  createdBy: string;
  comment: string;
  publicNote: string;
  createdAt: number;
  expiredAt: number | null;
  expiredBy: string | null;
}

export async function createWindow(db: Queryable, w: WindowInput, by: string, now: number): Promise<number> {
  const r = await db.query<{ id: number }>(
    `INSERT INTO maintenance_windows (name, module_id, target_id, starts_at, ends_at, recurrence, duration_ms, timezone, created_by, comment, created_at, public_note)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) RETURNING id`,
    [w.name, w.moduleId, w.targetId, new Date(w.startsAt), new Date(w.endsAt), w.recurrence, w.durationMs, w.timezone, by, w.comment, new Date(now), w.publicNote ?? ''],
  );
  return Number(r.rows[0].id);
}

function rowToWindow(r: Record<string, unknown>): WindowRecord {
  return {
    id: Number(r.id), name: String(r.name), moduleId: (r.module_id as string) ?? null, targetId: (r.target_id as string) ?? null,
    startsAt: new Date(r.starts_at as string).getTime(), endsAt: new Date(r.ends_at as string).getTime(), recurrence: (r.recurrence as string) ?? null,
    durationMs: r.duration_ms == null ? null : Number(r.duration_ms), timezone: String(r.timezone), createdBy: String(r.created_by),
    comment: String(r.comment ?? ''), publicNote: String(r.public_note ?? ''), createdAt: new Date(r.created_at as string).getTime(),
    expiredAt: r.expired_at ? new Date(r.expired_at as string).getTime() : null, expiredBy: (r.expired_by as string) ?? null,
  };
}

export async function activeWindows(db: Queryable, now: number): Promise<MaintenanceWindow[]> {
  const r = await db.query('SELECT * FROM active_maintenance($1)', [new Date(now)]);
  return r.rows.map(rowToWindow);
}

export async function getWindow(db: Queryable, id: number): Promise<WindowRecord | null> {
  const r = await db.query('SELECT * FROM maintenance_windows WHERE id = $1', [id]);
  return r.rows[0] ? rowToWindow(r.rows[0]) : null;
}

/** A page of windows (active, upcoming or expired at `now`, or all), latest start first. */
export async function listWindows(db: Queryable, now: number, state: string | undefined, limit: number, offset: number): Promise<{ total: number; items: WindowRecord[] }> {
  const where = state === 'active' ? 'expired_at IS NULL AND starts_at <= $1 AND ends_at > $1'
    : state === 'expired' ? '(expired_at IS NOT NULL OR (recurrence IS NULL AND ends_at <= $1))'
    : state === 'upcoming' ? 'expired_at IS NULL AND starts_at > $1' : '$1::timestamptz IS NOT NULL';
  const r = await db.query(`SELECT *, count(*) OVER () AS total FROM maintenance_windows WHERE ${where} ORDER BY starts_at DESC LIMIT $2 OFFSET $3`, [new Date(now), limit, offset]);
  return { total: Number(r.rows[0]?.total ?? 0), items: r.rows.map(rowToWindow) };
}

export async function expireWindow(db: Queryable, id: number, by: string, now: number) {
  await db.query('UPDATE maintenance_windows SET expired_at = $2, expired_by = $3 WHERE id = $1 AND expired_at IS NULL', [id, new Date(now), by]);
}

/** Moves each recurring window whose occurrence ended to its next occurrence (so active_maintenance(now) stays a plain check). */
export async function advanceRecurring(db: Queryable, now: number): Promise<number> {
  const r = await db.query(`SELECT id, recurrence, duration_ms, timezone FROM maintenance_windows WHERE recurrence IS NOT NULL AND expired_at IS NULL AND ends_at <= $1`, [new Date(now)]);
  for (const w of r.rows) {
    const occ = occurrence(String(w.recurrence), Number(w.duration_ms), String(w.timezone), now);
    if (occ) await db.query('UPDATE maintenance_windows SET starts_at = $2, ends_at = $3 WHERE id = $1', [w.id, new Date(occ.start), new Date(occ.end)]);
  }
  return r.rows.length;
}

/** A window as one version of its history records it (core/versions.ts): times in ISO. */
export function windowSnapshot(w: WindowRecord): Record<string, unknown> {
  const iso = (ms: number | null) => (ms == null ? null : new Date(ms).toISOString());
  return {
    name: w.name, moduleId: w.moduleId, targetId: w.targetId, startsAt: iso(w.startsAt), endsAt: iso(w.endsAt), recurrence: w.recurrence,
    durationMs: w.durationMs, timezone: w.timezone, comment: w.comment, publicNote: w.publicNote, expiredAt: iso(w.expiredAt), expiredBy: w.expiredBy,
  };
}

/** Edits a window (an ended one runs again). */
export async function updateWindow(db: Queryable, id: number, w: WindowInput) {
  await db.query(
    `UPDATE maintenance_windows SET name = $2, module_id = $3, target_id = $4, starts_at = $5, ends_at = $6, recurrence = $7, duration_ms = $8,
       timezone = $9, comment = $10, public_note = $11, expired_at = NULL, expired_by = NULL WHERE id = $1`,
    [id, w.name, w.moduleId, w.targetId, new Date(w.startsAt), new Date(w.endsAt), w.recurrence, w.durationMs, w.timezone, w.comment, w.publicNote ?? ''],
  );
}

/** Writes a snapshot (an old version) back as the window's content. */
export async function restoreWindow(db: Queryable, id: number, s: Record<string, unknown>) {
  const at = (v: unknown) => (v == null ? null : new Date(String(v)));
  await db.query(
    `UPDATE maintenance_windows SET name = $2, module_id = $3, target_id = $4, starts_at = $5, ends_at = $6, recurrence = $7, duration_ms = $8,
       timezone = $9, comment = $10, public_note = $11, expired_at = $12, expired_by = $13 WHERE id = $1`,
    [id, String(s.name), s.moduleId ?? null, s.targetId ?? null, at(s.startsAt), at(s.endsAt), s.recurrence ?? null, s.durationMs ?? null,
      String(s.timezone ?? 'Asia/Shanghai'), String(s.comment ?? ''), String(s.publicNote ?? ''), at(s.expiredAt), s.expiredBy ?? null],
  );
}
