import { api, setUnauthenticatedHandler, type User } from './api';
import { PERMISSIONS, ROLE_NAMES_ZH, can as canDo, type Permission } from '../../core/auth/roles';
import { disposeCharts, echarts, h, toast } from './ui';
import { PAGES, RANGES, buildHash, parseHash, rangeOf, setParams, type Route } from './router';
import { startFaro } from './faro';
import { renderOverview } from './pages/overview';
import { renderTarget } from './pages/target';
import { renderAlerts } from './pages/alerts';
import { renderReporting } from './pages/reporting';
import { renderRum } from './pages/rum';
import { renderCalls } from './pages/calls';
import { renderSystem } from './pages/system';
import { renderNotices } from './pages/notices';
import { renderAdmin } from './pages/admin';
import { renderConfig } from './pages/config';
import type { PageCtx, Settings } from './page-ctx';
export type { PageCtx, Settings } from './page-ctx';

const settings: Settings = readSettings();

/** The settings the server wrote into the page (a JSON data block, not a script: the CSP runs no inline script). */
function readSettings(): Settings {
  try {
    return JSON.parse(document.getElementById('settings')?.textContent ?? '') as Settings;
  } catch {
    return { title: '运行监测', refreshSeconds: 30, faro: null };
  }
}
(window as any).echarts = echarts; // the browser tests read chart options through echarts.getInstanceByDom
const root = document.getElementById('app')!;
let user: User | null = null;
let timer: number | undefined;
let autoRefresh = localStorage.getItem('autoRefresh') !== 'off';
let renderSeq = 0;

// Live updates (GET /api/events, Server-Sent Events): a change the current page shows re-renders it (quietly) at
// once. While the stream is open the refreshSeconds timer is off; it is the fallback while the stream is down.
let live: EventSource | undefined;
let liveOpen = false;
let liveRetry: number | undefined;
let livePending: number | undefined;
/** The stream was open before in this sign-in: a later open is a reconnect, after which the page re-reads. */
let liveSeen = false;
const LIVE_TOPICS = ['target', 'alert', 'report', 'notice', 'resync'] as const;
/** Which events each page shows (a resync: the server may have missed changes, so every page re-reads). */
const PAGE_TOPICS: Record<string, readonly string[]> = {
  overview: ['target', 'alert', 'report'], target: ['target', 'alert'], alerts: ['alert'], notices: ['notice'], reporting: ['report'], system: ['target'], rum: [], calls: [],
};

function connectLive() {
  if (!user || live || typeof EventSource === 'undefined') return;
  clearTimeout(liveRetry);
  const es = new EventSource('/api/events');
  live = es;
  es.addEventListener('ready', () => setLiveOpen(true));
  for (const topic of LIVE_TOPICS) es.addEventListener(topic, () => onLive(topic));
  es.onerror = () => {
    setLiveOpen(false);
    // The browser retries a dropped connection by itself; an answer that is not a stream (401, 503) closes it for good.
    if (es.readyState === EventSource.CLOSED && live === es) {
      live = undefined;
      if (user) liveRetry = window.setTimeout(connectLive, 15_000);
    }
  };
}

function disconnectLive() {
  clearTimeout(liveRetry);
  live?.close();
  live = undefined;
  liveSeen = false;
  setLiveOpen(false);
}

function setLiveOpen(open: boolean) {
  if (open === liveOpen) return;
  liveOpen = open;
  const el = root.querySelector('.live-state');
  if (el) el.replaceWith(liveBadge());
  if (open && liveSeen) backgroundRender(0); // what changed while it was down
  else schedule();
  if (open) liveSeen = true;
}

const liveBadge = () =>
  h('span.live-state', { class: liveOpen ? 'on' : 'off', title: liveOpen ? '实时推送已连接：变化即时显示' : `实时推送未连接：每 ${settings.refreshSeconds} 秒刷新` }, liveOpen ? '实时' : '轮询');

// Someone filling in a form (an acknowledgement comment, 整改反馈, a silence, a dialog) is never interrupted by a
// background refresh (a live event, polling): it waits until the form is sent (the page's own re-render), the user
// leaves the page or presses 刷新.
let editing = false;
const markEditing = (e: Event) => {
  // (A dialog counts while it is open: busy() sees it; a cancelled one leaves nothing to keep.)
  if ((e.target as Element | null)?.closest?.('main.content')) editing = true;
};
document.addEventListener('input', markEditing, true);
document.addEventListener('change', markEditing, true);
function busy(): boolean {
  const a = document.activeElement;
  return editing || !!document.querySelector('form.modal') || !!(a && a.closest('main.content') && /^(INPUT|TEXTAREA|SELECT)$/.test(a.tagName));
}

/** A re-render in the background (live event, polling): now, or when the user is done with a form. */
function backgroundRender(delayMs: number) {
  if (livePending !== undefined) return; // a burst of changes (a module going down) is one re-render
  livePending = window.setTimeout(() => {
    livePending = undefined;
    if (busy()) return backgroundRender(2000);
    render(true, true);
  }, delayMs);
}

function onLive(topic: string) {
  if (!autoRefresh || !user) return;
  if (topic !== 'resync' && !PAGE_TOPICS[parseHash().page]?.includes(topic)) return;
  backgroundRender(100);
}

// The same permission table the server enforces (core/auth/roles.ts is plain data, bundled into the page).
const can = (perm: string) => !!user && perm in PERMISSIONS && canDo(user.role, perm as Permission);

const RENDERERS: Record<string, (ctx: PageCtx) => Promise<HTMLElement>> = {
  overview: renderOverview, target: renderTarget, alerts: renderAlerts, reporting: renderReporting, rum: renderRum, calls: renderCalls, system: renderSystem, notices: renderNotices, admin: renderAdmin, config: renderConfig,
};

