-- Per-module availability over the long windows (7 d, 30 d), recomputed from the 1-hour rollup at most once a
-- minute, so the overview reads a handful of rows instead of summing every target's hours on every page load.
CREATE TABLE module_availability (
  module_id   text NOT NULL,
  win         text NOT NULL CHECK (win IN ('7d', '30d')),
  ok          bigint NOT NULL,
  n           bigint NOT NULL,
  computed_at timestamptz NOT NULL,
  PRIMARY KEY (module_id, win)
);
