/**
 * The database's own jobs (not to be confused with the alerts' maintenance windows): retention, compression and the
 * refresh of rollups, for the raw hypertables and rollups that the areas declare in their definitions. The core knows
 * no area's tables: the composition root hands their lists in.
 */
import type { Db, Queryable } from './index';
import type { Logger } from '../log';
import { pgInterval } from '../time';

export interface RetentionSettings {
  raw: number;
  oneMinute: number;
  oneHour: number;
  compressAfter: number;
}

/** A raw hypertable that an area declares for retention and compression. */
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

/**
 * A rollup of a raw hypertable that an area declares: a continuous aggregate on the Timescale build, a table of the
 * same name and columns that the application refreshes on the Apache build. Its SQL (the view, the table, their
 * columns) is the area's migration; this says how to keep it: the aggregates, the refresh policy, the retention.
 */
export interface RollupDefinition {
  view: string;
  /** The raw hypertable and its time column. */
  source: string;
  time: string;
  bucket: string;
  bucketMs: number;
  /** The columns that identify a bucket besides its time (the rollup's unique key is (...key, bucket)). */
  key: string[];
  /** Further grouping columns carried along (one value per key). */
  carry?: string[];
  /** Output column → SQL aggregate over the source rows. */
  aggregates: Record<string, string>;
  /** Timescale build: the refresh policy's window (now − start .. now − end) and schedule. */
  policy: { start: string; end: string; endMs: number; every: string };
  /** Which retention setting keeps it. */
  retain: keyof RetentionSettings;
  /** Apache build: how far back the refresh looks behind its watermark. */
  lateMs: number;
}

/**
 * A row written more than this after its timestamp is late for these rollups: the writer records its batch with
 * `invalidateRollups`, and the next pass re-aggregates that range. Half the smallest lateness margin: the other half
 * covers a write whose transaction is still open while a refresh starts, and clock skew between the writer and the
 * instance that runs the jobs. Anything younger is inside the refresh policies' windows on the Timescale build too.
 */
export function lateThresholdMs(rollups: RollupDefinition[]): number {
  return Math.min(...rollups.map((c) => c.lateMs)) / 2;
}

/** Late ranges are re-aggregated in slices of at most this (or one bucket, if wider), one statement each. */
const LATE_SLICE_MS = 6 * 3_600_000;
/** Invalidation rows handled per pass; more wait for the next pass. */
const LATE_BATCH = 10_000;

/** The core's own raw table (the event log every area writes to) and the areas'. */
function rawTables(extra: RawTable[]): RawTable[] {
  return [{ table: 'system_events' }, ...extra];
}

/** What the jobs look after: the areas' raw tables and rollups, gathered by the composition root. */
export interface JobTables {
  rawTables: RawTable[];
  rollups: RollupDefinition[];
}

/**
 * Puts the TimescaleDB policies in place from the configuration (idempotent: changed settings replace old ones).
 * A server with background workers then runs them itself; the embedded database runs the same jobs from the
 * application's timer (`runMaintenance`). In `apache` mode there are no policies: `runMaintenance` does the work.
 */
export async function applyPolicies(db: Db, r: RetentionSettings, tables: JobTables) {
  if ((await tsdbMode(db)) === 'apache') return;
  for (const t of rawTables(tables.rawTables)) {
    await db.query(`SELECT remove_retention_policy($1, if_exists => true)`, [t.table]);
    await db.query(`SELECT add_retention_policy($1, INTERVAL '${pgInterval(t.retainMs ?? r.raw)}')`, [t.table]);
    if (t.compress) {
      await db.query(`SELECT remove_compression_policy($1, if_exists => true)`, [t.table]);
      await db.query(`SELECT add_compression_policy($1, INTERVAL '${pgInterval(r.compressAfter)}')`, [t.table]);
    }
  }
  for (const c of tables.rollups) {
    await db.query(`SELECT remove_continuous_aggregate_policy($1, if_exists => true)`, [c.view]);
    await db.query(
      `SELECT add_continuous_aggregate_policy($1, start_offset => INTERVAL '${c.policy.start}', end_offset => INTERVAL '${c.policy.end}', schedule_interval => INTERVAL '${c.policy.every}')`,
      [c.view],
    );
    await db.query(`SELECT remove_retention_policy($1, if_exists => true)`, [c.view]);
    await db.query(`SELECT add_retention_policy($1, INTERVAL '${pgInterval(r[c.retain])}')`, [c.view]);
  }
}