function loginView(next: string) {
  const err = h('div.error');
  const form = h('form.login', {
    onsubmit: async (e: Event) => {
      e.preventDefault();
      const f = e.target as HTMLFormElement;
      const username = (f.elements.namedItem('username') as HTMLInputElement).value.trim();
      const password = (f.elements.namedItem('password') as HTMLInputElement).value;
      err.textContent = '';
      try {
        await api.login(username, password);
        user = await api.me();
        connectLive();
        location.hash = next && !next.startsWith('#/login') ? next : '#/'; // the first page the role may see
        render();
      } catch (ex) {
        err.textContent = (ex as Error).message || '登录失败';
      }
    },
  },
  h('h1', settings.title),
  h('p.sub', '请使用工号登录'),
  h('label', h('span', '用户名'), h('input', { name: 'username', autocomplete: 'username', required: true })),
  h('label', h('span', '密码'), h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
  err,
  h('button', { type: 'submit' }, '登录'));
  return h('div.login-page', form);
}

function header(route: Route, pages: typeof PAGES) {
  const range = rangeOf(route);
  return h('header.top',
    h('div.brand', settings.title),
    h('nav', pages.map((p) => h('a', { href: buildHash({ page: p.id, params: route.params.range ? { range: route.params.range } : {} }), class: p.id === route.page ? 'active' : '' }, p.title))),
    h('div.tools',
      h('select.range', { title: '时间范围', onchange: (e: Event) => setParams({ range: (e.target as HTMLSelectElement).value }) },
        RANGES.map(([k, label]) => h('option', { value: k, selected: k === range.key }, label))),
      h('label.auto', { title: `每 ${settings.refreshSeconds} 秒刷新` },
        h('input', { type: 'checkbox', checked: autoRefresh, onchange: (e: Event) => {
          autoRefresh = (e.target as HTMLInputElement).checked;
          localStorage.setItem('autoRefresh', autoRefresh ? 'on' : 'off');
          schedule();
        } }), '自动刷新'),
      h('button.secondary.small', { onclick: () => render() }, '刷新'),
      liveBadge(),
      h('span.tz-note', { title: '本页所有时间均为北京时间（UTC+8）' }, '北京时间 UTC+8'),
      h('span.user', `${user!.name}（${user!.role === 'department' ? user!.department ?? ROLE_NAMES_ZH.department : ({ admin: '管理员', ops: '运维', security: '安全', regulator: '监管科', department: ROLE_NAMES_ZH.department } as const)[user!.role]}）`),
      h('button.secondary.small', { onclick: async () => {
        await api.logout().catch(() => undefined);
        user = null;
        disconnectLive();
        location.hash = '#/login';
        render();
      } }, '退出')));
}

function schedule() {
  clearTimeout(timer);
  if (autoRefresh && settings.refreshSeconds > 0 && user && !liveOpen) timer = window.setTimeout(() => backgroundRender(0), settings.refreshSeconds * 1000);
}

/**
 * Draws the current route. `quiet` (a refresh) keeps the scroll position; `background` (live event, polling) gives
 * way to a user filling in a form, also if one started while the page's data was loading.
 */
async function render(quiet = false, background = false) {
  if (!background) editing = false;
  else if (busy()) return backgroundRender(2000);
  const seq = ++renderSeq;
  const route = parseHash();
  if (!user) {
    disposeCharts();
    root.replaceChildren(loginView(route.page === 'login' ? route.params.next ?? '' : location.hash));
    return;
  }
  const pages = PAGES.filter((p) => p.roles.includes(user!.role));
  if (route.page === 'login' || !route.page) {
    location.replace(route.params.next && !route.params.next.startsWith('#/login') ? route.params.next : `#/${pages[0].id}`);
    return;
  }
  const def = pages.find((p) => p.id === route.page);
  document.title = `${def?.title ?? ''} · ${settings.title}`;
  const body = h('main.content');
  const scroll = window.scrollY;
  if (!def) {
    body.append(h('div.empty', PAGES.some((p) => p.id === route.page) ? '当前角色无权查看此页面' : '页面不存在'));
    body.setAttribute('data-ready', '1');
  } else {
    if (!quiet) body.append(h('div.loading', '加载中…'));
  }
  if (!quiet || !root.querySelector('header.top')) {
    disposeCharts();
    root.replaceChildren(header(route, pages), body);
  }
  if (def) {
    let view: HTMLElement;
    try {
      view = await RENDERERS[def.id]({ route, range: rangeOf(route), user, can, rerender: () => render(true) });
    } catch (err) {
      view = h('div.empty.error', `加载失败：${(err as Error).message}`);
      (window as any).faro?.api?.pushError?.(err as Error);
    }
    if (seq !== renderSeq) return; // a newer render started meanwhile
    if (background && busy()) return backgroundRender(2000);
    disposeCharts();
    const main = h('main.content', view);
    main.dataset.page = def.id;
    const old = root.querySelector('main.content');
    root.querySelector('header.top')?.replaceWith(header(route, pages));
    if (old) old.replaceWith(main);
    else root.append(main);
    main.setAttribute('data-ready', '1');
    if (quiet) window.scrollTo(0, scroll);
  }
  schedule();
}

setUnauthenticatedHandler(() => {
  if (!user) return;
  user = null;
  disconnectLive();
  toast('登录已过期，请重新登录', 'error');
  const next = location.hash;
  location.hash = `#/login?next=${encodeURIComponent(next)}`;
});

window.addEventListener('hashchange', () => render());
(async () => {
  startFaro(settings);
  user = await api.me().catch(() => null);
  if (user) (window as any).faro?.api?.setUser?.({ username: user.name, attributes: { role: user.role } });
  connectLive();
  render();
})();
