-- Versions of records that are not configuration objects (core/versions.ts): silences and maintenance windows. Every
-- create, edit, expiry and rollback writes one row with who, when, why and the record before and after, so each has a
-- history with the field diff and can be rolled back to any version (README: 统一配置). `kind` names the table the
-- record lives in ("silence", "maintenance"), `id` its key as text.
CREATE TABLE record_versions (
  seq         bigserial PRIMARY KEY,
  kind        text NOT NULL,
  id          text NOT NULL,
  version     integer NOT NULL,
  action      text NOT NULL CHECK (action IN ('create', 'update', 'expire', 'delete', 'rollback')),
  before      jsonb,
  after       jsonb,
  actor       text NOT NULL,
  role        text,
  reason      text NOT NULL DEFAULT '',
  ts          timestamptz NOT NULL,
  UNIQUE (kind, id, version)
);
CREATE INDEX record_versions_ts_idx ON record_versions (ts DESC);
