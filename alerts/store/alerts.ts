import { likeAnywhere } from '../../core/input';
import type { Db, Queryable } from '../../core/db';
import type { AlertRecord, AlertStateName, Labels, Severity } from '../model';
import type { StepResult } from '../state';

/**
 * The alerts table (one row per occurrence) and its transitions (alert_events): what the engine writes each round
 * and what the API reads. Times are ms since the epoch.
 */

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

export interface AlertFilter {
  states?: AlertStateName[];
  severities?: Severity[];
  moduleId?: string;
  team?: string;
  targetId?: string;
  rule?: string;
  /** Alerts active at some point of [from, to). */
  from?: number;
  to?: number;
  /** Acknowledged (true) or not (false). */
  acked?: boolean;
  /** Free text: part of the rule, summary, target, module or fingerprint. */
  q?: string;
  /** state: firing, pending, resolved, then severity, newest first (the default); severity; startsAt; rule. */
  sort?: { key: AlertSortKey; desc: boolean };
  limit: number;
  offset: number;
}

export const ALERT_SORTS = ['state', 'severity', 'startsAt', 'rule'] as const;
export type AlertSortKey = (typeof ALERT_SORTS)[number];
const STATE_RANK = `CASE state WHEN 'firing' THEN 0 WHEN 'pending' THEN 1 ELSE 2 END`;
const SEVERITY_RANK = `CASE severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END`;

/** A page of alerts (by default firing first, then pending, then resolved; by severity; newest first. */
export async function listAlerts(db: Queryable, f: AlertFilter): Promise<{ total: number; items: AlertRecord[] }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (f.states?.length) add('state = ANY(?::text[])', f.states);
  if (f.severities?.length) add('severity = ANY(?::text[])', f.severities);
  if (f.moduleId) add('module_id = ?', f.moduleId);
  if (f.team) add('team = ?', f.team);
  if (f.targetId) add('target_id = ?', f.targetId);
  if (f.rule) add('rule = ?', f.rule);
  // An alert belongs to [from, to) when it was active at some point of it.
  if (f.from !== undefined) add(`coalesce(ends_at, 'infinity'::timestamptz) >= ?`, new Date(f.from));
  if (f.to !== undefined) add('active_at < ?', new Date(f.to));
  if (f.acked !== undefined) where.push(f.acked ? 'ack_at IS NOT NULL' : 'ack_at IS NULL');
  if (f.q) {
    params.push(likeAnywhere(f.q));
    const p = `$${params.length}`;
    where.push(`(rule ILIKE ${p} ESCAPE '\\' OR annotations->>'summary' ILIKE ${p} ESCAPE '\\' OR target_id ILIKE ${p} ESCAPE '\\' OR module_id ILIKE ${p} ESCAPE '\\' OR fingerprint ILIKE ${p} ESCAPE '\\')`);
  }
  const sort = f.sort ?? { key: 'state', desc: false };
  const d = sort.desc ? 'DESC' : 'ASC';
  const newest = `coalesce(starts_at, active_at) DESC, id DESC`;
  const order = {
    state: `${STATE_RANK} ${d}, ${SEVERITY_RANK}, ${newest}`,
    severity: `${SEVERITY_RANK} ${d}, ${STATE_RANK}, ${newest}`,
    startsAt: `coalesce(starts_at, active_at) ${d}, id ${d}`,
    rule: `rule ${d}, ${newest}`,
  }[sort.key];
  const cond = where.length ? 'WHERE ' + where.join(' AND ') : '';
  const [r, n] = await Promise.all([
    db.query(`SELECT * FROM alerts ${cond} ORDER BY ${order} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`, [...params, f.limit, f.offset]),
    db.query<{ n: number }>(`SELECT count(*)::int AS n FROM alerts ${cond}`, params),
  ]);
  return { total: Number(n.rows[0]?.n ?? 0), items: r.rows.map(rowToAlert) };
}

export async function getAlert(db: Queryable, id: number): Promise<AlertRecord | null> {
  const row = (await db.query('SELECT * FROM alerts WHERE id = $1', [id])).rows[0];
  return row ? rowToAlert(row) : null;
}

