import { api } from '../api';
import type { Phases } from '../../../contract/collector';
import { badge, card, chart, empty, failed, fmtMs, fmtPct, fmtTime, h, table, timeAxisOption } from '../ui';
import { lang, t as tr, type Key } from '../i18n';
import { dnsBaselineCard } from './dns-baseline';
import { baselineAction, baselineCard, baselineStatus, baselineStatusLabel, baselineTone } from './content-baseline';
import { buildHash } from '../router';
import { targetPicker } from '../list-table';
import { chinaDate } from '../../../core/china-time';
import type { PageCtx } from '../page-ctx';

const PHASES: (keyof Phases)[] = ['resolve', 'connect', 'tls', 'processing', 'transfer'];

const ts = (p: { t: string }) => new Date(p.t).getTime();
const dayKey = chinaDate;

function calendar(days: { day: string; availability: number | null }[]) {
  const has = days.some((d) => d.availability !== null);
  const data = days.filter((d) => d.availability !== null).map((d) => [d.day, Number(d.availability!.toFixed(3))]);
  const first = days[0]?.day ?? dayKey(Date.now());
  const last = days[days.length - 1]?.day ?? first;
  return chart({
    tooltip: { formatter: (p: { value: [string, number] }) => tr('target.calTip', { day: p.value[0], v: p.value[1] }) },
    visualMap: { min: 95, max: 100, calculable: false, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120, inRange: { color: ['#e4514b', '#f7a35c', '#ffe08a', '#9fd67f', '#50b432'] }, text: ['100%', '≤95%'] },
    calendar: { range: [first, last], top: 24, left: 40, right: 20, cellSize: ['auto', 16], dayLabel: { nameMap: lang() === 'en' ? 'EN' : 'ZH', firstDay: 1 }, monthLabel: { nameMap: lang() === 'en' ? 'EN' : 'ZH' }, yearLabel: { show: false } },
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
  const addLink = ctx.can('targets:write') ? h('a.config-link', { href: buildHash({ page: 'config', params: { new: '1' } }) }, tr('target.add')) : null;
  const label = h('span', tr('target.label'));
  if (!id) return h('div.page', h('div.toolbar', label, picker, addLink), empty(tr('target.none')));

  const calFrom = Date.now() - 90 * 86_400_000;
  // The target first-hand: a content baseline is asked for only for a content target (any other answers 404).
  const targetP = api.collector.target(id).then((v) => ({ ok: true as const, v }), (error: unknown) => ({ ok: false as const, error }));
  const [tg, series, calSeries, failures, baseline] = await Promise.all([
    targetP,
    api.collector.series(id, ctx.range).catch(() => null),
    api.collector.series(id, { from: calFrom, to: Date.now() }, '1d').catch(() => null),
    api.collector.results(id, { failures: true, limit: 30 }).catch(() => null),
    targetP.then((r) => (r.ok && r.v?.type === 'content' ? api.collector.baseline(id).catch(() => null) : null)),
  ]);
  if (!tg.ok) {
    const status = (tg.error as { status?: number }).status;
    return h('div.page', h('div.toolbar', label, picker), status === 404 ? empty(tr('target.missing', { id })) : failed(tr('target.what'), tg.error, () => ctx.rerender()));
  }
  const t = tg.v;
  if (!t) return h('div.page', h('div.toolbar', label, picker), empty(tr('target.missing', { id })));
  const dnsCard = t.type === 'dns' ? await dnsBaselineCard(ctx, id) : null;
  const points = series?.points ?? [];
  const phaseSeries = PHASES.map((key) => ({ name: tr(`target.phase.${key}` as Key), stack: 'phases', area: true, data: points.map((p) => [ts(p), p.phases[key]] as [number, number | null]) }))
    .filter((s) => s.data.some(([, v]) => v !== null));
  // P95 on its own axis: one timed-out probe (seconds) would otherwise flatten the stacked phases (milliseconds).
  const p95 = { name: tr('target.p95Right'), yAxisIndex: 1, data: points.map((p) => [ts(p), p.p95] as [number, number | null]) };
  const latency = chart(timeAxisOption([...phaseSeries, p95], { yName: tr('target.phaseAxis'), y2Name: tr('target.p95Axis'), range: ctx.range }), { height: 280, hasData: points.length > 0, cls: 'latency' });

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
  const blLabel = !baseline ? tr('target.blNone')
    : approved ? tr('target.blApproved', { by: approved.approvedBy, at: fmtTime(approved.approvedAt) })
      : baseline.provisional ? tr('target.blProvisional', { at: fmtTime(baseline.provisional.capturedAt) }) : tr('target.bl');
  const summary = series?.summary;

  return h('div.page.target',
    h('div.toolbar', label, picker, addLink, badge(t.maintenance ? 'maintenance' : t.state),
      h('span.muted', tr('target.meta', { type: t.type, s: t.intervalMs / 1000, since: fmtTime(t.since), n: t.consecutiveFailures })),
      h('a.config-link', { href: buildHash({ page: 'config', arg: id, params: {} }) }, tr('target.configLink'))),
    h('div.stats.small',
      h('div.stat', h('div.stat-num', fmtPct(t.availability24h)), h('div.stat-label', tr('target.avail24h'))),
      h('div.stat', h('div.stat-num', fmtPct(summary?.availability)), h('div.stat-label', tr('target.availRange'))),
      h('div.stat', h('div.stat-num', fmtMs(summary?.p95)), h('div.stat-label', tr('target.p95Range'))),
      // Expiring is a warning (degraded), only an expired certificate is red.
      h('div.stat', { class: daysLeft !== null && daysLeft < 0 ? 's-down' : daysLeft !== null && daysLeft < 15 ? 's-degraded' : '' }, h('div.stat-num', daysLeft === null ? '—' : tr('target.days', { n: daysLeft })), h('div.stat-label', certExpiry ? tr('target.certExpiry', { at: fmtTime(certExpiry) }) : tr('target.certNone'))),
      h('div.stat.baseline', { class: baselineTone(blStatus) }, h('div.stat-num', blStatus ? baselineStatusLabel(blStatus) : '—'), h('div.stat-label', blLabel), approve)),
    t.openIncident ? h('div.report-line.incident', tr('target.incident', { at: fmtTime(t.openIncident.startedAt), err: t.openIncident.firstError ?? t.openIncident.firstErrorCode ?? '' })) : null,
    dnsCard,
    baseline ? baselineCard(baseline) : null,
    card(tr('target.latency'), latency),
    card(tr('target.calendar'), calendar(days)),
    card(tr('target.failures'), table(fails, [
      [tr('target.col.time'), (r) => fmtTime(r.ts, true)],
      [tr('target.col.status'), (r) => r.statusCode ?? '—'],
      [tr('target.col.errorType'), (r) => r.errorCode ?? '—'],
      [tr('target.col.error'), (r) => h('span.err', r.error ?? '—')],
      [tr('target.col.duration'), (r) => fmtMs(r.durationMs)],
    ], { empty: tr('target.noFailures') })));
}
