import type { Role } from './api';

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
  title: string;
  roles: Role[];
}

/** Which role sees which page, mirroring the server's permissions (the server still checks every request). */
export const PAGES: PageDef[] = [
  { id: 'overview', title: '总览', roles: ['admin', 'ops', 'security', 'regulator'] },
  { id: 'target', title: '目标详情', roles: ['admin', 'ops', 'security'] },
  { id: 'alerts', title: '告警', roles: ['admin', 'ops', 'security', 'regulator'] },
  { id: 'notices', title: '通报', roles: ['admin', 'security', 'ops', 'department'] },
  { id: 'reporting', title: '数据直报', roles: ['admin', 'regulator'] },
  { id: 'rum', title: '前端体验', roles: ['admin', 'ops'] },
  { id: 'calls', title: '接口调用', roles: ['admin', 'ops', 'security'] },
  { id: 'config', title: '配置', roles: ['admin', 'ops', 'security'] },
  { id: 'system', title: '系统', roles: ['admin', 'ops'] },
  { id: 'admin', title: '管理', roles: ['admin'] },
];

export const RANGES: [string, string, number][] = [
  ['1h', '近1小时', 3_600_000],
  ['6h', '近6小时', 6 * 3_600_000],
  ['24h', '近24小时', 86_400_000],
  ['7d', '近7天', 7 * 86_400_000],
  ['30d', '近30天', 30 * 86_400_000],
];

export function rangeOf(r: Route): { key: string; from: number; to: number } {
  const key = r.params.range && RANGES.some(([k]) => k === r.params.range) ? r.params.range : '24h';
  const ms = RANGES.find(([k]) => k === key)![2];
  const to = Date.now();
  return { key, from: to - ms, to };
}
