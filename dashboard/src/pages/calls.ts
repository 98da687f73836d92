import { api } from '../api';
import type { CallTotals, CallTrendPoint, InterfaceCallStat } from '../../../contract/calls';
import { card, chart, fmtNum, fmtTime, h, table, timeAxisOption } from '../ui';
import { buildHash, setParams } from '../router';
import type { PageCtx } from '../page-ctx';

const PAGE = 20;
const LEVEL_ZH = { city: '市级', provincial: '省级', national: '国家级' } as const;
const SORT_ZH = { calls: '调用量', failures: '失败数', p95: 'P95 耗时' } as const;
const STATE_ZH: Record<string, string> = { up: '正常', degraded: '降级', down: '不可用', unknown: '未知' };

/** 累计调用 N 万次, as the seed writes it. */
const wan = (n: number) => (n >= 10_000 ? `${fmtNum(n / 10_000, 1)} 万次` : `${fmtNum(n)} 次`);

function kpis(t: CallTotals | undefined, extra: [string, string][] = []) {
  const item = (label: string, value: string) => h('div.stat', h('div.stat-num', value), h('div.stat-label', label));
  return h('div.stats',
    item('调用次数', fmtNum(t?.calls)), item('失败次数', fmtNum(t?.failures)), item('失败率', t ? `${fmtNum(t.errorRate, 2)}%` : '—'),
    item('平均耗时', t?.avgMs != null ? `${fmtNum(t.avgMs)} ms` : '—'), item('P95 耗时 ≈', t?.p95Ms != null ? `${fmtNum(t.p95Ms)} ms` : '—'),
    item('返回记录数', fmtNum(t?.records)), ...extra.map(([l, v]) => item(l, v)));
}

function trendCharts(trend: CallTrendPoint[], range: { from: number; to: number }) {
  const at = (p: CallTrendPoint) => new Date(p.ts).getTime();
  return h('div.grid2',
    card('调用趋势', chart(timeAxisOption([
      { name: '调用', type: 'bar', data: trend.map((p) => [at(p), p.calls] as [number, number]) },
      { name: '失败', type: 'bar', data: trend.map((p) => [at(p), p.failures] as [number, number]) },
    ], { yName: '次', range }), { height: 240, hasData: trend.length > 0, cls: 'calls-trend' })),
    card('耗时趋势（毫秒）', chart(timeAxisOption([
      { name: '平均', data: trend.map((p) => [at(p), p.avgMs] as [number, number | null]) },
      { name: 'P95', data: trend.map((p) => [at(p), p.p95Ms] as [number, number | null]) },
    ], { yName: 'ms', range }), { height: 240, hasData: trend.length > 0 })));
}

const link = (label: string, params: Record<string, string | undefined>) =>
  h('a', { href: '#', onclick: (e: Event) => { e.preventDefault(); setParams(params); } }, label);

function pager(total: number, offset: number, key: string) {
  if (total <= PAGE) return null;
  return h('div.pager',
    h('button', { disabled: offset === 0, onclick: () => setParams({ [key]: String(Math.max(0, offset - PAGE)) }) }, '上一页'),
    h('span.muted', ` 第 ${offset / PAGE + 1} / ${Math.ceil(total / PAGE)} 页（共 ${total} 项） `),
    h('button', { disabled: offset + PAGE >= total, onclick: () => setParams({ [key]: String(offset + PAGE) }) }, '下一页'));
}

const interfaceCols: [string, (r: InterfaceCallStat) => HTMLElement | string][] = [
  ['接口', (r) => link(r.name ? `${r.name}（${r.code}）` : r.code, { iface: r.code, caller: undefined })],
  ['级别', (r) => LEVEL_ZH[r.level]],
  ['标记', (r) => h('span', r.sensitive ? h('span.chip.warn', '敏感') : '', r.known ? '' : h('span.chip', '未登记'))],
  ['调用次数', (r) => fmtNum(r.calls)],
  ['失败', (r) => fmtNum(r.failures)],
  ['失败率', (r) => `${fmtNum(r.errorRate, 2)}%`],
  ['P95 ≈', (r) => (r.p95Ms != null ? `${fmtNum(r.p95Ms)} ms` : '—')],
  ['返回记录', (r) => fmtNum(r.records)],
];

