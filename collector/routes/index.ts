import { Hono } from 'hono';
import type { AppEnv } from '../../core/http';
import type { RouteDeps } from './deps';
import { heartbeatRoutes } from './heartbeat';
import { healthRoutes } from './health';
import { seriesRoutes } from './series';
import { overviewRoutes } from './overview';
import { baselineRoutes } from './baseline';
import { dnsBaselineRoutes } from './dns-baseline';
import { systemRoutes } from './system';

export type { RouteDeps } from './deps';

/** Everything under /api/collector (the heartbeat ingest is open; the rest needs `read`, approving needs `baseline:approve`). */
export function createCollectorRoutes(d: RouteDeps): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  r.route('/', heartbeatRoutes(d));
  r.route('/', baselineRoutes(d));
  r.route('/', dnsBaselineRoutes(d));
  r.route('/', seriesRoutes(d));
  r.route('/', systemRoutes(d));
  r.route('/', overviewRoutes(d));
  r.route('/', healthRoutes(d));
  return r;
}
