-- Probe results: the raw hypertable and its 1-minute and 1-hour continuous aggregates.
-- Targets themselves live in the YAML configuration; `targets` mirrors them (synced at start and on reload)
-- so that SQL can join names, modules and tags without N+1 look-ups.
CREATE TABLE modules (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  description text NOT NULL DEFAULT '',
  slo         double precision NOT NULL DEFAULT 99.9,
  tags        jsonb NOT NULL DEFAULT '{}',
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE targets (
  id          text PRIMARY KEY,
  module_id   text NOT NULL,
  name        text NOT NULL,
  type        text NOT NULL,
  interval_ms integer NOT NULL,
  failure_threshold integer NOT NULL DEFAULT 3,
  success_threshold integer NOT NULL DEFAULT 1,
  tags        jsonb NOT NULL DEFAULT '{}',
  spec        jsonb NOT NULL DEFAULT '{}',
  active      boolean NOT NULL DEFAULT true,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX targets_module_idx ON targets (module_id);

CREATE TABLE probe_results (
  ts           timestamptz NOT NULL,
  result_id    uuid NOT NULL,
  target_id    text NOT NULL,
  module_id    text NOT NULL,
  type         text NOT NULL,
  success      boolean NOT NULL,
  duration_ms  double precision NOT NULL,
  status_code  integer,
  dns_ms       double precision,
  connect_ms   double precision,
  tls_ms       double precision,
  ttfb_ms      double precision,
  transfer_ms  double precision,
  error_code   text,
  error        text,
  detail       jsonb
);
SELECT create_hypertable('probe_results', by_range('ts', INTERVAL '1 day'));
-- Exactly once: the journal may replay a result that already reached the database.
CREATE UNIQUE INDEX probe_results_id_idx ON probe_results (result_id, ts);
CREATE INDEX probe_results_target_idx ON probe_results (target_id, ts DESC);
CREATE INDEX probe_results_failures_idx ON probe_results (target_id, ts DESC) WHERE NOT success;
-- Current state per target, one row each, updated by the collector on every result (the overview never
-- scans results to learn what is up).
CREATE TABLE target_state (
  target_id            text PRIMARY KEY,
  state                text NOT NULL DEFAULT 'unknown' CHECK (state IN ('unknown', 'up', 'down', 'degraded')),
  since                timestamptz NOT NULL DEFAULT now(),
  consecutive_failures integer NOT NULL DEFAULT 0,
  consecutive_successes integer NOT NULL DEFAULT 0,
  last_ts              timestamptz,
  last_success         boolean,
  last_duration_ms     double precision,
  last_error_code      text,
  last_error           text,
  last_detail          jsonb
);

-- Rollups at 1 minute and 1 hour. Where TimescaleDB runs with its Timescale-licensed features (the embedded PGlite
-- build, Timescale's own server images) they are continuous aggregates with real-time aggregation and policies.
-- Debian's postgresql-17-timescaledb is the Apache-2 build, which has no continuous aggregates, compression or
-- policies: there they are plain hypertables of the same name and columns, refreshed by the application
-- (core/db/jobs.ts, with the definitions in collector/rollups.ts), so readers never know the difference.
DO $do$
DECLARE
  b text;
BEGIN
  IF current_setting('timescaledb.license', true) = 'timescale' THEN
    FOREACH b IN ARRAY ARRAY['1m', '1h'] LOOP
      EXECUTE format($q$
        CREATE MATERIALIZED VIEW probe_results_%1$s WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
        SELECT time_bucket(INTERVAL '%2$s', ts) AS bucket, target_id, module_id,
         count(*) AS n, count(*) FILTER (WHERE success) AS ok,
         avg(duration_ms) AS avg_ms, max(duration_ms) AS max_ms,
         percentile_cont(0.5)  WITHIN GROUP (ORDER BY duration_ms) AS p50_ms,
         percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95_ms,
         percentile_cont(0.99) WITHIN GROUP (ORDER BY duration_ms) AS p99_ms,
         avg(dns_ms) AS dns_ms, avg(connect_ms) AS connect_ms, avg(tls_ms) AS tls_ms,
         avg(ttfb_ms) AS ttfb_ms, avg(transfer_ms) AS transfer_ms
        FROM probe_results GROUP BY 1, 2, 3 WITH NO DATA$q$, b, CASE b WHEN '1m' THEN '1 minute' ELSE '1 hour' END);
      EXECUTE format('CREATE INDEX probe_results_%1$s_target_idx ON probe_results_%1$s (target_id, bucket DESC)', b);
    END LOOP;
    ALTER TABLE probe_results SET (timescaledb.compress, timescaledb.compress_segmentby = 'target_id',
      timescaledb.compress_orderby = 'ts DESC');
  ELSE
    FOREACH b IN ARRAY ARRAY['1m', '1h'] LOOP
      EXECUTE format($q$
        CREATE TABLE probe_results_%1$s (
          bucket timestamptz NOT NULL, target_id text NOT NULL, module_id text NOT NULL,
          n bigint NOT NULL, ok bigint NOT NULL, avg_ms double precision, max_ms double precision,
          p50_ms double precision, p95_ms double precision, p99_ms double precision,
          dns_ms double precision, connect_ms double precision, tls_ms double precision,
          ttfb_ms double precision, transfer_ms double precision,
          PRIMARY KEY (target_id, bucket))$q$, b);
      PERFORM create_hypertable(format('probe_results_%s', b)::regclass, by_range('bucket', INTERVAL '30 days'));
    END LOOP;
  END IF;
END
$do$;

-- Refresh bookkeeping for the application-maintained rollups (unused where continuous aggregates exist).
CREATE TABLE rollup_watermarks (
  rollup        text PRIMARY KEY,
  refreshed_to  timestamptz NOT NULL
);