/**
 * One maintenance pass; the application runs it on every back end, on one instance at a time. All builds: re-aggregate
 * the ranges of late results (`invalidateRollups`). Embedded: then run every due TimescaleDB job (refresh,
 * compression, retention) as a server's job scheduler would (`force` runs all now). Timescale server: its workers
 * run the jobs. Apache mode: refresh the rollup tables from raw rows and drop chunks past retention. `now` is the
 * application's clock (rollup watermarks, which late ranges are refreshed, Apache-mode retention); TimescaleDB's own
 * jobs (embedded, Timescale server) go by the database's now(). Returns how many units of work ran.
 */
export async function runMaintenance(
  db: Db,
  log: Logger,
  r: RetentionSettings,
  tables: JobTables,
  opts: { force?: boolean; now?: Date } = {},
): Promise<number> {
  const now = opts.now ?? new Date();
  if ((await tsdbMode(db)) === 'apache') {
    let n = await refreshRollups(db, tables.rollups, now, { rawRetainMs: r.raw });
    for (const t of rawTables(tables.rawTables)) n += await dropOld(db, log, t.table, t.retainMs ?? r.raw, now);
    for (const c of tables.rollups) n += await dropOld(db, log, c.view, r[c.retain], now);
    return n;
  }
  let ran = 0;
  try {
    ran += await refreshLate(db, tables.rollups, 'timescale', now, r.raw);
  } catch (err) {
    log.warn({ err }, 'refresh of late results failed; retried next pass');
  }
  if (db.kind !== 'embedded') return ran;
  const jobs = await db.query<{ job_id: number; proc_name: string; hypertable_name: string }>(
    `SELECT j.job_id, j.proc_name, j.hypertable_name
       FROM timescaledb_information.jobs j
       LEFT JOIN timescaledb_information.job_stats s USING (job_id)
      WHERE j.job_id >= 1000 AND j.scheduled
        AND ($1 OR s.last_run_started_at IS NULL OR s.last_run_started_at + j.schedule_interval <= now())
      ORDER BY CASE j.proc_name WHEN 'policy_refresh_continuous_aggregate' THEN 0 WHEN 'policy_compression' THEN 1 ELSE 2 END, j.job_id`,
    [opts.force ?? false],
  );
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

async function dropOld(db: Db, log: Logger, table: string, retainMs: number, now: Date): Promise<number> {
  try {
    const res = await db.query(`SELECT drop_chunks($1::regclass, older_than => $2::timestamptz - INTERVAL '${pgInterval(retainMs)}')`, [table, now]);
    return res.rowCount;
  } catch (err) {
    log.warn({ table, err }, 'retention (drop_chunks) failed');
    return 0;
  }
}

/** Apache mode: re-aggregates the source rows matching `where` ($1, $2) into the rollup table (upsert per bucket). */
function aggregateInto(c: RollupDefinition, where: string) {
  const cols = Object.keys(c.aggregates);
  const group = [...c.key, ...(c.carry ?? [])];
  const set = [...(c.carry ?? []), ...cols].map((k) => `${k} = EXCLUDED.${k}`).join(', ');
  return `INSERT INTO ${c.view} (bucket, ${group.map((k) => `${k}, `).join('')}${cols.join(', ')})
   SELECT time_bucket(INTERVAL '${c.bucket}', ${c.time}), ${group.map((k) => `${k}, `).join('')}${cols.map((k) => `${c.aggregates[k]} AS ${k}`).join(', ')}
     FROM ${c.source}
    WHERE ${where}
    GROUP BY ${group.map((_, i) => i + 1).concat(group.length + 1).join(', ')}
   ON CONFLICT (${[...c.key, 'bucket'].join(', ')}) DO UPDATE SET ${set}`;
}

/**
 * Brings the rollups up to date, late results (`invalidateRollups`) included. Timescale mode: refresh the late
 * ranges, then the continuous aggregates over all of time, invalidations of any age included (tests use this; the
 * maintenance timer relies on the refresh policies plus the clipped late ranges instead). Apache mode: re-aggregate raw rows from the watermark (less
 * a lateness margin) to `now` and upsert, then the late ranges. `rawRetainMs`: late ranges older than the raw
 * retention are left alone (see `refreshLate`).
 */
export async function refreshRollups(db: Db, rollups: RollupDefinition[], now = new Date(), opts: { rawRetainMs?: number } = {}): Promise<number> {
  if ((await tsdbMode(db)) === 'timescale') {
    const n = await refreshLate(db, rollups, 'timescale', now, opts.rawRetainMs);
    for (const c of rollups) await db.exec(`CALL refresh_continuous_aggregate('${c.view}', NULL, NULL)`);
    return n + rollups.length;
  }
  let n = 0;
  for (const c of rollups) {
    const wm = await db.query<{ refreshed_to: Date }>('SELECT refreshed_to FROM rollup_watermarks WHERE rollup = $1', [c.view]);
    let from: Date;
    if (wm.rows[0]) from = new Date(new Date(wm.rows[0].refreshed_to).getTime() - c.lateMs);
    else {
      const first = await db.query<{ t: Date | null }>(`SELECT min(${c.time}) AS t FROM ${c.source}`);
      from = first.rows[0]?.t ? new Date(first.rows[0].t) : now;
    }
    const res = await db.query(aggregateInto(c, `${c.time} >= time_bucket(INTERVAL '${c.bucket}', $1::timestamptz) AND ${c.time} <= $2`), [from, now]);
    n += res.rowCount;
    await db.query(
      `INSERT INTO rollup_watermarks (rollup, refreshed_to) VALUES ($1, $2)
       ON CONFLICT (rollup) DO UPDATE SET refreshed_to = EXCLUDED.refreshed_to`,
      [c.view, now],
    );
  }
  return n + (await refreshLate(db, rollups, 'apache', now, opts.rawRetainMs));
}

/**
 * Late rows were written to `source` (journal replay after an outage, a back-fill: a writer calls this for every
 * batch with a row older than `lateThresholdMs` of its rollups). Records their time range in the caller's
 * transaction, so the range is recorded if and only if the rows are; the next pass re-aggregates it into every rollup
 * of that source. The same on both builds (one INSERT): neither the Apache build's watermark refresh nor a
 * continuous aggregate's refresh policy looks back far enough by itself.
 */
export async function invalidateRollups(q: Queryable, source: string, from: Date, to: Date = from): Promise<void> {
  await q.query('INSERT INTO rollup_invalidations (source, from_ts, to_ts) VALUES ($1, $2, $3)', [source, from, to]);
}

/**
 * Re-aggregates the recorded late ranges into both rollups, then deletes the rows it read (by id: a range committed
 * meanwhile stays for the next pass; a failure leaves them all, and doing a range twice is harmless). Whole buckets
 * only, in slices of `LATE_SLICE_MS`. Timescale mode: `refresh_continuous_aggregate` over each range, up to the
 * policy's end_offset (the policy and real-time aggregation cover what is newer); it recomputes the invalidated
 * buckets from raw rows. Apache mode: the same upsert as the watermark refresh. Buckets older than the raw retention
 * (`now − rawRetainMs`) are skipped: their raw chunks may be gone, and re-aggregating the few late rows there would
 * replace a complete bucket with them (those rows are dropped by retention anyway).
 */
async function refreshLate(db: Db, rollups: RollupDefinition[], mode: TsdbMode, now: Date, rawRetainMs?: number): Promise<number> {
  const pending = await db.query<{ id: string; source: string; f: Date; t: Date }>(
    `SELECT id::text AS id, source, from_ts AS f, to_ts AS t FROM rollup_invalidations ORDER BY from_ts LIMIT ${LATE_BATCH}`,
  );
  if (pending.rows.length === 0) return 0;
  const nowMs = now.getTime();
  let n = 0;
  for (const c of rollups) {
    const b = c.bucketMs;
    const ranges = pending.rows.filter((p) => p.source === c.source);
    const lo = rawRetainMs === undefined ? -Infinity : Math.ceil((nowMs - rawRetainMs) / b) * b;
    const hi = mode === 'timescale' ? Math.floor((nowMs - c.policy.endMs) / b) * b : Infinity;
    for (const [s, e] of mergeRanges(ranges, b, lo, hi)) {
      // Whole buckets per slice (a continuous aggregate refuses a window narrower than its bucket: a daily rollup).
      const slice = Math.ceil(LATE_SLICE_MS / b) * b;
      for (let a = s; a < e; a += slice) {
        const z = Math.min(e, a + slice);
        if (mode === 'timescale') {
          await db.exec(`CALL refresh_continuous_aggregate('${c.view}', '${new Date(a).toISOString()}', '${new Date(z).toISOString()}')`);
        } else {
          await db.query(aggregateInto(c, `${c.time} >= $1 AND ${c.time} < $2`), [new Date(a), new Date(z)]);
        }
        n++;
      }
    }
  }
  await db.query(`DELETE FROM rollup_invalidations WHERE id = ANY(string_to_array($1, ',')::bigint[])`, [pending.rows.map((p) => p.id).join(',')]);
  return n;
}

/** Ranges (sorted by start) widened to whole buckets of `b` ms, clipped to [lo, hi), overlapping or touching ones merged. */
export function mergeRanges(ranges: { f: Date | string; t: Date | string }[], b: number, lo: number, hi: number): [number, number][] {
  const out: [number, number][] = [];
  for (const r of ranges) {
    const s = Math.max(Math.floor(new Date(r.f).getTime() / b) * b, lo);
    const e = Math.min(Math.floor(new Date(r.t).getTime() / b) * b + b, hi);
    if (s >= e) continue;
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}
