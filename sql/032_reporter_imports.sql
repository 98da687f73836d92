-- Reporter imports: one row per file imported (through POST /api/reporter/imports or app/cli/import.ts), and what the
-- clerk must act on, in three parts (kind): 'error' (rows rejected: correct and import again), 'waiting' (rows held
-- only for a referenced record the city does not hold yet; ref names it), 'warning' (stored and sent, e.g. W_OFFICER).
-- Plain tables only, as the rest of the reporter's SQL.
CREATE TABLE reporter_imports (
  id              bigserial PRIMARY KEY,
  data_type       text NOT NULL,
  format          text NOT NULL CHECK (format IN ('csv', 'jsonl')),
  encoding        text,                 -- utf-8 / gb18030, as read
  file_name       text,
  via             text NOT NULL CHECK (via IN ('api', 'cli')),
  actor           text NOT NULL,
  status          text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed')),
  started_at      timestamptz NOT NULL,
  finished_at     timestamptz,
  bytes           bigint NOT NULL DEFAULT 0,
  rows            integer NOT NULL DEFAULT 0,
  accepted        integer NOT NULL DEFAULT 0,
  held_reference  integer NOT NULL DEFAULT 0,
  rejected        integer NOT NULL DEFAULT 0,
  unchanged       integer NOT NULL DEFAULT 0,
  warned          integer NOT NULL DEFAULT 0,
  unknown_columns jsonb NOT NULL DEFAULT '[]',
  missing_columns jsonb NOT NULL DEFAULT '[]',
  error           text                  -- why a failed import stopped (the file could not be read as the type)
);
CREATE INDEX reporter_imports_started_idx ON reporter_imports (started_at DESC);

CREATE TABLE reporter_import_findings (
  import_id  bigint NOT NULL REFERENCES reporter_imports (id) ON DELETE CASCADE,
  kind       text NOT NULL CHECK (kind IN ('error', 'waiting', 'warning')),
  row_no     integer NOT NULL,
  record_id  text,
  field      text NOT NULL,
  code       text NOT NULL,
  message    text NOT NULL,             -- ID numbers masked
  ref        text                       -- waiting: the referenced record (ITEM implCode / INSPECTION recordId)
);
CREATE INDEX reporter_import_findings_idx ON reporter_import_findings (import_id, kind, row_no);
