import { api } from '../api';
import { card, chart, fmtNum, fmtTime, h, table, timeAxisOption } from '../ui';
import { setParams } from '../router';
import type { PageCtx } from '../page-ctx';
import { listTable, type ListFilter } from '../list-table';
import { t as tr } from '../i18n';
import type { FaroEvent, FaroLog } from '../../../contract/collector';

const VITALS: [string, string, string][] = [
  ['lcp', 'LCP 最大内容绘制', 'ms'],
  ['fcp', 'FCP 首次内容绘制', 'ms'],
  ['inp', 'INP 交互到下次绘制', 'ms'],
  ['ttfb', 'TTFB 首字节', 'ms'],
  ['cls', 'CLS 累积布局偏移', ''],
];

const LEVELS = ['error', 'warn', 'info', 'log', 'debug', 'trace'] as const;
const LEVEL_CLS: Record<string, string> = { error: 'err', warn: 'warn' };

const short = (v: unknown, n = 120) => {
  if (v == null) return '—';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > n ? `${s.slice(0, n)}…` : s;
};

/** 日志与事件: the SDK's logs and events, searched and paged on the server (GET /faro/logs, /faro/events). */
function signalsCard(ctx: PageCtx, apps: string[], app: string | undefined, pageUrl: string | undefined): HTMLElement {
  const common = (): ListFilter[] => [
    { name: 'app', label: tr('rum.sig.app'), options: apps.map((a) => [a, a]), value: app ?? '' },
    { name: 'page', label: tr('rum.sig.page'), placeholder: tr('rum.sig.pageHint'), value: pageUrl ?? '' },
    { name: 'session', label: tr('rum.sig.session'), placeholder: tr('rum.sig.sessionHint') },
  ];
  // A page links to the whole 前端体验 page for that page (the charts above follow it), like the 页面体验 table.
  const pageCell = (r: FaroLog | FaroEvent) =>
    r.pageUrl ? h('a', { href: '#', title: r.pageUrl, onclick: (e: Event) => { e.preventDefault(); setParams({ url: r.pageUrl ?? undefined }); } }, short(r.pageUrl, 60)) : '—';
  const logs = listTable<FaroLog>({
    cls: 'faro-logs',
    search: tr('rum.sig.logSearch'),
    filters: [...common(), { name: 'level', label: tr('rum.sig.level'), options: LEVELS.map((l): [string, string] => [l, tr(`rum.level.${l}`)]) }],
    sort: '-ts',
    pageSize: 20,
    empty: tr('rum.sig.noLogs'),
    load: (q) => api.faro.logs(ctx.range, q),
    cols: [
      { title: tr('rum.sig.time'), sort: 'ts', cell: (r) => fmtTime(r.ts, true) },
      { title: tr('rum.sig.level'), cell: (r) => h(`span.level${LEVEL_CLS[r.level] ? '.' + LEVEL_CLS[r.level] : ''}`, r.level) },
      { title: tr('rum.sig.message'), cell: (r) => h('span', { title: r.context ? JSON.stringify(r.context) : '' }, short(r.message)) },
      { title: tr('rum.sig.app'), cell: (r) => r.app },
      { title: tr('rum.sig.page'), cell: pageCell },
      { title: tr('rum.sig.session'), cell: (r) => (r.sessionId ? h('code', r.sessionId) : '—') },
      { title: tr('rum.sig.browser'), cell: (r) => r.browser ?? '—' },
    ],
  });
  const events = listTable<FaroEvent>({
    cls: 'faro-events',
    search: tr('rum.sig.eventSearch'),
    filters: [...common(), { name: 'name', label: tr('rum.sig.eventName'), placeholder: tr('rum.sig.eventNameHint') }],
    sort: '-ts',
    pageSize: 20,
    empty: tr('rum.sig.noEvents'),
    load: (q) => api.faro.events(ctx.range, q),
    cols: [
      { title: tr('rum.sig.time'), sort: 'ts', cell: (r) => fmtTime(r.ts, true) },
      { title: tr('rum.sig.event'), cell: (r) => h('code', r.name) },
      { title: tr('rum.sig.domain'), cell: (r) => r.domain ?? '—' },
      { title: tr('rum.sig.attributes'), cell: (r) => short(r.attributes, 80) },
      { title: tr('rum.sig.app'), cell: (r) => r.app },
      { title: tr('rum.sig.page'), cell: pageCell },
      { title: tr('rum.sig.session'), cell: (r) => (r.sessionId ? h('code', r.sessionId) : '—') },
    ],
  });
  return card(tr('rum.sig.card'), h('h4', tr('rum.sig.logs')), logs, h('h4', tr('rum.sig.events')), events);
}

