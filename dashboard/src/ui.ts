import * as echarts from 'echarts';
import { CHINA_OFFSET_MS, chinaWallClock } from '../../core/china-time';
import { hasKey, lang, t } from './i18n';
import { onThemeChange, theme } from './theme';

type Child = Node | string | number | null | undefined | false | Child[];
type Attrs = Record<string, any>;

/** A tiny DOM builder: h('div.card', {onclick}, 'text', child). Text is set as text, never as HTML. */
export function h(tag: string, attrs?: Attrs | Child, ...children: Child[]): HTMLElement {
  const [name, ...classes] = tag.split('.');
  const el = document.createElement(name || 'div');
  if (classes.length) el.className = classes.join(' ');
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs as Child);
  } else if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'class') el.className += (el.className ? ' ' : '') + v;
      else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  const add = (c: Child) => {
    if (c === null || c === undefined || c === false) return;
    if (Array.isArray(c)) c.forEach(add);
    else el.append(c instanceof Node ? c : String(c));
  };
  children.forEach(add);
  return el;
}

/** 暂无数据 in the current language (a function: the language can change while the page runs). */
export const EMPTY = () => t('common.empty');
export function empty(text?: string): HTMLElement {
  return h('div.empty', text ?? EMPTY());
}
/** The loading state (distinct from empty() and failed()). */
export function loading(): HTMLElement {
  return h('div.loading', { role: 'status' }, t('common.loading'));
}

/**
 * A request that failed (not "no data"): what could not be loaded, the server's message, and 重试. Distinct from
 * empty(): an endpoint that answers nothing (404/501) is 暂无数据; one that errs says so.
 */
export function failed(what: string, err: unknown, retry: () => void): HTMLElement {
  const msg = err instanceof Error ? err.message : String(err);
  return h('div.failed', { role: 'alert' },
    h('span', t('common.failed', { what, msg: msg || t('common.networkError') })),
    h('button.small.secondary.retry', { type: 'button', onclick: retry }, t('common.retry')));
}

export function card(title: string, ...body: Child[]): HTMLElement {
  return h('section.card', h('h3', title), ...body);
}

