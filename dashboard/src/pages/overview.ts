import { api } from '../api';
import { badge, card, chart, empty, failed, fmtPct, fmtTime, h } from '../ui';
import { buildHash } from '../router';
import type { PageCtx } from '../page-ctx';
import type { Incident, Overview, TargetSummary } from '../../../contract/collector';
import { listTable } from '../list-table';
import { chinaDate } from '../../../core/china-time';

const STATES = ['up', 'degraded', 'down', 'maintenance'] as const;
const PERIODS: ['24h' | '7d' | '30d', string][] = [['24h', '24小时'], ['7d', '7天'], ['30d', '30天']];

/** Tiles in order of severity: what needs attention first, then by name. */
const SEVERITY: Record<string, number> = { down: 0, degraded: 1, maintenance: 2, unknown: 3, up: 4 };
const STATE_LABEL: Record<string, string> = { up: '正常', degraded: '降级', down: '故障', maintenance: '维护' };

/** A request's answer, or the error it failed with (shown as an error with 重试, not as 暂无数据). */
type Got<T> = { ok: true; value: T } | { ok: false; error: unknown };
const settle = <T>(p: Promise<T>): Promise<Got<T>> => p.then((value) => ({ ok: true as const, value }), (error) => ({ ok: false as const, error }));
/** The overview's own parameters (the range stays) with the state filter set, or cleared. */
const withState = (params: Record<string, string>, state: string | undefined) => {
  const { state: _old, ...rest } = params;
  return state ? { ...rest, state } : rest;
};
const valueOf = <T>(g: Got<T>): T | null => (g.ok ? g.value : null);

const mean = (xs: (number | null | undefined)[]) => {
  const v = xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
};

