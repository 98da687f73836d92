-- DNS answers that cannot heal themselves (issue #12): a DNS target without a pinned `expect` list compares its answers
-- with an approved baseline, not with the previous run. The answers seen first are adopted as the baseline
-- (approved_by '(首次解析)', i.e. trust on first use, shown as such); any other answer set is dns_changed on every
-- probe until the answers return or a security user approves the new set with a reason. Every baseline ever held
-- stays in dns_baseline_history (who, when, why, which answers it replaced).
CREATE TABLE dns_baselines (
  target_id    text PRIMARY KEY,
  record_type  text NOT NULL,
  answers      jsonb NOT NULL,
  approved_by  text NOT NULL,
  approved_at  timestamptz NOT NULL,
  reason       text NOT NULL,
  first_seen   boolean NOT NULL DEFAULT false
);

CREATE TABLE dns_baseline_history (
  id           bigserial PRIMARY KEY,
  target_id    text NOT NULL,
  record_type  text NOT NULL,
  answers      jsonb NOT NULL,
  previous     jsonb,
  approved_by  text NOT NULL,
  approved_at  timestamptz NOT NULL,
  reason       text NOT NULL,
  first_seen   boolean NOT NULL DEFAULT false
);
CREATE INDEX dns_baseline_history_target_idx ON dns_baseline_history (target_id, approved_at DESC);
