-- Live events for open dashboards (GET /api/events, core/events.ts): every change a page shows at once is announced
-- by the database itself, on channel city_ops_live, when its transaction commits (NOTIFY is transactional; a rolled
-- back write announces nothing). So whichever process writes — the collector, the alert evaluator, the reporter, an
-- API request, a CLI import — every process that serves HTTP hears it through its one LISTEN connection, with no
-- polling and no code in the areas. Payloads are small JSON objects (NOTIFY allows 8000 bytes): what changed and
-- what a reader needs to decide who may see it (the notice's department), never error texts or personal data.

-- A target's state (unknown/up/degraded/down): on its first row and whenever the state itself changes; the probe
-- upsert that only moves last_ts announces nothing.
CREATE FUNCTION live_target_state() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('city_ops_live', json_build_object('topic', 'target', 'id', NEW.target_id, 'state', NEW.state,
    'module', (SELECT module_id FROM targets WHERE id = NEW.target_id))::text);
  RETURN NULL;
END $$;
CREATE TRIGGER target_state_live_insert AFTER INSERT ON target_state FOR EACH ROW EXECUTE FUNCTION live_target_state();
CREATE TRIGGER target_state_live_update AFTER UPDATE ON target_state FOR EACH ROW
  WHEN (OLD.state IS DISTINCT FROM NEW.state) EXECUTE FUNCTION live_target_state();

-- Alerts: a new occurrence, a change of state (pending → firing → resolved), an acknowledgement.
CREATE FUNCTION live_alert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('city_ops_live', json_build_object('topic', 'alert', 'id', NEW.id, 'state', NEW.state,
    'change', CASE WHEN TG_OP = 'INSERT' THEN 'new' WHEN OLD.state IS DISTINCT FROM NEW.state THEN 'state' ELSE 'ack' END,
    'module', NEW.module_id)::text);
  RETURN NULL;
END $$;
CREATE TRIGGER alerts_live_insert AFTER INSERT ON alerts FOR EACH ROW EXECUTE FUNCTION live_alert();
CREATE TRIGGER alerts_live_update AFTER UPDATE ON alerts FOR EACH ROW
  WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.ack_at IS DISTINCT FROM NEW.ack_at) EXECUTE FUNCTION live_alert();

-- Report runs: started, finished (ok/partial/failed).
CREATE FUNCTION live_report_run() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('city_ops_live', json_build_object('topic', 'report', 'id', NEW.id, 'kind', NEW.kind, 'status', NEW.status)::text);
  RETURN NULL;
END $$;
CREATE TRIGGER report_runs_live_insert AFTER INSERT ON report_runs FOR EACH ROW EXECUTE FUNCTION live_report_run();
CREATE TRIGGER report_runs_live_update AFTER UPDATE ON report_runs FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION live_report_run();

-- 通报: issued, and every step of its life (acknowledged, feedback, returned, closed). The department decides who
-- hears it: a department user only its own.
CREATE FUNCTION live_notice() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('city_ops_live', json_build_object('topic', 'notice', 'id', NEW.id, 'status', NEW.status, 'department', NEW.department)::text);
  RETURN NULL;
END $$;
CREATE TRIGGER notices_live_insert AFTER INSERT ON notices FOR EACH ROW EXECUTE FUNCTION live_notice();
CREATE TRIGGER notices_live_update AFTER UPDATE ON notices FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.updated_at IS DISTINCT FROM NEW.updated_at) EXECUTE FUNCTION live_notice();