/** 总览: every module as a tile coloured by its state, counts, availability, incidents, alerts, today's reporting. */
export async function renderOverview(ctx: PageCtx): Promise<HTMLElement> {
  const [ovG, modsG, incidentsG, alertsG, runsG, deptsG] = await Promise.all([
    settle(api.collector.overview(ctx.range)),
    settle(api.collector.modules({ limit: 1000 })),
    settle(api.collector.incidents({ open: true, limit: 20 })),
    settle(api.alerts.list({ state: 'firing', limit: 1 })),
    settle(api.reporter.runs(50)),
    settle(api.collector.departments()),
  ]);
  const departments = (valueOf(deptsG)?.items ?? []).map((d): [string, string] => [d.department, `${d.department}（${d.targets}）`]);
  const [ov, mods, incidents, alerts, runs] = [valueOf(ovG), valueOf(modsG), valueOf(incidentsG), valueOf(alertsG), valueOf(runsG)];
  const retry = () => ctx.rerender();
  const filter = ctx.route.params.state && ctx.route.params.state in STATE_LABEL ? ctx.route.params.state : undefined;
  const byId = new Map((mods?.items ?? []).map((m) => [m.id, m]));
  // The overview's modules (with availability); without it, the module list (states only).
  const modules: { id: string; name: string; status: string; availability?: Overview['modules'][number]['availability'] }[] = ov?.modules.length ? ov.modules : (mods?.items ?? []);
  const stateOf = (m: { status: string }) => m.status;
  const counts: Record<string, number> = { up: 0, degraded: 0, down: 0, maintenance: 0 };
  for (const m of modules) if (stateOf(m) in counts) counts[stateOf(m)]++;

  const shown = modules
    .filter((m) => !filter || stateOf(m) === filter)
    .sort((a, b) => (SEVERITY[stateOf(a)] ?? 3) - (SEVERITY[stateOf(b)] ?? 3) || String(a.name ?? a.id).localeCompare(String(b.name ?? b.id), 'zh-CN'));
  const tiles = !ovG.ok && !modsG.ok
    ? failed('模块状态', ovG.error, retry)
    : shown.length
    ? h('div.tiles', shown.map((m) => {
        const state = stateOf(m);
        const t = byId.get(m.id)?.targets;
        const canOpen = ctx.user.role !== 'regulator'; // the regulatory office has no target page
        return h(canOpen ? 'a.tile' : 'div.tile', { class: `s-${state}`, 'data-module': m.id, href: canOpen ? buildHash({ page: 'target', params: { module: m.id } }) : undefined },
          h('div.tile-name', m.name ?? m.id),
          h('div.tile-state', badge(state)),
          h('div.tile-sub', `可用率 24h ${fmtPct(m.availability?.['24h'])} · 30d ${fmtPct(m.availability?.['30d'])}`),
          h('div.tile-sub', `目标 ${t?.total ?? '—'} · 故障 ${t?.down ?? 0} · 降级 ${t?.degraded ?? 0}`));
      }))
    : empty(filter ? `没有${STATE_LABEL[filter]}的模块` : '暂无模块数据');
  const filterNote = filter
    ? h('div.filter-note', `只显示${STATE_LABEL[filter]}的模块 · `, h('a.show-all', { href: buildHash({ page: 'overview', params: withState(ctx.route.params, undefined) }) }, '显示全部'))
    : null;

  // The API gives availability per module; the bureau-wide figure is their plain mean (every module counts the same).
  const overall = PERIODS.map(([k]) => mean(modules.map((m) => m.availability?.[k])));
  const availChart = chart({
    tooltip: { trigger: 'axis', valueFormatter: (v: number) => `${Number(v).toFixed(3)}%` },
    grid: { left: 60, right: 20, top: 24, bottom: 28 },
    xAxis: { type: 'category', data: PERIODS.map(([, l]) => l) },
    yAxis: { type: 'value', min: (v: { min: number }) => Math.max(0, Math.floor(v.min - 1)), max: 100, axisLabel: { formatter: '{value}%' } },
    series: [{ name: '可用率', type: 'bar', barWidth: '40%', data: overall, label: { show: true, position: 'top', formatter: (p: { value: number }) => `${Number(p.value).toFixed(2)}%` } }],
  }, { height: 200, hasData: overall.some((v) => v !== null), cls: 'availability' });

  const firingCount = alerts?.total ?? 0;
  // Today's reporting in one line: the runs started today (UTC+8), summed; the newest run's outcome.
  const todayCn = chinaDate(Date.now());
  const today = (runs?.items ?? []).filter((r) => chinaDate(Date.parse(r.startedAt)) === todayCn);
  const sum = (k: string) => today.reduce((a, r) => a + Number(r.stats?.[k] ?? 0), 0);
  const RUN_ZH: Record<string, string> = { ok: '成功', partial: '部分成功', failed: '失败', running: '运行中' };
  const reportLine = !runsG.ok
    ? '今日数据直报：加载失败'
    : !runs
    ? '今日数据直报：暂无数据'
    : today.length
      ? `今日数据直报：已运行 ${today.length} 次，最近一次 ${fmtTime(today[0].startedAt)} ${RUN_ZH[today[0].status] ?? today[0].status}；上报 ${sum('records')} 条，接收 ${sum('accepted')} 条，拒收 ${sum('rejected')} 条`
      : '今日数据直报：今天尚未运行';

  // Every counter opens its list: the modules of that state (the tiles below, filtered; again: all), the open
  // incidents (their card), the firing alerts (the alerts page, for the roles that have it).
  const incidentCard = card('事件', !incidentsG.ok
    ? failed('当前事件', incidentsG.error, retry)
    : listTable<Incident>({
      cls: 'incidents-list',
      initial: incidents,
      pageSize: 20,
      load: (q) => api.collector.incidents({ state: 'open', ...q }),
      search: '搜索目标或原因',
      filters: [{ name: 'state', label: '状态', value: 'open', options: [['open', '未恢复'], ['closed', '已恢复']] }],
      cols: [
        { title: '目标', cell: (r) => (ctx.user.role === 'regulator' ? r.targetName ?? r.target : h('a', { href: buildHash({ page: 'target', arg: r.target, params: {} }) }, r.targetName ?? r.target)) },
        { title: '模块', cell: (r) => r.moduleName ?? r.module },
        { title: '开始', sort: 'start', cell: (r) => fmtTime(r.start) },
        { title: '结束', cell: (r) => (r.ongoing ? '进行中' : fmtTime(r.end)) },
        { title: '原因', cell: (r) => h('span.err', r.firstError ?? r.firstErrorCode ?? '—') },
      ],
      empty: '当前没有事件',
    }));
  const targetCard = card('监测对象', listTable<TargetSummary>({
    cls: 'targets-list',
    pageSize: 20,
    sort: 'state',
    load: (q) => api.collector.targets(q),
    search: '搜索 ID、名称或地址',
    filters: [
      { name: 'state', label: '状态', options: [['down', '故障'], ['degraded', '降级'], ['unknown', '未知'], ['up', '正常']] },
      { name: 'module', label: '模块', options: modules.map((m): [string, string] => [m.id, m.name]) },
      { name: 'type', label: '类型', options: ['http', 'tcp', 'dns', 'tls', 'icmp', 'content', 'heartbeat'].map((t): [string, string] => [t, t]) },
      ...(departments.length ? [{ name: 'department', label: '部门', options: departments }] : []),
    ],
    cols: [
      { title: '名称', sort: 'name', cell: (r) => (ctx.user.role === 'regulator' ? r.name : h('a', { href: buildHash({ page: 'target', arg: r.id, params: {} }) }, r.name)) },
      { title: 'ID', sort: 'id', cell: (r) => r.id },
      { title: '模块', sort: 'module', cell: (r) => r.moduleName ?? r.module },
      { title: '类型', cell: (r) => r.type },
      { title: '状态', sort: 'state', cell: (r) => [badge(r.maintenance ? 'maintenance' : r.state)] },
      { title: '状态变化', sort: 'since', cell: (r) => fmtTime(r.since) },
      { title: '最近', cell: (r) => (r.last ? `${fmtTime(r.last.ts)} ${r.last.errorCode ?? ''}` : '—') },
    ],
    empty: '没有匹配的监测对象',
  }));
  incidentCard.classList.add('incidents');
  const hasAlertsPage = ctx.user.role !== 'regulator';
  return h('div.page.overview',
    h('div.stats',
      STATES.map((s) => h(`a.stat.s-${s}`, { class: filter === s ? 'active' : '', 'data-state': s, title: filter === s ? '显示全部模块' : `只显示${STATE_LABEL[s]}的模块`,
        href: buildHash({ page: 'overview', params: withState(ctx.route.params, filter === s ? undefined : s) }) },
        h('div.stat-num', ovG.ok || modsG.ok ? String(counts[s]) : '—'), h('div.stat-label', `${STATE_LABEL[s]}模块`))),
      h('a.stat.s-down.stat-incidents', { href: '', title: '查看当前事件', onclick: (e: Event) => {
        e.preventDefault();
        incidentCard.scrollIntoView({ behavior: 'smooth', block: 'start' });
      } }, h('div.stat-num', ov || incidents ? String(ov?.openIncidents ?? incidents?.items.length ?? 0) : '—'), h('div.stat-label', '当前事件')),
      h(hasAlertsPage ? 'a.stat.s-alert.stat-alerts' : 'div.stat.s-alert', { href: hasAlertsPage ? buildHash({ page: 'alerts', params: { tab: 'firing' } }) : undefined, title: hasAlertsPage ? '查看告警中的项目' : undefined },
        h('div.stat-num', alerts ? String(firingCount) : '—'), h('div.stat-label', '告警中'))),
    ['admin', 'regulator'].includes(ctx.user.role) ? h('a.report-line', { href: buildHash({ page: 'reporting', params: {} }) }, reportLine) : h('div.report-line', reportLine),
    h('div.grid2',
      card('模块状态', filterNote, tiles),
      h('div',
        card('整体可用率（模块平均）', !ovG.ok ? failed('可用率', ovG.error, retry) : availChart),
        incidentCard)),
    targetCard);
}
