-- Trust on first use (网页防篡改): a content target without an approved baseline takes its first clean capture as a
-- *provisional* baseline (未确认基线), compared against like an approved one until a security/ops user confirms it or
-- approves another page. approved_by of a provisional row is the collector ('首次采集'), approved_at the capture's time.
ALTER TABLE content_baselines ADD COLUMN provisional boolean NOT NULL DEFAULT false;
