import type { Db, Queryable } from '../../core/db';
import type { CityRecord, DataType, ProvinceAdapter } from '../adapters/types';
import { fitBatch } from './batcher';
import { chinaDay } from '../../core/china-time';

/**
 * The outbox: which records are due to go, and batches written (with their exact body) before anything is sent.
 * A record is due when its current version has not been put into a batch yet:
 *   - status valid, never queued or queued in an older version            → UPSERT
 *   - status withdrawn, and what was last queued was an UPSERT            → DELETE
 *   - (full pass) the current version was rejected only for E_REFERENCE  → UPSERT again, now that the
 *     referenced ITEM / INSPECTION may be live at the province
 */
export type PassKind = 'incremental' | 'full';

/** A batch in the outbox, as the run sends it. */
export interface OutboxBatch {
  batchId: string;
  dataType: DataType;
  status: 'pending' | 'processing' | 'done' | 'failed';
  body: string;
  recordCount: number;
  attempts: number;
  firstAnswerAt: number | null;
}

const DUE = (kind: PassKind) => `
  (r.status = 'valid' AND (d.queued_version IS NULL OR d.queued_version < r.version))
  OR (r.status = 'withdrawn' AND d.queued_op = 'UPSERT')
  ${
    kind === 'full'
      ? `OR (r.status = 'valid' AND d.rejected_version = r.version AND d.queued_version = r.version AND d.queued_op = 'UPSERT'
         AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(d.rejected_errors) e WHERE e->>'code' <> 'E_REFERENCE'))`
      : ''
  }`;

/**
 * Up to `limit` due records of one type after `afterId`, in record id order. The walk reads the primary key in
 * windows (a materialised, ordered, limited scan) and joins each window's delivery state row by row, so the plan
 * stays an index walk whatever the table statistics say (the embedded database has no autovacuum/analyze).
 */
export async function dueRecords(q: Queryable, dataType: DataType, kind: PassKind, afterId: string, limit: number, windowSize = Math.max(2 * limit, 2000)): Promise<CityRecord[]> {
  const out: CityRecord[] = [];
  let cursor = afterId;
  while (out.length < limit) {
    const r = await q.query<{ record_id: string; version: number; status: string; data: Record<string, unknown>; window_end: string }>(
      `WITH w AS MATERIALIZED (
         SELECT record_id, version, status, data FROM reporter_records WHERE data_type = $1 AND record_id > $2 ORDER BY record_id LIMIT $3)
       SELECT r.record_id, r.version, r.status, r.data, (SELECT max(record_id) FROM w) AS window_end
         FROM w r LEFT JOIN LATERAL (
           SELECT queued_version, queued_op, rejected_version, rejected_errors FROM report_deliveries x WHERE x.data_type = $1 AND x.record_id = r.record_id LIMIT 1) d ON true
        WHERE ${DUE(kind)}
        ORDER BY r.record_id LIMIT $4`,
      [dataType, cursor, windowSize, limit - out.length],
    );
    for (const x of r.rows) out.push({ dataType, recordId: x.record_id, version: x.version, op: x.status === 'withdrawn' ? 'DELETE' : 'UPSERT', data: x.data });
    let end = r.rows[0]?.window_end;
    if (end === undefined) {
      const e = await q.query<{ record_id: string }>(`SELECT record_id FROM reporter_records WHERE data_type = $1 AND record_id > $2 ORDER BY record_id OFFSET $3 LIMIT 1`, [dataType, cursor, windowSize - 1]);
      end = e.rows[0]?.record_id;
      if (end === undefined) break; // the window reached the end of the type
    }
    if (out.length >= limit) break;
    cursor = end;
  }
  return out;
}

/** How many records of each type and op are due (dry run, indicators). */
export async function dueCounts(q: Queryable, kind: PassKind): Promise<{ dataType: DataType; op: 'UPSERT' | 'DELETE'; n: number }[]> {
  const r = await q.query<{ data_type: string; op: string; n: string }>(
    `SELECT r.data_type, CASE WHEN r.status = 'withdrawn' THEN 'DELETE' ELSE 'UPSERT' END AS op, count(*) AS n
       FROM reporter_records r LEFT JOIN report_deliveries d ON d.data_type = r.data_type AND d.record_id = r.record_id
      WHERE ${DUE(kind)} GROUP BY 1, 2 ORDER BY 1, 2`,
  );
  return r.rows.map((x) => ({ dataType: x.data_type as DataType, op: x.op as 'UPSERT' | 'DELETE', n: Number(x.n) }));
}

export interface PlannedBatch {
  records: CityRecord[];
  encoded: string[];
  bytes: number;
}

/** Encodes due records and keeps as many as fit one batch. */
export function planBatch(adapter: ProvinceAdapter, regionCode: string, dataType: DataType, due: CityRecord[], limits: { maxRecords: number; maxBytes: number }): PlannedBatch {
  const encoded = due.map((r) => adapter.encodeRecord(r));
  const sizes = encoded.map((e) => Buffer.byteLength(e));
  const meta = { batchId: adapter.batchId(regionCode, '00000000', 0), dataType, regionCode };
  const n = fitBatch(sizes, limits, (k) => adapter.envelopeBytes(meta, k));
  return { records: due.slice(0, n), encoded: encoded.slice(0, n), bytes: sizes.slice(0, n).reduce((a, b) => a + b, 0) };
}

