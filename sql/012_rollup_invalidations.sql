-- Late probe results: ranges written below what the rollups already hold (journal replay after an outage, a
-- back-fill). The writer adds one row per late batch in the same transaction as the results; the maintenance pass
-- re-aggregates each range into probe_results_1m/1h and then deletes the rows it handled (core/db/jobs.ts). The
-- same on both TimescaleDB builds: the Apache build's watermark refresh looks back only a margin, and a continuous
-- aggregate's refresh policy only over its start_offset, so neither would pick such results up by itself.
CREATE TABLE rollup_invalidations (
  id          bigserial PRIMARY KEY,
  from_ts     timestamptz NOT NULL,
  to_ts       timestamptz NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
