import { Hono } from 'hono';
import type { Page } from '../../contract/common';
import type { Alert, AlertDetail, AlertEvent, AlertState, Delivery, HistoryEvent, MutedBy, Severity } from '../../contract/alerts';
import { auditFrom, httpError, page, readJson, requirePermission, type AppEnv } from '../../core/http';
import type { AlertsConfig, AlertsContext } from '../config';
import type { AlertRecord } from '../model';
import { compileInhibitRules, inhibitedBy } from '../notify/inhibit';
import { inMaintenance, silencedBy } from '../notify/mute';
import { ALERT_SORTS, acknowledgeAlert, alertEvents, firingAlerts, getAlert, listAlerts, listHistory, type AlertEventRecord } from '../store/alerts';
import { listDeliveries } from '../store/deliveries';
import { activeWindows } from '../store/maintenance-windows';
import { activeSilences } from '../store/silences';
import { canWriteTeam, iso, timeParam } from './common';
import { boolParam, csvEnum, idParam, instant, listQuery, paramInput, parseInput, queryInput } from '../../core/input';
import { z } from 'zod';

const STATES: AlertState[] = ['pending', 'firing', 'resolved'];
const SEVERITIES: Severity[] = ['info', 'warning', 'critical'];

export function alertJson(a: AlertRecord, muted?: MutedBy | null): Alert {
  return {
    id: a.id!, fingerprint: a.fingerprint, rule: a.rule, ruleType: a.ruleType, state: a.state, severity: a.severity, team: a.team,
    module: a.moduleId, target: a.targetId, labels: a.labels, annotations: a.annotations, summary: a.annotations.summary ?? '',
    value: a.value, activeAt: iso(a.activeAt)!, startsAt: iso(a.startsAt), endsAt: iso(a.endsAt), lastEval: iso(a.lastEval)!,
    ack: a.ackAt ? { by: a.ackBy ?? null, at: iso(a.ackAt)!, comment: a.ackComment ?? '' } : null,
    mutedBy: muted ?? null,
  };
}

const text = z.string().max(200, { message: '最长 200 个字符' });

/** GET /alerts: ?state=firing,pending &severity= &team= &module= &target= &rule= &acked=true|false &from= &to= &q= &sort=. */
export const alertListQuery = listQuery(
  {
    state: csvEnum(STATES).optional(),
    severity: csvEnum(SEVERITIES).optional(),
    team: text.optional(),
    module: text.optional(),
    target: text.optional(),
    rule: text.optional(),
    acked: boolParam.optional(),
    from: instant.optional(),
    to: instant.optional(),
  },
  { sorts: ALERT_SORTS, defaultSort: 'state', limit: 100, max: 1000 },
);

const eventJson = (e: AlertEventRecord): AlertEvent => ({ ts: iso(e.ts)!, from: e.from, to: e.to, value: e.value, actor: e.actor, message: e.message });

