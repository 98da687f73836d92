import { api } from '../api';
import { card, chart, failed, fmtNum, fmtTime, got, h, loaded, table, timeAxisOption } from '../ui';
import { setParams } from '../router';
import type { PageCtx } from '../page-ctx';
import { listTable, type ListFilter } from '../list-table';
import { t as tr, type Key } from '../i18n';
import type { FaroEvent, FaroLog } from '../../../contract/collector';

/** The web vitals: code, the catalogue's name for it, unit. */
const VITALS: [string, Key, string][] = [
  ['lcp', 'rum.vital.lcp', 'ms'],
  ['fcp', 'rum.vital.fcp', 'ms'],
  ['inp', 'rum.vital.inp', 'ms'],
  ['ttfb', 'rum.vital.ttfb', 'ms'],
  ['cls', 'rum.vital.cls', ''],
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
  // Each request's answer or its error: a failed one shows what failed with 重试 in its card, not 暂无数据.
  const [appsG, vitalsG, errorsG, sessionsG, pagesG] = await Promise.all([
    got(api.faro.apps()),
    got(api.faro.vitals(ctx.range, q)),
    got(api.faro.errors(ctx.range, { app, limit: 20 })),
    got(api.faro.sessions(ctx.range, { app, limit: 20 })),
    got(api.faro.pages(ctx.range, { app })),
  ]);
  const [apps, vitals, errors, sessions, pages] = [appsG.v, vitalsG.v, errorsG.v, sessionsG.v, pagesG.v];
  const points = vitals?.items ?? [];
  const ms = VITALS.filter(([k, , u]) => u === 'ms' && points.some((p) => p.name === k));
  const timeSeries = ms.map(([k, label]) => ({ name: tr(label), data: points.filter((p) => p.name === k).map((p) => [new Date(p.bucket).getTime(), p.p75] as [number, number]) }));
  const cls = points.filter((p) => p.name === 'cls').map((p) => [new Date(p.bucket).getTime(), p.p75] as [number, number]);
  const errs = errors?.items ?? [];
  const errSeries = errors?.series ?? [];

  return h('div.page.rum',
    h('div.toolbar',
      h('span', tr('rum.app')),
      h('select', { onchange: (e: Event) => setParams({ app: (e.target as HTMLSelectElement).value || undefined, url: undefined }) },
        h('option', { value: '' }, tr('common.all')),
        (apps?.items ?? []).map((a) => h('option', { value: a.name, selected: a.name === app }, a.name))),
      appsG.error ? failed(tr('rum.what.apps'), appsG.error, () => ctx.rerender()) : null,
      pageUrl ? h('span.chip', tr('rum.pageChip', { url: pageUrl }), h('a', { href: '#', onclick: (e: Event) => { e.preventDefault(); setParams({ url: undefined }); } }, '×')) : null,
      sessionsG.error ? null : h('span.muted', tr('rum.sessionCounts', { n: fmtNum(sessions?.sessions), errors: fmtNum(sessions?.sessionsWithErrors) }))),
    h('div.grid2',
      card(tr('rum.vitalsTrend'), loaded(vitalsG, tr('rum.what.vitals'), ctx, () => chart(timeAxisOption(timeSeries, { yName: 'ms', range: ctx.range }), { height: 260, hasData: timeSeries.length > 0, cls: 'vitals' }))),
      card(tr('rum.clsTrend'), loaded(vitalsG, tr('rum.what.vitals'), ctx, () => chart(timeAxisOption([{ name: 'CLS', data: cls }], { range: ctx.range }), { height: 260, hasData: cls.length > 0 })))),
    h('div.grid2',
      card(tr('rum.errorCount'), loaded(errorsG, tr('rum.what.errors'), ctx, () => chart(timeAxisOption([{ name: tr('rum.s.errors'), type: 'bar', data: errSeries.map((p) => [new Date(p.bucket).getTime(), p.n] as [number, number]) }], { range: ctx.range }), { height: 220, hasData: errSeries.length > 0, cls: 'errors' }))),
      card(tr('rum.pages'), loaded(pagesG, tr('rum.what.pages'), ctx, () => table(pages?.items ?? [], [
        [tr('rum.col.page'), (r) => h('a', { href: '#', onclick: (e: Event) => { e.preventDefault(); setParams({ url: r.pageUrl }); } }, r.pageUrl ?? '—')],
        [tr('rum.col.samples'), (r) => fmtNum(r.samples)],
        ['LCP', (r) => fmtNum(r.lcpP75)],
        ['INP', (r) => fmtNum(r.inpP75)],
        ['CLS', (r) => fmtNum(r.clsP75, 3)],
        ['TTFB', (r) => fmtNum(r.ttfbP75)],
      ])))),
    card(tr('rum.topErrors'), loaded(errorsG, tr('rum.what.errors'), ctx, () => table(errs, [
      [tr('rum.col.type'), (r) => r.type],
      [tr('rum.col.message'), (r) => h('span.err', r.message)],
      [tr('rum.col.app'), (r) => r.app],
      [tr('rum.col.count'), (r) => fmtNum(r.count)],
      [tr('rum.col.sessions'), (r) => fmtNum(r.sessions)],
      [tr('rum.col.lastSeen'), (r) => fmtTime(r.lastSeen, true)],
      [tr('rum.col.lastPage'), (r) => r.lastPage ?? '—'],
    ], { empty: tr('rum.noErrors') }))),
    card(tr('rum.sessions'), loaded(sessionsG, tr('rum.what.sessions'), ctx, () => table(sessions?.items ?? [], [
      [tr('rum.col.session'), (r) => h('code', r.sessionId)],
      [tr('rum.col.app'), (r) => r.app],
      [tr('rum.col.errors'), (r) => fmtNum(r.errors)],
      [tr('rum.col.distinct'), (r) => fmtNum(r.distinctErrors)],
      [tr('rum.col.browser'), (r) => r.browser ?? '—'],
      [tr('rum.col.lastPage'), (r) => r.lastPage ?? '—'],
      [tr('rum.col.lastSeen'), (r) => fmtTime(r.lastSeen, true)],
    ], { empty: tr('rum.noSessions') }))),
    signalsCard(ctx, (apps?.items ?? []).map((a) => a.name), app, pageUrl));
}
