import { Hono } from 'hono';
import type { AreaContext } from '../../core/area';
import type { AppEnv } from '../../core/http';
import { createReceiverRoutes } from './receiver';
import { createReadRoutes } from './read';
import { FaroWriter } from './writer';
import { faroMetrics } from './metrics';
import type { FaroConfig } from './config';
import type { RawTable } from '../../core/db/jobs';

type Ctx = AreaContext<{ faro: FaroConfig }>;
export type FaroDeps = Pick<Ctx, 'config' | 'db' | 'log' | 'clock' | 'metrics'> & Partial<Pick<Ctx, 'onConfigReload'>>;

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

/** Hypertables the database jobs' retention covers (raw retention unless said otherwise). */
export const FARO_RAW_TABLES: RawTable[] = [
  ...['faro_exceptions', 'faro_measurements', 'faro_logs', 'faro_events', 'faro_spans'].map((table) => ({ table })),
  // The hourly web-vital histograms are small and answer the long ranges: kept for about 13 months (year on year).
  { table: 'faro_vitals_1h', retainMs: 400 * 86_400_000 },
  { table: 'faro_sessions_1h', retainMs: 400 * 86_400_000 },
];