/** GET /alerts, GET /alerts/:id, POST /alerts/:id/ack, GET /history, GET /deliveries. */
export function alertRoutes(ctx: AlertsContext, cfg: () => AlertsConfig) {
  const r = new Hono<AppEnv>();
  const { db, clock } = ctx;

  r.get('/alerts', requirePermission('read'), async (c) => {
    const p = queryInput(c, alertListQuery);
    if (!p.ok) return p.response;
    const { limit, offset, q, sort, state, severity, module, team, target, rule, from, to, acked } = p.value;
    const res = await listAlerts(db, { states: state, severities: severity, moduleId: module, team, targetId: target, rule, from, to, acked, q, sort, limit, offset });
    const now = clock();
    const [silences, windows, firing] = await Promise.all([activeSilences(db, now), activeWindows(db, now), firingAlerts(db)]);
    const inhibit = compileInhibitRules(cfg().inhibitRules, cfg().moduleDownInhibits, cfg().securityInhibits);
    const items = res.items.map((a) => {
      let muted: MutedBy | null = null;
      if (a.state !== 'resolved') {
        const s = silencedBy(silences, a.labels, now);
        const w = inMaintenance(windows, a.labels, now);
        const i = inhibitedBy(inhibit, a.labels, a.fingerprint, firing);
        muted = s ? { silence: s.id } : w ? { maintenance: w.id, name: w.name } : i ? { inhibitedBy: i.fingerprint } : null;
      }
      return alertJson(a, muted);
    });
    return c.json({ total: res.total, limit, offset, items } satisfies Page<Alert>);
  });

  r.get('/alerts/:id', requirePermission('read'), async (c) => {
    const p = paramInput(c, 'id', idParam);
    if (!p.ok) return p.response;
    const id = p.value;
    const a = await getAlert(db, id);
    if (!a) return httpError(c, 404, 'not_found', `没有 id 为 ${id} 的告警`);
    const events = await alertEvents(db, id);
    return c.json({ ...alertJson(a), events: events.map(eventJson) } satisfies AlertDetail);
  });

  r.post('/alerts/:id/ack', requirePermission('read'), async (c) => {
    const p = paramInput(c, 'id', idParam);
    if (!p.ok) return p.response;
    const id = p.value;
    const body = await readJson<{ comment?: unknown }>(c);
    if (!body.ok) return body.response;
    const comment = typeof body.value?.comment === 'string' ? body.value.comment : '';
    const a = await getAlert(db, id);
    if (!a) return httpError(c, 404, 'not_found', `没有 id 为 ${id} 的告警`);
    if (!canWriteTeam(c, a.team)) return httpError(c, 403, 'forbidden', `只有 ${a.team} 团队可以确认此告警 (needs permission alerts:${a.team}:write)`);
    if (a.state === 'resolved') return httpError(c, 409, 'resolved', '告警已恢复，无需确认');
    const who = c.get('principal')!.name;
    const now = clock();
    await acknowledgeAlert(db, { ...a, id }, who, comment, now);
    await auditFrom(c, ctx.auth, { action: 'alerts.ack', target: `alert:${id}`, details: { rule: a.rule, fingerprint: a.fingerprint, comment } });
    return c.json(alertJson({ ...a, ackBy: who, ackAt: now, ackComment: comment }) satisfies Alert);
  });

  r.get('/history', requirePermission('read'), async (c) => {
    const { limit, offset } = page(c);
    const from = timeParam(c.req.query('from')) ?? clock() - 7 * 86_400_000;
    const to = timeParam(c.req.query('to')) ?? clock() + 60_000;
    if (Number.isNaN(from) || Number.isNaN(to)) return httpError(c, 400, 'bad_time', 'from/to 应为 1970 至 2199 年间真实的 ISO 8601 时间或毫秒时间戳', { field: 'from/to' });
    const alert = c.req.query('alert') ? parseInput(c, idParam, c.req.query('alert'), 'alert') : undefined;
    if (alert && !alert.ok) return alert.response;
    const res = await listHistory(db, { from, to, rule: c.req.query('rule'), alertId: alert?.value, limit, offset });
    const items = res.items.map((e): HistoryEvent => ({ ts: iso(e.ts)!, alertId: e.alertId, fingerprint: e.fingerprint, rule: e.rule, from: e.from, to: e.to, value: e.value, actor: e.actor, message: e.message }));
    return c.json({ total: res.total, limit, offset, items } satisfies Page<HistoryEvent>);
  });

  r.get('/deliveries', requirePermission('read'), async (c) => {
    const { limit, offset } = page(c);
    const from = timeParam(c.req.query('from')) ?? clock() - 7 * 86_400_000;
    const to = timeParam(c.req.query('to')) ?? clock() + 60_000;
    if (Number.isNaN(from) || Number.isNaN(to)) return httpError(c, 400, 'bad_time', 'from/to 应为 1970 至 2199 年间真实的 ISO 8601 时间或毫秒时间戳', { field: 'from/to' });
    const res = await listDeliveries(db, { from, to, receiver: c.req.query('receiver'), status: c.req.query('status'), limit, offset });
    const items = res.items.map((d): Delivery => ({ ...d, ts: iso(d.ts)! }));
    return c.json({ total: res.total, limit, offset, items } satisfies Page<Delivery>);
  });
  return r;
}
