import type { Alert, Delivery, MaintenanceWindow, Silence, Team } from '../../../contract/alerts';
import { api } from '../api';
import { act, badge, card, fmtTime, got, h, loaded, promptForm, table, toast } from '../ui';
import { hasKey, t as tr, type Key } from '../i18n';
import { setParams } from '../router';
import { listTable, targetPicker } from '../list-table';
import type { PageCtx } from '../page-ctx';
import { issueNoticeForm } from './notices';
import { routeCard, showHistory } from './versions';
import { chinaLocalInput, fromChinaWallClock } from '../../../core/china-time';

const TABS: [string, Key][] = [['firing', 'state.firing'], ['pending', 'state.pending'], ['resolved', 'state.resolved']];
const SEVS = ['critical', 'warning', 'info'];
const TEAMS = ['ops', 'security', 'regulator'];
/** The catalogue's word for a code (`prefix.code`), the code itself when it has none. */
const word = (prefix: string, code: string) => (hasKey(`${prefix}.${code}`) ? tr(`${prefix}.${code}` as Key) : code);
const sev = (s: string) => word('alerts.sev', s);
const team = (s: string) => word('role', s);
const winState = (s: string) => word('alerts.win', s);
const PAGE = 20;


/** 告警: firing / pending / resolved, acknowledge, silences and maintenance windows, the delivery log. */
export async function renderAlerts(ctx: PageCtx): Promise<HTMLElement> {
  const tab = TABS.some(([k]) => k === ctx.route.params.tab) ? ctx.route.params.tab : 'firing';
  // The regulatory office sees its own team's alerts (reporting: overdue records, failed batches, reconciliation).
  const baseQuery = { state: tab, team: ctx.user.role === 'regulator' ? 'regulator' : undefined, from: tab === 'resolved' ? new Date(ctx.range.from).toISOString() : undefined };
  const [alerts, silences, maint, deliveries] = await Promise.all([
    // A list whose first page failed loads itself (undefined) and shows its own error with a retry button.
    api.alerts.list({ ...baseQuery, limit: PAGE }).catch(() => undefined),
    api.alerts.silences({ limit: PAGE }).catch(() => undefined),
    got(api.alerts.maintenance()),
    got(api.alerts.deliveries({ from: new Date(ctx.range.from).toISOString() })),
  ]);
  const canWrite = (team: string) => ctx.can(`alerts:${team}:write`);
  const anyWrite = ctx.can('alerts:ops:write') || ctx.can('alerts:security:write') || ctx.can('alerts:regulator:write');
  const myTeam: Team = ctx.user.role === 'security' ? 'security' : ctx.user.role === 'regulator' ? 'regulator' : 'ops';

  const teamField = ctx.user.role === 'admin' ? [{ name: 'team', label: tr('alerts.team'), value: 'ops', options: TEAMS.map((k): [string, string] => [k, team(k)]) }] : [];
  const newSilence = async () => {
    const mods = (await api.collector.modules({ limit: 1000 }).catch(() => null))?.items ?? [];
    const now = Date.now();
    const form = promptForm(tr('alerts.newSilence'), [
      ...teamField,
      { name: 'module', label: tr('alerts.f.module'), value: '', options: [['', tr('alerts.f.any')], ...mods.map((m): [string, string] => [m.id, tr('alerts.f.modOpt', { name: m.name, id: m.id })])] },
      { name: 'target', label: tr('alerts.f.target'), value: '' },
      { name: 'alertname', label: tr('alerts.f.alertname'), value: '' },
      { name: 'matchers', label: tr('alerts.f.matchers'), type: 'textarea', value: '' },
      { name: 'start', label: tr('alerts.f.start'), type: 'datetime-local', value: chinaLocalInput(now) },
      { name: 'end', label: tr('alerts.f.end'), type: 'datetime-local', value: chinaLocalInput(now + 2 * 3_600_000) },
      { name: 'comment', label: tr('alerts.f.reason'), type: 'textarea' },
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
    if (!matchers.length) return toast(tr('alerts.needMatcher'), 'error');
    const start = fromChinaWallClock(v.start);
    const end = fromChinaWallClock(v.end);
    if (!Number.isFinite(start) || !Number.isFinite(end)) return toast(tr('alerts.badTimes'), 'error');
    await act(() => api.alerts.createSilence({
      team: v.team === 'security' || v.team === 'ops' ? v.team : myTeam, matchers,
      startsAt: new Date(start).toISOString(), endsAt: new Date(end).toISOString(), comment: v.comment,
    }), tr('alerts.silenceCreated'), ctx);
  };
  const muteLabel = (r: Alert) => {
    const m = r.mutedBy;
    if (!m) return null;
    return 'silence' in m ? h('span.muted.silenced', tr('alerts.silenced')) : 'maintenance' in m ? h('span.muted.in-maint', tr('alerts.inMaint', { name: m.name })) : h('span.muted.inhibited', tr('alerts.inhibited'));
  };
  // Bulk actions: one request per alert (each is audited on its own), then one re-render.
  const bulkAck = async (sel: Alert[]) => {
    const v = await promptForm(tr('alerts.bulkAckTitle', { n: sel.length }), [{ name: 'comment', label: tr('alerts.f.note'), type: 'textarea', value: tr('alerts.ackDefault') }]);
    if (!v) return;
    await act(async () => {
      for (const a of sel) await api.alerts.ack(a.id, v.comment);
    }, tr('alerts.bulkAcked', { n: sel.length }), ctx);
  };
  const bulkSilence = async (sel: Alert[]) => {
    const now = Date.now();
    const v = await promptForm(tr('alerts.bulkSilenceTitle', { n: sel.length }), [
      { name: 'end', label: tr('alerts.f.end'), type: 'datetime-local', value: chinaLocalInput(now + 2 * 3_600_000) },
      { name: 'comment', label: tr('alerts.f.reason'), type: 'textarea' },
    ]);
    if (!v) return;
    const end = fromChinaWallClock(v.end);
    if (!Number.isFinite(end)) return toast(tr('alerts.badEnd'), 'error');
    // Each alert's own labels (but the team, which the server adds): the silence mutes exactly that alert.
    await act(async () => {
      for (const a of sel) {
        const matchers = Object.entries(a.labels).filter(([k]) => k !== 'team').map(([k, x]) => `${k}=${JSON.stringify(String(x))}`);
        await api.alerts.createSilence({ team: a.team as Team, matchers, startsAt: new Date(now).toISOString(), endsAt: new Date(end).toISOString(), comment: v.comment });
      }
    }, tr('alerts.bulkSilenced', { n: sel.length }), ctx);
  };
  const newMaint = async () => {
    const mods = (await api.collector.modules({ limit: 1000 }).catch(() => null))?.items ?? [];
    const form = promptForm(tr('alerts.newMaint'), [
      { name: 'name', label: tr('alerts.f.name'), value: tr('alerts.maintDefault') },
      { name: 'module', label: tr('alerts.f.maintModule'), value: '', options: [['', '—'], ...mods.map((m): [string, string] => [m.id, tr('alerts.f.modOpt', { name: m.name, id: m.id })])] },
      { name: 'target', label: tr('alerts.f.maintTarget'), value: '' },
      { name: 'start', label: tr('alerts.f.start'), type: 'datetime-local', value: chinaLocalInput(Date.now() + 3_600_000) },
      { name: 'end', label: tr('alerts.f.end'), type: 'datetime-local', value: chinaLocalInput(Date.now() + 2 * 3_600_000) },
      { name: 'comment', label: tr('alerts.f.comment'), type: 'textarea' },
      { name: 'publicNote', label: tr('alerts.f.publicNote') },
    ]);
    const input = document.querySelector<HTMLInputElement>('form.modal input[name=target]');
    const moduleSel = document.querySelector<HTMLSelectElement>('form.modal select[name=module]');
    if (input) targetPicker({ input, onPick: () => undefined, module: () => moduleSel?.value });
    const v = await form;
    if (!v) return;
    const start = fromChinaWallClock(v.start);
    const end = fromChinaWallClock(v.end);
    if (!Number.isFinite(start) || !Number.isFinite(end)) return toast(tr('alerts.badTimes'), 'error');
    const target = v.target?.trim();
    if (!target && !v.module) return toast(tr('alerts.needScope'), 'error');
    await act(() => api.alerts.createMaintenance({
      name: v.name, ...(target ? { targetId: target } : { moduleId: v.module }),
      startsAt: new Date(start).toISOString(), endsAt: new Date(end).toISOString(), comment: v.comment,
      ...(v.publicNote?.trim() ? { publicNote: v.publicNote.trim() } : {}),
    }), tr('alerts.maintCreated'), ctx);
  };

  // An edit: the create's form filled in (matchers as text, but the team one the server adds), with a reason for the
  // history; every version is in the history dialog, each with a rollback (pages/versions.ts).
  // A time left as it was keeps its seconds (the picker has minutes): no change in the history that no one made.
  const keep = (input: string, was: string) => (input === chinaLocalInput(new Date(was).getTime()) ? was : new Date(fromChinaWallClock(input)).toISOString());
  const editSilence = async (r: Silence) => {
    const v = await promptForm(tr('versions.silence.editTitle'), [
      ...teamField.map((f) => ({ ...f, value: r.team })),
      { name: 'matchers', label: tr('alerts.f.matchers'), type: 'textarea', value: r.matchersText.filter((m) => !m.startsWith('team=')).join('\n') },
      { name: 'start', label: tr('alerts.f.start'), type: 'datetime-local', value: chinaLocalInput(new Date(r.startsAt).getTime()) },
      { name: 'end', label: tr('alerts.f.end'), type: 'datetime-local', value: chinaLocalInput(new Date(r.endsAt).getTime()) },
      { name: 'comment', label: tr('alerts.f.reason'), type: 'textarea', value: r.comment },
      { name: 'reason', label: tr('versions.reason'), value: '' },
    ]);
    if (!v) return;
    const matchers = v.matchers.split(/\n+/).map((x) => x.trim()).filter(Boolean);
    if (!matchers.length) return toast(tr('alerts.needMatcher'), 'error');
    const start = fromChinaWallClock(v.start);
    const end = fromChinaWallClock(v.end);
    if (!Number.isFinite(start) || !Number.isFinite(end)) return toast(tr('alerts.badTimes'), 'error');
    await act(() => api.alerts.updateSilence(r.id, {
      team: (v.team as Team | undefined) ?? (r.team as Team), matchers, startsAt: keep(v.start, r.startsAt), endsAt: keep(v.end, r.endsAt), comment: v.comment,
      ...(v.reason?.trim() ? { reason: v.reason.trim() } : {}),
    }), tr('versions.silence.updated'), ctx);
  };
  const editMaint = async (r: MaintenanceWindow) => {
    const v = await promptForm(tr('versions.maint.editTitle'), [
      { name: 'name', label: tr('alerts.f.name'), value: r.name },
      { name: 'start', label: tr('alerts.f.start'), type: 'datetime-local', value: chinaLocalInput(new Date(r.startsAt).getTime()) },
      { name: 'end', label: tr('alerts.f.end'), type: 'datetime-local', value: chinaLocalInput(new Date(r.endsAt).getTime()) },
      { name: 'comment', label: tr('alerts.f.comment'), type: 'textarea', value: r.comment },
      { name: 'publicNote', label: tr('alerts.f.publicNote'), value: r.publicNote ?? '' },
      { name: 'reason', label: tr('versions.reason'), value: '' },
    ]);
    if (!v) return;
    const start = fromChinaWallClock(v.start);
    const end = fromChinaWallClock(v.end);
    if (!Number.isFinite(start) || !Number.isFinite(end)) return toast(tr('alerts.badTimes'), 'error');
    await act(() => api.alerts.updateMaintenance(r.id, {
      name: v.name, ...(r.targetId ? { targetId: r.targetId } : {}), ...(r.moduleId ? { moduleId: r.moduleId } : {}),
      ...(r.recurrence ? { recurrence: r.recurrence, duration: `${Math.round((r.durationMs ?? 0) / 60_000)}m`, timezone: r.timezone } : { startsAt: keep(v.start, r.startsAt), endsAt: keep(v.end, r.endsAt) }),
      comment: v.comment, publicNote: v.publicNote?.trim() ?? '', ...(v.reason?.trim() ? { reason: v.reason.trim() } : {}),
    }), tr('versions.maint.updated'), ctx);
  };
  const silenceHistory = (r: Silence) => showHistory(ctx, tr('versions.silence.historyTitle'), () => api.alerts.silenceHistory(r.id), canWrite(r.team), (v) => api.alerts.rollbackSilence(r.id, v));
  const maintHistory = (r: MaintenanceWindow) => showHistory(ctx, tr('versions.maint.historyTitle', { name: r.name }), () => api.alerts.maintenanceHistory(r.id), ctx.can('alerts:ops:write'), (v) => api.alerts.rollbackMaintenance(r.id, v));
  const routes = await routeCard(ctx);

  const active = (x: Silence | MaintenanceWindow) => x.state !== 'expired';
  return h('div.page.alerts',
    h('div.tabs', TABS.map(([k, label]) => h('button.tab', { class: k === tab ? 'active' : '', onclick: () => setParams({ tab: k }) }, tr(label)))),
    card(tr(TABS.find(([k]) => k === tab)![1]), listTable<Alert>({
      cls: 'alerts-list',
      initial: alerts,
      pageSize: PAGE,
      load: (q) => api.alerts.list({ ...baseQuery, ...q }),
      search: tr('alerts.search'),
      filters: [
        { name: 'severity', label: tr('alerts.col.severity'), options: SEVS.map((k): [string, string] => [k, sev(k)]) },
        ...(ctx.user.role === 'regulator' ? [] : [{ name: 'team', label: tr('alerts.team'), options: TEAMS.map((k): [string, string] => [k, team(k)]) }]),
        ...(tab === 'resolved' ? [] : [{ name: 'acked', label: tr('alerts.col.ack'), options: [['true', tr('alerts.acked')], ['false', tr('alerts.unacked')]] as [string, string][] }]),
      ],
      select: tab === 'resolved' ? undefined : {
        key: (r) => r.id,
        can: (r) => canWrite(r.team),
        actions: [{ label: tr('alerts.bulkAck'), cls: 'bulk-ack', run: bulkAck }, { label: tr('alerts.bulkSilence'), cls: 'bulk-silence', run: bulkSilence }],
      },
      cols: [
        { title: tr('alerts.col.severity'), sort: 'severity', cell: (r) => h(`span.sev.sev-${r.severity}`, sev(r.severity)) },
        { title: tr('alerts.col.rule'), sort: 'rule', cell: (r) => r.rule || '—' },
        { title: tr('alerts.col.object'), cell: (r) => r.target ?? r.module ?? '—' },
        { title: tr('alerts.col.summary'), cell: (r) => h('span.wrap', r.summary || r.annotations.description || '—') },
        { title: tr('alerts.col.state'), cell: (r) => [badge(r.state), muteLabel(r)] },
        { title: tr('alerts.col.start'), sort: 'startsAt', cell: (r) => fmtTime(r.startsAt ?? r.activeAt) },
        { title: tr('alerts.col.team'), cell: (r) => (r.team ? team(r.team) : '—') },
        { title: tr('alerts.col.ack'), cell: (r) => {
          if (r.ack) return h('span.acked', tr('alerts.ackedBy', { by: r.ack.by ?? '—', at: fmtTime(r.ack.at) }));
          if (r.state === 'resolved' || !canWrite(r.team)) return '—';
          return h('button.small.ack', { 'data-alert-id': r.id, onclick: async () => {
            const v = await promptForm(tr('alerts.ackTitle'), [{ name: 'comment', label: tr('alerts.f.note'), type: 'textarea', value: tr('alerts.ackDefault') }]);
            if (v) await act(() => api.alerts.ack(r.id, v.comment), tr('alerts.ackDone'), ctx);
          } }, tr('alerts.ack'));
        } },
        ...(ctx.can('notices:issue') ? [{ title: tr('alerts.col.notice'), cell: (r: Alert) => (r.state === 'resolved' && tab !== 'resolved' ? '—' : h('button.small.secondary.to-notice', { 'data-alert-id': r.id, onclick: () => issueNoticeForm(ctx, { alertId: r.id, title: r.summary || r.rule }) }, tr('alerts.toNotice'))) }] : []),
      ],
      empty: tab === 'firing' ? tr('alerts.noFiring') : undefined,
    })),
    // One above the other, full width: side by side at 1,366 px the silences' reason column was cut off.
    h('div.stack',
      card(tr('alerts.silences'), anyWrite ? h('button.small.new-silence', { onclick: newSilence }, tr('alerts.newSilence')) : null, listTable<Silence>({
        cls: 'silences-list',
        initial: silences,
        pageSize: PAGE,
        load: (q) => api.alerts.silences(q),
        search: tr('alerts.silenceSearch'),
        filters: [{ name: 'state', label: tr('alerts.col.state'), options: ['active', 'pending', 'expired'].map((k): [string, string] => [k, winState(k)]) }],
        cols: [
          { title: tr('alerts.col.matchers'), cell: (r) => r.matchersText.join(', ') },
          { title: tr('alerts.col.state'), cell: (r) => winState(r.state) },
          { title: tr('alerts.col.start'), cell: (r) => fmtTime(r.startsAt) },
          { title: tr('alerts.col.end'), cell: (r) => fmtTime(r.endsAt) },
          { title: tr('alerts.col.createdBy'), cell: (r) => r.createdBy || '—' },
          { title: tr('alerts.col.reason'), cell: (r) => h('span.wrap.reason', r.comment) },
          { title: '', cell: (r) => (active(r) ? (canWrite(r.team) ? h('button.small.secondary', { onclick: () => act(() => api.alerts.expireSilence(r.id), tr('alerts.silenceExpired'), ctx) }, tr('alerts.expire')) : '') : winState('expired')) },
          { title: '', cell: (r) => h('span.row-actions',
            canWrite(r.team) ? h('button.small.secondary.edit-silence', { 'data-id': r.id, onclick: () => editSilence(r) }, tr('versions.edit')) : null,
            h('button.small.secondary.silence-history', { 'data-id': r.id, onclick: () => silenceHistory(r) }, tr('versions.history'))) },
        ],
        empty: tr('alerts.noSilences'),
      })),
      card(tr('alerts.maint'), ctx.can('alerts:ops:write') ? h('button.small.new-maint', { onclick: newMaint }, tr('alerts.newMaint')) : null, loaded(maint, tr('alerts.maintWhat'), ctx, (m) => table<MaintenanceWindow>(m?.items ?? [], [
        [tr('alerts.col.name'), (r) => r.name || '—'],
        [tr('alerts.col.scope'), (r) => (r.targetId ? tr('alerts.scopeTarget', { id: r.targetId }) : r.moduleId ? tr('alerts.scopeModule', { id: r.moduleId }) : '—') + (r.recurrence ? tr('alerts.recurrence', { r: r.recurrence }) : '')],
        [tr('alerts.col.state'), (r) => winState(r.state)],
        [tr('alerts.col.start'), (r) => fmtTime(r.startsAt)],
        [tr('alerts.col.end'), (r) => fmtTime(r.endsAt)],
        [tr('alerts.col.comment'), (r) => r.comment],
        ['', (r) => (active(r) ? (ctx.can('alerts:ops:write') ? h('button.small.secondary', { onclick: () => act(() => api.alerts.expireMaintenance(r.id), tr('alerts.maintExpired'), ctx) }, tr('alerts.expire')) : '') : winState('expired'))],
        ['', (r) => h('span.row-actions',
          ctx.can('alerts:ops:write') ? h('button.small.secondary.edit-maint', { 'data-id': r.id, onclick: () => editMaint(r) }, tr('versions.edit')) : null,
          h('button.small.secondary.maint-history', { 'data-id': r.id, onclick: () => maintHistory(r) }, tr('versions.history')))],
      ], { empty: tr('alerts.noMaint') }))),
      routes),
    card(tr('alerts.deliveries'), loaded(deliveries, tr('alerts.deliveriesWhat'), ctx, (d) => table<Delivery>(d?.items ?? [], [
      [tr('alerts.col.time'), (r) => fmtTime(r.ts, true)],
      [tr('alerts.col.receiver'), (r) => r.receiver],
      [tr('alerts.col.channel'), (r) => r.channel],
      [tr('alerts.col.result'), (r) => h(`span.badge.${r.status === 'sent' ? 's-up' : 's-down'}`, word('alerts.delivery', r.status))],
      [tr('alerts.col.attempt'), (r) => r.attempt],
      [tr('alerts.col.alerts'), (r) => r.alerts],
      [tr('alerts.col.error'), (r) => h('span.err', r.error ?? '')],
    ], { empty: tr('alerts.noDeliveries') }))));
}
