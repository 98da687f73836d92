import type { Queryable } from '../../core/db';

/** Content baselines (网页防篡改): the approved page per content target, and the candidates the probe kept. */

export interface ApprovedBaseline {
  targetId: string;
  hash: string;
  text: string;
  approvedBy: string;
  approvedAt: number;
  sourceResultId: string | null;
  /** Trust on first use: the first clean capture, compared against but not yet confirmed by a person. */
  provisional: boolean;
}

/** A normalised page the content probe kept (no baseline yet, or a change) that an operator may approve. */
export interface BaselineCandidate {
  resultId: string;
  ts: number;
  text: string;
  /** The probe's hash of the normalised text (null in results written before it kept one). */
  hash: string | null;
  diffSummary: unknown;
}

export async function approvedBaseline(db: Queryable, targetId: string): Promise<ApprovedBaseline | null> {
  const r = await db.query<{ hash: string; text: string; approved_by: string; approved_at: Date; source_result_id: string | null; provisional: boolean }>(
    `SELECT hash, text, approved_by, approved_at, source_result_id, provisional FROM content_baselines WHERE target_id = $1`,
    [targetId],
  );
  const a = r.rows[0];
  return a ? { targetId, hash: a.hash, text: a.text, approvedBy: a.approved_by, approvedAt: new Date(a.approved_at).getTime(), sourceResultId: a.source_result_id, provisional: a.provisional === true } : null;
}

/** Who a provisional baseline is "approved by": the collector's first capture. */
export const FIRST_CAPTURE = '首次采集';

/**
 * Trust on first use: stores the stored capture of `hash` (the newest result of the target that kept that normalised
 * text and found no forbidden word) as the provisional baseline, unless the target has a baseline already (an
 * approval that came first wins). Returns the baseline in force afterwards, or null when the capture is not written
 * yet (the writer batches) — the next run tries again.
 */
export async function adoptFirstCapture(db: Queryable, targetId: string, hash: string): Promise<ApprovedBaseline | null> {
  await db.query(
    `INSERT INTO content_baselines (target_id, hash, text, approved_by, approved_at, source_result_id, provisional)
     SELECT target_id, $2, detail->>'normalisedText', $3, ts, result_id, true
       FROM probe_results
      WHERE target_id = $1 AND detail ? 'normalisedText' AND detail->>'hash' = $2 AND NOT detail ? 'forbiddenHits'
      ORDER BY ts DESC LIMIT 1
     ON CONFLICT (target_id) DO NOTHING`,
    [targetId, hash, FIRST_CAPTURE],
  );
  return approvedBaseline(db, targetId);
}

/** A person confirms the provisional baseline as it is (未确认 → 已确认); false when there is none to confirm. */
export async function confirmProvisional(db: Queryable, targetId: string, hash: string, by: string, at: number): Promise<boolean> {
  const r = await db.query(
    `UPDATE content_baselines SET provisional = false, approved_by = $3, approved_at = $4
      WHERE target_id = $1 AND hash = $2 AND provisional`,
    [targetId, hash, by, new Date(at)],
  );
  return r.rowCount > 0;
}

/** The newest candidate since `since` (or the one of a given result). */
export async function latestCandidate(db: Queryable, targetId: string, since: number, resultId?: string): Promise<BaselineCandidate | null> {
  const r = await db.query<{ result_id: string; ts: Date; text: string; hash: string | null; diff: unknown }>(
    `SELECT result_id, ts, detail->>'normalisedText' AS text, detail->>'hash' AS hash, detail->'diffSummary' AS diff
       FROM probe_results
      WHERE target_id = $1 AND ts >= $2 AND detail ? 'normalisedText' ${resultId ? 'AND result_id = $3' : ''}
      ORDER BY ts DESC LIMIT 1`,
    resultId ? [targetId, new Date(since), resultId] : [targetId, new Date(since)],
  );
  const c = r.rows[0];
  return c ? { resultId: c.result_id, ts: new Date(c.ts).getTime(), text: c.text, hash: c.hash, diffSummary: c.diff ?? null } : null;
}

export async function saveBaseline(db: Queryable, b: Omit<ApprovedBaseline, 'provisional'> & { provisional?: boolean }): Promise<void> {
  await db.query(
    `INSERT INTO content_baselines (target_id, hash, text, approved_by, approved_at, source_result_id, provisional) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (target_id) DO UPDATE SET hash = EXCLUDED.hash, text = EXCLUDED.text, approved_by = EXCLUDED.approved_by,
       approved_at = EXCLUDED.approved_at, source_result_id = EXCLUDED.source_result_id, provisional = EXCLUDED.provisional`,
    [b.targetId, b.hash, b.text, b.approvedBy, new Date(b.approvedAt), b.sourceResultId, b.provisional ?? false],
  );
}
