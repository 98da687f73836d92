import type { Db, Queryable } from '../../core/db';

/** The collector's own statistics (collector_stats, every statsEvery per instance) and the database's size and chunks. */

export interface CollectorStat {
  ts: number;
  instance: string;
  targets: number;
  lagP50Ms: number | null;
  lagP99Ms: number | null;
  bufferDepth: number;
  journalBytes: number;
  rowsPerS: number;
  probesPerS: number;
  writeErrors: number;
  rssBytes: number | null;
}

export interface HypertableStatus {
  name: string;
  chunks: number;
  compressedChunks: number;
  oldest: number | null;
  newest: number | null;
  totalBytes: number | null;
  tableBytes: number | null;
  indexBytes: number | null;
}

const STAT_COLS = ['ts', 'instance', 'targets', 'lag_p50_ms', 'lag_p99_ms', 'buffer_depth', 'journal_bytes', 'rows_per_s', 'probes_per_s', 'write_errors', 'rss_bytes'];

export async function writeCollectorStats(db: Db, s: CollectorStat): Promise<void> {
  await db.insertMany('collector_stats', STAT_COLS, [[new Date(s.ts), s.instance, s.targets, s.lagP50Ms, s.lagP99Ms, s.bufferDepth, s.journalBytes, s.rowsPerS, s.probesPerS, s.writeErrors, s.rssBytes]]);
}

type StatRow = { ts: Date; instance: string; targets: number; lag_p50_ms: number | null; lag_p99_ms: number | null; buffer_depth: number; journal_bytes: string | number; rows_per_s: number; probes_per_s: number; write_errors: string | number; rss_bytes: string | number | null };
const stat = (x: StatRow): CollectorStat => ({
  ts: new Date(x.ts).getTime(), instance: x.instance, targets: x.targets, lagP50Ms: x.lag_p50_ms, lagP99Ms: x.lag_p99_ms, bufferDepth: x.buffer_depth,
  journalBytes: Number(x.journal_bytes), rowsPerS: x.rows_per_s, probesPerS: x.probes_per_s, writeErrors: Number(x.write_errors), rssBytes: x.rss_bytes == null ? null : Number(x.rss_bytes),
});

/** The newest statistics of every instance that wrote since `since`. */
export async function latestStats(db: Queryable, since: number): Promise<CollectorStat[]> {
  const r = await db.query<StatRow>(`SELECT DISTINCT ON (instance) * FROM collector_stats WHERE ts >= $1 ORDER BY instance, ts DESC`, [new Date(since)]);
  return r.rows.map(stat);
}

/** Every statistics row since `since`, oldest first (at most 2,000). */
export async function recentStats(db: Queryable, since: number): Promise<CollectorStat[]> {
  const r = await db.query<StatRow>(`SELECT * FROM collector_stats WHERE ts >= $1 ORDER BY ts LIMIT 2000`, [new Date(since)]);
  return r.rows.map(stat);
}

export async function databaseBytes(db: Queryable): Promise<number | null> {
  const r = await db.query<{ bytes: number }>(`SELECT pg_database_size(current_database())::float8 AS bytes`);
  return r.rows[0]?.bytes ?? null;
}

export async function hypertables(db: Queryable): Promise<HypertableStatus[]> {
  const r = await db.query<{ name: string; num_chunks: number; compressed_chunks: number; oldest: Date | null; newest: Date | null; total_bytes: number | null; table_bytes: number | null; index_bytes: number | null }>(
    `SELECT h.hypertable_name AS name, h.num_chunks,
            (SELECT count(*) FROM timescaledb_information.chunks ch WHERE ch.hypertable_name = h.hypertable_name AND ch.is_compressed)::int AS compressed_chunks,
            (SELECT min(range_start) FROM timescaledb_information.chunks ch WHERE ch.hypertable_name = h.hypertable_name) AS oldest,
            (SELECT max(range_end) FROM timescaledb_information.chunks ch WHERE ch.hypertable_name = h.hypertable_name) AS newest,
            s.total_bytes::float8 AS total_bytes, s.table_bytes::float8 AS table_bytes, s.index_bytes::float8 AS index_bytes
       FROM timescaledb_information.hypertables h
       LEFT JOIN LATERAL hypertable_detailed_size(format('%I.%I', h.hypertable_schema, h.hypertable_name)::regclass) s ON true
      ORDER BY s.total_bytes DESC NULLS LAST`,
  );
  const ms = (v: Date | null) => (v == null ? null : new Date(v).getTime());
  return r.rows.map((h) => ({ name: h.name, chunks: h.num_chunks, compressedChunks: h.compressed_chunks, oldest: ms(h.oldest), newest: ms(h.newest), totalBytes: h.total_bytes, tableBytes: h.table_bytes, indexBytes: h.index_bytes }));
}
