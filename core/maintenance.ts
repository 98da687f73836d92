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

/**
 * `timescale`: continuous aggregates, compression and policies exist (PGlite's build, Timescale's server images).
 * `apache`: Debian's Apache-2 build — hypertables and drop_chunks only; the application maintains the rollups.
 */
export type TsdbMode = 'timescale' | 'apache';

// The build is fixed for the life of a connection pool, so ask once per Db rather than on every maintenance pass.
const modes = new WeakMap<Db, Promise<TsdbMode>>();

export function tsdbMode(db: Db): Promise<TsdbMode> {
  let mode = modes.get(db);
  if (!mode) {
    mode = db
      .query<{ l: string | null }>(`SELECT current_setting('timescaledb.license', true) AS l`)
      .then((r) => (r.rows[0]?.l === 'timescale' ? 'timescale' : 'apache'));
    mode.catch(() => modes.delete(db)); // a failed look-up (database away) is asked again next time
    modes.set(db, mode);
  }
  return mode;
}

const ROLLUPS = [
  { view: 'probe_results_1m', bucket: '1 minute', start: '2 hours', end: '1 minute', every: '1 minute', retain: 'oneMinute' as const, lateMs: 10 * 60_000 },
  { view: 'probe_results_1h', bucket: '1 hour', start: '3 days', end: '1 hour', every: '30 minutes', retain: 'oneHour' as const, lateMs: 2 * 3_600_000 },
];

function rawTables(extra: RawTable[]): RawTable[] {
  return [{ table: 'probe_results', compress: true }, { table: 'system_events' }, ...extra];
}

/**
 * Puts the TimescaleDB policies in place from the configuration (idempotent: changed settings replace old ones).
 * A server with background workers then runs them itself; the embedded database runs the same jobs from the
 * application's timer (`runMaintenance`). In `apache` mode there are no policies: `runMaintenance` does the work.
 */
export async function applyPolicies(db: Db, r: RetentionSettings, extra: RawTable[] = []) {
  if ((await tsdbMode(db)) === 'apache') return;
  for (const t of rawTables(extra)) {
    await db.query(`SELECT remove_retention_policy($1, if_exists => true)`, [t.table]);
    await db.query(`SELECT add_retention_policy($1, INTERVAL '${pgInterval(t.retainMs ?? r.raw)}')`, [t.table]);
    if (t.compress) {
      await db.query(`SELECT remove_compression_policy($1, if_exists => true)`, [t.table]);
      await db.query(`SELECT add_compression_policy($1, INTERVAL '${pgInterval(r.compressAfter)}')`, [t.table]);
    }
  }
  for (const c of ROLLUPS) {
    await db.query(`SELECT remove_continuous_aggregate_policy($1, if_exists => true)`, [c.view]);
    await db.query(
      `SELECT add_continuous_aggregate_policy($1, start_offset => INTERVAL '${c.start}', end_offset => INTERVAL '${c.end}', schedule_interval => INTERVAL '${c.every}')`,
      [c.view],
    );
    await db.query(`SELECT remove_retention_policy($1, if_exists => true)`, [c.view]);
    await db.query(`SELECT add_retention_policy($1, INTERVAL '${pgInterval(r[c.retain])}')`, [c.view]);
  }
}

/** Whether this process must run maintenance itself: the embedded database (no background workers) or apache mode. */
export async function needsAppMaintenance(db: Db): Promise<boolean> {
  return db.kind === 'embedded' || (await tsdbMode(db)) === 'apache';
}

/**
 * One maintenance pass. Embedded: run every due TimescaleDB job (refresh, compression, retention) as a server's
 * job scheduler would (`force` runs all now). Apache mode: refresh the rollup tables from raw rows and drop chunks
 * past retention. Returns how many units of work ran.
 */
