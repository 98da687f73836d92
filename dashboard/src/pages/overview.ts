import { api } from '../api';
import { badge, card, chart, empty, failed, fmtPct, fmtTime, h, stateLabel } from '../ui';
import { t as tr, type Key } from '../i18n';
import { buildHash } from '../router';
import type { PageCtx } from '../page-ctx';
import type { Incident, Overview, TargetSummary } from '../../../contract/collector';
import { listTable } from '../list-table';
import { chinaDate } from '../../../core/china-time';

const STATES = ['up', 'degraded', 'down', 'maintenance'] as const;
const PERIODS: ('24h' | '7d' | '30d')[] = ['24h', '7d', '30d'];

/** Tiles in order of severity: what needs attention first, then by name. */
const SEVERITY: Record<string, number> = { down: 0, degraded: 1, maintenance: 2, unknown: 3, up: 4 };
const FILTERS = new Set(['up', 'degraded', 'down', 'maintenance']);

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
  const [ovG, modsG, incidentsG, alertsG, runsG] = await Promise.all([
    settle(api.collector.overview(ctx.range)),
    settle(api.collector.modules({ limit: 1000 })),
    settle(api.collector.incidents({ open: true, limit: 20 })),
    settle(api.alerts.list({ state: 'firing', limit: 1 })),
    settle(api.reporter.runs(50)),
  ]);
  const [ov, mods, incidents, alerts, runs] = [valueOf(ovG), valueOf(modsG), valueOf(incidentsG), valueOf(alertsG), valueOf(runsG)];
  const retry = () => ctx.rerender();
  const filter = ctx.route.params.state && FILTERS.has(ctx.route.params.state) ? ctx.route.params.state : undefined;
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
    ? failed(tr('ov.modules'), ovG.error, retry)
    : shown.length
    ? h('div.tiles', shown.map((m) => {
        const state = stateOf(m);
        const t = byId.get(m.id)?.targets;
        const canOpen = ctx.user.role !== 'regulator'; // the regulatory office has no target page
        return h(canOpen ? 'a.tile' : 'div.tile', { class: `s-${state}`, 'data-module': m.id, href: canOpen ? buildHash({ page: 'target', params: { module: m.id } }) : undefined },
          h('div.tile-name', m.name ?? m.id),
          h('div.tile-state', badge(state)),
          h('div.tile-sub', tr('ov.tileAvail', { d1: fmtPct(m.availability?.['24h']), d30: fmtPct(m.availability?.['30d']) })),
          h('div.tile-sub', tr('ov.tileTargets', { total: t?.total ?? '—', down: t?.down ?? 0, degraded: t?.degraded ?? 0 })));
      }))
    : empty(filter ? tr('ov.noneInState', { state: stateLabel(filter) }) : tr('ov.noModules'));
  const filterNote = filter
    ? h('div.filter-note', tr('ov.onlyState', { state: stateLabel(filter) }), ' · ', h('a.show-all', { href: buildHash({ page: 'overview', params: withState(ctx.route.params, undefined) }) }, tr('ov.showAll')))
    : null;

  // The API gives availability per module; the bureau-wide figure is their plain mean (every module counts the same).
  const overall = PERIODS.map((k) => mean(modules.map((m) => m.availability?.[k])));
  const availChart = chart({
    tooltip: { trigger: 'axis', valueFormatter: (v: number) => `${Number(v).toFixed(3)}%` },
    grid: { left: 60, right: 20, top: 24, bottom: 28 },
    xAxis: { type: 'category', data: PERIODS.map((k) => tr(`ov.period.${k}` as Key)) },
    yAxis: { type: 'value', min: (v: { min: number }) => Math.max(0, Math.floor(v.min - 1)), max: 100, axisLabel: { formatter: '{value}%' } },
    series: [{ name: tr('ov.availability'), type: 'bar', barWidth: '40%', data: overall, label: { show: true, position: 'top', formatter: (p: { value: number }) => `${Number(p.value).toFixed(2)}%` } }],
  }, { height: 200, hasData: overall.some((v) => v !== null), cls: 'availability' });

  const firingCount = alerts?.total ?? 0;
  // Today's reporting in one line: the runs started today (UTC+8), summed; the newest run's outcome.
  const todayCn = chinaDate(Date.now());
  const today = (runs?.items ?? []).filter((r) => chinaDate(Date.parse(r.startedAt)) === todayCn);
  const sum = (k: string) => today.reduce((a, r) => a + Number(r.stats?.[k] ?? 0), 0);
  const runStatus = (st: string) => (['ok', 'partial', 'failed', 'running'].includes(st) ? tr(`ov.run.${st}` as Key) : st);
  const reportLine = !runsG.ok
    ? tr('ov.report.failed')
    : !runs
    ? tr('ov.report.empty')
    : today.length
      ? tr('ov.report.line', { n: today.length, at: fmtTime(today[0].startedAt), status: runStatus(today[0].status), records: sum('records'), accepted: sum('accepted'), rejected: sum('rejected') })
      : tr('ov.report.none');

  // Every counter opens its list: the modules of that state (the tiles below, filtered; again: all), the open
  // incidents (their card), the firing alerts (the alerts page, for the roles that have it).
  const incidentCard = card(tr('ov.incidents'), !incidentsG.ok
    ? failed(tr('ov.openIncidents'), incidentsG.error, retry)
    : listTable<Incident>({
      cls: 'incidents-list',
      initial: incidents,
      pageSize: 20,
      load: (q) => api.collector.incidents({ state: 'open', ...q }),
      search: tr('ov.incSearch'),
      filters: [{ name: 'state', label: tr('ov.col.state'), value: 'open', options: [['open', tr('ov.incOpen')], ['closed', tr('ov.incClosed')]] }],
      cols: [
        { title: tr('ov.col.target'), cell: (r) => (ctx.user.role === 'regulator' ? r.targetName ?? r.target : h('a', { href: buildHash({ page: 'target', arg: r.target, params: {} }) }, r.targetName ?? r.target)) },
        { title: tr('ov.col.module'), cell: (r) => r.moduleName ?? r.module },
        { title: tr('ov.col.start'), sort: 'start', cell: (r) => fmtTime(r.start) },
        { title: tr('ov.col.end'), cell: (r) => (r.ongoing ? tr('ov.ongoing') : fmtTime(r.end)) },
        { title: tr('ov.col.reason'), cell: (r) => h('span.err', r.firstError ?? r.firstErrorCode ?? '—') },
      ],
      empty: tr('ov.noIncidents'),
    }));
  const targetCard = card(tr('ov.targets'), listTable<TargetSummary>({
    cls: 'targets-list',
    pageSize: 20,
    sort: 'state',
    load: (q) => api.collector.targets(q),
    search: tr('ov.targetSearch'),
    filters: [
      { name: 'state', label: tr('ov.col.state'), options: ['down', 'degraded', 'unknown', 'up'].map((st): [string, string] => [st, stateLabel(st)]) },
      { name: 'module', label: tr('ov.col.module'), options: modules.map((m): [string, string] => [m.id, m.name]) },
      { name: 'type', label: tr('ov.col.type'), options: ['http', 'tcp', 'dns', 'tls', 'icmp', 'content', 'heartbeat'].map((t): [string, string] => [t, t]) },
    ],
    cols: [
      { title: tr('ov.col.name'), sort: 'name', cell: (r) => (ctx.user.role === 'regulator' ? r.name : h('a', { href: buildHash({ page: 'target', arg: r.id, params: {} }) }, r.name)) },
      { title: 'ID', sort: 'id', cell: (r) => r.id },
      { title: tr('ov.col.module'), sort: 'module', cell: (r) => r.moduleName ?? r.module },
      { title: tr('ov.col.type'), cell: (r) => r.type },
      { title: tr('ov.col.state'), sort: 'state', cell: (r) => [badge(r.maintenance ? 'maintenance' : r.state)] },
      { title: tr('ov.col.since'), sort: 'since', cell: (r) => fmtTime(r.since) },
      { title: tr('ov.col.last'), cell: (r) => (r.last ? `${fmtTime(r.last.ts)} ${r.last.errorCode ?? ''}` : '—') },
    ],
    empty: tr('ov.noTargets'),
  }));
  incidentCard.classList.add('incidents');
  const hasAlertsPage = ctx.user.role !== 'regulator';
  return h('div.page.overview',
    h('div.stats',
      STATES.map((s) => h(`a.stat.s-${s}`, { class: filter === s ? 'active' : '', 'data-state': s, title: filter === s ? tr('ov.showAllModules') : tr('ov.onlyState', { state: stateLabel(s) }),
        href: buildHash({ page: 'overview', params: withState(ctx.route.params, filter === s ? undefined : s) }) },
        h('div.stat-num', ovG.ok || modsG.ok ? String(counts[s]) : '—'), h('div.stat-label', tr('ov.stateModules', { state: stateLabel(s) })))),
      h('a.stat.s-down.stat-incidents', { href: '', title: tr('ov.seeIncidents'), onclick: (e: Event) => {
        e.preventDefault();
        incidentCard.scrollIntoView({ behavior: 'smooth', block: 'start' });
      } }, h('div.stat-num', ov || incidents ? String(ov?.openIncidents ?? incidents?.items.length ?? 0) : '—'), h('div.stat-label', tr('ov.openIncidents'))),
      h(hasAlertsPage ? 'a.stat.s-alert.stat-alerts' : 'div.stat.s-alert', { href: hasAlertsPage ? buildHash({ page: 'alerts', params: { tab: 'firing' } }) : undefined, title: hasAlertsPage ? tr('ov.seeFiring') : undefined },
        h('div.stat-num', alerts ? String(firingCount) : '—'), h('div.stat-label', stateLabel('firing')))),
    ['admin', 'regulator'].includes(ctx.user.role) ? h('a.report-line', { href: buildHash({ page: 'reporting', params: {} }) }, reportLine) : h('div.report-line', reportLine),
    h('div.grid2',
      card(tr('ov.modules'), filterNote, tiles),
      h('div',
        card(tr('ov.overall'), !ovG.ok ? failed(tr('ov.availability'), ovG.error, retry) : availChart),
        incidentCard)),
    targetCard);
}
