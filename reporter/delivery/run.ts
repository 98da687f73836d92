import type { Db, Queryable } from '../../core/db';
import type { Logger } from '../../core/log';
import type { Clock } from '../../core/time';
import { SEND_ORDER, type DataType, type ProvinceAdapter, type Receipt } from '../adapters/types';
import { dueCounts, dueRecords, openBatches, planBatch, requeueBatch, writeBatch, type OutboxBatch, type PassKind } from './outbox';
import { applyReceipt, failBatch, markDelivered, markProcessing } from './receipts';
import type { GatewaySender } from './sender';
import { emitEvent } from './events';
import { overdueSummary } from './indicators';
import { sleep as sleepFor } from '../../core/time';

/**
 * One delivery run: finish the batches a previous run left open (same id, same body), then, type by type in
 * reference order, write a batch and send it until nothing is due. A batch that still fails after its retries stops
 * the run (what follows may depend on it); the next run resumes it.
 */
export interface RunDeps {
  db: Db;
  adapter: ProvinceAdapter;
  sender: GatewaySender;
  clock: Clock;
  log: Logger;
  regionCode: string;
  limits: { maxRecords: number; maxBytes: number };
  receiptPollMs: number;
  receiptWaitMs: number;
  sleep?: (ms: number) => Promise<void>;
  /** Finished batches' bodies older than this are cleared (ms); undefined keeps them. */
  keepBodiesMs?: number;
  /** Intake work before each run (pick up staging rows, re-check held references). */
  beforeRun?: () => Promise<unknown>;
}

export interface RunStats {
  batches: number;
  resumed: number;
  records: number;
  accepted: number;
  rejected: number;
  failedBatches: number;
  processingLeft: number;
  attempts: number;
  stoppedBy?: string;
}

/**
 * What the batch log holds for one run: the batches it wrote, their records, and what the province accepted and
 * rejected in them so far (receipts). The truth about a run that ended without finishing (a crash, an error).
 */
export async function batchLogStats(q: Queryable, runId: number) {
  const r = await q.query<{ batches: string; records: string; accepted: string; rejected: string; open: string }>(
    `SELECT count(*) AS batches, coalesce(sum(record_count), 0) AS records, coalesce(sum(accepted), 0) AS accepted,
            coalesce(sum(rejected), 0) AS rejected, count(*) FILTER (WHERE status IN ('pending', 'processing')) AS open
       FROM report_batches WHERE run_id = $1`,
    [runId],
  );
  const x = r.rows[0];
  return { batches: Number(x.batches), records: Number(x.records), accepted: Number(x.accepted), rejected: Number(x.rejected), openBatches: Number(x.open), source: 'batch_log' as const };
}

export async function startRun(db: Db, kind: string, trigger: string, actor: string | null, at: number): Promise<number> {
  return db.tx(async (q) => {
    // One start at a time (the server and the CLI take the reporter lock, but two starts must never pick one id).
    await q.query(`SELECT pg_advisory_xact_lock(7370735)`);
    // Only the leader runs, one run at a time: a run still marked running belongs to a process that died mid-run.
    // It keeps what the batch log says it did — the province accepted those records whatever became of the process.
    const stale = await q.query<{ id: string; stats: Record<string, unknown> | null }>(`SELECT id, stats FROM report_runs WHERE status = 'running'`);
    for (const row of stale.rows) {
      const id = Number(row.id);
      const log = await batchLogStats(q, id);
      await q.query(
        `UPDATE report_runs SET status = 'failed', finished_at = $2, stats = $3::jsonb,
                error = 'interrupted: the process ended during the run; its counts are from the batch log; the next run resumed its open batches'
          WHERE id = $1`,
        [id, new Date(at), JSON.stringify({ ...(row.stats ?? {}), ...log, interrupted: true })],
      );
    }
    // Ids one after another: a sequence may jump after a crash (PostgreSQL logs 32 values ahead), which looks like
    // lost runs. The sequence is moved along so that an insert without an id cannot collide.
    const r = await q.query<{ id: string }>(
      `INSERT INTO report_runs (id, kind, trigger, actor, started_at, status)
       VALUES ((SELECT coalesce(max(id), 0) + 1 FROM report_runs), $1, $2, $3, $4, 'running') RETURNING id`,
      [kind, trigger, actor, new Date(at)],
    );
    const id = Number(r.rows[0].id);
    await q.query(`SELECT setval(pg_get_serial_sequence('report_runs', 'id'), $1)`, [id]);
    return id;
  });
}