/** The firing alerts' identities: the possible sources of an inhibition. */
export async function firingAlerts(db: Queryable): Promise<{ fingerprint: string; labels: Labels }[]> {
  const r = await db.query<{ fingerprint: string; labels: Labels }>(`SELECT fingerprint, labels FROM alerts WHERE state = 'firing'`);
  return r.rows.map((x) => ({ fingerprint: String(x.fingerprint), labels: x.labels }));
}

/** Open alerts per rule: rule name → pending and firing counts. */
export async function openCountsByRule(db: Queryable): Promise<Map<string, { pending: number; firing: number }>> {
  const r = await db.query<{ rule: string; state: string; n: number }>(`SELECT rule, state, count(*)::int AS n FROM alerts WHERE state IN ('pending', 'firing') GROUP BY rule, state`);
  const out = new Map<string, { pending: number; firing: number }>();
  for (const x of r.rows) {
    const c = out.get(x.rule) ?? { pending: 0, firing: 0 };
    if (x.state === 'pending') c.pending = Number(x.n);
    else c.firing = Number(x.n);
    out.set(x.rule, c);
  }
  return out;
}

/** Records an acknowledgement on the alert and as an event, together. */
export async function acknowledgeAlert(db: Db, a: AlertRecord & { id: number }, who: string, comment: string, now: number): Promise<void> {
  await db.tx(async (q) => {
    await q.query('UPDATE alerts SET ack_by = $2, ack_at = $3, ack_comment = $4 WHERE id = $1', [a.id, who, new Date(now), comment]);
    await q.query(`INSERT INTO alert_events (ts, alert_id, fingerprint, rule, from_state, to_state, actor, message) VALUES ($1, $2, $3, $4, $5, 'acknowledged', $6, $7)`,
      [new Date(now), a.id, a.fingerprint, a.rule, a.state, who, comment]);
  });
}

/** A transition or acknowledgement (alert_events). */
export interface AlertEventRecord {
  ts: number;
  alertId: number | null;
  fingerprint: string;
  rule: string;
  from: string | null;
  to: string;
  value: number | null;
  actor: string | null;
  message: string;
}

function rowToEvent(e: Record<string, unknown>): AlertEventRecord {
  return {
    ts: t(e.ts)!, alertId: e.alert_id == null ? null : Number(e.alert_id), fingerprint: String(e.fingerprint), rule: String(e.rule),
    from: (e.from_state as string) ?? null, to: String(e.to_state), value: e.value == null ? null : Number(e.value),
    actor: (e.actor as string) ?? null, message: String(e.message ?? ''),
  };
}

/** One alert's newest events. */
export async function alertEvents(db: Queryable, alertId: number, limit = 200): Promise<AlertEventRecord[]> {
  const r = await db.query('SELECT ts, alert_id, fingerprint, rule, from_state, to_state, value, actor, message FROM alert_events WHERE alert_id = $1 ORDER BY ts DESC LIMIT $2', [alertId, limit]);
  return r.rows.map(rowToEvent);
}

/** A page of every alert's events in [from, to), newest first. */
export async function listHistory(db: Queryable, f: { from: number; to: number; rule?: string; alertId?: number; limit: number; offset: number }): Promise<{ total: number; items: AlertEventRecord[] }> {
  const rows = (await db.query(
    `SELECT ts, alert_id, fingerprint, rule, from_state, to_state, value, actor, message, count(*) OVER () AS total FROM alert_events
      WHERE ts >= $1 AND ts < $2 AND ($3::text IS NULL OR rule = $3) AND ($4::bigint IS NULL OR alert_id = $4)
      ORDER BY ts DESC LIMIT $5 OFFSET $6`,
    [new Date(f.from), new Date(f.to), f.rule ?? null, f.alertId ?? null, f.limit, f.offset],
  )).rows;
  return { total: Number(rows[0]?.total ?? 0), items: rows.map(rowToEvent) };
}