export async function runMaintenance(
  db: Db,
  log: Logger,
  r: RetentionSettings,
  extra: RawTable[] = [],
  opts: { force?: boolean; now?: Date } = {},
): Promise<number> {
  if ((await tsdbMode(db)) === 'apache') {
    let n = await refreshRollups(db, opts.now);
    for (const t of rawTables(extra)) n += await dropOld(db, log, t.table, t.retainMs ?? r.raw);
    for (const c of ROLLUPS) n += await dropOld(db, log, c.view, r[c.retain]);
    return n;
  }
  if (db.kind !== 'embedded') return 0;
  const jobs = await db.query<{ job_id: number; proc_name: string; hypertable_name: string }>(
    `SELECT j.job_id, j.proc_name, j.hypertable_name
       FROM timescaledb_information.jobs j
       LEFT JOIN timescaledb_information.job_stats s USING (job_id)
      WHERE j.job_id >= 1000 AND j.scheduled
        AND ($1 OR s.last_run_started_at IS NULL OR s.last_run_started_at + j.schedule_interval <= now())
      ORDER BY CASE j.proc_name WHEN 'policy_refresh_continuous_aggregate' THEN 0 WHEN 'policy_compression' THEN 1 ELSE 2 END, j.job_id`,
    [opts.force ?? false],
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

async function dropOld(db: Db, log: Logger, table: string, retainMs: number): Promise<number> {
  try {
    const res = await db.query(`SELECT drop_chunks($1::regclass, older_than => now() - INTERVAL '${pgInterval(retainMs)}')`, [table]);
    return res.rowCount;
  } catch (err) {
    log.warn({ table, err }, 'retention (drop_chunks) failed');
    return 0;
  }
}

const AGGS = `count(*) AS n, count(*) FILTER (WHERE success) AS ok,
  avg(duration_ms) AS avg_ms, max(duration_ms) AS max_ms,
  percentile_cont(0.5)  WITHIN GROUP (ORDER BY duration_ms) AS p50_ms,
  percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95_ms,
  percentile_cont(0.99) WITHIN GROUP (ORDER BY duration_ms) AS p99_ms,
  avg(dns_ms) AS dns_ms, avg(connect_ms) AS connect_ms, avg(tls_ms) AS tls_ms,
  avg(ttfb_ms) AS ttfb_ms, avg(transfer_ms) AS transfer_ms`;
const COLS = ['n', 'ok', 'avg_ms', 'max_ms', 'p50_ms', 'p95_ms', 'p99_ms', 'dns_ms', 'connect_ms', 'tls_ms', 'ttfb_ms', 'transfer_ms'];

/**
 * Brings the rollups up to date. Timescale mode: refresh the continuous aggregates over everything not yet
 * materialised (tests, and back-fills). Apache mode: re-aggregate raw rows from the watermark (less a lateness
 * margin) to now and upsert; a late back-fill (journal replay) lowers the watermark with `invalidateRollups`.
 */
export async function refreshRollups(db: Db, now = new Date()): Promise<number> {
  if ((await tsdbMode(db)) === 'timescale') {
    for (const c of ROLLUPS) await db.exec(`CALL refresh_continuous_aggregate('${c.view}', NULL, NULL)`);
    return ROLLUPS.length;
  }
  let n = 0;
  for (const c of ROLLUPS) {
    const wm = await db.query<{ refreshed_to: Date }>('SELECT refreshed_to FROM rollup_watermarks WHERE rollup = $1', [c.view]);
    let from: Date;
    if (wm.rows[0]) from = new Date(new Date(wm.rows[0].refreshed_to).getTime() - c.lateMs);
    else {
      const first = await db.query<{ t: Date | null }>('SELECT min(ts) AS t FROM probe_results');
      from = first.rows[0]?.t ? new Date(first.rows[0].t) : now;
    }
    const res = await db.query(
      `INSERT INTO ${c.view} (bucket, target_id, module_id, ${COLS.join(', ')})
       SELECT time_bucket(INTERVAL '${c.bucket}', ts), target_id, module_id, ${AGGS}
         FROM probe_results
        WHERE ts >= time_bucket(INTERVAL '${c.bucket}', $1::timestamptz) AND ts <= $2
        GROUP BY 1, 2, 3
       ON CONFLICT (target_id, bucket) DO UPDATE SET module_id = EXCLUDED.module_id, ${COLS.map((k) => `${k} = EXCLUDED.${k}`).join(', ')}`,
      [from, now],
    );
    n += res.rowCount;
    await db.query(
      `INSERT INTO rollup_watermarks (rollup, refreshed_to) VALUES ($1, $2)
       ON CONFLICT (rollup) DO UPDATE SET refreshed_to = EXCLUDED.refreshed_to`,
      [c.view, now],
    );
  }
  return n;
}

/** Results older than the rollups' watermark arrived (journal replay): make the next refresh cover them. */
export async function invalidateRollups(db: Db, from: Date): Promise<void> {
  await db.query('UPDATE rollup_watermarks SET refreshed_to = LEAST(refreshed_to, $1)', [from]);
}
