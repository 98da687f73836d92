import type { Db, Queryable } from '../core/db';
import type { AlertRecord } from './model';
import type { StepResult } from './state';

const t = (v: unknown): number | null => (v == null ? null : new Date(v as string).getTime());
const d = (v: number | null | undefined) => (v == null ? null : new Date(v));

export function rowToAlert(r: Record<string, unknown>): AlertRecord {
  return {
    id: Number(r.id),
    fingerprint: String(r.fingerprint),
    rule: String(r.rule),
    ruleType: String(r.rule_type),
    labels: r.labels as Record<string, string>,
    annotations: (r.annotations as Record<string, string>) ?? {},
    severity: r.severity as AlertRecord['severity'],
    team: String(r.team),
    moduleId: (r.module_id as string) ?? null,
    targetId: (r.target_id as string) ?? null,
    state: r.state as AlertRecord['state'],
    value: r.value == null ? null : Number(r.value),
    activeAt: t(r.active_at)!,
    startsAt: t(r.starts_at),
    endsAt: t(r.ends_at),
    lastEval: t(r.last_eval)!,
    ackBy: (r.ack_by as string) ?? null,
    ackAt: t(r.ack_at),
    ackComment: (r.ack_comment as string) ?? null,
  };
}

/** Pending and firing alerts: the state a restarted leader continues from. */
export async function loadOpenAlerts(db: Queryable): Promise<AlertRecord[]> {
  const r = await db.query(`SELECT * FROM alerts WHERE state IN ('pending', 'firing')`);
  return r.rows.map(rowToAlert);
}

/**
 * Alerts the notifier works on: firing, and resolved within `resolvedWithinMs` that have fired (their resolved
 * notification may still be due).
 */
export async function loadNotifiable(db: Queryable, now: number, resolvedWithinMs: number): Promise<AlertRecord[]> {
  const r = await db.query(
    `SELECT * FROM alerts WHERE state = 'firing' OR (state = 'resolved' AND starts_at IS NOT NULL AND ends_at > $1)`,
    [new Date(now - resolvedWithinMs)],
  );
  return r.rows.map(rowToAlert);
}

/** Writes one evaluation's changes and their transitions in one transaction. */
export async function saveStep(db: Db, res: StepResult, now: number): Promise<void> {
  if (res.changed.length === 0 && res.dropped.length === 0 && res.touched.length === 0) return;
  await db.tx(async (q) => {
    if (res.touched.length > 0) await q.query(`UPDATE alerts SET last_eval = $1 WHERE id = ANY($2::bigint[])`, [new Date(now), res.touched.map((a) => a.id)]);
    const fresh = res.changed.filter((a) => a.id === undefined);
    const old = res.changed.filter((a) => a.id !== undefined);
    if (fresh.length > 0) {
      const ins = await q.query<{ id: number; fingerprint: string }>(
        `INSERT INTO alerts (fingerprint, rule, rule_type, labels, annotations, severity, team, module_id, target_id, state, value,
                             active_at, starts_at, ends_at, last_eval)
         SELECT fingerprint, rule, rule_type, labels, annotations, severity, team, module_id, target_id, state, value,
                active_at, starts_at, ends_at, last_eval
           FROM jsonb_to_recordset($1::jsonb) AS x(fingerprint text, rule text, rule_type text, labels jsonb, annotations jsonb,
                severity text, team text, module_id text, target_id text, state text, value float8, active_at timestamptz,
                starts_at timestamptz, ends_at timestamptz, last_eval timestamptz)
         RETURNING id, fingerprint`,
        [JSON.stringify(fresh.map((a) => ({ fingerprint: a.fingerprint, rule: a.rule, rule_type: a.ruleType, labels: a.labels, annotations: a.annotations,
          severity: a.severity, team: a.team, module_id: a.moduleId, target_id: a.targetId, state: a.state, value: a.value,
          active_at: d(a.activeAt), starts_at: d(a.startsAt), ends_at: d(a.endsAt), last_eval: d(a.lastEval) })))],
      );
      const ids = new Map(ins.rows.map((r) => [r.fingerprint, Number(r.id)]));
      for (const a of fresh) a.id = ids.get(a.fingerprint);
    }
    // Held alerts only refresh value/annotations/last_eval: one statement for all of them.
    if (old.length > 0) {
      await q.query(
        `UPDATE alerts a SET state = u.state, value = u.value, annotations = u.annotations, starts_at = u.starts_at,
                ends_at = u.ends_at, last_eval = u.last_eval
           FROM jsonb_to_recordset($1::jsonb) AS u(id bigint, state text, value float8, annotations jsonb,
                starts_at timestamptz, ends_at timestamptz, last_eval timestamptz)
          WHERE a.id = u.id`,
        [JSON.stringify(old.map((a) => ({ id: a.id, state: a.state, value: a.value, annotations: a.annotations,
          starts_at: d(a.startsAt), ends_at: d(a.endsAt), last_eval: d(a.lastEval) })))],
      );
    }
    if (res.dropped.length > 0) await q.query(`DELETE FROM alerts WHERE id = ANY($1::bigint[])`, [res.dropped.map((a) => a.id)]);
    if (res.transitions.length > 0) {
      await q.query(
        `INSERT INTO alert_events (ts, alert_id, fingerprint, rule, from_state, to_state, value, message)
         SELECT $1, e.alert_id, e.fingerprint, e.rule, e.from_state, e.to_state, e.value, e.message
           FROM jsonb_to_recordset($2::jsonb) AS e(alert_id bigint, fingerprint text, rule text, from_state text, to_state text, value float8, message text)`,
        [new Date(now), JSON.stringify(res.transitions.map((tr) => ({ alert_id: tr.alert.id ?? null, fingerprint: tr.alert.fingerprint, rule: tr.alert.rule,
          from_state: tr.from, to_state: tr.to, value: tr.alert.value, message: tr.alert.annotations.summary ?? '' })))],
      );
    }
  });
}

/** Resolved occurrences older than the history's retention (alert_events keeps their transitions as long). */
export async function pruneResolved(db: Queryable, olderThan: number): Promise<void> {
  await db.query(`DELETE FROM alerts WHERE state = 'resolved' AND ends_at < $1`, [new Date(olderThan)]);
}

export interface RuleStatusRow {
  rule: string;
  lastEval: number;
  durationMs: number;
  active: number;
  error?: string;
}

/** One statement per evaluation: the status of every rule. */
export async function saveRuleStatus(db: Queryable, rows: RuleStatusRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO alert_rule_status (rule, last_eval, duration_ms, active, error)
     SELECT rule, last_eval, duration_ms, active, error FROM jsonb_to_recordset($1::jsonb)
       AS x(rule text, last_eval timestamptz, duration_ms float8, active int, error text)
     ON CONFLICT (rule) DO UPDATE SET last_eval = EXCLUDED.last_eval, duration_ms = EXCLUDED.duration_ms, active = EXCLUDED.active, error = EXCLUDED.error`,
    [JSON.stringify(rows.map((r) => ({ rule: r.rule, last_eval: new Date(r.lastEval), duration_ms: r.durationMs, active: r.active, error: r.error ?? null })))],
  );
}

export async function loadRuleStatus(db: Queryable): Promise<Map<string, RuleStatusRow>> {
  const r = await db.query('SELECT rule, last_eval, duration_ms, active, error FROM alert_rule_status');
  return new Map(r.rows.map((x) => [String(x.rule), { rule: String(x.rule), lastEval: new Date(x.last_eval as string).getTime(), durationMs: Number(x.duration_ms), active: Number(x.active), error: (x.error as string) ?? undefined }]));
}
