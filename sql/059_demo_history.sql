-- The demo's simulated history (collector.demoHistoryDays, docs/collector.md "Demo history"): one row once the
-- simulated results are written and the rollups refreshed. Its presence is what keeps a restart from seeding again,
-- and what the pages show as 演示数据.
CREATE TABLE IF NOT EXISTS demo_history (
  id         boolean PRIMARY KEY DEFAULT true CHECK (id),
  from_ts    timestamptz NOT NULL,
  to_ts      timestamptz NOT NULL,
  days       integer NOT NULL,
  targets    integer NOT NULL,
  results    bigint NOT NULL,
  incidents  integer NOT NULL,
  seeded_at  timestamptz NOT NULL DEFAULT now(),
  took_ms    integer NOT NULL
);
