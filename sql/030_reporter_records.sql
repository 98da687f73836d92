-- Reporter intake: the records the city reports to the province (data-standard.md), as they arrived and as they are now.
-- Plain tables only (Apache-licensed TimescaleDB features), so the same SQL runs embedded and on the server.
-- Delivery (outbox, batches, receipts) lives in the delivery engineer's own tables (035-039), keyed by
-- (data_type, record_id) and, where it matters, the version that was sent.

-- One current row per record: the latest version, normalised, with its validation verdict.
--   status  pending         stored, not validated yet (e.g. picked up but the validator was not run)
--           valid           passes every rule: may be sent (op UPSERT)
--           invalid         at least one error other than E_REFERENCE: kept, never sent, until corrected or withdrawn
--           held_reference  only E_REFERENCE errors: re-checked on every run (a PENALTY may arrive before its INSPECTION)
--           withdrawn       op DELETE arrived: a DELETE is to be sent (if the province ever got it)
CREATE TABLE reporter_records (
  data_type        text NOT NULL CHECK (data_type IN ('ITEM', 'INSPECTION', 'PENALTY', 'OFFICER')),
  record_id        text NOT NULL CHECK (record_id ~ '^[A-Za-z0-9_-]{1,50}$'),
  version          integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  op               text NOT NULL DEFAULT 'UPSERT' CHECK (op IN ('UPSERT', 'DELETE')),
  status           text NOT NULL CHECK (status IN ('pending', 'valid', 'invalid', 'held_reference', 'withdrawn')),
  -- Normalised record (field names of data-standard.md; money as yuan strings "1234.56"; dates yyyy-MM-dd;
  -- updatedAt ISO 8601 with +08:00). For an invalid record: the input as far as it could be normalised.
  data             jsonb NOT NULL,
  errors           jsonb NOT NULL DEFAULT '[]',   -- ValidationError[] with severity 'error'
  warnings         jsonb NOT NULL DEFAULT '[]',   -- ValidationError[] with severity 'warning' (W_OFFICER)
  source           text NOT NULL CHECK (source IN ('api', 'import', 'staging')),
  first_arrived_at timestamptz NOT NULL,
  last_arrived_at  timestamptz NOT NULL,
  validated_at     timestamptz,
  -- The record's date for periods (checkDate, decisionDate, or updatedAt's date in UTC+8) and its reporting
  -- deadline (record_date + N working days). Delivered "on or before the deadline" = before deadline+1 00:00 +08:00.
  record_date      date,
  deadline         date,
  dept_code        text,
  impl_code        text,            -- ITEM: its own implCode; INSPECTION/PENALTY: the ITEM it points at
  inspection_ref   text,            -- PENALTY: the INSPECTION it came from
  content_hash     text NOT NULL,   -- sha256 of the normalised data: a re-send of identical data is not a new version
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (data_type, record_id)
);
CREATE INDEX reporter_records_status_idx ON reporter_records (status, data_type);
CREATE INDEX reporter_records_deadline_idx ON reporter_records (data_type, deadline);
CREATE INDEX reporter_records_date_idx ON reporter_records (data_type, record_date);
CREATE INDEX reporter_records_dept_idx ON reporter_records (dept_code, data_type);
CREATE INDEX reporter_records_arrived_idx ON reporter_records (last_arrived_at DESC);
CREATE INDEX reporter_records_impl_idx ON reporter_records (impl_code) WHERE impl_code IS NOT NULL;
CREATE INDEX reporter_records_inspref_idx ON reporter_records (inspection_ref) WHERE inspection_ref IS NOT NULL;

-- Every version of every record, with where and when it came from: the full history of changes.
CREATE TABLE reporter_record_versions (
  data_type   text NOT NULL,
  record_id   text NOT NULL,
  version     integer NOT NULL,
  op          text NOT NULL CHECK (op IN ('UPSERT', 'DELETE')),
  source      text NOT NULL CHECK (source IN ('api', 'import', 'staging')),
  arrived_at  timestamptz NOT NULL,
  received_by text,                 -- user / token name, import file name, or 'staging'
  status      text NOT NULL,        -- the verdict this version got when it arrived
  data        jsonb NOT NULL,
  errors      jsonb NOT NULL DEFAULT '[]',
  warnings    jsonb NOT NULL DEFAULT '[]',
  content_hash text NOT NULL,
  PRIMARY KEY (data_type, record_id, version),
  FOREIGN KEY (data_type, record_id) REFERENCES reporter_records (data_type, record_id) ON DELETE CASCADE
);
CREATE INDEX reporter_record_versions_arrived_idx ON reporter_record_versions (arrived_at DESC);

-- Input that cannot be keyed (no usable recordId, not an object): kept here so that nothing is ever dropped.
CREATE TABLE reporter_intake_rejects (
  id          bigserial PRIMARY KEY,
  data_type   text NOT NULL,
  source      text NOT NULL CHECK (source IN ('api', 'import', 'staging')),
  arrived_at  timestamptz NOT NULL,
  received_by text,
  row_no      integer,             -- line / row of an import file, index of an API array
  payload     jsonb NOT NULL,
  errors      jsonb NOT NULL
);
CREATE INDEX reporter_intake_rejects_arrived_idx ON reporter_intake_rejects (arrived_at DESC);

-- Written directly by the city sharing platform (数据共享交换平台). The reporter's ingestStaging(db) picks up every
-- row with picked_up_at IS NULL on each run, in id order, and stamps picked_up_at and the outcome.
--   data_type  'ITEM' | 'INSPECTION' | 'PENALTY' | 'OFFICER'
--   record_id  the record's id (must equal payload.recordId when that is given)
--   payload    the record as JSON with the field names of data-standard.md (ignored for op DELETE)
--   op         'UPSERT' (new or correction) or 'DELETE' (withdraw)
CREATE TABLE reporter_staging (
  id             bigserial PRIMARY KEY,
  data_type      text NOT NULL,
  record_id      text NOT NULL,
  payload        jsonb NOT NULL DEFAULT '{}',
  op             text NOT NULL DEFAULT 'UPSERT',
  written_at     timestamptz NOT NULL DEFAULT now(),
  picked_up_at   timestamptz,
  pickup_outcome text              -- accepted | rejected | held_reference | withdrawn | unchanged | unknown_record
);
CREATE INDEX reporter_staging_pending_idx ON reporter_staging (id) WHERE picked_up_at IS NULL;
