import type { Db } from './db';
import type { Logger } from './log';
import { pgInterval } from './time';

export interface RetentionSettings {
  raw: number;
  oneMinute: number;
  oneHour: number;
  compressAfter: number;
}

/** Hypertables (raw data) that areas register for retention and compression, besides probe_results. */
export interface RawTable {
  table: string;
  /** Retention; defaults to the raw retention. */
  retainMs?: number;
  compress?: boolean;
}

const CAGGS = [
  { view: 'probe_results_1m', start: '2 hours', end: '1 minute', every: '1 minute', retain: 'oneMinute' as const },
  { view: 'probe_results_1h', start: '3 days', end: '1 hour', every: '30 minutes', retain: 'oneHour' as const },
];

/**
 * Puts the TimescaleDB policies in place from the configuration (idempotent: changed settings replace old ones).
 * On a server the background workers run them; on the embedded database `runEmbeddedMaintenance` runs the same
 * jobs from the application's own timer.
 */
export async function applyPolicies(db: Db, r: RetentionSettings, extra: RawTable[] = []) {
  const raw: RawTable[] = [{ table: 'probe_results', compress: true }, { table: 'system_events' }, ...extra];
  for (const t of raw) {
    await db.query(`SELECT remove_retention_policy($1, if_exists => true)`, [t.table]);
    await db.query(`SELECT add_retention_policy($1, INTERVAL '${pgInterval(t.retainMs ?? r.raw)}')`, [t.table]);
    if (t.compress) {
      await db.query(`SELECT remove_compression_policy($1, if_exists => true)`, [t.table]);
      await db.query(`SELECT add_compression_policy($1, INTERVAL '${pgInterval(r.compressAfter)}')`, [t.table]);
    }
  }
  for (const c of CAGGS) {
    await db.query(`SELECT remove_continuous_aggregate_policy($1, if_exists => true)`, [c.view]);
    await db.query(
      `SELECT add_continuous_aggregate_policy($1, start_offset => INTERVAL '${c.start}', end_offset => INTERVAL '${c.end}', schedule_interval => INTERVAL '${c.every}')`,
      [c.view],
    );
    await db.query(`SELECT remove_retention_policy($1, if_exists => true)`, [c.view]);
    await db.query(`SELECT add_retention_policy($1, INTERVAL '${pgInterval(r[c.retain])}')`, [c.view]);
  }
}

/**
 * The embedded database has no background workers: run every TimescaleDB job that is due, as the scheduler of a
 * server would. Returns how many jobs ran. `force` runs all of them now (tests, and the first pass at start).
 */
export async function runEmbeddedMaintenance(db: Db, log: Logger, force = false): Promise<number> {
  const jobs = await db.query<{ job_id: number; proc_name: string; hypertable_name: string }>(
    `SELECT j.job_id, j.proc_name, j.hypertable_name
       FROM timescaledb_information.jobs j
       LEFT JOIN timescaledb_information.job_stats s USING (job_id)
      WHERE j.job_id >= 1000 AND j.scheduled
        AND ($1 OR s.next_start IS NULL OR s.next_start <= now() OR s.last_run_started_at IS NULL
             OR s.last_run_started_at + j.schedule_interval <= now())
      ORDER BY CASE j.proc_name WHEN 'policy_refresh_continuous_aggregate' THEN 0 WHEN 'policy_compression' THEN 1 ELSE 2 END, j.job_id`,
    [force],
  );
  let ran = 0;
  for (const j of jobs.rows) {
    try {
      await db.exec(`CALL run_job(${Number(j.job_id)})`);
      ran++;
    } catch (err) {
      log.warn({ job: j.job_id, proc: j.proc_name, table: j.hypertable_name, err }, 'maintenance job failed');
    }
  }
  return ran;
}
