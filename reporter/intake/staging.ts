/**
 * Pick-up of rows the city sharing platform writes straight into reporter_staging (schema in sql/030). Each run takes
 * the rows not yet picked up, in id order, and passes them through the same intake as the API: UPSERT rows are
 * validated and stored (a second row for the same id is a correction), DELETE rows withdraw. Every row gets
 * picked_up_at and an outcome; rows that cannot be read are kept in reporter_intake_rejects.
 *
 * A crash between storing and stamping picks the rows up again next run: identical data is 'unchanged', so this
 * is safe. One pick-up at a time (advisory lock), whichever process runs it.
 */
import type { Db } from '../../core/db';
import { isDataType, type DataType, type ValidationError } from '../standard/types';
import type { StagingRun } from '../../contract/reporter';
import type { Intake } from './service';
import { storeRejects } from './store';

const STAGING_LOCK = 7_370_731;

interface StagingRow {
  id: string;
  data_type: string;
  record_id: string;
  payload: unknown;
  op: string;
}

export type StagingRunResult = StagingRun;

/** The delivery run's pre-run hook: pick up staging rows, then re-check records held for a missing reference. */
export async function beforeDeliveryRun(intake: Intake) {
  const staging = await ingestStaging(intake.db, { intake });
  const held = await intake.recheckHeld();
  return { staging, held };
}

/** Picks up waiting staging rows through the intake pipeline (its configuration, clock, metrics). */
export async function ingestStaging(db: Db, opts: { intake: Intake; maxRows?: number }): Promise<StagingRunResult> {
  const intake = opts.intake;
  const out: StagingRunResult = { picked: 0, accepted: 0, heldReference: 0, rejected: 0, unchanged: 0, withdrawn: 0, notFound: 0 };
  const lock = await db.tryLock(STAGING_LOCK);
  if (!lock) return { ...out, skipped: true };
  try {
    const max = opts.maxRows ?? intake.reporter.intake.stagingMaxRowsPerRun;
    const batch = intake.reporter.intake.writeBatchSize;
    for (let done = 0; done < max; ) {
      const res = await db.query<StagingRow>(
        `SELECT s.id::text AS id, s.data_type, s.record_id, s.payload, s.op FROM reporter_staging s WHERE s.picked_up_at IS NULL ORDER BY s.id LIMIT $1`,
        [Math.min(batch, max - done)],
      );
      if (res.rows.length === 0) break;
      done += res.rows.length;
      out.picked += res.rows.length;
      const stamps: { id: string; outcome: string }[] = [];
      // Consecutive rows of one type and op go together; order between them is kept.
      let i = 0;
      while (i < res.rows.length) {
        const first = res.rows[i];
        let j = i + 1;
        while (j < res.rows.length && res.rows[j].data_type === first.data_type && res.rows[j].op === first.op) j++;
        await runSegment(intake, res.rows.slice(i, j), stamps, out);
        i = j;
      }
      await db.query(
        `UPDATE reporter_staging s SET picked_up_at = $1, pickup_outcome = u.outcome
           FROM unnest($2::bigint[], $3::text[]) AS u(id, outcome) WHERE s.id = u.id`,
        [new Date(intake.clock()), stamps.map((s) => s.id), stamps.map((s) => s.outcome)],
      );
    }
  } finally {
    await lock.release();
  }
  if (out.picked > 0) intake.log.info(out, 'staging rows picked up');
  return out;
}

async function runSegment(intake: Intake, rows: StagingRow[], stamps: { id: string; outcome: string }[], out: StagingRunResult) {
  const type = rows[0].data_type;
  const op = rows[0].op;
  const meta = { source: 'staging' as const, actor: 'staging' };
  if (!isDataType(type) || (op !== 'UPSERT' && op !== 'DELETE')) {
    const why = !isDataType(type)
      ? `数据类型 "${type}" 不是 ITEM、INSPECTION、PENALTY、COERCION、OFFICER 之一`
      : `操作 "${op}" 应为 UPSERT 或 DELETE`;
    await reject(intake, rows, isDataType(type) ? type : String(type).slice(0, 40), 'record', isDataType(type) ? 'E_CODE_TABLE' : 'E_CODE_TABLE', why);
    for (const r of rows) stamps.push({ id: r.id, outcome: 'rejected' });
    out.rejected += rows.length;
    return;
  }
  if (op === 'DELETE') {
    for (const r of rows) {
      const o = await intake.withdraw(type, r.record_id, meta);
      stamps.push({ id: r.id, outcome: o.outcome });
      if (o.outcome === 'not_found') out.notFound++;
      else out[o.outcome as 'withdrawn' | 'unchanged']++;
    }
    return;
  }
  const good: StagingRow[] = [];
  const inputs: unknown[] = [];
  const bad: StagingRow[] = [];
  for (const r of rows) {
    let payload = r.payload;
    if (typeof payload === 'string') {
      try {
        payload = JSON.parse(payload);
      } catch {
        /* left as a string: the validator rejects it as not an object */
      }
    }
    const p = payload && typeof payload === 'object' && !Array.isArray(payload) ? { ...(payload as Record<string, unknown>) } : payload;
    if (p && typeof p === 'object' && !Array.isArray(p)) {
      const rec = p as Record<string, unknown>;
      if (rec.recordId === undefined || rec.recordId === null || rec.recordId === '') rec.recordId = r.record_id;
      else if (String(rec.recordId).trim() !== r.record_id) {
        bad.push(r);
        continue;
      }
    }
    good.push(r);
    inputs.push(p);
  }
  if (bad.length > 0) {
    await reject(intake, bad, type, 'recordId', 'E_FORMAT', '暂存表的 record_id 与 payload 中的 recordId 不一致，请共享平台核对后重新写入');
    for (const r of bad) stamps.push({ id: r.id, outcome: 'rejected' });
    out.rejected += bad.length;
  }
  if (good.length === 0) return;
  const { outcomes, counts } = await intake.submit(type, inputs.map((input, k) => ({ input, rowNo: Number(good[k].id) })), meta);
  outcomes.forEach((o, k) => stamps.push({ id: good[k].id, outcome: o.outcome }));
  for (const k of ['accepted', 'heldReference', 'rejected', 'unchanged'] as const) out[k] += counts[k];
}

async function reject(intake: Intake, rows: StagingRow[], dataType: DataType | string, field: string, code: ValidationError['code'], why: string) {
  await storeRejects(
    intake.db,
    rows.map((r) => ({
      dataType, source: 'staging' as const, receivedBy: 'staging', rowNo: Number(r.id),
      payload: { data_type: r.data_type, record_id: r.record_id, op: r.op, payload: r.payload },
      errors: [{ recordId: r.record_id, field, code, message: why, severity: 'error' as const }],
    })),
    intake.clock(),
  );
}
