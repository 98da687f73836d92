-- Browser real-user monitoring (Grafana Faro web SDK): one hypertable per kind of signal. Every row carries the
-- app, the session, the page and the browser so that any signal can be grouped by them without joins.
-- Only Apache-licensed TimescaleDB features (plain tables, hypertables, indexes): the same file runs on both back ends.
CREATE TABLE faro_exceptions (
  ts              timestamptz NOT NULL,
  received_at     timestamptz NOT NULL DEFAULT now(),
  app             text NOT NULL,
  app_release     text,
  environment     text,
  session_id      text,
  user_id         text,
  page_url        text,
  browser         text,
  browser_version text,
  os              text,
  type            text NOT NULL,
  message         text NOT NULL,
  -- sha256 of type + normalised message + top frames: the same bug in any session groups under one value.
  fingerprint     text NOT NULL,
  frames          jsonb,
  context         jsonb,
  trace_id        text
);
SELECT create_hypertable('faro_exceptions', by_range('ts', INTERVAL '7 days'));
CREATE INDEX faro_exceptions_fp_idx ON faro_exceptions (app, fingerprint, ts DESC);
CREATE INDEX faro_exceptions_app_idx ON faro_exceptions (app, ts DESC);

-- One row per measured value: a Faro measurement {type, values: {lcp: 1234, delta: 12}} becomes rows (type, name, value).
CREATE TABLE faro_measurements (
  ts          timestamptz NOT NULL,
  app         text NOT NULL,
  session_id  text,
  page_url    text,
  browser     text,
  type        text NOT NULL,
  name        text NOT NULL,
  value       double precision NOT NULL,
  rating      text,
  context     jsonb
);
SELECT create_hypertable('faro_measurements', by_range('ts', INTERVAL '7 days'));
CREATE INDEX faro_measurements_name_idx ON faro_measurements (app, name, ts DESC);

CREATE TABLE faro_logs (
  ts          timestamptz NOT NULL,
  app         text NOT NULL,
  session_id  text,
  page_url    text,
  browser     text,
  level       text NOT NULL,
  message     text NOT NULL,
  context     jsonb,
  trace_id    text
);
SELECT create_hypertable('faro_logs', by_range('ts', INTERVAL '7 days'));
CREATE INDEX faro_logs_app_idx ON faro_logs (app, ts DESC);

CREATE TABLE faro_events (
  ts          timestamptz NOT NULL,
  app         text NOT NULL,
  session_id  text,
  page_url    text,
  browser     text,
  name        text NOT NULL,
  domain      text,
  attributes  jsonb,
  trace_id    text
);
SELECT create_hypertable('faro_events', by_range('ts', INTERVAL '7 days'));
CREATE INDEX faro_events_app_idx ON faro_events (app, name, ts DESC);

-- Spans from the SDK's OTLP JSON traces, flattened (one row per span) so a slow fetch can be found by name.
CREATE TABLE faro_spans (
  ts          timestamptz NOT NULL,
  app         text NOT NULL,
  session_id  text,
  page_url    text,
  browser     text,
  trace_id    text NOT NULL,
  span_id     text NOT NULL,
  name        text NOT NULL,
  duration_ms double precision,
  attributes  jsonb
);
SELECT create_hypertable('faro_spans', by_range('ts', INTERVAL '7 days'));
CREATE INDEX faro_spans_app_idx ON faro_spans (app, ts DESC);
