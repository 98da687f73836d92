import type { Db } from '../../core/db';
import type { Logger } from '../../core/log';
import type { CallsConfig } from './config';
import { toCallRow, type CallRow } from './record';
import { writeCalls } from './store';

/**
 * One pick-up from call_records_staging: up to `batch` rows are locked (SKIP LOCKED: several collectors may run it),
 * validated, stored into call_records, the bad ones moved to call_staging_rejects with the reason, and all of them
 * deleted, in one transaction: a crash in between leaves them in staging for the next pass. Returns rows taken.
 */
export async function pickUpStaging(db: Db, cfg: CallsConfig, now: number): Promise<{ taken: number; inserted: number; rejected: number }> {
  return db.tx(async (q) => {
    const res = await q.query<Record<string, unknown>>(
      `DELETE FROM call_records_staging WHERE id IN (SELECT id FROM call_records_staging ORDER BY id LIMIT ${cfg.staging.batch} FOR UPDATE SKIP LOCKED) RETURNING *`,
    );
    if (!res.rows.length) return { taken: 0, inserted: 0, rejected: 0 };
    const rows: CallRow[] = [];
    const rejects: unknown[][] = [];
    for (const s of res.rows) {
      const rec = {
        time: s.ts == null ? undefined : new Date(s.ts as string).toISOString(),
        interface: s.interface_code ?? undefined, callerDept: s.caller_dept ?? undefined, callerSystem: s.caller_system ?? undefined,
        callerId: s.caller_id, success: s.success ?? undefined, status: s.status_code ?? undefined,
        latencyMs: s.latency_ms == null ? undefined : Number(s.latency_ms), records: s.records ?? undefined, bytes: s.bytes == null ? undefined : Number(s.bytes),
        id: s.record_id ?? `staging:${s.id}`,
      };
      const r = toCallRow(rec);
      if (r.ok) rows.push(r.row);
      else rejects.push([Number(s.id), JSON.stringify(s), r.message]);
    }
    const w = await writeCalls(db, rows, 'staging', cfg, q, now);
    if (rejects.length) await db.insertMany('call_staging_rejects', ['id', 'row_data', 'error'], rejects, 'ON CONFLICT (id) DO NOTHING', q);
    return { taken: res.rows.length, inserted: w.inserted, rejected: rejects.length };
  });
}

/** The periodic pick-up: runs every `staging.every` while the collector role runs; a full batch goes again at once. */
export function startStagingJob(db: Db, log: Logger, cfg: () => CallsConfig, clock: () => number) {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let running: Promise<void> | undefined;
  const tick = async () => {
    let again = false;
    const c = cfg();
    if (c.enabled && c.staging.enabled) {
      try {
        const r = await pickUpStaging(db, c, clock());
        if (r.rejected) log.warn({ rejected: r.rejected }, 'staged call records rejected (see call_staging_rejects)');
        again = r.taken >= c.staging.batch;
      } catch (err) {
        log.warn({ err }, 'staging pick-up failed; retried next pass');
      }
    }
    if (!stopped) timer = setTimeout(() => void (running = tick()), again ? 0 : c.staging.every);
  };
  timer = setTimeout(() => void (running = tick()), cfg().staging.every);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