/** 前端体验: web-vital p75 over time per app and page, top errors by fingerprint, affected sessions, logs and events. */
export async function renderRum(ctx: PageCtx): Promise<HTMLElement> {
  const app = ctx.route.params.app;
  const pageUrl = ctx.route.params.url;
  const q = { app, page: pageUrl };
  const [apps, vitals, errors, sessions, pages] = await Promise.all([
    api.faro.apps().catch(() => null),
    api.faro.vitals(ctx.range, q).catch(() => null),
    api.faro.errors(ctx.range, { app, limit: 20 }).catch(() => null),
    api.faro.sessions(ctx.range, { app, limit: 20 }).catch(() => null),
    api.faro.pages(ctx.range, { app }).catch(() => null),
  ]);
  const points = vitals?.items ?? [];
  const ms = VITALS.filter(([k, , u]) => u === 'ms' && points.some((p) => p.name === k));
  const timeSeries = ms.map(([k, label]) => ({ name: label, data: points.filter((p) => p.name === k).map((p) => [new Date(p.bucket).getTime(), p.p75] as [number, number]) }));
  const cls = points.filter((p) => p.name === 'cls').map((p) => [new Date(p.bucket).getTime(), p.p75] as [number, number]);
  const errs = errors?.items ?? [];
  const errSeries = errors?.series ?? [];

  return h('div.page.rum',
    h('div.toolbar',
      h('span', '应用：'),
      h('select', { onchange: (e: Event) => setParams({ app: (e.target as HTMLSelectElement).value || undefined, url: undefined }) },
        h('option', { value: '' }, '全部'),
        (apps?.items ?? []).map((a) => h('option', { value: a.name, selected: a.name === app }, a.name))),
      pageUrl ? h('span.chip', `页面 ${pageUrl} `, h('a', { href: '#', onclick: (e: Event) => { e.preventDefault(); setParams({ url: undefined }); } }, '×')) : null,
      h('span.muted', `会话 ${fmtNum(sessions?.sessions)} · 出错会话 ${fmtNum(sessions?.sessionsWithErrors)}`)),
    h('div.grid2',
      card('Web Vitals P75 趋势（毫秒）', chart(timeAxisOption(timeSeries, { yName: 'ms', range: ctx.range }), { height: 260, hasData: timeSeries.length > 0, cls: 'vitals' })),
      card('CLS P75 趋势', chart(timeAxisOption([{ name: 'CLS', data: cls }], { range: ctx.range }), { height: 260, hasData: cls.length > 0 }))),
    h('div.grid2',
      card('错误数量', chart(timeAxisOption([{ name: '错误', type: 'bar', data: errSeries.map((p) => [new Date(p.bucket).getTime(), p.n] as [number, number]) }], { range: ctx.range }), { height: 220, hasData: errSeries.length > 0, cls: 'errors' })),
      card('页面体验（P75）', table(pages?.items ?? [], [
        ['页面', (r) => h('a', { href: '#', onclick: (e: Event) => { e.preventDefault(); setParams({ url: r.pageUrl }); } }, r.pageUrl ?? '—')],
        ['样本数', (r) => fmtNum(r.samples)],
        ['LCP', (r) => fmtNum(r.lcpP75)],
        ['INP', (r) => fmtNum(r.inpP75)],
        ['CLS', (r) => fmtNum(r.clsP75, 3)],
        ['TTFB', (r) => fmtNum(r.ttfbP75)],
      ]))),
    card('主要错误（按指纹归并）', table(errs, [
      ['类型', (r) => r.type],
      ['信息', (r) => h('span.err', r.message)],
      ['应用', (r) => r.app],
      ['次数', (r) => fmtNum(r.count)],
      ['影响会话', (r) => fmtNum(r.sessions)],
      ['最近出现', (r) => fmtTime(r.lastSeen, true)],
      ['最近页面', (r) => r.lastPage ?? '—'],
    ], { empty: '所选时间内没有前端错误' })),
    card('受影响的会话', table(sessions?.items ?? [], [
      ['会话', (r) => h('code', r.sessionId)],
      ['应用', (r) => r.app],
      ['错误次数', (r) => fmtNum(r.errors)],
      ['不同错误', (r) => fmtNum(r.distinctErrors)],
      ['浏览器', (r) => r.browser ?? '—'],
      ['最近页面', (r) => r.lastPage ?? '—'],
      ['最近出现', (r) => fmtTime(r.lastSeen, true)],
    ], { empty: '没有出错的会话' })),
    signalsCard(ctx, (apps?.items ?? []).map((a) => a.name), app, pageUrl));
}
