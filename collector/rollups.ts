import { lateThresholdMs, type RawTable, type RollupDefinition } from '../core/db/jobs';

/**
 * The collector's rollups of probe results (sql/010_probe_results.sql creates them, sql/014_phase_names.sql names the phase columns as the probe names its phases: continuous aggregates on the
 * Timescale build, tables the application refreshes on the Apache build). The aggregates here must be the view's.
 */
const AGGREGATES: Record<string, string> = {
  n: 'count(*)',
  ok: 'count(*) FILTER (WHERE success)',
  avg_ms: 'avg(duration_ms)',
  max_ms: 'max(duration_ms)',
  p50_ms: 'percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms)',
  p95_ms: 'percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms)',
  p99_ms: 'percentile_cont(0.99) WITHIN GROUP (ORDER BY duration_ms)',
  resolve_ms: 'avg(resolve_ms)',
  connect_ms: 'avg(connect_ms)',
  tls_ms: 'avg(tls_ms)',
  processing_ms: 'avg(processing_ms)',
  transfer_ms: 'avg(transfer_ms)',
};

const probe = { source: 'probe_results', time: 'ts', key: ['target_id'], carry: ['module_id'], aggregates: AGGREGATES };

export const PROBE_ROLLUPS: RollupDefinition[] = [
  { ...probe, view: 'probe_results_1m', bucket: '1 minute', bucketMs: 60_000, policy: { start: '2 hours', end: '1 minute', endMs: 60_000, every: '1 minute' }, retain: 'oneMinute', lateMs: 10 * 60_000 },
  { ...probe, view: 'probe_results_1h', bucket: '1 hour', bucketMs: 3_600_000, policy: { start: '3 days', end: '1 hour', endMs: 3_600_000, every: '30 minutes' }, retain: 'oneHour', lateMs: 2 * 3_600_000 },
];

/** A probe result written this long after its timestamp is late: the writer records its range for the rollups. */
export const LATE_RESULT_MS = lateThresholdMs(PROBE_ROLLUPS);

/** Probe results are compressed after `retention.compressAfter` (the Timescale build). */
export const PROBE_RAW_TABLE: RawTable = { table: 'probe_results', compress: true };
