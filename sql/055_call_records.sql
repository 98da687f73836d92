-- Interface call monitoring (应用接口调用监测): every call the sharing and exchange platform logged, which department's
-- system called which interface, when, with what status, latency and volume. Raw rows in a hypertable, rolled up
-- per interface × caller at 1 minute and 1 hour (collector/calls/rollups.ts keeps them on both builds, as
-- sql/010_probe_results.sql does for probes), and per interface × status code per hour for the status breakdown.
CREATE TABLE call_records (
  ts             timestamptz NOT NULL,
  interface_code text NOT NULL,
  caller_dept    text NOT NULL,
  caller_system  text NOT NULL DEFAULT '',
  caller_id      text,
  success        boolean NOT NULL,
  -- 0 when the platform logged none (a time-out, a refused connection).
  status_code    integer NOT NULL DEFAULT 0,
  latency_ms     double precision NOT NULL,
  records        integer NOT NULL DEFAULT 0,
  bytes          bigint NOT NULL DEFAULT 0,
  -- The sender's record id, or a hash of the record's fields: a batch sent again (a shipper's retry after a lost
  -- answer, an export imported twice) is not counted twice.
  dedupe_key     text NOT NULL,
  source         text NOT NULL DEFAULT 'http' CHECK (source IN ('http', 'file', 'staging'))
);
SELECT create_hypertable('call_records', by_range('ts', INTERVAL '1 day'));
CREATE UNIQUE INDEX call_records_dedupe_idx ON call_records (dedupe_key, ts);
-- No further indexes on the raw rows: every reader (pages, rules, export) reads the rollups, and each index costs
-- ingest throughput.

DO $do$
DECLARE
  b text;
BEGIN
  IF current_setting('timescaledb.license', true) = 'timescale' THEN
    FOREACH b IN ARRAY ARRAY['1m', '1h'] LOOP
      EXECUTE format($q$
        CREATE MATERIALIZED VIEW call_stats_%1$s WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
        SELECT time_bucket(INTERVAL '%2$s', ts) AS bucket, interface_code, caller_dept, caller_system,
         count(*) AS n, count(*) FILTER (WHERE success) AS ok,
         avg(latency_ms) AS avg_ms, max(latency_ms) AS max_ms,
         percentile_cont(0.5)  WITHIN GROUP (ORDER BY latency_ms) AS p50_ms,
         percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95_ms,
         percentile_cont(0.99) WITHIN GROUP (ORDER BY latency_ms) AS p99_ms,
         sum(records)::bigint AS records, max(records) AS max_records, sum(bytes)::bigint AS bytes
        FROM call_records GROUP BY 1, 2, 3, 4 WITH NO DATA$q$, b, CASE b WHEN '1m' THEN '1 minute' ELSE '1 hour' END);
      EXECUTE format('CREATE INDEX call_stats_%1$s_interface_idx ON call_stats_%1$s (interface_code, bucket DESC)', b);
      EXECUTE format('CREATE INDEX call_stats_%1$s_caller_idx ON call_stats_%1$s (caller_dept, bucket DESC)', b);
    END LOOP;
    CREATE MATERIALIZED VIEW call_status_1h WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
      SELECT time_bucket(INTERVAL '1 hour', ts) AS bucket, interface_code, status_code, count(*) AS n
        FROM call_records GROUP BY 1, 2, 3 WITH NO DATA;
    CREATE INDEX call_status_1h_interface_idx ON call_status_1h (interface_code, bucket DESC);
    ALTER TABLE call_records SET (timescaledb.compress, timescaledb.compress_segmentby = 'interface_code',
      timescaledb.compress_orderby = 'ts DESC');
  ELSE
    FOREACH b IN ARRAY ARRAY['1m', '1h'] LOOP
      EXECUTE format($q$
        CREATE TABLE call_stats_%1$s (
          bucket timestamptz NOT NULL, interface_code text NOT NULL, caller_dept text NOT NULL, caller_system text NOT NULL,
          n bigint NOT NULL, ok bigint NOT NULL, avg_ms double precision, max_ms double precision,
          p50_ms double precision, p95_ms double precision, p99_ms double precision,
          records bigint NOT NULL, max_records integer, bytes bigint NOT NULL,
          PRIMARY KEY (interface_code, caller_dept, caller_system, bucket))$q$, b);
      PERFORM create_hypertable(format('call_stats_%s', b)::regclass, by_range('bucket', INTERVAL '30 days'));
      EXECUTE format('CREATE INDEX call_stats_%1$s_caller_idx ON call_stats_%1$s (caller_dept, bucket DESC)', b);
    END LOOP;
    CREATE TABLE call_status_1h (
      bucket timestamptz NOT NULL, interface_code text NOT NULL, status_code integer NOT NULL, n bigint NOT NULL,
      PRIMARY KEY (interface_code, status_code, bucket));
    PERFORM create_hypertable('call_status_1h', by_range('bucket', INTERVAL '30 days'));
  END IF;
END
$do$;

-- Every interface and caller ever seen, whether the catalogue (collector.calls.interfaces) knows it or not: an
-- unknown one is kept and listed (known = false), never dropped. `level` and `sensitive` come from the catalogue.
CREATE TABLE call_interfaces (
  code        text PRIMARY KEY,
  name        text NOT NULL DEFAULT '',
  level       text NOT NULL DEFAULT 'city' CHECK (level IN ('city', 'provincial', 'national')),
  sensitive   boolean NOT NULL DEFAULT false,
  known       boolean NOT NULL DEFAULT false,
  first_seen  timestamptz,
  last_seen   timestamptz
);
CREATE TABLE call_callers (
  caller_dept   text NOT NULL,
  caller_system text NOT NULL,
  first_seen    timestamptz NOT NULL,
  last_seen     timestamptz NOT NULL,
  PRIMARY KEY (caller_dept, caller_system)
);
-- Which department called which interface first when: the "first-time caller of a sensitive interface" rule.
CREATE TABLE call_pairs (
  interface_code text NOT NULL,
  caller_dept    text NOT NULL,
  first_seen     timestamptz NOT NULL,
  PRIMARY KEY (interface_code, caller_dept)
);
-- Cumulative calls per interface since collector.calls.countSince, kept in the ingest transaction (exact: only
-- newly inserted rows count), so 累计调用 N 万次 needs no scan of years of rows that retention has long dropped.
CREATE TABLE call_counters (
  interface_code text PRIMARY KEY,
  calls          bigint NOT NULL DEFAULT 0,
  failures       bigint NOT NULL DEFAULT 0,
  records        bigint NOT NULL DEFAULT 0
);

-- The platform may write its calls here itself (a database link, a trigger on its log table); the collector moves
-- them into call_records in one transaction per batch and deletes them, so each row is taken exactly once.
-- Rows it cannot take go to call_staging_rejects with the reason.
CREATE TABLE call_records_staging (
  id             bigserial PRIMARY KEY,
  ts             timestamptz,
  interface_code text,
  caller_dept    text,
  caller_system  text,
  caller_id      text,
  success        boolean,
  status_code    integer,
  latency_ms     double precision,
  records        integer,
  bytes          bigint,
  record_id      text,
  written_at     timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE call_staging_rejects (
  id         bigint PRIMARY KEY,
  row_data   jsonb NOT NULL,
  error      text NOT NULL,
  rejected_at timestamptz NOT NULL DEFAULT now()
);
