import { api } from '../api';
import type { CallTotals, CallTrendPoint, InterfaceCallStat } from '../../../contract/calls';
import { card, chart, failed, fmtNum, fmtTime, got, h, loaded, table, timeAxisOption } from '../ui';
import { hasKey, t as tr, type Key } from '../i18n';
import { buildHash, setParams } from '../router';
import type { PageCtx } from '../page-ctx';

const PAGE = 20;
const SORTS = ['calls', 'failures', 'p95'] as const;
type Sort = (typeof SORTS)[number];
const levelName = (l: string) => tr(`calls.level.${l}` as Key);
/** A probe target's state in this page's words (down is 不可用 here), the code when the catalogue has none. */
const stateName = (s: string) => (hasKey(`calls.state.${s}`) ? tr(`calls.state.${s}` as Key) : s);
const ms = (v: number | null | undefined) => (v != null ? tr('calls.ms', { n: fmtNum(v) }) : '—');
const pct = (v: number) => tr('calls.pct', { n: fmtNum(v, 2) });

/** 累计调用 N 万次, as the seed writes it. */
const wan = (n: number) => (n >= 10_000 ? tr('calls.wan', { n: fmtNum(n / 10_000, 1) }) : tr('calls.times', { n: fmtNum(n) }));

function kpis(t: CallTotals | undefined, extra: [string, string][] = []) {
  const item = (label: string, value: string) => h('div.stat', h('div.stat-num', value), h('div.stat-label', label));
  return h('div.stats',
    item(tr('calls.k.calls'), fmtNum(t?.calls)), item(tr('calls.k.failures'), fmtNum(t?.failures)), item(tr('calls.k.errorRate'), t ? pct(t.errorRate) : '—'),
    item(tr('calls.k.avg'), ms(t?.avgMs)), item(tr('calls.k.p95'), ms(t?.p95Ms)),
    item(tr('calls.k.records'), fmtNum(t?.records)), ...extra.map(([l, v]) => item(l, v)));
}

function trendCharts(trend: CallTrendPoint[], range: { from: number; to: number }) {
  const at = (p: CallTrendPoint) => new Date(p.ts).getTime();
  return h('div.grid2',
    card(tr('calls.trend'), chart(timeAxisOption([
      { name: tr('calls.s.calls'), type: 'bar', data: trend.map((p) => [at(p), p.calls] as [number, number]) },
      { name: tr('calls.s.failures'), type: 'bar', data: trend.map((p) => [at(p), p.failures] as [number, number]) },
    ], { yName: tr('calls.unitTimes'), range }), { height: 240, hasData: trend.length > 0, cls: 'calls-trend' })),
    card(tr('calls.latencyTrend'), chart(timeAxisOption([
      { name: tr('calls.s.avg'), data: trend.map((p) => [at(p), p.avgMs] as [number, number | null]) },
      { name: 'P95', data: trend.map((p) => [at(p), p.p95Ms] as [number, number | null]) },
    ], { yName: 'ms', range }), { height: 240, hasData: trend.length > 0 })));
}

const link = (label: string, params: Record<string, string | undefined>) =>
  h('a', { href: '#', onclick: (e: Event) => { e.preventDefault(); setParams(params); } }, label);

function pager(total: number, offset: number, key: string) {
  if (total <= PAGE) return null;
  return h('div.pager',
    h('button', { disabled: offset === 0, onclick: () => setParams({ [key]: String(Math.max(0, offset - PAGE)) }) }, tr('calls.prev')),
    h('span.muted', tr('calls.pageNo', { at: offset / PAGE + 1, pages: Math.ceil(total / PAGE), n: total })),
    h('button', { disabled: offset + PAGE >= total, onclick: () => setParams({ [key]: String(offset + PAGE) }) }, tr('calls.next')));
}

