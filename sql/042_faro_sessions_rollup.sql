-- Which sessions were seen in which hour, per app: counting distinct sessions over a day reads one row per session
-- and hour instead of every measurement, event and exception. Written by the receiver with the raw rows.
CREATE TABLE faro_sessions_1h (
  bucket      timestamptz NOT NULL,
  app         text NOT NULL,
  session_id  text NOT NULL,
  PRIMARY KEY (app, bucket, session_id)
);
SELECT create_hypertable('faro_sessions_1h', by_range('bucket', INTERVAL '30 days'));