export async function finishRun(db: Db, id: number, status: 'ok' | 'partial' | 'failed', stats: unknown, at: number, error?: string) {
  await db.query(`UPDATE report_runs SET finished_at = $2, status = $3, stats = $4::jsonb, error = $5 WHERE id = $1`, [id, new Date(at), status, JSON.stringify(stats), error ?? null]);
}

export async function runDelivery(d: RunDeps, kind: PassKind, runId: number | null): Promise<RunStats> {
  const stats: RunStats = { batches: 0, resumed: 0, records: 0, accepted: 0, rejected: 0, failedBatches: 0, processingLeft: 0, attempts: 0 };
  const sleep = d.sleep ?? sleepFor;
  if (d.beforeRun) await d.beforeRun();
  // Fresh statistics keep the outbox walk and the receipt updates on their indexes: the embedded database has no
  // autovacuum, and on a server a bulk load may not have been analysed yet. Cheap (sampled); best effort.
  await d.db.exec('ANALYZE reporter_records; ANALYZE report_deliveries; ANALYZE report_batch_items;').catch((err) => d.log.warn({ err }, 'ANALYZE failed; continuing'));
  const processing: OutboxBatch[] = [];
  if (d.keepBodiesMs !== undefined) {
    await d.db.query(`UPDATE report_batches SET body = '' WHERE status IN ('done', 'failed') AND finished_at < $1 AND body <> ''`, [new Date(d.clock() - d.keepBodiesMs)]);
  }

  // 1. What a previous run (or a crash) left open.
  for (const b of await openBatches(d.db)) {
    stats.resumed++;
    // Counted in this run's records too, so that accepted + rejected never exceed records.
    stats.records += b.recordCount;
    d.log.info({ batchId: b.batchId, status: b.status }, 'resuming an open batch');
    const ok = b.status === 'processing' ? (processing.push(b), true) : await deliver(d, b, stats, processing);
    if (!ok) return finish(stats, 'a resumed batch still fails');
  }
  // 2. New batches, type by type; a type's PROCESSING receipts are settled before the next type references them.
  //    The next batch is written while the current one is on the wire (it is sent only after the current one).
  for (const dataType of SEND_ORDER) {
    let after = '';
    const prepare = async (): Promise<OutboxBatch | null> => {
      const due = await dueRecords(d.db, dataType, kind, after, d.limits.maxRecords);
      if (due.length === 0) return null;
      const plan = planBatch(d.adapter, d.regionCode, dataType, due, d.limits);
      after = plan.records[plan.records.length - 1].recordId;
      const b = await writeBatch(d.db, d.adapter, d.regionCode, dataType, plan, d.clock(), runId);
      stats.batches++;
      stats.records += plan.records.length;
      return b;
    };
    let next = prepare();
    for (;;) {
      const b = await next;
      if (!b) break;
      next = prepare();
      next.catch(() => undefined); // awaited on the next turn; never an unhandled rejection meanwhile
      if (!(await deliver(d, b, stats, processing))) {
        await next.catch(() => null); // written and pending: the next run sends it after this one
        return finish(stats, `batch ${b.batchId} still fails`);
      }
    }
    await settle(d, processing, stats, sleep);
  }
  await settle(d, processing, stats, sleep);
  stats.processingLeft = processing.length;
  return stats;

  function finish(s: RunStats, why: string) {
    s.stoppedBy = why;
    s.processingLeft = processing.length;
    return s;
  }
}

/** Uploads one written batch; true when the gateway took it (or refused it for good), false on a transient failure. */
async function deliver(d: RunDeps, b: OutboxBatch, stats: RunStats, processing: OutboxBatch[]): Promise<boolean> {
  const res = await d.sender.send('upload', b.batchId, d.adapter.uploadRequest(b.batchId, b.body), b.attempts + 1);
  stats.attempts += res.attempts;
  const v = res.verdict;
  if (v.kind === 'receipt') {
    await markDelivered(d.db, b.batchId, d.clock());
    await onReceipt(d, b, v.receipt, stats, processing);
    return true;
  }
  if (v.kind === 'permanent') {
    await failBatch(d.db, b.batchId, v.reason, d.clock());
    stats.failedBatches++;
    await emitEvent(d.db, d.clock(), { kind: 'batch_failed', severity: 'critical', labels: { batchId: b.batchId, dataType: b.dataType, permanent: 'true' }, message: `省平台拒收批次 ${b.batchId}：${v.reason}；记录将在下次运行重新组批` });
    d.log.error({ batchId: b.batchId, reason: v.reason }, 'the gateway refused a batch for good; its records are due again');
    return true;
  }
  await emitEvent(d.db, d.clock(), { kind: 'batch_failed', severity: 'warning', labels: { batchId: b.batchId, dataType: b.dataType, permanent: 'false' }, message: `批次 ${b.batchId} 重试 ${res.attempts} 次仍失败：${v.reason}；下次运行以同一批次号续传` });
  d.log.warn({ batchId: b.batchId, reason: v.reason }, 'batch still failing after retries; the run stops and the next run resumes it');
  return false;
}

