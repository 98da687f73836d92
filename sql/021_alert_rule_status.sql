-- The last evaluation of each rule (written by the evaluating instance), so GET /api/alerts/rules shows it in every
-- process, whichever role it runs.
CREATE TABLE alert_rule_status (
  rule         text PRIMARY KEY,
  last_eval    timestamptz NOT NULL,
  duration_ms  double precision NOT NULL,
  active       integer NOT NULL,
  error        text
);
