-- The 前端体验 page's 日志与事件 lists (GET /api/collector/faro/logs and /events, README "浏览器监测"): each filter
-- the lists offer (app, level or event name, page, session) with the time range and the newest-first sort behind it.
-- A free-text ?q= is a substring match (ILIKE) over the rows the other filters and the time range leave; the time
-- range alone uses the (ts DESC) index create_hypertable made.
CREATE INDEX IF NOT EXISTS faro_logs_level_idx ON faro_logs (app, level, ts DESC);
CREATE INDEX IF NOT EXISTS faro_logs_session_idx ON faro_logs (session_id, ts DESC);
CREATE INDEX IF NOT EXISTS faro_logs_page_idx ON faro_logs (page_url, ts DESC);
CREATE INDEX IF NOT EXISTS faro_events_name_idx ON faro_events (name, ts DESC);
CREATE INDEX IF NOT EXISTS faro_events_session_idx ON faro_events (session_id, ts DESC);
CREATE INDEX IF NOT EXISTS faro_events_page_idx ON faro_events (page_url, ts DESC);
