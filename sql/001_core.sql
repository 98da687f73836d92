-- Core: users, roles, sessions, API tokens, the audit trail, and system events shared by all areas.
CREATE TABLE users (
  id            bigserial PRIMARY KEY,
  username      text NOT NULL UNIQUE CHECK (username ~ '^[A-Za-z0-9_.-]{2,64}$'),
  display_name  text NOT NULL DEFAULT '',
  role          text NOT NULL CHECK (role IN ('admin', 'ops', 'security', 'regulator')),
  password_hash text NOT NULL,
  disabled      boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Only a hash of the session id is stored: a database dump does not hand out live sessions.
CREATE TABLE sessions (
  id_hash     text PRIMARY KEY,
  user_id     bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  ip          text
);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

CREATE TABLE api_tokens (
  id           bigserial PRIMARY KEY,
  name         text NOT NULL,
  token_hash   text NOT NULL UNIQUE,
  prefix       text NOT NULL,
  role         text NOT NULL CHECK (role IN ('admin', 'ops', 'security', 'regulator')),
  scopes       text[] NOT NULL DEFAULT '{}',
  created_by   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at   timestamptz
);

-- Every write action: who, what, when, from where. Kept without retention (it is the bureau's evidence).
CREATE TABLE audit_log (
  id        bigserial PRIMARY KEY,
  ts        timestamptz NOT NULL DEFAULT now(),
  actor     text NOT NULL,
  role      text,
  action    text NOT NULL,
  target    text,
  ip        text,
  details   jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_ts_idx ON audit_log (ts DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (actor, ts DESC);

-- Events any area emits for the alert rules (reporting failures, reconciliation mismatches, self-health).
CREATE TABLE system_events (
  ts        timestamptz NOT NULL DEFAULT now(),
  source    text NOT NULL,
  kind      text NOT NULL,
  severity  text NOT NULL DEFAULT 'info' CHECK (severity IN ('info', 'warning', 'critical')),
  labels    jsonb NOT NULL DEFAULT '{}',
  value     double precision,
  message   text NOT NULL DEFAULT ''
);
SELECT create_hypertable('system_events', by_range('ts', INTERVAL '7 days'));
CREATE INDEX system_events_kind_idx ON system_events (kind, ts DESC);
