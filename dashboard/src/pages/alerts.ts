import type { Alert, Delivery, MaintenanceWindow, Silence, Team } from '../../../contract/alerts';
import { api } from '../api';
import { act, badge, card, fmtTime, h, promptForm, table, toast } from '../ui';
import { setParams } from '../router';
import { listTable, targetPicker } from '../list-table';
import type { PageCtx } from '../page-ctx';
import { issueNoticeForm } from './notices';
import { chinaLocalInput, fromChinaWallClock } from '../../../core/china-time';

const TABS: [string, string][] = [['firing', '告警中'], ['pending', '待定'], ['resolved', '已恢复']];
const SEV_ZH: Record<string, string> = { critical: '严重', warning: '警告', info: '提示' };
const STATE: Record<string, string> = { active: '生效中', pending: '未开始', upcoming: '未开始', expired: '已结束' };
const TEAM_ZH: Record<string, string> = { ops: '运维', security: '安全', regulator: '监管科' };
const PAGE = 20;


/** 告警: firing / pending / resolved, acknowledge, silences and maintenance windows, the delivery log. */
export async function renderAlerts(ctx: PageCtx): Promise<HTMLElement> {
  const tab = TABS.some(([k]) => k === ctx.route.params.tab) ? ctx.route.params.tab : 'firing';
  // The regulatory office sees its own team's alerts (reporting: overdue records, failed batches, reconciliation).
  const baseQuery = { state: tab, team: ctx.user.role === 'regulator' ? 'regulator' : undefined, from: tab === 'resolved' ? new Date(ctx.range.from).toISOString() : undefined };
  const [alerts, silences, maint, deliveries] = await Promise.all([
    api.alerts.list({ ...baseQuery, limit: PAGE }).catch(() => null),
    api.alerts.silences({ limit: PAGE }).catch(() => null),
    api.alerts.maintenance().catch(() => null),
    api.alerts.deliveries({ from: new Date(ctx.range.from).toISOString() }).catch(() => null),
  ]);
  const canWrite = (team: string) => ctx.can(`alerts:${team}:write`);
  const anyWrite = ctx.can('alerts:ops:write') || ctx.can('alerts:security:write') || ctx.can('alerts:regulator:write');
  const myTeam: Team = ctx.user.role === 'security' ? 'security' : ctx.user.role === 'regulator' ? 'regulator' : 'ops';

  const teamField = ctx.user.role === 'admin' ? [{ name: 'team', label: '团队', value: 'ops', options: [['ops', '运维'], ['security', '安全'], ['regulator', '监管科']] as [string, string][] }] : [];
  const newSilence = async () => {
    const mods = (await api.collector.modules({ limit: 1000 }).catch(() => null))?.items ?? [];
    const now = Date.now();
    const form = promptForm('新建静默', [
      ...teamField,
      { name: 'module', label: '模块（不限则留空）', value: '', options: [['', '不限'], ...mods.map((m): [string, string] => [m.id, `${m.name}（${m.id}）`])] },
      { name: 'target', label: '目标（输入以搜索；不限则留空）', value: '' },
      { name: 'alertname', label: '告警规则名（不限则留空）', value: '' },
      { name: 'matchers', label: '其他匹配条件（高级，可不填；每行一条，如 severity="warning"）', type: 'textarea', value: '' },
      { name: 'start', label: '开始（北京时间）', type: 'datetime-local', value: chinaLocalInput(now) },
      { name: 'end', label: '结束（北京时间）', type: 'datetime-local', value: chinaLocalInput(now + 2 * 3_600_000) },
      { name: 'comment', label: '原因（必填）', type: 'textarea' },
    ]);
    const input = document.querySelector<HTMLInputElement>('form.modal input[name=target]');
    const moduleSel = document.querySelector<HTMLSelectElement>('form.modal select[name=module]');
    if (input) targetPicker({ input, onPick: () => undefined, module: () => moduleSel?.value });
    const v = await form;
    if (!v) return;
    const q = (x: string) => JSON.stringify(x.trim());
    const matchers = [
      ...(v.module ? [`module=${q(v.module)}`] : []),
      ...(v.target?.trim() ? [`target=${q(v.target)}`] : []),
      ...(v.alertname?.trim() ? [`alertname=${q(v.alertname)}`] : []),
      ...v.matchers.split(/\n+/).map((x) => x.trim()).filter(Boolean),
    ];
    if (!matchers.length) return toast('请至少选择模块、目标、规则之一，或填写匹配条件', 'error');
    const start = fromChinaWallClock(v.start);
    const end = fromChinaWallClock(v.end);
    if (!Number.isFinite(start) || !Number.isFinite(end)) return toast('开始、结束时间请按 年-月-日 时:分 选择', 'error');
    await act(() => api.alerts.createSilence({
      team: v.team === 'security' || v.team === 'ops' ? v.team : myTeam, matchers,
      startsAt: new Date(start).toISOString(), endsAt: new Date(end).toISOString(), comment: v.comment,
    }), '静默已创建', ctx);
  };
  const muteLabel = (r: Alert) => {
    const m = r.mutedBy;
    if (!m) return null;
    return 'silence' in m ? h('span.muted.silenced', '已静默') : 'maintenance' in m ? h('span.muted.in-maint', `维护中（${m.name}）`) : h('span.muted.inhibited', '已抑制');
  };
  // Bulk actions: one request per alert (each is audited on its own), then one re-render.
  const bulkAck = async (sel: Alert[]) => {
    const v = await promptForm(`确认选中的 ${sel.length} 条告警`, [{ name: 'comment', label: '备注', type: 'textarea', value: '已知悉，处理中' }]);
    if (!v) return;
    await act(async () => {
      for (const a of sel) await api.alerts.ack(a.id, v.comment);
    }, `已确认 ${sel.length} 条告警`, ctx);
  };
  const bulkSilence = async (sel: Alert[]) => {
    const now = Date.now();
    const v = await promptForm(`静默选中的 ${sel.length} 条告警`, [
      { name: 'end', label: '结束（北京时间）', type: 'datetime-local', value: chinaLocalInput(now + 2 * 3_600_000) },
      { name: 'comment', label: '原因（必填）', type: 'textarea' },
    ]);
    if (!v) return;
    const end = fromChinaWallClock(v.end);
    if (!Number.isFinite(end)) return toast('结束时间请按 年-月-日 时:分 选择', 'error');
    // Each alert's own labels (but the team, which the server adds): the silence mutes exactly that alert.
    await act(async () => {
      for (const a of sel) {
        const matchers = Object.entries(a.labels).filter(([k]) => k !== 'team').map(([k, x]) => `${k}=${JSON.stringify(String(x))}`);
        await api.alerts.createSilence({ team: a.team as Team, matchers, startsAt: new Date(now).toISOString(), endsAt: new Date(end).toISOString(), comment: v.comment });
      }
    }, `已静默 ${sel.length} 条告警`, ctx);
  };
  const newMaint = async () => {
    const mods = (await api.collector.modules({ limit: 1000 }).catch(() => null))?.items ?? [];
    const form = promptForm('新建维护窗口', [
      { name: 'name', label: '名称', value: '例行维护' },
      { name: 'module', label: '模块（整个模块维护时选择）', value: '', options: [['', '—'], ...mods.map((m): [string, string] => [m.id, `${m.name}（${m.id}）`])] },
      { name: 'target', label: '或单个目标（输入以搜索）', value: '' },
      { name: 'start', label: '开始（北京时间）', type: 'datetime-local', value: chinaLocalInput(Date.now() + 3_600_000) },
      { name: 'end', label: '结束（北京时间）', type: 'datetime-local', value: chinaLocalInput(Date.now() + 2 * 3_600_000) },
      { name: 'comment', label: '说明（内部）', type: 'textarea' },
      { name: 'publicNote', label: '公开说明（模块维护时显示在公开状态页，可不填，200 字以内）' },
    ]);
    const input = document.querySelector<HTMLInputElement>('form.modal input[name=target]');
    const moduleSel = document.querySelector<HTMLSelectElement>('form.modal select[name=module]');
    if (input) targetPicker({ input, onPick: () => undefined, module: () => moduleSel?.value });
    const v = await form;
    if (!v) return;
    const start = fromChinaWallClock(v.start);
    const end = fromChinaWallClock(v.end);
    if (!Number.isFinite(start) || !Number.isFinite(end)) return toast(`开始、结束时间请按 年-月-日 时:分 选择`, 'error');
    const target = v.target?.trim();
    if (!target && !v.module) return toast('请选择一个模块，或搜索并选择一个目标', 'error');
    await act(() => api.alerts.createMaintenance({
      name: v.name, ...(target ? { targetId: target } : { moduleId: v.module }),
      startsAt: new Date(start).toISOString(), endsAt: new Date(end).toISOString(), comment: v.comment,
      ...(v.publicNote?.trim() ? { publicNote: v.publicNote.trim() } : {}),
    }), '维护窗口已创建', ctx);
  };

  const active = (x: Silence | MaintenanceWindow) => x.state !== 'expired';
  const DELIVERY_ZH: Record<string, string> = { sent: '已发送', failed: '失败', gave_up: '放弃' };
  return h('div.page.alerts',
    h('div.tabs', TABS.map(([k, label]) => h('button.tab', { class: k === tab ? 'active' : '', onclick: () => setParams({ tab: k }) }, label))),
    card(TABS.find(([k]) => k === tab)![1], listTable<Alert>({
      cls: 'alerts-list',
      initial: alerts,
      pageSize: PAGE,
      load: (q) => api.alerts.list({ ...baseQuery, ...q }),
      search: '搜索规则、摘要、目标、模块',
      filters: [
        { name: 'severity', label: '级别', options: Object.entries(SEV_ZH) },
        ...(ctx.user.role === 'regulator' ? [] : [{ name: 'team', label: '团队', options: Object.entries(TEAM_ZH) }]),
        ...(tab === 'resolved' ? [] : [{ name: 'acked', label: '确认', options: [['true', '已确认'], ['false', '未确认']] as [string, string][] }]),
      ],
      select: tab === 'resolved' ? undefined : {
        key: (r) => r.id,
        can: (r) => canWrite(r.team),
        actions: [{ label: '批量确认', cls: 'bulk-ack', run: bulkAck }, { label: '批量静默', cls: 'bulk-silence', run: bulkSilence }],
      },
      cols: [
        { title: '级别', sort: 'severity', cell: (r) => h(`span.sev.sev-${r.severity}`, SEV_ZH[r.severity] ?? r.severity) },
        { title: '规则', sort: 'rule', cell: (r) => r.rule || '—' },
        { title: '对象', cell: (r) => r.target ?? r.module ?? '—' },
        { title: '摘要', cell: (r) => h('span.wrap', r.summary || r.annotations.description || '—') },
        { title: '状态', cell: (r) => [badge(r.state), muteLabel(r)] },
        { title: '开始', sort: 'startsAt', cell: (r) => fmtTime(r.startsAt ?? r.activeAt) },
        { title: '团队', cell: (r) => TEAM_ZH[r.team] ?? r.team ?? '—' },
        { title: '确认', cell: (r) => {
          if (r.ack) return h('span.acked', `已确认 ${r.ack.by ?? '—'} · ${fmtTime(r.ack.at)}`);
          if (r.state === 'resolved' || !canWrite(r.team)) return '—';
          return h('button.small.ack', { 'data-alert-id': r.id, onclick: async () => {
            const v = await promptForm('确认告警', [{ name: 'comment', label: '备注', type: 'textarea', value: '已知悉，处理中' }]);
            if (v) await act(() => api.alerts.ack(r.id, v.comment), '已确认', ctx);
          } }, '确认');
        } },
        ...(ctx.can('notices:issue') ? [{ title: '通报', cell: (r: Alert) => (r.state === 'resolved' && tab !== 'resolved' ? '—' : h('button.small.secondary.to-notice', { 'data-alert-id': r.id, onclick: () => issueNoticeForm(ctx, { alertId: r.id, title: r.summary || r.rule }) }, '转为通报')) }] : []),
      ],
      empty: tab === 'firing' ? '没有正在告警的项目' : undefined,
    })),
    // One above the other, full width: side by side at 1,366 px the silences' 原因 column was cut off.
    h('div.stack',
      card('静默', anyWrite ? h('button.small.new-silence', { onclick: newSilence }, '新建静默') : null, listTable<Silence>({
        cls: 'silences-list',
        initial: silences,
        pageSize: PAGE,
        load: (q) => api.alerts.silences(q),
        search: '搜索匹配条件、原因、创建人',
        filters: [{ name: 'state', label: '状态', options: [['active', '生效中'], ['pending', '未开始'], ['expired', '已结束']] }],
        cols: [
          { title: '匹配', cell: (r) => r.matchersText.join(', ') },
          { title: '状态', cell: (r) => STATE[r.state] ?? r.state },
          { title: '开始', cell: (r) => fmtTime(r.startsAt) },
          { title: '结束', cell: (r) => fmtTime(r.endsAt) },
          { title: '创建人', cell: (r) => r.createdBy || '—' },
          { title: '原因', cell: (r) => h('span.wrap.reason', r.comment) },
          { title: '', cell: (r) => (active(r) ? (canWrite(r.team) ? h('button.small.secondary', { onclick: () => act(() => api.alerts.expireSilence(r.id), '静默已结束', ctx) }, '结束') : '') : '已结束') },
        ],
        empty: '暂无静默',
      })),
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
