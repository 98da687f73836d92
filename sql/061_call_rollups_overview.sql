-- The city overview's rollups: the call rollups of sql/055_call_records.sql without the caller dimension, so the
-- 接口调用 city view over 7 or 30 days reads ~2,000 rows a day instead of every interface × caller × hour. Per
-- interface and per caller department (× system) at 1 hour and 1 day, and the city's totals per hour for the trend.
-- Same aggregates as call_stats_* (collector/calls/rollups.ts), from the raw call_records, on both builds.
DO $do$
DECLARE
  v record;
BEGIN
  FOR v IN SELECT * FROM (VALUES
      ('call_iface_1h', '1 hour', 'interface_code', 'interface_code text NOT NULL,'),
      ('call_iface_1d', '1 day', 'interface_code', 'interface_code text NOT NULL,'),
      ('call_dept_1h', '1 hour', 'caller_dept, caller_system', 'caller_dept text NOT NULL, caller_system text NOT NULL,'),
      ('call_dept_1d', '1 day', 'caller_dept, caller_system', 'caller_dept text NOT NULL, caller_system text NOT NULL,'),
      ('call_city_1h', '1 hour', '', '')) AS t(name, width, keys, cols)
  LOOP
    IF current_setting('timescaledb.license', true) = 'timescale' THEN
      EXECUTE format($q$
        CREATE MATERIALIZED VIEW %1$s WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
        SELECT time_bucket(INTERVAL '%2$s', ts) AS bucket, %3$s
         count(*) AS n, count(*) FILTER (WHERE success) AS ok,
         avg(latency_ms) AS avg_ms, max(latency_ms) AS max_ms,
         percentile_cont(0.5)  WITHIN GROUP (ORDER BY latency_ms) AS p50_ms,
         percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95_ms,
         percentile_cont(0.99) WITHIN GROUP (ORDER BY latency_ms) AS p99_ms,
         sum(records)::bigint AS records, max(records) AS max_records, sum(bytes)::bigint AS bytes
        FROM call_records GROUP BY bucket%4$s WITH NO DATA$q$,
        v.name, v.width, CASE WHEN v.keys = '' THEN '' ELSE v.keys || ',' END, CASE WHEN v.keys = '' THEN '' ELSE ', ' || v.keys END);
    ELSE
      EXECUTE format($q$
        CREATE TABLE %1$s (
          bucket timestamptz NOT NULL, %2$s
          n bigint NOT NULL, ok bigint NOT NULL, avg_ms double precision, max_ms double precision,
          p50_ms double precision, p95_ms double precision, p99_ms double precision,
          records bigint NOT NULL, max_records integer, bytes bigint NOT NULL,
          PRIMARY KEY (%3$sbucket))$q$, v.name, v.cols, CASE WHEN v.keys = '' THEN '' ELSE v.keys || ', ' END);
      PERFORM create_hypertable(v.name::regclass, by_range('bucket', INTERVAL '30 days'));
    END IF;
  END LOOP;
END
$do$;
