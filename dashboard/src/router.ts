import type { Role } from './api';
import { t, type Key } from './i18n';

/** Hash routes: #/page/arg?k=v — deep links that survive a reload and can be pasted into a chat. */
export interface Route {
  page: string;
  arg?: string;
  params: Record<string, string>;
}

export function parseHash(hash = location.hash): Route {
  const raw = hash.replace(/^#\/?/, '');
  const [path, query = ''] = raw.split('?');
  const [page, ...rest] = path.split('/');
  const params: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(query)) params[k] = v;
  return { page: page || '', arg: rest.length ? decodeURIComponent(rest.join('/')) : undefined, params };
}

export function buildHash(r: Route): string {
  const q = new URLSearchParams(Object.entries(r.params).filter(([, v]) => v !== undefined && v !== '')).toString();
  return `#/${r.page}${r.arg ? '/' + encodeURIComponent(r.arg) : ''}${q ? '?' + q : ''}`;
}

/** Changes some params of the current route (the hashchange re-renders). */
export function setParams(p: Record<string, string | undefined>) {
  const r = parseHash();
  for (const [k, v] of Object.entries(p)) {
    if (v === undefined) delete r.params[k];
    else r.params[k] = v;
  }
  location.hash = buildHash(r);
}

export interface PageDef {
  id: string;
  roles: Role[];
}

/** Which role sees which page, mirroring the server's permissions (the server still checks every request). */
export const PAGES: PageDef[] = [
  { id: 'overview', roles: ['admin', 'ops', 'security', 'regulator'] },
  { id: 'target', roles: ['admin', 'ops', 'security'] },
  { id: 'alerts', roles: ['admin', 'ops', 'security', 'regulator'] },
  { id: 'notices', roles: ['admin', 'security', 'ops', 'department'] },
  { id: 'reporting', roles: ['admin', 'regulator'] },
  { id: 'rum', roles: ['admin', 'ops'] },
  { id: 'calls', roles: ['admin', 'ops', 'security'] },
  { id: 'config', roles: ['admin', 'ops', 'security'] },
  { id: 'system', roles: ['admin', 'ops'] },
  { id: 'admin', roles: ['admin'] },
];
/** A page's name in the menu, in the current language. */
export const pageTitle = (p: PageDef) => t(`nav.${p.id}` as Key);

/** The time ranges of the header's select: key, label (in the catalogue as range.<key>), length. */
export const RANGES: [string, number][] = [
  ['1h', 3_600_000],
  ['6h', 6 * 3_600_000],
  ['24h', 86_400_000],
  ['7d', 7 * 86_400_000],
  ['30d', 30 * 86_400_000],
];
export const rangeLabel = (key: string) => t(`range.${key}` as Key);

export function rangeOf(r: Route): { key: string; from: number; to: number } {
  const key = r.params.range && RANGES.some(([k]) => k === r.params.range) ? r.params.range : '24h';
  const ms = RANGES.find(([k]) => k === key)![1];
  const to = Date.now();
  return { key, from: to - ms, to };
}
