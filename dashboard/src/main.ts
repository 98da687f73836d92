import { api, setUnauthenticatedHandler, type User } from './api';
import { PERMISSIONS, can as canDo, type Permission } from '../../core/auth/roles';
import { disposeCharts, echarts, h, loading, toast } from './ui';
import { PAGES, RANGES, buildHash, pageTitle, parseHash, rangeLabel, rangeOf, setParams, type Route } from './router';
import { LANGS, lang, setLang, t, type Key, type Lang } from './i18n';
import { THEME_PREFS, setThemePref, themePref, type ThemePref } from './theme';
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
    return { title: t('app.title'), refreshSeconds: 30, faro: null };
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
  h('span.live-state', { class: liveOpen ? 'on' : 'off', role: 'status', title: liveOpen ? t('hdr.liveOn') : t('hdr.liveOff', { s: settings.refreshSeconds }) }, liveOpen ? t('hdr.live') : t('hdr.poll'));

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
        err.textContent = (ex as Error).message || t('login.failed');
      }
    },
  },
  h('h1', settings.title),
  h('p.sub', t('login.sub')),
  h('label', h('span', t('login.user')), h('input', { name: 'username', autocomplete: 'username', required: true })),
  h('label', h('span', t('login.password')), h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
  err,
  h('button', { type: 'submit' }, t('login.submit')),
  h('div.login-prefs', prefControls()));
  err.setAttribute('role', 'alert');
  return h('div.login-page', form);
}

/** 配色 and 语言 / Language: in the header, and on the sign-in form (a choice made there is kept too). */
function prefControls() {
  return [
    h('label.pref.theme-pref', h('span', t('hdr.theme')),
      h('select.theme', { 'aria-label': t('hdr.theme'), onchange: (e: Event) => setThemePref((e.target as HTMLSelectElement).value as ThemePref) },
        THEME_PREFS.map((p) => h('option', { value: p, selected: p === themePref() }, t(`theme.${p}` as Key))))),
    h('label.pref.lang-pref', h('span', t('hdr.lang')),
      h('select.lang', { 'aria-label': t('hdr.langBoth'), onchange: (e: Event) => {
        setLang((e.target as HTMLSelectElement).value as Lang);
        render();
      } }, LANGS.map(([l, name]) => h('option', { value: l, selected: l === lang(), lang: l }, name)))),
  ];
}

let menuOpen = false;
function header(route: Route, pages: typeof PAGES) {
  const range = rangeOf(route);
  const roleName = user!.role === 'department' ? user!.department ?? t('role.department') : t(`role.${user!.role}` as Key);
  const top = h('header.top', { class: menuOpen ? 'menu-open' : '' },
    h('div.brand', settings.title),
    // Narrow screens: the menu and the tools fold behind this button (styles.css, max-width 1000px).
    h('button.menu-toggle', { type: 'button', 'aria-expanded': String(menuOpen), 'aria-controls': 'nav-main', onclick: () => {
      menuOpen = !menuOpen;
      top.classList.toggle('menu-open', menuOpen);
      top.querySelector('.menu-toggle')!.setAttribute('aria-expanded', String(menuOpen));
    } }, h('span.menu-icon', { 'aria-hidden': 'true' }, '☰'), h('span', t('nav.menu'))),
    h('nav', { id: 'nav-main' }, pages.map((p) => h('a', { href: buildHash({ page: p.id, params: route.params.range ? { range: route.params.range } : {} }), class: p.id === route.page ? 'active' : '', 'aria-current': p.id === route.page ? 'page' : undefined }, pageTitle(p)))),
    h('div.tools',
      h('select.range', { title: t('range.title'), 'aria-label': t('range.title'), onchange: (e: Event) => setParams({ range: (e.target as HTMLSelectElement).value }) },
        RANGES.map(([k]) => h('option', { value: k, selected: k === range.key }, rangeLabel(k)))),
      h('label.auto', { title: t('hdr.autoTitle', { s: settings.refreshSeconds }) },
        h('input', { type: 'checkbox', checked: autoRefresh, onchange: (e: Event) => {
          autoRefresh = (e.target as HTMLInputElement).checked;
          localStorage.setItem('autoRefresh', autoRefresh ? 'on' : 'off');
          schedule();
        } }), t('hdr.auto')),
      h('button.secondary.small.refresh', { type: 'button', onclick: () => render() }, t('hdr.refresh')),
      liveBadge(),
      h('span.tz-note', { title: t('hdr.tzTitle') }, t('hdr.tz')),
      prefControls(),
      h('span.user', t('hdr.userLabel', { name: user!.name, role: roleName })),
      h('button.secondary.small.logout', { type: 'button', onclick: async () => {
        await api.logout().catch(() => undefined);
        user = null;
        disconnectLive();
        location.hash = '#/login';
        render();
      } }, t('hdr.logout'))));
  return top;
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
  if (!quiet) menuOpen = false; // another page: the phone's menu folds again
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
  document.title = `${def ? pageTitle(def) : ''} · ${settings.title}`;
  const body = h('main.content');
  const scroll = window.scrollY;
  if (!def) {
    body.append(h('div.empty', PAGES.some((p) => p.id === route.page) ? t('page.forbidden') : t('page.notFound')));
    body.setAttribute('data-ready', '1');
  } else {
    if (!quiet) body.append(loading());
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
      view = h('div.empty.error', { role: 'alert' }, t('page.loadFailed', { msg: (err as Error).message }));
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
  toast(t('login.expired'), 'error');
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
