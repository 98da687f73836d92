import type { Db } from '../../core/db';
import type { Receipt } from '../adapters/types';

/**
 * What the gateway's answers mean for each record. "Delivered" is the gateway's first answer taking a batch (the
 * moment 及时率 counts); "reported" is a receipt accepting the record; a rejection goes to the correction queue
 * with the gateway's errors, until a newer version is accepted.
 */

/** The gateway took the batch (a receipt, PROCESSING or final, possibly a duplicate of a lost first answer). */
export async function markDelivered(db: Db, batchId: string, at: number) {
  await db.tx(async (q) => {
    const r = await q.query(`UPDATE report_batches SET first_answer_at = $2 WHERE batch_id = $1 AND first_answer_at IS NULL`, [batchId, new Date(at)]);
    if (r.rowCount === 0) return; // already counted
    await q.query(
      `UPDATE report_deliveries d SET first_delivered_at = COALESCE(d.first_delivered_at, $2), delivered_count = d.delivered_count + 1
         FROM report_batch_items i WHERE i.batch_id = $1 AND d.data_type = i.data_type AND d.record_id = i.record_id`,
      [batchId, new Date(at)],
    );
  });
}

export async function markProcessing(db: Db, batchId: string, receipt: Receipt) {
  await db.query(`UPDATE report_batches SET status = 'processing', receipt_id = $2 WHERE batch_id = $1 AND status = 'pending'`, [batchId, receipt.receiptId ?? null]);
}

/** A final receipt: every record of the batch gets its verdict, once. */
export async function applyReceipt(db: Db, batchId: string, receipt: Receipt, at: number): Promise<{ accepted: number; rejected: number }> {
  const when = new Date(at);
  return db.tx(async (q) => {
    const b = await q.query<{ status: string }>(`SELECT status FROM report_batches WHERE batch_id = $1 FOR UPDATE`, [batchId]);
    if (b.rows[0]?.status === 'done') return { accepted: receipt.accepted, rejected: receipt.rejected.length };
    const rejectedIds = receipt.rejected.map((r) => r.recordId);
    await q.query(`UPDATE report_batch_items SET verdict = CASE WHEN record_id = ANY($2::text[]) THEN 'rejected' ELSE 'accepted' END WHERE batch_id = $1`, [batchId, rejectedIds]);
    await q.query(
      `UPDATE report_deliveries d SET accepted_version = i.version, accepted_op = i.op, accepted_at = $2, accepted_batch = $1,
              first_verdict = COALESCE(d.first_verdict, 'accepted'),
              rejected_version = CASE WHEN d.rejected_version <= i.version THEN NULL ELSE d.rejected_version END,
              rejected_errors = CASE WHEN d.rejected_version <= i.version THEN NULL ELSE d.rejected_errors END,
              rejected_at = CASE WHEN d.rejected_version <= i.version THEN NULL ELSE d.rejected_at END,
              rejected_batch = CASE WHEN d.rejected_version <= i.version THEN NULL ELSE d.rejected_batch END
         FROM report_batch_items i
        WHERE i.batch_id = $1 AND i.verdict = 'accepted' AND d.data_type = i.data_type AND d.record_id = i.record_id
          AND (d.accepted_version IS NULL OR d.accepted_version <= i.version)`,
      [batchId, when],
    );
    if (receipt.rejected.length) {
      await q.query(
        `UPDATE report_deliveries d SET rejected_version = i.version, rejected_at = $3, rejected_batch = $1, rejected_errors = x.errors,
                first_verdict = COALESCE(d.first_verdict, 'rejected')
           FROM jsonb_to_recordset($2::jsonb) AS x("recordId" text, errors jsonb), report_batch_items i
          WHERE i.batch_id = $1 AND i.record_id = x."recordId" AND d.data_type = i.data_type AND d.record_id = i.record_id`,
        [batchId, JSON.stringify(receipt.rejected), when],
      );
    }
    const accepted = receipt.accepted;
    await q.query(
      `UPDATE report_batches SET status = 'done', finished_at = $2, receipt_id = $3, receipt = $4::jsonb, accepted = $5, rejected = $6, last_error = NULL WHERE batch_id = $1`,
      [batchId, when, receipt.receiptId ?? null, JSON.stringify(receipt), accepted, receipt.rejected.length],
    );
    return { accepted, rejected: receipt.rejected.length };
  });
}

/** A permanent refusal: the batch is closed and its records are due again (from what was last accepted). */
export async function failBatch(db: Db, batchId: string, reason: string, at: number) {
  await db.tx(async (q) => {
    await q.query(`UPDATE report_batches SET status = 'failed', finished_at = $2, last_error = $3 WHERE batch_id = $1`, [batchId, new Date(at), reason]);
    await q.query(`UPDATE report_deliveries SET queued_version = accepted_version, queued_op = accepted_op, queued_batch = accepted_batch WHERE queued_batch = $1`, [batchId]);
  });
}
