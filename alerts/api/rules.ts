import { Hono } from 'hono';
import type { Page } from '../../contract/common';
import type { Receiver, ReceiverTest, RuleStatus } from '../../contract/alerts';
import { auditFrom, httpError, page, requirePermission, type AppEnv } from '../../core/http';
import { receiverTeam, type AlertsConfig, type AlertsContext } from '../config';
import { channelDestination, createReceivers } from '../channels';
import { Dispatcher } from '../notify/dispatch';
import { buildNotification } from '../notify/message';
import { RULE_TYPES } from '../rules';
import { openCountsByRule } from '../store/alerts';
import { loadRuleStatus } from '../store/rule-status';
import { canWriteAny, canWriteTeam, iso } from './common';

/** GET /rules (with current state), GET /receivers, POST /receivers/:name/test. */
export function ruleRoutes(ctx: AlertsContext, cfg: () => AlertsConfig) {
  const r = new Hono<AppEnv>();
  const { db, clock } = ctx;

  r.get('/rules', requirePermission('read'), async (c) => {
    const { limit, offset } = page(c);
    const [counts, st] = await Promise.all([openCountsByRule(db), loadRuleStatus(db)]);
    const all = cfg().rules.map((rule): RuleStatus => {
      const { name, type, severity, team, labels, enabled, summary, description, ...params } = rule;
      const { pending, firing } = counts.get(name) ?? { pending: 0, firing: 0 };
      const s = st.get(name);
      return {
        name, type, severity, team, labels, enabled, summary: summary ?? RULE_TYPES[type].defaultSummary, description: description ?? null,
        params: { ...params, for: rule.for }, state: firing > 0 ? 'firing' : pending > 0 ? 'pending' : 'inactive', pending, firing,
        lastEval: s ? iso(s.lastEval) : null, evalMs: s?.durationMs ?? null, error: s?.error ?? null,
      };
    });
    return c.json({ total: all.length, limit, offset, items: all.slice(offset, offset + limit) } satisfies Page<RuleStatus>);
  });

  r.get('/receivers', requirePermission('read'), (c) => {
    const { limit, offset } = page(c);
    // Only what is safe to show: channel types and non-secret destinations.
    const all = cfg().receivers.map((rc): Receiver => ({
      name: rc.name,
      channels: rc.channels.map((ch, i) => ({
        name: `${ch.type}#${i}`, type: ch.type, sendResolved: ch.sendResolved,
        to: channelDestination(ch),
      })),
    }));
    return c.json({ total: all.length, limit, offset, items: all.slice(offset, offset + limit) } satisfies Page<Receiver>);
  });

  r.post('/receivers/:name/test', requirePermission('read'), async (c) => {
    if (!canWriteAny(c)) return httpError(c, 403, 'forbidden', '需要 alerts:ops:write 或 alerts:security:write 权限');
    const name = c.req.param('name');
    const rc = cfg().receivers.find((x) => x.name === name);
    if (!rc) return httpError(c, 404, 'not_found', `没有名为 ${name} 的接收者；已配置：${cfg().receivers.map((x) => x.name).join(', ') || '无'}`);
    // A team's receiver is tested by that team (and admin) only; a shared one by either team.
    const team = receiverTeam(rc);
    if (team && !canWriteTeam(c, team)) return httpError(c, 403, 'forbidden', `接收者 ${name} 属于 ${team} 团队，只有该团队或管理员可以发送测试通知 (needs permission alerts:${team}:write)`);
    const receiver = createReceivers([rc], clock, ctx.log).get(name)!;
    const now = clock();
    const labels = { alertname: '测试通知', severity: 'info', team: 'ops', kind: 'test' };
    const n = buildNotification({
      receiver: name, groupKey: `test:{receiver=${JSON.stringify(name)}}`, groupLabels: {}, externalURL: cfg().externalUrl, timezone: cfg().timezone, test: true,
      alerts: [{ status: 'firing', labels, annotations: { summary: `这是一条测试通知，由 ${c.get('principal')!.name} 发起，用于确认接收者 ${name} 的通道可用` }, startsAt: now, endsAt: null, fingerprint: 'test', generatorURL: cfg().externalUrl }],
    });
    // One attempt each: the operator wants to see at once whether the channel works.
    const d = new Dispatcher(db, ctx.log, clock, () => ({ attempts: 1, initialBackoff: 0, maxBackoff: 0 }));
    const results: ReceiverTest['results'] = [];
    for (const ch of receiver.channels) {
      const res = await d.deliver(name, ch, n);
      results.push({ channel: ch.name, type: ch.type, ok: res.ok, error: res.error ?? null });
      ch.close?.();
    }
    await auditFrom(c, ctx.auth, { action: 'alerts.receiver.test', target: `receiver:${name}`, details: { results } });
    const ok = results.every((x) => x.ok);
    return c.json({ receiver: name, ok, results } satisfies ReceiverTest, ok ? 200 : 502);
  });
  return r;
}
