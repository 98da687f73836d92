import type { Queryable } from '../../core/db';

/**
 * DNS baselines: the answer set a DNS target without pinned `expect` answers must keep. The answers seen first are
 * adopted (`firstSeen`, trust on first use); a security user approves a new set with a reason. Every baseline ever
 * held is kept in dns_baseline_history.
 */

export interface DnsBaseline {
  targetId: string;
  recordType: string;
  answers: string[];
  approvedBy: string;
  approvedAt: number;
  reason: string;
  /** Adopted from the first answers seen, not (yet) approved by a person. */
  firstSeen: boolean;
}

export interface DnsBaselineChange extends DnsBaseline {
  /** The answers this baseline replaced (null for the first one). */
  previous: string[] | null;
}

/** Who adopted a first-seen baseline (no person did). */
export const FIRST_SEEN_BY = '(首次解析)';

type Row = { target_id: string; record_type: string; answers: unknown; approved_by: string; approved_at: Date; reason: string; first_seen: boolean };
const answersOf = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? (JSON.parse(v) as string[]) : []);
const toBaseline = (r: Row): DnsBaseline => ({
  targetId: r.target_id, recordType: r.record_type, answers: answersOf(r.answers), approvedBy: r.approved_by,
  approvedAt: new Date(r.approved_at).getTime(), reason: r.reason, firstSeen: r.first_seen,
});

export async function dnsBaseline(db: Queryable, targetId: string): Promise<DnsBaseline | null> {
  const r = await db.query<Row>(`SELECT target_id, record_type, answers, approved_by, approved_at, reason, first_seen FROM dns_baselines WHERE target_id = $1`, [targetId]);
  return r.rows[0] ? toBaseline(r.rows[0]) : null;
}

/** The answers seen first become the baseline, unless one exists already (then that one is answered). */
export async function adoptFirstDnsBaseline(db: Queryable, b: { targetId: string; recordType: string; answers: string[]; at: number }): Promise<DnsBaseline> {
  const ins = await db.query<Row>(
    `INSERT INTO dns_baselines (target_id, record_type, answers, approved_by, approved_at, reason, first_seen)
     VALUES ($1, $2, $3::jsonb, $4, $5, '首次解析结果自动作为基线，待安全人员确认', true)
     ON CONFLICT (target_id) DO NOTHING
     RETURNING target_id, record_type, answers, approved_by, approved_at, reason, first_seen`,
    [b.targetId, b.recordType, JSON.stringify(b.answers), FIRST_SEEN_BY, new Date(b.at)],
  );
  if (ins.rows[0]) {
    await db.query(
      `INSERT INTO dns_baseline_history (target_id, record_type, answers, previous, approved_by, approved_at, reason, first_seen)
       VALUES ($1, $2, $3::jsonb, NULL, $4, $5, $6, true)`,
      [b.targetId, b.recordType, JSON.stringify(b.answers), FIRST_SEEN_BY, new Date(b.at), ins.rows[0].reason],
    );
    return toBaseline(ins.rows[0]);
  }
  return (await dnsBaseline(db, b.targetId))!;
}

/** A person approves an answer set (with a reason): it replaces the baseline, and the change is kept in the history. */
export async function approveDnsBaseline(db: Queryable, b: { targetId: string; recordType: string; answers: string[]; approvedBy: string; at: number; reason: string }): Promise<DnsBaselineChange> {
  const prev = await dnsBaseline(db, b.targetId);
  await db.query(
    `INSERT INTO dns_baselines (target_id, record_type, answers, approved_by, approved_at, reason, first_seen) VALUES ($1, $2, $3::jsonb, $4, $5, $6, false)
     ON CONFLICT (target_id) DO UPDATE SET record_type = EXCLUDED.record_type, answers = EXCLUDED.answers, approved_by = EXCLUDED.approved_by,
       approved_at = EXCLUDED.approved_at, reason = EXCLUDED.reason, first_seen = false`,
    [b.targetId, b.recordType, JSON.stringify(b.answers), b.approvedBy, new Date(b.at), b.reason],
  );
  await db.query(
    `INSERT INTO dns_baseline_history (target_id, record_type, answers, previous, approved_by, approved_at, reason, first_seen)
     VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $6, $7, false)`,
    [b.targetId, b.recordType, JSON.stringify(b.answers), prev ? JSON.stringify(prev.answers) : null, b.approvedBy, new Date(b.at), b.reason],
  );
  return { targetId: b.targetId, recordType: b.recordType, answers: b.answers, approvedBy: b.approvedBy, approvedAt: b.at, reason: b.reason, firstSeen: false, previous: prev?.answers ?? null };
}

/** The baselines a target held, newest first. */
export async function dnsBaselineHistory(db: Queryable, targetId: string, limit = 50): Promise<DnsBaselineChange[]> {
  const r = await db.query<Row & { previous: unknown }>(
    `SELECT target_id, record_type, answers, previous, approved_by, approved_at, reason, first_seen FROM dns_baseline_history
      WHERE target_id = $1 ORDER BY approved_at DESC, id DESC LIMIT $2`,
    [targetId, limit],
  );
  return r.rows.map((row) => ({ ...toBaseline(row), previous: row.previous == null ? null : answersOf(row.previous) }));
}

/** The answers of a target's newest result, as target_state keeps them (null before any answer). */
export async function currentDnsAnswers(db: Queryable, targetId: string): Promise<{ ts: number; answers: string[]; success: boolean; errorCode: string | null } | null> {
  const r = await db.query<{ last_ts: Date | null; answers: unknown; last_success: boolean | null; code: string | null }>(
    `SELECT last_ts, last_detail->'answers' AS answers, last_success, last_error_code AS code FROM target_state WHERE target_id = $1`,
    [targetId],
  );
  const row = r.rows[0];
  if (!row?.last_ts || row.answers == null) return null;
  return { ts: new Date(row.last_ts).getTime(), answers: answersOf(row.answers), success: row.last_success === true, errorCode: row.code };
}