const ifaceName = (name: string | null | undefined, code: string) => (name ? tr('calls.ifaceName', { name, code }) : code);
const interfaceCols = (): [string, (r: InterfaceCallStat) => HTMLElement | string][] => [
  [tr('calls.col.iface'), (r) => link(ifaceName(r.name, r.code), { iface: r.code, caller: undefined })],
  [tr('calls.col.level'), (r) => levelName(r.level)],
  [tr('calls.col.flags'), (r) => h('span', r.sensitive ? h('span.chip.warn', tr('calls.sensitive')) : '', r.known ? '' : h('span.chip', tr('calls.unregistered')))],
  [tr('calls.col.calls'), (r) => fmtNum(r.calls)],
  [tr('calls.col.failures'), (r) => fmtNum(r.failures)],
  [tr('calls.col.errorRate'), (r) => pct(r.errorRate)],
  [tr('calls.col.p95'), (r) => ms(r.p95Ms)],
  [tr('calls.col.records'), (r) => fmtNum(r.records)],
];

/** 接口调用: the city's calls of the sharing platform's interfaces (from its logs), one interface, one department. */
export async function renderCalls(ctx: PageCtx): Promise<HTMLElement> {
  const p = ctx.route.params;
  if (p.iface) return renderInterface(ctx, p.iface);
  if (p.caller) return renderCaller(ctx, p.caller);
  const sort: Sort = p.sort === 'failures' || p.sort === 'p95' ? p.sort : 'calls';
  const offset = Math.max(0, Number(p.offset) || 0);
  // A failed request shows what failed with 重试 (not 暂无数据); the cumulative line is a bonus and just left out.
  const [og, topG, callersG, cum] = await Promise.all([
    got(api.calls.overview(ctx.range)),
    got(api.calls.interfaces(ctx.range, { sort, limit: PAGE, offset })),
    got(api.calls.callers(ctx.range, { limit: 10 })),
    api.calls.cumulative().catch(() => null),
  ]);
  const o = og.v;
  return h('div.page.calls',
    cum ? h('div.toolbar.cumulative', cum.levels.map((l) => h('span.chip', tr('calls.cumulative', { level: levelName(l.level), n: wan(l.calls) }))),
      cum.since ? h('span.muted', tr('calls.since', { at: fmtTime(cum.since), base: cum.levels.some((l) => l.baseline) ? tr('calls.withBase') : '' })) : null) : null,
    og.error ? failed(tr('calls.what.overview'), og.error, () => ctx.rerender()) : null,
    kpis(o?.totals, [[tr('calls.k.interfaces'), fmtNum(o?.interfaces)], [tr('calls.k.callers'), fmtNum(o?.callers)], [tr('calls.k.unknown'), fmtNum(o?.unknownInterfaces)]]),
    trendCharts(o?.trend ?? [], ctx.range),
    card(tr('calls.top', { sort: tr(`calls.sort.${sort}`) }),
      h('div.toolbar',
        SORTS.map((k) => h('button', { class: k === sort ? 'active' : '', onclick: () => setParams({ sort: k, offset: undefined }) }, tr(`calls.sort.${k}`))),
        h('a.button', { href: api.calls.exportUrl(ctx.range), download: '' }, tr('calls.exportCsv'))),
      loaded(topG, tr('calls.what.top'), ctx, (top) => table(top?.items ?? [], interfaceCols(), { empty: tr('calls.noCalls'), cls: 'calls-top' })),
      pager(topG.v?.total ?? 0, offset, 'offset')),
    card(tr('calls.callers'), loaded(callersG, tr('calls.what.callers'), ctx, (callers) => table(callers?.items ?? [], [
      [tr('calls.col.dept'), (r) => link(r.callerDept, { caller: r.callerDept, iface: undefined })],
      [tr('calls.col.system'), (r) => r.callerSystem || '—'],
      [tr('calls.col.calls'), (r) => fmtNum(r.calls)],
      [tr('calls.col.errorRate'), (r) => pct(r.errorRate)],
      [tr('calls.col.records'), (r) => fmtNum(r.records)],
    ], { empty: tr('calls.noCallers') }))));
}

