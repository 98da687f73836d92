-- One name per phase from probe to chart: the columns of probe_results and of its 1-minute and 1-hour rollups take
-- the probe's phase names (collector/probes/types.ts PhaseTimings: resolve, connect, tls, processing, transfer) with
-- the unit suffix; dns_ms and ttfb_ms were the only ones named differently. A rename keeps every row and, for the
-- continuous aggregates (Timescale build), their materialised buckets and policies: the views' queries follow the
-- renamed raw columns by themselves, and TimescaleDB renames a continuous aggregate's column in its
-- materialisation hypertable too. On the Apache build the rollups are tables (collector/rollups.ts names the columns).
ALTER TABLE probe_results RENAME COLUMN dns_ms TO resolve_ms;
ALTER TABLE probe_results RENAME COLUMN ttfb_ms TO processing_ms;
DO $do$
DECLARE
  v text;
  kind text := CASE WHEN current_setting('timescaledb.license', true) = 'timescale' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END;
BEGIN
  FOREACH v IN ARRAY ARRAY['probe_results_1m', 'probe_results_1h'] LOOP
    EXECUTE format('ALTER %s %I RENAME COLUMN dns_ms TO resolve_ms', kind, v);
    EXECUTE format('ALTER %s %I RENAME COLUMN ttfb_ms TO processing_ms', kind, v);
  END LOOP;
END
$do$;
