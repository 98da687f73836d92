-- The configuration store (core/config/store.ts): modules, targets, alert rules and receivers created through the API,
-- the dashboard or `config import`, each change a new version. Objects defined in the YAML file are not stored here:
-- they are "managed by the file" and read-only through the API (README: 统一配置).
-- config_objects holds each object's current version (deleted = archived: out of the running configuration, its
-- history kept); config_versions every version ever written, with who, when, why, the object before and after.
CREATE TABLE config_objects (
  kind        text NOT NULL,
  id          text NOT NULL,
  version     integer NOT NULL,
  data        jsonb NOT NULL,
  deleted     boolean NOT NULL DEFAULT false,
  updated_at  timestamptz NOT NULL,
  updated_by  text NOT NULL,
  PRIMARY KEY (kind, id)
);

CREATE TABLE config_versions (
  seq         bigserial PRIMARY KEY,
  kind        text NOT NULL,
  id          text NOT NULL,
  version     integer NOT NULL,
  action      text NOT NULL CHECK (action IN ('create', 'update', 'enable', 'disable', 'delete', 'rollback', 'import')),
  before      jsonb,
  after       jsonb,
  actor       text NOT NULL,
  role        text,
  reason      text NOT NULL DEFAULT '',
  ts          timestamptz NOT NULL,
  UNIQUE (kind, id, version)
);
CREATE INDEX config_versions_ts_idx ON config_versions (ts DESC);