async function renderInterface(ctx: PageCtx, code: string): Promise<HTMLElement> {
  const g = await got(api.calls.interface(code, ctx.range));
  const back = h('a', { href: buildHash({ page: 'calls', params: ctx.route.params.range ? { range: ctx.route.params.range } : {} }) }, tr('calls.back'));
  if (g.error) return h('div.page.calls', back, failed(tr('calls.what.iface'), g.error, () => ctx.rerender()));
  const d = g.v;
  if (!d) return h('div.page.calls', back, card(tr('calls.iface'), h('p.muted', tr('calls.noIface', { code }))));
  const t = d.totals;
  return h('div.page.calls.interface',
    h('div.toolbar', back, h('h2', ifaceName(d.interface.name, code)), h('span.chip', levelName(d.interface.level)),
      d.interface.sensitive ? h('span.chip.warn', tr('calls.sensitiveIface')) : null, d.interface.known ? null : h('span.chip', tr('calls.unregistered'))),
    kpis(t, [['P50 ≈', ms(t.p50Ms)], ['P99 ≈', ms(t.p99Ms)]]),
    trendCharts(d.trend, ctx.range),
    h('div.grid2',
      card(tr('calls.statusCodes'), table(d.statusCodes, [[tr('calls.col.status'), (r) => (r.status ? String(r.status) : tr('calls.noStatus'))], [tr('calls.col.count'), (r) => fmtNum(r.calls)]], { empty: tr('calls.none'), cls: 'status-codes' })),
      card(tr('calls.probes'), table(d.probes, [
        [tr('calls.col.probe'), (r) => h('a', { href: buildHash({ page: 'target', arg: r.targetId, params: {} }) }, r.name)],
        [tr('calls.col.state'), (r) => stateName(r.state)],
        [tr('calls.col.since'), (r) => (r.since ? fmtTime(r.since) : '—')],
        [tr('calls.col.last'), (r) => ms(r.lastDurationMs)],
      ], { empty: tr('calls.noProbes') }))),
    card(tr('calls.topCallers'), table(d.topCallers, [
      [tr('calls.col.dept'), (r) => link(r.callerDept, { caller: r.callerDept, iface: undefined })],
      [tr('calls.col.system'), (r) => r.callerSystem || '—'],
      [tr('calls.col.calls'), (r) => fmtNum(r.calls)],
      [tr('calls.col.errorRate'), (r) => pct(r.errorRate)],
      [tr('calls.col.records'), (r) => fmtNum(r.records)],
    ], { empty: tr('calls.noTopCallers'), cls: 'top-callers' })));
}

async function renderCaller(ctx: PageCtx, dept: string): Promise<HTMLElement> {
  const offset = Math.max(0, Number(ctx.route.params.offset) || 0);
  const g = await got(api.calls.caller(dept, ctx.range, { limit: PAGE, offset }));
  const back = h('a', { href: buildHash({ page: 'calls', params: ctx.route.params.range ? { range: ctx.route.params.range } : {} }) }, tr('calls.back'));
  if (g.error) return h('div.page.calls', back, failed(tr('calls.what.caller'), g.error, () => ctx.rerender()));
  const d = g.v;
  if (!d) return h('div.page.calls', back, card(tr('calls.caller'), h('p.muted', tr('calls.noCaller', { dept }))));
  return h('div.page.calls.caller',
    h('div.toolbar', back, h('h2', dept), h('span.muted', tr('calls.systems', { list: d.systems.map((s) => s.callerSystem || '—').join(tr('calls.listSep')) }))),
    kpis(d.totals),
    trendCharts(d.trend, ctx.range),
    card(tr('calls.used'), table(d.interfaces.items, interfaceCols(), { empty: tr('calls.noUsed'), cls: 'caller-interfaces' }), pager(d.interfaces.total, offset, 'offset')));
}
