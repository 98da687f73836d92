import type { RouteConfig } from '../config';
import { formatMatcher, matchesAll, parseMatcher, type Matcher } from '../matchers';
import type { Labels } from '../model';

/** A route with its parent's settings resolved (Alertmanager's inheritance). */
export interface Route {
  id: string;
  receiver: string;
  matchers: Matcher[];
  groupBy: string[] | 'all';
  groupWait: number;
  groupInterval: number;
  repeatInterval: number;
  continue: boolean;
  routes: Route[];
}

export const ROUTE_DEFAULTS = { groupWait: 30_000, groupInterval: 300_000, repeatInterval: 4 * 3_600_000 };

export function compileRoute(cfg: RouteConfig, parent?: Route): Route {
  const matchers = cfg.matchers.map(parseMatcher);
  const gb = cfg.groupBy ?? (parent ? (parent.groupBy === 'all' ? ['...'] : parent.groupBy) : []);
  const r: Route = {
    id: `${parent ? parent.id + '/' : ''}{${matchers.map(formatMatcher).join(',')}}`,
    receiver: cfg.receiver ?? parent?.receiver ?? '',
    matchers,
    groupBy: gb.includes('...') ? 'all' : gb,
    groupWait: cfg.groupWait ?? parent?.groupWait ?? ROUTE_DEFAULTS.groupWait,
    groupInterval: cfg.groupInterval ?? parent?.groupInterval ?? ROUTE_DEFAULTS.groupInterval,
    repeatInterval: cfg.repeatInterval ?? parent?.repeatInterval ?? ROUTE_DEFAULTS.repeatInterval,
    continue: cfg.continue,
    routes: [],
  };
  r.routes = cfg.routes.map((c, i) => {
    const child = compileRoute(c, r);
    child.id = `${child.id}#${i}`;
    return child;
  });
  return r;
}

/** The routes an alert goes to: depth first, the first matching child wins unless it says `continue`. */
export function matchRoutes(route: Route, labels: Labels): Route[] {
  if (!matchesAll(route.matchers, labels)) return [];
  const out: Route[] = [];
  for (const child of route.routes) {
    const m = matchRoutes(child, labels);
    if (m.length === 0) continue;
    out.push(...m);
    if (!child.continue) break;
  }
  return out.length > 0 ? out : [route];
}

/** The labels an alert is grouped by on this route, and the group key (route + those labels). */
export function groupOf(route: Route, labels: Labels): { groupLabels: Labels; groupKey: string } {
  const groupLabels: Labels = {};
  const names = route.groupBy === 'all' ? Object.keys(labels) : route.groupBy;
  for (const k of [...names].sort()) if (labels[k] !== undefined) groupLabels[k] = labels[k];
  const body = Object.entries(groupLabels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
  return { groupLabels, groupKey: `${route.id}:{${body}}` };
}
