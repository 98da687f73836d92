import type { Alert, Delivery, MaintenanceWindow, Silence, Team } from '../../../contract/alerts';
import { api } from '../api';
import { act, badge, card, fmtTime, h, promptForm, table, toast } from '../ui';
import { setParams } from '../router';
import type { PageCtx } from '../page-ctx';
import { issueNoticeForm } from './notices';
import { chinaLocalInput, fromChinaWallClock } from '../../../core/china-time';

const TABS: [string, string][] = [['firing', '告警中'], ['pending', '待定'], ['resolved', '已恢复']];
const SEV_ZH: Record<string, string> = { critical: '严重', warning: '警告', info: '提示' };


/** 告警: firing / pending / resolved, acknowledge, silences and maintenance windows, the delivery log. */
export async function renderAlerts(ctx: PageCtx): Promise<HTMLElement> {
  const tab = TABS.some(([k]) => k === ctx.route.params.tab) ? ctx.route.params.tab : 'firing';
  const [alerts, silences, maint, deliveries] = await Promise.all([
    // The regulatory office sees its own team's alerts (reporting: overdue records, failed batches, reconciliation).
    api.alerts.list({ state: tab, team: ctx.user.role === 'regulator' ? 'regulator' : undefined, from: tab === 'resolved' ? new Date(ctx.range.from).toISOString() : undefined }).catch(() => null),
    api.alerts.silences().catch(() => null),
    api.alerts.maintenance().catch(() => null),
    api.alerts.deliveries({ from: new Date(ctx.range.from).toISOString() }).catch(() => null),
  ]);
  const rows = alerts?.items ?? [];
  const canWrite = (team: string) => ctx.can(`alerts:${team}:write`);
  const anyWrite = ctx.can('alerts:ops:write') || ctx.can('alerts:security:write') || ctx.can('alerts:regulator:write');
  const myTeam: Team = ctx.user.role === 'security' ? 'security' : ctx.user.role === 'regulator' ? 'regulator' : 'ops';

  const teamField = ctx.user.role === 'admin' ? [{ name: 'team', label: '团队', value: 'ops', options: [['ops', '运维'], ['security', '安全'], ['regulator', '监管科']] as [string, string][] }] : [];
  const newSilence = async () => {
    const v = await promptForm('新建静默', [
      ...teamField,
      { name: 'matchers', label: '匹配条件（每行一条，如 target="portal-home" 或 module=~"share-.*"）', type: 'textarea', value: '' },
      { name: 'hours', label: '时长（小时）', type: 'number', value: '2' },
      { name: 'comment', label: '原因（必填）', type: 'textarea' },
    ]);
    if (!v) return;
    const now = Date.now();
    await act(() => api.alerts.createSilence({
      team: v.team === 'security' || v.team === 'ops' ? v.team : myTeam, matchers: v.matchers.split(/\n+/).map((x) => x.trim()).filter(Boolean),
      startsAt: new Date(now).toISOString(), endsAt: new Date(now + Number(v.hours) * 3_600_000).toISOString(), comment: v.comment,
    }), '静默已创建', ctx);
  };
  const newMaint = async () => {
    const v = await promptForm('新建维护窗口', [
      { name: 'name', label: '名称', value: '例行维护' },
      { name: 'scope', label: '范围', value: 'module', options: [['module', '模块'], ['target', '单个目标']] },
      { name: 'id', label: '模块或目标 ID（如 m0 或 portal-home）' },
      { name: 'start', label: '开始（北京时间）', type: 'datetime-local', value: chinaLocalInput(Date.now() + 3_600_000) },
      { name: 'hours', label: '时长（小时）', type: 'number', value: '1' },
      { name: 'comment', label: '说明（内部）', type: 'textarea' },
      { name: 'publicNote', label: '公开说明（模块维护时显示在公开状态页，可不填，200 字以内）' },
    ]);
    if (!v) return;
    const start = fromChinaWallClock(v.start);
    if (!Number.isFinite(start)) return toast(`开始时间“${v.start}”不是有效的日期时间，请按 年-月-日 时:分 填写`, 'error');
    await act(() => api.alerts.createMaintenance({
      name: v.name, [v.scope === 'target' ? 'targetId' : 'moduleId']: v.id.trim(),
      startsAt: new Date(start).toISOString(), endsAt: new Date(start + Number(v.hours) * 3_600_000).toISOString(), comment: v.comment,
      ...(v.publicNote?.trim() ? { publicNote: v.publicNote.trim() } : {}),
    }), '维护窗口已创建', ctx);
  };

  const active = (x: Silence | MaintenanceWindow) => x.state !== 'expired';
  const STATE: Record<string, string> = { active: '生效中', pending: '未开始', upcoming: '未开始', expired: '已结束' };
  const TEAM_ZH: Record<string, string> = { ops: '运维', security: '安全', regulator: '监管科' };
  const DELIVERY_ZH: Record<string, string> = { sent: '已发送', failed: '失败', gave_up: '放弃' };
  return h('div.page.alerts',
    h('div.tabs', TABS.map(([k, label]) => h('button.tab', { class: k === tab ? 'active' : '', onclick: () => setParams({ tab: k }) }, label))),
    card(`${TABS.find(([k]) => k === tab)![1]}（${rows.length}）`, table<Alert>(rows, [
      ['级别', (r) => h(`span.sev.sev-${r.severity}`, SEV_ZH[r.severity] ?? r.severity)],
      ['规则', (r) => r.rule || '—'],
      ['对象', (r) => r.target ?? r.module ?? '—'],
      ['摘要', (r) => h('span.wrap', r.summary || r.annotations.description || '—')],
      ['状态', (r) => badge(r.state)],
      ['开始', (r) => fmtTime(r.startsAt ?? r.activeAt)],
      ['团队', (r) => TEAM_ZH[r.team] ?? r.team ?? '—'],
      ['确认', (r) => {
        if (r.ack) return h('span.acked', `${r.ack.by ?? '—'} · ${fmtTime(r.ack.at)}`);
        if (r.state === 'resolved' || !canWrite(r.team)) return '—';
        return h('button.small.ack', { 'data-alert-id': r.id, onclick: async () => {
          const v = await promptForm('确认告警', [{ name: 'comment', label: '备注', type: 'textarea', value: '已知悉，处理中' }]);
          if (v) await act(() => api.alerts.ack(r.id, v.comment), '已确认', ctx);
        } }, '确认');
      }],
      ...(ctx.can('notices:issue') ? [['通报', (r: Alert) => (r.state === 'resolved' && tab !== 'resolved' ? '—' : h('button.small.secondary.to-notice', { 'data-alert-id': r.id, onclick: () => issueNoticeForm(ctx, { alertId: r.id, title: r.summary || r.rule }) }, '转为通报'))] as [string, (r: Alert) => HTMLElement | string]] : []),
    ], { empty: tab === 'firing' ? '没有正在告警的项目' : undefined })),
    h('div.grid2',
      card('静默', anyWrite ? h('button.small.new-silence', { onclick: newSilence }, '新建静默') : null, table<Silence>(silences?.items ?? [], [
        ['匹配', (r) => r.matchersText.join(', ')],
        ['状态', (r) => STATE[r.state] ?? r.state],
        ['开始', (r) => fmtTime(r.startsAt)],
        ['结束', (r) => fmtTime(r.endsAt)],
        ['创建人', (r) => r.createdBy || '—'],
        ['原因', (r) => h('span.wrap', r.comment)],
        ['', (r) => (active(r) ? (canWrite(r.team) ? h('button.small.secondary', { onclick: () => act(() => api.alerts.expireSilence(r.id), '静默已结束', ctx) }, '结束') : '') : '已结束')],
      ], { empty: '暂无静默' })),
      card('维护窗口', ctx.can('alerts:ops:write') ? h('button.small.new-maint', { onclick: newMaint }, '新建维护窗口') : null, table<MaintenanceWindow>(maint?.items ?? [], [
        ['名称', (r) => r.name || '—'],
        ['范围', (r) => (r.targetId ? `目标 ${r.targetId}` : r.moduleId ? `模块 ${r.moduleId}` : '—') + (r.recurrence ? `（周期 ${r.recurrence}）` : '')],
        ['状态', (r) => STATE[r.state] ?? r.state],
        ['开始', (r) => fmtTime(r.startsAt)],
        ['结束', (r) => fmtTime(r.endsAt)],
        ['说明', (r) => r.comment],
        ['', (r) => (active(r) ? (ctx.can('alerts:ops:write') ? h('button.small.secondary', { onclick: () => act(() => api.alerts.expireMaintenance(r.id), '维护窗口已结束', ctx) }, '结束') : '') : '已结束')],
      ], { empty: '暂无维护窗口' }))),
    card('通知发送记录', table<Delivery>(deliveries?.items ?? [], [
      ['时间', (r) => fmtTime(r.ts, true)],
      ['接收方', (r) => r.receiver],
      ['渠道', (r) => r.channel],
      ['结果', (r) => h(`span.badge.${r.status === 'sent' ? 's-up' : 's-down'}`, DELIVERY_ZH[r.status] ?? r.status)],
      ['第几次', (r) => r.attempt],
      ['告警数', (r) => r.alerts],
      ['错误', (r) => h('span.err', r.error ?? '')],
    ], { empty: '暂无发送记录' })));
}
