-- Web-vital histograms per hour, app, page and metric, so that p75 over days and months reads a small table instead
-- of every raw measurement. Percentiles do not add up across hours and pages, histogram counts do: values fall in
-- logarithmic bins 4 % wide (collector/faro/histogram.ts), and p75 is read off the cumulative counts, within 4 %.
-- Maintained by the receiver in the same transaction as the raw rows (no background job: the same on both builds).
CREATE TABLE faro_vitals_1h (
  bucket    timestamptz NOT NULL,
  app       text NOT NULL,
  page_url  text NOT NULL DEFAULT '',
  name      text NOT NULL,
  bin       integer NOT NULL,
  n         bigint NOT NULL,
  PRIMARY KEY (app, name, page_url, bucket, bin)
);
SELECT create_hypertable('faro_vitals_1h', by_range('bucket', INTERVAL '30 days'));
CREATE INDEX faro_vitals_1h_name_idx ON faro_vitals_1h (name, bucket DESC);
