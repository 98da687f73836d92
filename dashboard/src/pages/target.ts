import { api } from '../api';
import type { Phases } from '../../../contract/collector';
import { badge, card, chart, empty, fmtMs, fmtPct, fmtTime, h, table, timeAxisOption } from '../ui';
import { dnsBaselineCard } from './dns-baseline';
import { baselineAction, baselineCard, baselineStatus } from './content-baseline';
import { buildHash } from '../router';
import { targetPicker } from '../list-table';
import { chinaDate } from '../../../core/china-time';
import type { PageCtx } from '../page-ctx';

const PHASES: [string, keyof Phases][] = [
  ['DNS解析', 'resolve'], ['TCP连接', 'connect'], ['TLS握手', 'tls'], ['服务处理', 'processing'], ['传输', 'transfer'],
];

const ts = (p: { t: string }) => new Date(p.t).getTime();
const dayKey = chinaDate;

function calendar(days: { day: string; availability: number | null }[]) {
  const has = days.some((d) => d.availability !== null);
  const data = days.filter((d) => d.availability !== null).map((d) => [d.day, Number(d.availability!.toFixed(3))]);
  const first = days[0]?.day ?? dayKey(Date.now());
  const last = days[days.length - 1]?.day ?? first;
  return chart({
    tooltip: { formatter: (p: { value: [string, number] }) => `${p.value[0]}：${p.value[1]}%` },
    visualMap: { min: 95, max: 100, calculable: false, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120, inRange: { color: ['#e4514b', '#f7a35c', '#ffe08a', '#9fd67f', '#50b432'] }, text: ['100%', '≤95%'] },
    calendar: { range: [first, last], top: 24, left: 40, right: 20, cellSize: ['auto', 16], dayLabel: { nameMap: 'ZH', firstDay: 1 }, monthLabel: { nameMap: 'ZH' }, yearLabel: { show: false } },
    series: [{ type: 'heatmap', coordinateSystem: 'calendar', data }],
  }, { height: 190, hasData: has, cls: 'calendar' });
}