/** 接口调用: the city's calls of the sharing platform's interfaces (from its logs), one interface, one department. */
export async function renderCalls(ctx: PageCtx): Promise<HTMLElement> {
  const p = ctx.route.params;
  if (p.iface) return renderInterface(ctx, p.iface);
  if (p.caller) return renderCaller(ctx, p.caller);
  const sort = (p.sort === 'failures' || p.sort === 'p95' ? p.sort : 'calls') as keyof typeof SORT_ZH;
  const offset = Math.max(0, Number(p.offset) || 0);
  const [o, top, callers, cum] = await Promise.all([
    api.calls.overview(ctx.range).catch(() => null),
    api.calls.interfaces(ctx.range, { sort, limit: PAGE, offset }).catch(() => null),
    api.calls.callers(ctx.range, { limit: 10 }).catch(() => null),
    api.calls.cumulative().catch(() => null),
  ]);
  return h('div.page.calls',
    cum ? h('div.toolbar.cumulative', cum.levels.map((l) => h('span.chip', `累计调用${LEVEL_ZH[l.level]}数据 ${wan(l.calls)}`)),
      cum.since ? h('span.muted', `（自 ${fmtTime(cum.since)} 起${cum.levels.some((l) => l.baseline) ? '，含此前基数' : ''}）`) : null) : null,
    kpis(o?.totals, [['接口数', fmtNum(o?.interfaces)], ['调用部门', fmtNum(o?.callers)], ['未登记接口', fmtNum(o?.unknownInterfaces)]]),
    trendCharts(o?.trend ?? [], ctx.range),
    card(`接口排行（按${SORT_ZH[sort]}）`,
      h('div.toolbar',
        Object.entries(SORT_ZH).map(([k, label]) => h('button', { class: k === sort ? 'active' : '', onclick: () => setParams({ sort: k, offset: undefined }) }, label)),
        h('a.button', { href: api.calls.exportUrl(ctx.range), download: '' }, '导出 CSV（月报）')),
      table(top?.items ?? [], interfaceCols, { empty: '所选时间内没有接口调用记录', cls: 'calls-top' }),
      pager(top?.total ?? 0, offset, 'offset')),
    card('调用部门排行', table(callers?.items ?? [], [
      ['部门', (r) => link(r.callerDept, { caller: r.callerDept, iface: undefined })],
      ['系统', (r) => r.callerSystem || '—'],
      ['调用次数', (r) => fmtNum(r.calls)],
      ['失败率', (r) => `${fmtNum(r.errorRate, 2)}%`],
      ['返回记录', (r) => fmtNum(r.records)],
    ], { empty: '没有调用部门' })));
}

async function renderInterface(ctx: PageCtx, code: string): Promise<HTMLElement> {
  const d = await api.calls.interface(code, ctx.range).catch(() => null);
  const back = h('a', { href: buildHash({ page: 'calls', params: ctx.route.params.range ? { range: ctx.route.params.range } : {} }) }, '← 返回接口调用');
  if (!d) return h('div.page.calls', back, card('接口', h('p.muted', `没有接口 ${code} 的调用记录`)));
  const t = d.totals;
  return h('div.page.calls.interface',
    h('div.toolbar', back, h('h2', d.interface.name ? `${d.interface.name}（${code}）` : code), h('span.chip', LEVEL_ZH[d.interface.level]),
      d.interface.sensitive ? h('span.chip.warn', '敏感接口') : null, d.interface.known ? null : h('span.chip', '未登记')),
    kpis(t, [['P50 ≈', t.p50Ms != null ? `${fmtNum(t.p50Ms)} ms` : '—'], ['P99 ≈', t.p99Ms != null ? `${fmtNum(t.p99Ms)} ms` : '—']]),
    trendCharts(d.trend, ctx.range),
    h('div.grid2',
      card('状态码', table(d.statusCodes, [['状态码', (r) => (r.status ? String(r.status) : '无（超时/拒绝）')], ['次数', (r) => fmtNum(r.calls)]], { empty: '无', cls: 'status-codes' })),
      card('主动探测（同一接口）', table(d.probes, [
        ['探测目标', (r) => h('a', { href: buildHash({ page: 'target', arg: r.targetId, params: {} }) }, r.name)],
        ['状态', (r) => STATE_ZH[r.state] ?? r.state],
        ['自', (r) => (r.since ? fmtTime(r.since) : '—')],
        ['最近耗时', (r) => (r.lastDurationMs != null ? `${fmtNum(r.lastDurationMs)} ms` : '—')],
      ], { empty: '没有标记为此接口的探测目标（在目标的 tags 中写 interface: 接口编码）' }))),
    card('主要调用方', table(d.topCallers, [
      ['部门', (r) => link(r.callerDept, { caller: r.callerDept, iface: undefined })],
      ['系统', (r) => r.callerSystem || '—'],
      ['调用次数', (r) => fmtNum(r.calls)],
      ['失败率', (r) => `${fmtNum(r.errorRate, 2)}%`],
      ['返回记录', (r) => fmtNum(r.records)],
    ], { empty: '没有调用方', cls: 'top-callers' })));
}

async function renderCaller(ctx: PageCtx, dept: string): Promise<HTMLElement> {
  const offset = Math.max(0, Number(ctx.route.params.offset) || 0);
  const d = await api.calls.caller(dept, ctx.range, { limit: PAGE, offset }).catch(() => null);
  const back = h('a', { href: buildHash({ page: 'calls', params: ctx.route.params.range ? { range: ctx.route.params.range } : {} }) }, '← 返回接口调用');
  if (!d) return h('div.page.calls', back, card('调用部门', h('p.muted', `没有部门 ${dept} 的调用记录`)));
  return h('div.page.calls.caller',
    h('div.toolbar', back, h('h2', dept), h('span.muted', `系统：${d.systems.map((s) => s.callerSystem || '—').join('、')}`)),
    kpis(d.totals),
    trendCharts(d.trend, ctx.range),
    card('使用的接口', table(d.interfaces.items, interfaceCols, { empty: '所选时间内没有调用', cls: 'caller-interfaces' }), pager(d.interfaces.total, offset, 'offset')));
}
