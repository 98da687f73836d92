import { Hono } from 'hono';
import { auditFrom, httpError, page, readJson, requirePermission, type AppEnv } from '../../core/http';
import type { AlertsContext } from '../config';
import { activeWindows } from '../maintenance';
import type { AlertRecord } from '../model';
import { compileInhibitRules, inhibitedBy } from '../notify/inhibit';
import { inMaintenance, silencedBy } from '../notify/mute';
import { activeSilences } from '../silences';
import { rowToAlert } from '../store';
import { canWriteTeam, iso, timeParam } from './common';

const STATES = ['pending', 'firing', 'resolved'];
const SEVERITIES = ['info', 'warning', 'critical'];

export function alertJson(a: AlertRecord, muted?: Record<string, unknown> | null) {
  return {
    id: a.id, fingerprint: a.fingerprint, rule: a.rule, ruleType: a.ruleType, state: a.state, severity: a.severity, team: a.team,
    module: a.moduleId, target: a.targetId, labels: a.labels, annotations: a.annotations, summary: a.annotations.summary ?? '',
    value: a.value, activeAt: iso(a.activeAt), startsAt: iso(a.startsAt), endsAt: iso(a.endsAt), lastEval: iso(a.lastEval),
    ack: a.ackAt ? { by: a.ackBy, at: iso(a.ackAt), comment: a.ackComment ?? '' } : null,
    mutedBy: muted ?? null,
  };
}