/**
 * Writes one batch in one transaction: a new batch id (<region>-<yyyyMMdd>-<seq>), the exact body, its items, and
 * each record's queued version. Only then may it be sent.
 */
export async function writeBatch(db: Db, adapter: ProvinceAdapter, regionCode: string, dataType: DataType, plan: PlannedBatch, now: number, runId: number | null): Promise<OutboxBatch> {
  const day = chinaDay(now);
  return db.tx(async (q) => {
    const s = await q.query<{ seq: number }>(`SELECT COALESCE(max(seq), 0) + 1 AS seq FROM report_batches WHERE region_code = $1 AND day = $2`, [regionCode, day]);
    const seq = Number(s.rows[0].seq);
    const batchId = adapter.batchId(regionCode, day, seq);
    const body = adapter.encodeBatch({ batchId, dataType, regionCode }, plan.encoded);
    await q.query(
      `INSERT INTO report_batches (batch_id, region_code, day, seq, data_type, adapter, run_id, created_at, status, record_count, body_bytes, body)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9, $10, $11)`,
      [batchId, regionCode, day, seq, dataType, adapter.name, runId, new Date(now), plan.records.length, Buffer.byteLength(body), body],
    );
    // Arrays through unnest: one short statement per table instead of thousands of bound parameters.
    const ids = plan.records.map((r) => r.recordId);
    const versions = plan.records.map((r) => r.version);
    const ops = plan.records.map((r) => r.op);
    await q.query(
      `INSERT INTO report_batch_items (batch_id, data_type, record_id, version, op) SELECT $1, $2, * FROM unnest($3::text[], $4::int[], $5::text[])`,
      [batchId, dataType, ids, versions, ops],
    );
    await q.query(
      `INSERT INTO report_deliveries (data_type, record_id, queued_version, queued_op, queued_batch) SELECT $1, *, $5 FROM unnest($2::text[], $3::int[], $4::text[])
       ON CONFLICT (data_type, record_id) DO UPDATE SET queued_version = EXCLUDED.queued_version, queued_op = EXCLUDED.queued_op, queued_batch = EXCLUDED.queued_batch`,
      [dataType, ids, versions, ops, batchId],
    );
    return { batchId, dataType, status: 'pending', body, recordCount: plan.records.length, attempts: 0, firstAnswerAt: null };
  });
}

/** Batches written but without a final receipt, oldest first: a new run finishes these before anything else. */
export async function openBatches(q: Queryable): Promise<OutboxBatch[]> {
  const r = await q.query<{ batch_id: string; data_type: DataType; status: OutboxBatch['status']; body: string; record_count: number; attempts: number; first_answer_at: Date | null }>(
    `SELECT batch_id, data_type, status, body, record_count, attempts, first_answer_at FROM report_batches
      WHERE status IN ('pending', 'processing') ORDER BY created_at, seq`,
  );
  return r.rows.map((x) => ({
    batchId: x.batch_id, dataType: x.data_type, status: x.status, body: x.body, recordCount: Number(x.record_count), attempts: Number(x.attempts),
    firstAnswerAt: x.first_answer_at ? new Date(x.first_answer_at).getTime() : null,
  }));
}

/** A batch the gateway does not know (lost on its side) goes back to pending, to be uploaded again under its id. */
export async function requeueBatch(q: Queryable, batchId: string, reason: string): Promise<void> {
  await q.query(`UPDATE report_batches SET status = 'pending', last_error = $2 WHERE batch_id = $1`, [batchId, reason]);
}

/**
 * Re-send on demand: makes valid records due again in their current version (the next run puts them in a new batch;
 * the province takes a repeated UPSERT of one version as the same record). One record, or every record of a batch
 * still in the version that batch carried. Records in a batch still open (pending/processing) are left alone: that
 * batch is resumed by the next run anyway. Returns the records marked and those left in an open batch.
 */
export async function markForResend(q: Queryable, target: { dataType: DataType; recordId: string } | { batchId: string }): Promise<{ marked: number; inOpenBatch: number }> {
  const match =
    'batchId' in target
      ? { sql: `(r.data_type, r.record_id, r.version) IN (SELECT data_type, record_id, version FROM report_batch_items WHERE batch_id = $1)`, params: [target.batchId] }
      : { sql: `r.data_type = $1 AND r.record_id = $2`, params: [target.dataType, target.recordId] };
  const open = await q.query<{ n: string }>(
    `SELECT count(*) AS n FROM reporter_records r JOIN report_deliveries d ON d.data_type = r.data_type AND d.record_id = r.record_id
       JOIN report_batches b ON b.batch_id = d.queued_batch AND b.status IN ('pending', 'processing')
      WHERE ${match.sql}`,
    match.params,
  );
  const res = await q.query(
    `UPDATE report_deliveries d SET queued_version = r.version - 1
       FROM reporter_records r
      WHERE d.data_type = r.data_type AND d.record_id = r.record_id AND r.status = 'valid' AND d.queued_version = r.version
        AND NOT EXISTS (SELECT 1 FROM report_batches b WHERE b.batch_id = d.queued_batch AND b.status IN ('pending', 'processing'))
        AND ${match.sql}`,
    match.params,
  );
  return { marked: res.rowCount ?? 0, inOpenBatch: Number(open.rows[0].n) };
}
