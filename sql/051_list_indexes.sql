-- Lists that work at 10,000 targets (issue #13, README "Lists"): every list filters and sorts in the database and
-- counts with the same WHERE. These indexes serve the filters and sort keys the lists offer; a free-text search
-- (?q=) is a substring match (ILIKE) over a few thousand rows, which a scan answers in milliseconds.
CREATE INDEX IF NOT EXISTS targets_active_module_idx ON targets (module_id, id) WHERE active;
CREATE INDEX IF NOT EXISTS targets_active_name_idx ON targets (name, id) WHERE active;
CREATE INDEX IF NOT EXISTS targets_type_idx ON targets (type) WHERE active;
CREATE INDEX IF NOT EXISTS targets_tags_idx ON targets USING gin (tags jsonb_path_ops);
CREATE INDEX IF NOT EXISTS target_state_since_idx ON target_state (since);

CREATE INDEX IF NOT EXISTS alerts_team_idx ON alerts (team, state);
CREATE INDEX IF NOT EXISTS alerts_severity_idx ON alerts (severity, state);
CREATE INDEX IF NOT EXISTS alerts_target_idx ON alerts (target_id);
CREATE INDEX IF NOT EXISTS alerts_rule_idx ON alerts (rule);

CREATE INDEX IF NOT EXISTS incidents_open_started_idx ON incidents (started_at DESC) WHERE ended_at IS NULL;

CREATE INDEX IF NOT EXISTS silences_created_idx ON silences (created_at DESC);
CREATE INDEX IF NOT EXISTS silences_team_idx ON silences (team, created_at DESC);

CREATE INDEX IF NOT EXISTS audit_log_action_idx ON audit_log (action, ts DESC);
CREATE INDEX IF NOT EXISTS audit_log_target_idx ON audit_log (target, ts DESC);

-- What ?q= searches in a target (id, name, address), lower-cased once per write instead of three ILIKEs per row and
-- request. Generated: the config sync and every other writer stay unaware of it.
ALTER TABLE targets ADD COLUMN IF NOT EXISTS search_text text
  GENERATED ALWAYS AS (lower(id || ' ' || name || ' ' || coalesce(spec->>'url', spec->>'host', ''))) STORED;
