import { api } from '../api';
import { badge, card, chart, empty, fmtPct, fmtTime, h, table } from '../ui';
import { buildHash } from '../router';
import type { PageCtx } from '../page-ctx';
import type { Overview } from '../../../contract/collector';
import { chinaDate } from '../../../core/china-time';

const STATES = ['up', 'degraded', 'down', 'maintenance'] as const;
const PERIODS: ['24h' | '7d' | '30d', string][] = [['24h', '24小时'], ['7d', '7天'], ['30d', '30天']];

const mean = (xs: (number | null | undefined)[]) => {
  const v = xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
};

/** 总览: every module as a tile coloured by its state, counts, availability, incidents, alerts, today's reporting. */
export async function renderOverview(ctx: PageCtx): Promise<HTMLElement> {
  const [ov, mods, incidents, alerts, runs] = await Promise.all([
    api.collector.overview(ctx.range).catch(() => null),
    api.collector.modules().catch(() => null),
    api.collector.incidents({ open: true, limit: 20 }).catch(() => null),
    api.alerts.list({ state: 'firing', limit: 1 }).catch(() => null),
    api.reporter.runs(50).catch(() => null),
  ]);
  const byId = new Map((mods?.items ?? []).map((m) => [m.id, m]));
  // The overview's modules (with availability); without it, the module list (states only).
  const modules: { id: string; name: string; status: string; availability?: Overview['modules'][number]['availability'] }[] = ov?.modules.length ? ov.modules : (mods?.items ?? []);
  const stateOf = (m: { status: string }) => m.status;
  const counts: Record<string, number> = { up: 0, degraded: 0, down: 0, maintenance: 0 };
  for (const m of modules) if (stateOf(m) in counts) counts[stateOf(m)]++;

  const tiles = modules.length
    ? h('div.tiles', modules.map((m) => {
        const state = stateOf(m);
        const t = byId.get(m.id)?.targets;
        const canOpen = ctx.user.role !== 'regulator'; // the regulatory office has no target page
        return h(canOpen ? 'a.tile' : 'div.tile', { class: `s-${state}`, 'data-module': m.id, href: canOpen ? buildHash({ page: 'target', params: { module: m.id } }) : undefined },
          h('div.tile-name', m.name ?? m.id),
          h('div.tile-state', badge(state)),
          h('div.tile-sub', `可用率 24h ${fmtPct(m.availability?.['24h'])} · 30d ${fmtPct(m.availability?.['30d'])}`),
          h('div.tile-sub', `目标 ${t?.total ?? '—'} · 故障 ${t?.down ?? 0} · 降级 ${t?.degraded ?? 0}`));
      }))
    : empty('暂无模块数据');

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
  const reportLine = !runs
    ? '今日数据直报：暂无数据'
    : today.length
      ? `今日数据直报：已运行 ${today.length} 次，最近一次 ${fmtTime(today[0].startedAt)} ${RUN_ZH[today[0].status] ?? today[0].status}；上报 ${sum('records')} 条，接收 ${sum('accepted')} 条，拒收 ${sum('rejected')} 条`
      : '今日数据直报：今天尚未运行';

  return h('div.page.overview',
    h('div.stats',
      STATES.map((s) => h(`div.stat.s-${s}`, h('div.stat-num', String(counts[s])), h('div.stat-label', `${({ up: '正常', degraded: '降级', down: '故障', maintenance: '维护' })[s]}模块`))),
      h('div.stat.s-down', h('div.stat-num', String(ov?.openIncidents ?? incidents?.items.length ?? 0)), h('div.stat-label', '当前事件')),
      h('div.stat.s-alert', h('div.stat-num', alerts ? String(firingCount) : '—'), h('div.stat-label', '告警中'))),
    ['admin', 'regulator'].includes(ctx.user.role) ? h('a.report-line', { href: buildHash({ page: 'reporting', params: {} }) }, reportLine) : h('div.report-line', reportLine),
    h('div.grid2',
      card('模块状态', tiles),
      h('div',
        card('整体可用率（模块平均）', availChart),
        card('当前事件', table(incidents?.items ?? [], [
          ['目标', (r) => (ctx.user.role === 'regulator' ? r.targetName ?? r.target : h('a', { href: buildHash({ page: 'target', arg: r.target, params: {} }) }, r.targetName ?? r.target))],
          ['模块', (r) => r.moduleName ?? r.module],
          ['开始', (r) => fmtTime(r.start)],
          ['原因', (r) => h('span.err', r.firstError ?? r.firstErrorCode ?? '—')],
        ], { empty: '当前没有事件' })))));
}
