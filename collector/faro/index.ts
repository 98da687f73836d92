import { Hono } from 'hono';
import type { AreaContext } from '../../core/context';
import type { AppEnv } from '../../core/http';
import { createReceiverRoutes } from './receiver';
import { createReadRoutes } from './read';
import { FaroWriter } from './writer';
import { faroMetrics } from './metrics';

export type FaroDeps = Pick<AreaContext, 'config' | 'db' | 'log' | 'clock' | 'metrics'> & Partial<Pick<AreaContext, 'onConfigReload'>>;

/**
 * The Grafana Faro receiver and its read API, as one Hono app to mount (the collector mounts it at
 * /api/collector/faro):
 *   POST /collect            body from the Faro web SDK, app key in `x-api-key` (as Grafana Alloy's faro.receiver)
 *   POST /collect/:key       the same with the key in the path (for transports that cannot set headers)
 *   GET  /vitals /pages /errors /errors/:fingerprint /sessions /apps   (permission read)
 */
export function createFaroReceiver(deps: FaroDeps) {
  let config = deps.config.faro;
  deps.onConfigReload?.((c) => {
    config = c.faro;
  });
  const writer = new FaroWriter(deps.db, deps.log.child({ part: 'faro' }), config.batch);
  const metrics = faroMetrics(deps.metrics, () => writer.backlog);
  const routes = new Hono<AppEnv>();
  routes.route('/collect', createReceiverRoutes({ getConfig: () => config, writer, log: deps.log, clock: deps.clock, metrics }));
  routes.route('/', createReadRoutes({ db: deps.db, clock: deps.clock, getConfig: () => config }));
  return { routes, writer, stop: () => writer.stop() };
}

export function createFaroRoutes(deps: FaroDeps): Hono<AppEnv> {
  return createFaroReceiver(deps).routes;
}

/** Hypertables the core's retention should cover (raw retention unless configured otherwise). */
export const FARO_RAW_TABLES: { table: string; retainMs?: number }[] = [
  ...['faro_exceptions', 'faro_measurements', 'faro_logs', 'faro_events', 'faro_spans'].map((table) => ({ table })),
  // The hourly web-vital histograms are small and answer the long ranges: kept for about 13 months (year on year).
  { table: 'faro_vitals_1h', retainMs: 400 * 86_400_000 },
  { table: 'faro_sessions_1h', retainMs: 400 * 86_400_000 },
];
