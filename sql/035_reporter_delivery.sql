-- Reporter delivery: the outbox (batches written with their exact body before they are sent), per-record delivery
-- state, the correction queue, every attempt (hypertable), runs and reconciliation results.
-- Plain tables and hypertables only, so the same SQL runs on the embedded database and on Debian's Apache build.

-- One batch = one upload with one batchId. The body is stored before the first attempt, so a crash at any moment
-- resumes the same id with the same bytes and the gateway's idempotency prevents a duplicate.
--   status  pending     written, no final answer yet (resend / poll on the next run)
--           processing  the gateway took it, its receipt said PROCESSING: poll
--           done        a receipt with every record's verdict
--           failed      a permanent refusal (4xx other than 429): records go back to the outbox
CREATE TABLE report_batches (
  batch_id        text PRIMARY KEY,
  region_code     text NOT NULL,
  day             text NOT NULL,              -- yyyyMMdd (UTC+8) of creation; part of batch_id
  seq             integer NOT NULL,
  data_type       text NOT NULL,
  adapter         text NOT NULL,
  run_id          bigint,
  created_at      timestamptz NOT NULL,
  status          text NOT NULL CHECK (status IN ('pending', 'processing', 'done', 'failed')),
  record_count    integer NOT NULL,
  body_bytes      integer NOT NULL,
  body            text NOT NULL,
  attempts        integer NOT NULL DEFAULT 0,
  first_answer_at timestamptz,                -- the gateway's first answer taking the batch (= delivery time)
  finished_at     timestamptz,
  receipt_id      text,
  receipt         jsonb,
  accepted        integer,
  rejected        integer,
  last_error      text,
  UNIQUE (region_code, day, seq)
);
CREATE INDEX report_batches_open_idx ON report_batches (created_at) WHERE status IN ('pending', 'processing');
CREATE INDEX report_batches_created_idx ON report_batches (created_at DESC);

-- Which record version each batch carries.
CREATE TABLE report_batch_items (
  batch_id   text NOT NULL REFERENCES report_batches (batch_id) ON DELETE CASCADE,
  data_type  text NOT NULL,
  record_id  text NOT NULL,
  version    integer NOT NULL,
  op         text NOT NULL CHECK (op IN ('UPSERT', 'DELETE')),
  verdict    text CHECK (verdict IN ('accepted', 'rejected')),
  PRIMARY KEY (batch_id, data_type, record_id)
);
CREATE INDEX report_batch_items_record_idx ON report_batch_items (data_type, record_id);

-- Delivery state of each record (data_type, record_id of reporter_records).
--   queued_*    the latest version/op put into a batch (the outbox skips a record whose current version is queued)
--   accepted_*  the latest version/op a receipt accepted: "reported"
--   rejected_*  the latest version a receipt rejected, with the gateway's errors (the correction queue)
CREATE TABLE report_deliveries (
  data_type           text NOT NULL,
  record_id           text NOT NULL,
  queued_version      integer,
  queued_op           text,
  queued_batch        text,
  first_delivered_at  timestamptz,            -- first answer of the gateway to a batch carrying this record (及时率)
  first_verdict       text,                   -- verdict on the first delivery (准确率)
  delivered_count     integer NOT NULL DEFAULT 0,
  accepted_version    integer,
  accepted_op         text,
  accepted_at         timestamptz,
  accepted_batch      text,
  rejected_version    integer,
  rejected_at         timestamptz,
  rejected_batch      text,
  rejected_errors     jsonb,
  PRIMARY KEY (data_type, record_id)
);
CREATE INDEX report_deliveries_rejected_idx ON report_deliveries (rejected_at DESC) WHERE rejected_version IS NOT NULL;

-- Every attempt at every request to the gateway: the batch log.
CREATE TABLE report_attempts (
  time         timestamptz NOT NULL,
  batch_id     text,
  kind         text NOT NULL,                 -- upload | receipt | count
  attempt      integer NOT NULL,
  request_id   text,
  http_status  integer,
  outcome      text NOT NULL,                 -- receipt | processing | transient | permanent | error
  error        text,
  duration_ms  integer NOT NULL,
  receipt      jsonb
);
SELECT create_hypertable('report_attempts', by_range('time', INTERVAL '7 days'));
CREATE INDEX report_attempts_batch_idx ON report_attempts (batch_id, time DESC);

-- Each run of the reporter (scheduled, manual, CLI), with what it did.
CREATE TABLE report_runs (
  id           bigserial PRIMARY KEY,
  kind         text NOT NULL,                 -- incremental | full | reconcile | dry-run
  trigger      text NOT NULL,                 -- schedule | api | cli | start
  actor        text,
  started_at   timestamptz NOT NULL,
  finished_at  timestamptz,
  status       text NOT NULL CHECK (status IN ('running', 'ok', 'partial', 'failed')),
  stats        jsonb NOT NULL DEFAULT '{}',
  error        text
);
CREATE INDEX report_runs_started_idx ON report_runs (started_at DESC);

-- Reconciliation: per type and period, what the city holds live and valid vs. the province's count.
CREATE TABLE report_reconciliations (
  id             bigserial PRIMARY KEY,
  run_id         bigint,
  checked_at     timestamptz NOT NULL,
  data_type      text NOT NULL,
  period_from    date NOT NULL,
  period_to      date NOT NULL,                -- exclusive
  city_count     integer NOT NULL,
  province_count integer,
  match          boolean NOT NULL,
  error          text
);
CREATE INDEX report_reconciliations_checked_idx ON report_reconciliations (checked_at DESC, data_type);