async function onReceipt(d: RunDeps, b: OutboxBatch, r: Receipt, stats: RunStats, processing: OutboxBatch[]) {
  if (r.status === 'PROCESSING') {
    await markProcessing(d.db, b.batchId, r);
    processing.push(b);
    return;
  }
  const x = await applyReceipt(d.db, b.batchId, r, d.clock());
  stats.accepted += x.accepted;
  stats.rejected += x.rejected;
}

/** Polls PROCESSING receipts until each is final or receiptWaitMs has passed (then the next run polls again). */
async function settle(d: RunDeps, processing: OutboxBatch[], stats: RunStats, sleep: (ms: number) => Promise<void>) {
  const deadline = d.clock() + d.receiptWaitMs;
  while (processing.length) {
    for (let i = 0; i < processing.length; ) {
      const b = processing[i];
      const res = await d.sender.send('receipt', b.batchId, d.adapter.receiptRequest(b.batchId));
      stats.attempts += res.attempts;
      const v = res.verdict;
      if (v.kind === 'receipt' && v.receipt.status === 'ACCEPTED') {
        const x = await applyReceipt(d.db, b.batchId, v.receipt, d.clock());
        stats.accepted += x.accepted;
        stats.rejected += x.rejected;
        processing.splice(i, 1);
      } else if (v.kind === 'permanent') {
        // 40401: the gateway does not know the batch (lost on its side): upload it again under the same id.
        await requeueBatch(d.db, b.batchId, v.reason);
        processing.splice(i, 1);
      } else i++;
    }
    if (!processing.length || d.clock() >= deadline) break;
    await sleep(d.receiptPollMs);
  }
}

/** What a run would send, without writing or sending anything. */
export async function dryRun(d: Pick<RunDeps, 'db' | 'adapter' | 'regionCode' | 'limits'>, kind: PassKind, sampleSize = 20) {
  const counts = await dueCounts(d.db, kind);
  const open = await openBatches(d.db);
  const batches: { dataType: DataType; records: number; bytes: number; first: string; last: string }[] = [];
  const sample: { dataType: DataType; recordId: string; version: number; op: 'UPSERT' | 'DELETE'; wire: unknown }[] = [];
  for (const dataType of SEND_ORDER) {
    let after = '';
    for (;;) {
      const due = await dueRecords(d.db, dataType, kind, after, d.limits.maxRecords);
      if (!due.length) break;
      const plan = planBatch(d.adapter, d.regionCode, dataType, due, d.limits);
      after = plan.records[plan.records.length - 1].recordId;
      batches.push({ dataType, records: plan.records.length, bytes: plan.bytes, first: plan.records[0].recordId, last: after });
      for (let i = 0; i < plan.records.length && sample.length < sampleSize; i++) {
        const r = plan.records[i];
        sample.push({ dataType, recordId: r.recordId, version: r.version, op: r.op, wire: JSON.parse(plan.encoded[i]) });
      }
    }
  }
  return { kind, due: counts, openBatches: open.map((b) => ({ batchId: b.batchId, dataType: b.dataType, status: b.status, records: b.recordCount })), batches, sample };
}

/** Records past their deadline and not yet accepted: one records_overdue event per run when there are any. */
export async function checkOverdue(db: Db, at: number) {
  const o = await overdueSummary(db, at);
  if (o.total > 0) {
    await emitEvent(db, at, { kind: 'records_overdue', severity: 'warning', value: o.total, labels: Object.fromEntries(o.byType.map((x) => [x.dataType, String(x.n)])), message: `${o.total} 条记录已超过上报期限仍未被省平台接收` });
  }
  return o;
}