/** Every time on the page is written in UTC+8 (北京时间), whatever zone the browser is in; the header says so once. */
export function fmtTime(v: unknown, withSeconds = false): string {
  if (v === undefined || v === null || v === '') return '—';
  const t = typeof v === 'number' ? v : new Date(v as string).getTime();
  if (Number.isNaN(t)) return '—';
  return chinaWallClock(t, withSeconds);
}
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
/** A value as JSON (audit details, a change's before and after), with every instant in it written in UTC+8 as fmtTime does. */
export function fmtJson(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === 'string' && ISO_INSTANT.test(x) ? fmtTime(x, true) : x)) ?? '';
}
/** A calendar day as the API sends it (yyyy-MM-dd); an instant is shown as its day in UTC+8. */
export function fmtDate(v: unknown): string {
  if (v === undefined || v === null || v === '') return '—';
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return v;
  return fmtTime(v).slice(0, 10);
}
export function fmtNum(v: unknown, digits = 0): string {
  const n = Number(v);
  if (v === undefined || v === null || !Number.isFinite(n)) return '—';
  return new Intl.NumberFormat(lang(), { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(n);
}
/** A percentage that is already ×100 (99.5 → 99.50%), in the language's number format. */
export function fmtPct(v: unknown, digits = 2): string {
  const n = Number(v);
  if (v === undefined || v === null || !Number.isFinite(n)) return '—';
  return new Intl.NumberFormat(lang(), { style: 'percent', maximumFractionDigits: digits, minimumFractionDigits: digits, useGrouping: false }).format(n / 100);
}
export function fmtMs(v: unknown): string {
  const n = Number(v);
  if (v === undefined || v === null || !Number.isFinite(n)) return '—';
  return n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n.toFixed(0)} ms`;
}
export function fmtBytes(v: unknown): string {
  let n = Number(v);
  if (!Number.isFinite(n)) return '—';
  const u = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1024 && i < u.length - 1) (n /= 1024), i++;
  return `${n.toFixed(i ? 1 : 0)} ${u[i]}`;
}

/** A target's or alert's state in words (up → 正常), the code itself when the catalogue has no name for it. */
export function stateLabel(s: string): string {
  const k = `state.${s}`;
  return hasKey(k) ? t(k) : s;
}
export function badge(state: string | undefined): HTMLElement {
  const s = state ?? 'unknown';
  return h(`span.badge.s-${s}`, stateLabel(s));
}

/** A simple table; `cols` are [header, cell(row)]. */
export function table<T>(rows: T[], cols: [string, (r: T) => Child][], opts: { empty?: string; cls?: string } = {}): HTMLElement {
  if (!rows.length) return empty(opts.empty);
  return h(`div.tablewrap${opts.cls ? '.' + opts.cls : ''}`,
    h('table', h('thead', h('tr', cols.map(([t]) => h('th', t)))), h('tbody', rows.map((r) => h('tr', cols.map(([, f]) => h('td', f(r))))))));
}

// Charts live until the page re-renders; the router disposes them so no instance leaks between pages. Each keeps the
// function that made its option, so a change of 配色 redraws it in the other ECharts theme without re-reading data.
const charts = new Map<echarts.ECharts, { el: HTMLElement; option: () => echarts.EChartsCoreOption }>();
export function disposeCharts() {
  for (const c of charts.keys()) c.dispose();
  charts.clear();
}
window.addEventListener('resize', () => charts.forEach((_, c) => c.resize()));

/** Draws `option` into `el` in the current theme (ECharts' built-in 'dark' theme, on the card's own background). */
function draw(el: HTMLElement, option: () => echarts.EChartsCoreOption) {
  const dark = theme() === 'dark';
  const c = echarts.init(el, dark ? 'dark' : undefined, { renderer: 'canvas' });
  c.setOption({ color: PALETTE, animation: false, textStyle: { fontFamily: 'inherit' }, ...(dark ? { backgroundColor: 'transparent' } : {}), ...option() });
  charts.set(c, { el, option });
}
onThemeChange(() => {
  const all = [...charts.entries()];
  charts.clear();
  for (const [c, { el, option }] of all) {
    c.dispose();
    if (el.isConnected) draw(el, option);
  }
});

export const PALETTE = ['#2f7ed8', '#50b432', '#f7a35c', '#e4514b', '#8085e9', '#2bb3b6', '#a87dc9', '#bfa23c'];

/** A chart in a box of the given height; shows 暂无数据 instead when there is nothing to draw. */
export function chart(option: echarts.EChartsCoreOption | (() => echarts.EChartsCoreOption), opts: { height?: number; hasData: boolean; cls?: string }): HTMLElement {
  if (!opts.hasData) return h('div.chart-empty', { style: { height: `${opts.height ?? 260}px` } }, EMPTY());
  const el = h(`div.chart${opts.cls ? '.' + opts.cls : ''}`, { style: { height: `${opts.height ?? 260}px` } });
  const make = typeof option === 'function' ? option : () => option;
  // Initialise after the element is in the document so ECharts measures its real width.
  requestAnimationFrame(() => {
    if (el.isConnected) draw(el, make);
  });
  return el;
}

/**
 * ECharts writes a time axis in the browser's zone and has no zone setting: the points move by +8 h and the chart
 * runs in UTC (`useUTC`), so ticks fall on UTC+8 midnights and labels and tooltips read as 北京时间 everywhere.
 */
export function timeAxisOption(series: { name: string; data: [number, number | null][]; type?: string; stack?: string; area?: boolean; yAxisIndex?: number }[], opts: { yName?: string; yFormatter?: (v: number) => string; y2Name?: string; range?: { from: number; to: number } } = {}) {
  const cn = (t: number) => t + CHINA_OFFSET_MS;
  return {
    useUTC: true,
    tooltip: { trigger: 'axis' },
    legend: { top: 0, type: 'scroll' },
    grid: { left: 56, right: opts.y2Name ? 56 : 20, top: 36, bottom: 28 },
    // The axis spans the chosen range, so a gap at the start or end reads as "no data then", not as a zoom.
    xAxis: { type: 'time', ...(opts.range ? { min: cn(opts.range.from), max: cn(opts.range.to) } : {}) },
    yAxis: [
      // An explicit `axisLabel: undefined` would replace ECharts' default and hide the labels.
      { type: 'value', name: opts.yName, ...(opts.yFormatter ? { axisLabel: { formatter: opts.yFormatter } } : {}) },
      ...(opts.y2Name ? [{ type: 'value', name: opts.y2Name, splitLine: { show: false } }] : []),
    ],
    series: series.map((s) => ({
      // Symbols only when points are few: a single point of a line would otherwise be invisible.
      name: s.name, type: s.type ?? 'line', data: s.data.map(([t, v]) => [cn(t), v]), stack: s.stack, showSymbol: s.data.length <= 30, yAxisIndex: s.yAxisIndex ?? 0,
      ...(s.area ? { areaStyle: { opacity: 0.5 } } : {}),
    })),
  };
}

/** A gauge; without a value it says why (`reason`), rather than drawing an empty dial. */
export function gauge(name: string, value: number | null, opts: { max?: number; suffix?: string; reason?: string } = {}) {
  if (value === null || value === undefined || !Number.isFinite(value)) {
    return h('div.gauge-none', { style: { height: '170px' } }, h('div.gauge-name', name), h('div.gauge-value', '—'), h('div.gauge-reason', opts.reason ?? EMPTY()));
  }
  const max = opts.max ?? 100;
  const v = value ?? 0;
  // Red below 90 %, amber below 95 %, green above: the thresholds the regulatory office is assessed against.
  const color = v < 90 ? '#e4514b' : v < 95 ? '#f7a35c' : '#50b432';
  return chart(() => ({
    series: [{
      type: 'gauge', min: 0, max, radius: '100%', center: ['50%', '62%'], startAngle: 200, endAngle: -20,
      progress: { show: true, width: 14, itemStyle: { color } }, axisLine: { lineStyle: { width: 14 } },
      axisTick: { show: false }, splitLine: { show: false }, axisLabel: { show: false }, pointer: { show: false },
      title: { offsetCenter: [0, '48%'], fontSize: 13, color: theme() === 'dark' ? '#a9b7c6' : '#5a6b7f' },
      detail: { valueAnimation: false, offsetCenter: [0, '0%'], fontSize: 24, fontWeight: 600, color: theme() === 'dark' ? '#e3e9f0' : '#1f2d3d', formatter: (x: number) => `${x.toFixed(1)}${opts.suffix ?? '%'}` },
      data: [{ value: v, name }],
    }],
  }), { height: 170, hasData: value !== null && value !== undefined && Number.isFinite(value) });
}

export function toast(text: string, kind: 'ok' | 'error' = 'ok') {
  const el = h(`div.toast.${kind}`, { role: kind === 'error' ? 'alert' : 'status' }, text);
  document.body.append(el);
  setTimeout(() => el.remove(), 4000);
}

/** Runs a user's action: on success a toast and a quiet re-render, on failure the server's message. */
export async function act(fn: () => Promise<unknown>, ok: string, ctx: { rerender(): void }) {
  try {
    await fn();
    toast(ok);
    ctx.rerender();
  } catch (err) {
    toast(t('common.actionFailed', { msg: (err as Error).message }), 'error');
  }
}

/** A small modal form; resolves with the field values or null when cancelled. */
export function promptForm(title: string, fields: { name: string; label: string; type?: string; value?: string; options?: [string, string][] }[]): Promise<Record<string, string> | null> {
  return new Promise((resolve) => {
    const inputs = new Map<string, HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>();
    const close = (v: Record<string, string> | null) => {
      overlay.remove();
      resolve(v);
    };
    const form = h('form.modal', { onsubmit: (e: Event) => {
      e.preventDefault();
      close(Object.fromEntries([...inputs].map(([k, el]) => [k, el.value])));
    } },
    h('h3', title),
    fields.map((f) => {
      const input = f.options
        ? h('select', { name: f.name }, f.options.map(([v, l]) => h('option', { value: v, selected: v === f.value }, l))) as HTMLSelectElement
        : f.type === 'textarea' ? h('textarea', { name: f.name }, f.value ?? '') as HTMLTextAreaElement
          : h('input', { name: f.name, type: f.type ?? 'text', value: f.value ?? '' }) as HTMLInputElement;
      inputs.set(f.name, input);
      return h('label', h('span', f.label), input);
    }),
    h('div.actions', h('button', { type: 'button', class: 'secondary', onclick: () => close(null) }, t('common.cancel')), h('button', { type: 'submit' }, t('common.ok'))));
    // Escape cancels, like any dialog; focus goes back to where it was.
    const before = document.activeElement as HTMLElement | null;
    form.setAttribute('role', 'dialog');
    form.setAttribute('aria-modal', 'true');
    form.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        close(null);
        before?.focus?.();
      }
    });
    const overlay = h('div.overlay', form);
    document.body.append(overlay);
    (form.querySelector('input,select,textarea') as HTMLElement | null)?.focus();
  });
}

export { echarts };

/** A request's answer or its error: a page shows failed() (what + 重试) for the error, never 暂无数据. */
export interface Got<T> { v: T | null; error: unknown }
export const got = <T>(p: Promise<T>): Promise<Got<T>> => p.then((v) => ({ v, error: null }), (error: unknown) => ({ v: null, error: error ?? new Error('') }));
/** `ok(v)` when the request answered, else the error state with 重试 (re-renders the page). */
export function loaded<T>(g: Got<T>, what: string, ctx: { rerender(): void }, ok: (v: T | null) => HTMLElement): HTMLElement {
  return g.error ? failed(what, g.error, () => ctx.rerender()) : ok(g.v);
}
