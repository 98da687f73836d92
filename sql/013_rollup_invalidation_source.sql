-- Late ranges name the raw table they were written to, so the database jobs re-aggregate exactly the rollups of that
-- table (core/db/jobs.ts knows no table: the areas declare their rollups). Until now only probe results had rollups.
ALTER TABLE rollup_invalidations ADD COLUMN source text NOT NULL DEFAULT 'probe_results';
