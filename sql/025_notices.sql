-- 通报 (security notices): a security user turns an alert, or an external warning entered by hand (网信办, 公安,
-- CNCERT, a vendor), into a numbered notice to the responsible department; the department's contact acknowledges it
-- and submits 整改反馈 (rectification feedback, with attachments); security closes it or sends it back. Every step is
-- a row of notice_events (and an audit_log entry); overdue notices are reminded through the alert channels by the
-- notice_overdue rule.

-- A department's contact: the new role `department`, with the department it answers for.
ALTER TABLE users ADD COLUMN department text;
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('admin', 'ops', 'security', 'regulator', 'department'));
ALTER TABLE users ADD CONSTRAINT users_department_check CHECK (role <> 'department' OR department IS NOT NULL);

-- Numbers run per year (〔2026〕12号): the counter row is locked while a notice is issued, so two issuers never share one.
CREATE TABLE notice_counters (
  year  integer PRIMARY KEY,
  last  integer NOT NULL
);

CREATE TABLE notices (
  id                bigserial PRIMARY KEY,
  number            text NOT NULL UNIQUE,
  year              integer NOT NULL,
  seq               integer NOT NULL,
  title             text NOT NULL,
  level             text NOT NULL CHECK (level IN ('low', 'medium', 'high', 'critical')),
  source            text NOT NULL CHECK (source IN ('alert', 'cac', 'police', 'cncert', 'vendor', 'other')),
  source_ref        text NOT NULL DEFAULT '',
  alert_id          bigint REFERENCES alerts (id),
  module_id         text,
  department        text NOT NULL,
  affected_systems  text[] NOT NULL DEFAULT '{}',
  description       text NOT NULL,
  requirement       text NOT NULL DEFAULT '',
  status            text NOT NULL CHECK (status IN ('issued', 'acknowledged', 'submitted', 'returned', 'closed')),
  deadline          timestamptz NOT NULL,
  issued_by         text NOT NULL,
  issued_at         timestamptz NOT NULL,
  acknowledged_by   text,
  acknowledged_at   timestamptz,
  submitted_at      timestamptz,
  closed_by         text,
  closed_at         timestamptz,
  updated_at        timestamptz NOT NULL
);
CREATE INDEX notices_department_idx ON notices (department, issued_at DESC);
CREATE INDEX notices_open_deadline_idx ON notices (deadline) WHERE status <> 'closed';
CREATE INDEX notices_issued_idx ON notices (issued_at DESC);
CREATE INDEX notices_alert_idx ON notices (alert_id) WHERE alert_id IS NOT NULL;

CREATE TABLE notice_events (
  id         bigserial PRIMARY KEY,
  notice_id  bigint NOT NULL REFERENCES notices (id),
  at         timestamptz NOT NULL,
  actor      text NOT NULL,
  role       text,
  action     text NOT NULL CHECK (action IN ('issued', 'acknowledged', 'feedback', 'returned', 'closed')),
  comment    text NOT NULL DEFAULT ''
);
CREATE INDEX notice_events_notice_idx ON notice_events (notice_id, at);

-- Attachments of a feedback, kept in the database beside it (bounded in size by the API) so a backup holds them.
CREATE TABLE notice_attachments (
  id            bigserial PRIMARY KEY,
  notice_id     bigint NOT NULL REFERENCES notices (id),
  event_id      bigint NOT NULL REFERENCES notice_events (id),
  filename      text NOT NULL,
  content_type  text NOT NULL,
  size          integer NOT NULL,
  sha256        text NOT NULL,
  content       bytea NOT NULL
);
CREATE INDEX notice_attachments_notice_idx ON notice_attachments (notice_id);
