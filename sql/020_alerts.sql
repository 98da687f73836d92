-- Alerts: one row per occurrence of an alert (pending → firing → resolved), every transition in alert_events,
-- the notification log (what was last sent per receiver, channel and group: "sent once" across restarts), the
-- delivery log, silences and maintenance windows. Apache-licensed TimescaleDB features only (tables, hypertables).
CREATE TABLE alerts (
  id           bigserial PRIMARY KEY,
  fingerprint  text NOT NULL,
  rule         text NOT NULL,
  rule_type    text NOT NULL,
  labels       jsonb NOT NULL,
  annotations  jsonb NOT NULL DEFAULT '{}',
  severity     text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  team         text NOT NULL,
  module_id    text,
  target_id    text,
  state        text NOT NULL CHECK (state IN ('pending', 'firing', 'resolved')),
  value        double precision,
  active_at    timestamptz NOT NULL,          -- the condition first held (pending since)
  starts_at    timestamptz,                   -- firing since (null while pending)
  ends_at      timestamptz,                   -- resolved at
  last_eval    timestamptz NOT NULL,
  ack_by       text,
  ack_at       timestamptz,
  ack_comment  text
);
-- At most one open occurrence per fingerprint: a restart picks it up instead of opening a second one.
CREATE UNIQUE INDEX alerts_open_fp_idx ON alerts (fingerprint) WHERE state IN ('pending', 'firing');
CREATE INDEX alerts_state_idx ON alerts (state, starts_at DESC);
CREATE INDEX alerts_ends_idx ON alerts (ends_at DESC) WHERE state = 'resolved';
CREATE INDEX alerts_module_idx ON alerts (module_id, starts_at DESC);

CREATE TABLE alert_events (
  ts          timestamptz NOT NULL,
  alert_id    bigint,
  fingerprint text NOT NULL,
  rule        text NOT NULL,
  from_state  text,
  to_state    text NOT NULL,   -- pending, firing, resolved, inactive (pending that cleared), acknowledged
  value       double precision,
  actor       text,
  message     text NOT NULL DEFAULT ''
);
SELECT create_hypertable('alert_events', by_range('ts', INTERVAL '7 days'));
CREATE INDEX alert_events_alert_idx ON alert_events (alert_id, ts DESC);

-- Alertmanager's nflog: per receiver, channel and group, which alerts the last successful notification carried.
CREATE TABLE alert_nflog (
  receiver    text NOT NULL,
  channel     text NOT NULL,
  group_key   text NOT NULL,
  firing      text[] NOT NULL DEFAULT '{}',
  resolved    text[] NOT NULL DEFAULT '{}',
  sent_at     timestamptz NOT NULL,
  PRIMARY KEY (receiver, channel, group_key)
);

CREATE TABLE notification_deliveries (
  ts          timestamptz NOT NULL,
  receiver    text NOT NULL,
  channel     text NOT NULL,
  group_key   text NOT NULL,
  status      text NOT NULL CHECK (status IN ('sent', 'failed', 'gave_up')),
  attempt     integer NOT NULL,
  alerts      integer NOT NULL DEFAULT 0,
  firing      boolean NOT NULL DEFAULT true,
  duration_ms double precision,
  error       text,
  test        boolean NOT NULL DEFAULT false
);
SELECT create_hypertable('notification_deliveries', by_range('ts', INTERVAL '7 days'));
CREATE INDEX notification_deliveries_receiver_idx ON notification_deliveries (receiver, ts DESC);

CREATE TABLE silences (
  id          uuid PRIMARY KEY,
  team        text NOT NULL CHECK (team IN ('ops', 'security')),
  matchers    jsonb NOT NULL,          -- [{name, value, op: "=" | "!=" | "=~" | "!~"}]
  starts_at   timestamptz NOT NULL,
  ends_at     timestamptz NOT NULL,
  created_by  text NOT NULL,
  comment     text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now(),
  expired_by  text,
  CHECK (ends_at >= starts_at)   -- equal once expired at the moment it started
);
CREATE INDEX silences_ends_idx ON silences (ends_at DESC);

-- Maintenance windows, per module or target: probes go on, notifications stop. starts_at/ends_at is the window
-- itself for a one-off window and the current (or next) occurrence for a recurring one (kept current by the
-- alerts leader), so `active_maintenance(now)` is a plain SQL check others can use and ignore `recurrence`.
CREATE TABLE maintenance_windows (
  id           bigserial PRIMARY KEY,
  name         text NOT NULL,
  module_id    text,
  target_id    text,
  starts_at    timestamptz NOT NULL,
  ends_at      timestamptz NOT NULL,
  recurrence   text,                  -- cron expression (node-cron syntax) or null for one-off
  duration_ms  bigint,                -- length of each recurring occurrence
  timezone     text NOT NULL DEFAULT 'Asia/Shanghai',
  created_by   text NOT NULL,
  comment      text NOT NULL DEFAULT '',
  created_at   timestamptz NOT NULL DEFAULT now(),
  expired_at   timestamptz,
  expired_by   text,
  CHECK (module_id IS NOT NULL OR target_id IS NOT NULL),
  CHECK (ends_at > starts_at)
);
CREATE INDEX maintenance_windows_active_idx ON maintenance_windows (ends_at DESC) WHERE expired_at IS NULL;

CREATE FUNCTION active_maintenance(at timestamptz)
RETURNS SETOF maintenance_windows LANGUAGE sql STABLE AS $$
  SELECT * FROM maintenance_windows
  WHERE expired_at IS NULL AND starts_at <= at AND ends_at > at
$$;