/** GET /alerts, GET /alerts/:id, POST /alerts/:id/ack, GET /history, GET /deliveries. */
export function alertRoutes(ctx: AlertsContext, cfg: () => import('../config').AlertsConfig) {
  const r = new Hono<AppEnv>();
  const { db, clock } = ctx;

  r.get('/alerts', requirePermission('read'), async (c) => {
    const { limit, offset } = page(c);
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    const states = (c.req.query('state') ?? '').split(',').filter(Boolean);
    if (states.some((s) => !STATES.includes(s))) return httpError(c, 400, 'bad_state', `state 应为 ${STATES.join('|')}（可逗号分隔多个）`);
    if (states.length) add('state = ANY(?::text[])', states);
    const sev = (c.req.query('severity') ?? '').split(',').filter(Boolean);
    if (sev.some((s) => !SEVERITIES.includes(s))) return httpError(c, 400, 'bad_severity', `severity 应为 ${SEVERITIES.join('|')}`);
    if (sev.length) add('severity = ANY(?::text[])', sev);
    for (const [q, col] of [['module', 'module_id'], ['team', 'team'], ['target', 'target_id'], ['rule', 'rule']] as const) {
      const v = c.req.query(q);
      if (v) add(`${col} = ?`, v);
    }
    const from = timeParam(c.req.query('from'));
    const to = timeParam(c.req.query('to'));
    if (Number.isNaN(from) || Number.isNaN(to)) return httpError(c, 400, 'bad_time', 'from/to 应为 ISO 8601 时间或毫秒时间戳');
    // An alert belongs to [from, to) when it was active at some point of it.
    if (from !== undefined) add(`coalesce(ends_at, 'infinity'::timestamptz) >= ?`, new Date(from));
    if (to !== undefined) add('active_at < ?', new Date(to));
    params.push(limit, offset);
    const sql = `SELECT *, count(*) OVER () AS total FROM alerts ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
                 ORDER BY CASE state WHEN 'firing' THEN 0 WHEN 'pending' THEN 1 ELSE 2 END,
                          CASE severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, coalesce(starts_at, active_at) DESC
                 LIMIT $${params.length - 1} OFFSET $${params.length}`;
    const rows = (await db.query(sql, params)).rows;
    const now = clock();
    const [silences, windows] = await Promise.all([activeSilences(db, now), activeWindows(db, now)]);
    const firing = (await db.query(`SELECT fingerprint, labels FROM alerts WHERE state = 'firing'`)).rows as { fingerprint: string; labels: Record<string, string> }[];
    const inhibit = compileInhibitRules(cfg().inhibitRules, cfg().moduleDownInhibits);
    const items = rows.map((row) => {
      const a = rowToAlert(row);
      let muted: Record<string, unknown> | null = null;
      if (a.state !== 'resolved') {
        const s = silencedBy(silences, a.labels, now);
        const w = inMaintenance(windows, a.labels, now);
        const i = inhibitedBy(inhibit, a.labels, a.fingerprint, firing);
        muted = s ? { silence: s.id } : w ? { maintenance: w.id, name: w.name } : i ? { inhibitedBy: (i as { fingerprint?: string }).fingerprint } : null;
      }
      return alertJson(a, muted);
    });
    return c.json({ total: Number(rows[0]?.total ?? 0), limit, offset, items });
  });

  r.get('/alerts/:id', requirePermission('read'), async (c) => {
    const id = Number(c.req.param('id'));
    if (!Number.isInteger(id)) return httpError(c, 400, 'bad_id', 'id 应为整数');
    const row = (await db.query('SELECT * FROM alerts WHERE id = $1', [id])).rows[0];
    if (!row) return httpError(c, 404, 'not_found', `没有 id 为 ${id} 的告警`);
    const events = (await db.query('SELECT ts, from_state, to_state, value, actor, message FROM alert_events WHERE alert_id = $1 ORDER BY ts DESC LIMIT 200', [id])).rows;
    return c.json({ ...alertJson(rowToAlert(row)), events: events.map((e) => ({ ts: iso(new Date(e.ts as string).getTime()), from: e.from_state, to: e.to_state, value: e.value, actor: e.actor, message: e.message })) });
  });

  r.post('/alerts/:id/ack', requirePermission('read'), async (c) => {
    const id = Number(c.req.param('id'));
    if (!Number.isInteger(id)) return httpError(c, 400, 'bad_id', 'id 应为整数');
    const body = await readJson<{ comment?: unknown }>(c);
    if (!body.ok) return body.response;
    const comment = typeof body.value?.comment === 'string' ? body.value.comment : '';
    const row = (await db.query('SELECT * FROM alerts WHERE id = $1', [id])).rows[0];
    if (!row) return httpError(c, 404, 'not_found', `没有 id 为 ${id} 的告警`);
    const a = rowToAlert(row);
    if (!canWriteTeam(c, a.team)) return httpError(c, 403, 'forbidden', `只有 ${a.team} 团队可以确认此告警 (needs permission alerts:${a.team}:write)`);
    if (a.state === 'resolved') return httpError(c, 409, 'resolved', '告警已恢复，无需确认');
    const who = c.get('principal')!.name;
    const now = clock();
    await db.tx(async (q) => {
      await q.query('UPDATE alerts SET ack_by = $2, ack_at = $3, ack_comment = $4 WHERE id = $1', [id, who, new Date(now), comment]);
      await q.query(`INSERT INTO alert_events (ts, alert_id, fingerprint, rule, from_state, to_state, actor, message) VALUES ($1, $2, $3, $4, $5, 'acknowledged', $6, $7)`,
        [new Date(now), id, a.fingerprint, a.rule, a.state, who, comment]);
    });
    await auditFrom(c, ctx.auth, { action: 'alerts.ack', target: `alert:${id}`, details: { rule: a.rule, fingerprint: a.fingerprint, comment } });
    return c.json({ ...alertJson({ ...a, ackBy: who, ackAt: now, ackComment: comment }) });
  });

  r.get('/history', requirePermission('read'), async (c) => {
    const { limit, offset } = page(c);
    const from = timeParam(c.req.query('from')) ?? clock() - 7 * 86_400_000;
    const to = timeParam(c.req.query('to')) ?? clock() + 60_000;
    if (Number.isNaN(from) || Number.isNaN(to)) return httpError(c, 400, 'bad_time', 'from/to 应为 ISO 8601 时间或毫秒时间戳');
    const rule = c.req.query('rule') ?? null;
    const alertId = c.req.query('alert') ? Number(c.req.query('alert')) : null;
    const rows = (await db.query(
      `SELECT ts, alert_id, fingerprint, rule, from_state, to_state, value, actor, message, count(*) OVER () AS total FROM alert_events
        WHERE ts >= $1 AND ts < $2 AND ($3::text IS NULL OR rule = $3) AND ($4::bigint IS NULL OR alert_id = $4)
        ORDER BY ts DESC LIMIT $5 OFFSET $6`, [new Date(from), new Date(to), rule, alertId, limit, offset])).rows;
    return c.json({ total: Number(rows[0]?.total ?? 0), limit, offset, items: rows.map((e) => ({
      ts: iso(new Date(e.ts as string).getTime()), alertId: e.alert_id == null ? null : Number(e.alert_id), fingerprint: e.fingerprint, rule: e.rule,
      from: e.from_state, to: e.to_state, value: e.value, actor: e.actor, message: e.message })) });
  });

  r.get('/deliveries', requirePermission('read'), async (c) => {
    const { limit, offset } = page(c);
    const from = timeParam(c.req.query('from')) ?? clock() - 7 * 86_400_000;
    const to = timeParam(c.req.query('to')) ?? clock() + 60_000;
    if (Number.isNaN(from) || Number.isNaN(to)) return httpError(c, 400, 'bad_time', 'from/to 应为 ISO 8601 时间或毫秒时间戳');
    const rows = (await db.query(
      `SELECT *, count(*) OVER () AS total FROM notification_deliveries
        WHERE ts >= $1 AND ts < $2 AND ($3::text IS NULL OR receiver = $3) AND ($4::text IS NULL OR status = $4)
        ORDER BY ts DESC LIMIT $5 OFFSET $6`, [new Date(from), new Date(to), c.req.query('receiver') ?? null, c.req.query('status') ?? null, limit, offset])).rows;
    return c.json({ total: Number(rows[0]?.total ?? 0), limit, offset, items: rows.map((d) => ({
      ts: iso(new Date(d.ts as string).getTime()), receiver: d.receiver, channel: d.channel, groupKey: d.group_key, status: d.status, attempt: d.attempt,
      alerts: d.alerts, firing: d.firing, durationMs: d.duration_ms, error: d.error, test: d.test })) });
  });
  return r;
}
