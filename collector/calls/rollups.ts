import type { RawTable, RollupDefinition } from '../../core/db/jobs';

/**
 * The rollups of call records (sql/055_call_records.sql creates them: continuous aggregates on the Timescale build,
 * tables the application refreshes on the Apache build). The aggregates here must be the view's.
 */
const STATS: Record<string, string> = {
  n: 'count(*)',
  ok: 'count(*) FILTER (WHERE success)',
  avg_ms: 'avg(latency_ms)',
  max_ms: 'max(latency_ms)',
  p50_ms: 'percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms)',
  p95_ms: 'percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms)',
  p99_ms: 'percentile_cont(0.99) WITHIN GROUP (ORDER BY latency_ms)',
  records: 'sum(records)::bigint',
  max_records: 'max(records)',
  bytes: 'sum(bytes)::bigint',
};

const stats = { source: 'call_records', time: 'ts', key: ['interface_code', 'caller_dept', 'caller_system'], aggregates: STATS };

const HOURLY = { bucket: '1 hour', bucketMs: 3_600_000, policy: { start: '3 days', end: '1 hour', endMs: 3_600_000, every: '30 minutes' }, retain: 'oneHour', lateMs: 2 * 3_600_000 } as const;
// A day is materialised once it is an hour old (the reads take it from 3 h after its end, collector/calls/read.ts).
const DAILY = { bucket: '1 day', bucketMs: 86_400_000, policy: { start: '4 days', end: '1 hour', endMs: 3_600_000, every: '30 minutes' }, retain: 'oneHour', lateMs: 2 * 3_600_000 } as const;

export const CALL_ROLLUPS: RollupDefinition[] = [
  { ...stats, view: 'call_stats_1m', bucket: '1 minute', bucketMs: 60_000, policy: { start: '2 hours', end: '1 minute', endMs: 60_000, every: '1 minute' }, retain: 'oneMinute', lateMs: 10 * 60_000 },
  { ...stats, view: 'call_stats_1h', bucket: '1 hour', bucketMs: 3_600_000, policy: { start: '3 days', end: '1 hour', endMs: 3_600_000, every: '30 minutes' }, retain: 'oneHour', lateMs: 2 * 3_600_000 },
  {
    source: 'call_records', time: 'ts', key: ['interface_code', 'status_code'], aggregates: { n: 'count(*)' },
    view: 'call_status_1h', bucket: '1 hour', bucketMs: 3_600_000, policy: { start: '3 days', end: '1 hour', endMs: 3_600_000, every: '30 minutes' }, retain: 'oneHour', lateMs: 2 * 3_600_000,
  },
  // The city overview's (sql/061_call_rollups_overview.sql): without the caller (per interface), without the
  // interface (per department × system), and the city's totals; from the raw rows like the others.
  ...([['call_iface', ['interface_code']], ['call_dept', ['caller_dept', 'caller_system']], ['call_city', []]] as const).flatMap(([name, key]) => [
    { source: 'call_records', time: 'ts', key: [...key], aggregates: STATS, view: `${name}_1h`, ...HOURLY },
    ...(name === 'call_city' ? [] : [{ source: 'call_records', time: 'ts', key: [...key], aggregates: STATS, view: `${name}_1d`, ...DAILY }]),
  ]),
];

/** Records older than this when written (a file import, a back-fill) invalidate their range for the rollups. */
export const LATE_CALL_MS = Math.min(...CALL_ROLLUPS.map((c) => c.lateMs)) / 2;

export const CALL_RAW_TABLE: RawTable = { table: 'call_records', compress: true };
