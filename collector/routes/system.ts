import { Hono } from 'hono';
import { requirePermission, type AppEnv } from '../../core/http';
import { iso, type RouteDeps } from './deps';

/** GET /system — the collector's own statistics (every instance, newest and the last hour), DB size and chunk status. */
export function systemRoutes(d: RouteDeps) {
  const r = new Hono<AppEnv>();
  r.get('/system', requirePermission('read'), async (c) => {
    const now = d.clock();
    const since = new Date(now - 3600_000);
    const [latest, recent, size, hyper] = await Promise.all([
      d.db.query<Record<string, unknown>>(
        `SELECT DISTINCT ON (instance) * FROM collector_stats WHERE ts >= $1 ORDER BY instance, ts DESC`,
        [since],
      ),
      d.db.query<Record<string, unknown>>(
        `SELECT ts, instance, lag_p50_ms, lag_p99_ms, buffer_depth, journal_bytes, rows_per_s, probes_per_s FROM collector_stats
          WHERE ts >= $1 ORDER BY ts LIMIT 2000`,
        [since],
      ),
      d.db.query<{ bytes: number }>(`SELECT pg_database_size(current_database())::float8 AS bytes`),
      d.db.query<Record<string, unknown>>(
        `SELECT h.hypertable_name AS name, h.num_chunks,
                (SELECT count(*) FROM timescaledb_information.chunks ch WHERE ch.hypertable_name = h.hypertable_name AND ch.is_compressed)::int AS compressed_chunks,
                (SELECT min(range_start) FROM timescaledb_information.chunks ch WHERE ch.hypertable_name = h.hypertable_name) AS oldest,
                (SELECT max(range_end) FROM timescaledb_information.chunks ch WHERE ch.hypertable_name = h.hypertable_name) AS newest,
                s.total_bytes::float8 AS total_bytes, s.table_bytes::float8 AS table_bytes, s.index_bytes::float8 AS index_bytes
           FROM timescaledb_information.hypertables h
           LEFT JOIN LATERAL hypertable_detailed_size(format('%I.%I', h.hypertable_schema, h.hypertable_name)::regclass) s ON true
          ORDER BY s.total_bytes DESC NULLS LAST`,
      ),
    ]);
    const e = d.engine();
    const live = e
      ? {
          instance: e.instance,
          targets: e.scheduler.size,
          inFlight: e.scheduler.inFlight,
          queued: e.scheduler.queued,
          lagMs: e.lagQuantiles(),
          bufferDepth: e.writer.depth,
          journalBytes: e.writer.journalBytes,
          databaseDown: e.writer.databaseDown,
          totals: e.writer.totals,
          skipped: { overlap: e.scheduler.counters.skippedOverlap, late: e.scheduler.counters.skippedLate },
        }
      : null;
    const stat = (x: Record<string, unknown>) => ({
      ts: iso(x.ts), instance: x.instance, targets: x.targets, lagP50Ms: x.lag_p50_ms, lagP99Ms: x.lag_p99_ms, bufferDepth: x.buffer_depth,
      journalBytes: Number(x.journal_bytes), rowsPerS: x.rows_per_s, probesPerS: x.probes_per_s, writeErrors: x.write_errors !== undefined ? Number(x.write_errors) : undefined,
      rssBytes: x.rss_bytes !== undefined ? Number(x.rss_bytes) : undefined,
    });
    return c.json({
      at: new Date(now).toISOString(),
      live,
      instances: latest.rows.map(stat),
      recent: recent.rows.map(stat),
      database: {
        backend: d.db.kind,
        bytes: size.rows[0]?.bytes ?? null,
        hypertables: hyper.rows.map((h) => ({
          name: h.name, chunks: h.num_chunks, compressedChunks: h.compressed_chunks, oldest: iso(h.oldest), newest: iso(h.newest),
          totalBytes: h.total_bytes, tableBytes: h.table_bytes, indexBytes: h.index_bytes,
        })),
      },
    });
  });
  return r;
}