/** 目标详情: phases stacked over time, availability calendar, failures, certificate, content baseline. */
export async function renderTarget(ctx: PageCtx): Promise<HTMLElement> {
  const module = ctx.route.params.module;
  // Without an explicit target, a module link (or the bare page) opens its worst target first: one row from the server.
  const worst = ctx.route.arg ? null : (await api.collector.targets({ module, sort: 'state', limit: 1 }).catch(() => null))?.items[0];
  const id: string | undefined = ctx.route.arg ?? worst?.id;
  const picker = targetPicker({ value: id, cls: 'target-pick', module: () => module, onPick: (t) => {
    location.hash = buildHash({ page: 'target', arg: t.id, params: ctx.route.params });
  } });
  const addLink = ctx.can('targets:write') ? h('a.config-link', { href: buildHash({ page: 'config', params: { new: '1' } }) }, '新增接口') : null;
  if (!id) return h('div.page', h('div.toolbar', h('span', '目标：'), picker, addLink), empty('暂无目标'));

  const calFrom = Date.now() - 90 * 86_400_000;
  const [t, series, calSeries, failures, baseline] = await Promise.all([
    api.collector.target(id).catch(() => null),
    api.collector.series(id, ctx.range).catch(() => null),
    api.collector.series(id, { from: calFrom, to: Date.now() }, '1d').catch(() => null),
    api.collector.results(id, { failures: true, limit: 30 }).catch(() => null),
    api.collector.baseline(id).catch(() => null),
  ]);
  if (!t) return h('div.page', h('div.toolbar', h('span', '目标：'), picker), empty(`没有这个监测对象：${id}`));
  const dnsCard = t.type === 'dns' ? await dnsBaselineCard(ctx, id) : null;
  const points = series?.points ?? [];
  const phaseSeries = PHASES.map(([name, key]) => ({ name, stack: 'phases', area: true, data: points.map((p) => [ts(p), p.phases[key]] as [number, number | null]) }))
    .filter((s) => s.data.some(([, v]) => v !== null));
  // P95 on its own axis: one timed-out probe (seconds) would otherwise flatten the stacked phases (milliseconds).
  const p95 = { name: 'P95（右轴）', yAxisIndex: 1, data: points.map((p) => [ts(p), p.p95] as [number, number | null]) };
  const latency = chart(timeAxisOption([...phaseSeries, p95], { yName: '分阶段 毫秒', y2Name: 'P95 毫秒', range: ctx.range }), { height: 280, hasData: points.length > 0, cls: 'latency' });

  const byDay = new Map((calSeries?.points ?? []).map((p) => [dayKey(ts(p)), p.availability]));
  const days: { day: string; availability: number | null }[] = [];
  for (let d = calFrom; d <= Date.now(); d += 86_400_000) days.push({ day: dayKey(d), availability: byDay.get(dayKey(d)) ?? null });

  const fails = failures?.items ?? [];
  // The tls probe's detail (collector/probes/tls.ts) carries the earliest expiry of the chain as notAfter.
  const notAfter = t.lastDetail?.notAfter;
  const certExpiry = typeof notAfter === 'string' ? notAfter : null;
  const daysLeft = certExpiry ? Math.floor((new Date(certExpiry).getTime() - Date.now()) / 86_400_000) : null;

  // Content baseline (网页防篡改): state, the approve / confirm button and the diff card (./content-baseline.ts).
  const approved = baseline?.approved ?? null;
  const blStatus = baseline ? baselineStatus(baseline) : null;
  const approve = baseline ? baselineAction(ctx, id, baseline) : null;
  const blLabel = !baseline ? '内容基线（非网页内容目标）'
    : approved ? `内容基线 · ${approved.approvedBy} 批准于 ${fmtTime(approved.approvedAt)}`
      : baseline.provisional ? `内容基线 · 首次采集于 ${fmtTime(baseline.provisional.capturedAt)}，尚未确认` : '内容基线';
  const summary = series?.summary;

  return h('div.page.target',
    h('div.toolbar', h('span', '目标：'), picker, addLink, badge(t.maintenance ? 'maintenance' : t.state),
      h('span.muted', `类型 ${t.type} · 每 ${t.intervalMs / 1000} 秒 · 自 ${fmtTime(t.since)} · 连续失败 ${t.consecutiveFailures} 次`),
      h('a.config-link', { href: buildHash({ page: 'config', arg: id, params: {} }) }, '配置与版本历史')),
    h('div.stats.small',
      h('div.stat', h('div.stat-num', fmtPct(t.availability24h)), h('div.stat-label', '24小时可用率')),
      h('div.stat', h('div.stat-num', fmtPct(summary?.availability)), h('div.stat-label', '所选时段可用率')),
      h('div.stat', h('div.stat-num', fmtMs(summary?.p95)), h('div.stat-label', '所选时段 P95')),
      // Expiring is a warning (degraded), only an expired certificate is red.
      h('div.stat', { class: daysLeft !== null && daysLeft < 0 ? 's-down' : daysLeft !== null && daysLeft < 15 ? 's-degraded' : '' }, h('div.stat-num', daysLeft === null ? '—' : `${daysLeft} 天`), h('div.stat-label', certExpiry ? `证书到期 ${fmtTime(certExpiry)}` : '证书到期（非 TLS 目标）')),
      h('div.stat.baseline', { class: blStatus === '已变化' ? 's-down' : blStatus === '未确认基线' ? 's-degraded' : '' }, h('div.stat-num', blStatus ?? '—'), h('div.stat-label', blLabel), approve)),
    t.openIncident ? h('div.report-line.incident', `当前事件：自 ${fmtTime(t.openIncident.startedAt)} · ${t.openIncident.firstError ?? t.openIncident.firstErrorCode ?? ''}`) : null,
    dnsCard,
    baseline ? baselineCard(baseline) : null,
    card('响应耗时（分阶段堆叠，P95 折线）', latency),
    card('可用率日历（近90天）', calendar(days)),
    card('最近失败', table(fails, [
      ['时间', (r) => fmtTime(r.ts, true)],
      ['状态码', (r) => r.statusCode ?? '—'],
      ['错误类型', (r) => r.errorCode ?? '—'],
      ['错误信息', (r) => h('span.err', r.error ?? '—')],
      ['耗时', (r) => fmtMs(r.durationMs)],
    ], { empty: '没有失败记录' })));
}
