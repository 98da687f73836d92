-- Collector: pushed heartbeats, incidents (kept on state transitions), self-statistics, approved content baselines.
-- Only Apache-licensed TimescaleDB features (plain tables, hypertables, indexes): the same SQL runs on both back ends.

-- One row per push from a batch job (POST /api/collector/heartbeat/:token).
CREATE TABLE heartbeats (
  ts         timestamptz NOT NULL,
  target_id  text NOT NULL,
  status     text NOT NULL CHECK (status IN ('ok', 'fail')),
  message    text,
  source_ip  text
);
SELECT create_hypertable('heartbeats', by_range('ts', INTERVAL '7 days'));
CREATE INDEX heartbeats_target_idx ON heartbeats (target_id, ts DESC);

-- An incident is one down period of one target: opened when the state machine goes to down, closed when it is up
-- again. Written by the collector in the same transaction as the results that caused it; the id is made in memory
-- so a replayed journal cannot open it twice.
CREATE TABLE incidents (
  id               uuid PRIMARY KEY,
  target_id        text NOT NULL,
  module_id        text NOT NULL,
  started_at       timestamptz NOT NULL,
  ended_at         timestamptz,
  first_error_code text,
  first_error      text,
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX incidents_started_idx ON incidents (started_at DESC);
CREATE INDEX incidents_target_idx ON incidents (target_id, started_at DESC);
CREATE INDEX incidents_module_idx ON incidents (module_id, started_at DESC);
CREATE INDEX incidents_open_idx ON incidents (target_id) WHERE ended_at IS NULL;

-- The collector's own health every 30 s (the dashboard's System page).
CREATE TABLE collector_stats (
  ts             timestamptz NOT NULL,
  instance       text NOT NULL,
  targets        integer NOT NULL,
  lag_p50_ms     double precision,
  lag_p99_ms     double precision,
  buffer_depth   integer NOT NULL,
  journal_bytes  bigint NOT NULL,
  rows_per_s     double precision NOT NULL,
  probes_per_s   double precision NOT NULL,
  write_errors   bigint NOT NULL,
  rss_bytes      bigint
);
SELECT create_hypertable('collector_stats', by_range('ts', INTERVAL '7 days'));
CREATE INDEX collector_stats_instance_idx ON collector_stats (instance, ts DESC);

-- The approved page content that the content probe compares against (normalised text and its hash).
CREATE TABLE content_baselines (
  target_id    text PRIMARY KEY,
  hash         text NOT NULL,
  text         text NOT NULL,
  approved_by  text NOT NULL,
  approved_at  timestamptz NOT NULL DEFAULT now(),
  source_result_id uuid
);

-- Incident and state queries filter targets by state.
CREATE INDEX target_state_state_idx ON target_state (state);

-- Modules removed from the configuration stay (their history references them) but are marked inactive.
ALTER TABLE modules ADD COLUMN active boolean NOT NULL DEFAULT true;
