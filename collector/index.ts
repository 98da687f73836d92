import { Hono } from 'hono';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CollectorConfig } from '../core/config/collector';
import type { Area, AreaContext } from '../core/context';
import type { AppEnv } from '../core/http';
import { CollectorEngine } from './engine';
import { createCollectorRoutes } from './routes';
import { syncCatalog } from './sync';
import { createFaroReceiver, FARO_RAW_TABLES } from './faro/index';

const DAY = 86_400_000;

/** Each shard its own journal folder, so collectors sharing a data folder never replay each other's segments. */
export function journalDirOf(dataDir: string, c: CollectorConfig): string {
  const base = resolve(dataDir, c.journalDir);
  return c.shard.count > 1 ? resolve(base, `shard-${c.shard.index}-of-${c.shard.count}`) : base;
}

/**
 * The collector area: routes (health API, heartbeat ingest, Faro receiver) in every process; the engine (scheduler,
 * probes, loss-free writer, metrics, self-statistics) only where the collector role runs.
 */
export async function createCollectorArea(ctx: AreaContext): Promise<Area> {
  let config: CollectorConfig = ctx.config.collector;
  let engine: CollectorEngine | null = null;
  let sim: { stop(): Promise<void> } | null = null;
  const log = ctx.log;

  const routes = new Hono<AppEnv>();
  // Faro browser monitoring (collector/faro, its own engineer): mounted at /api/collector/faro.
  const faro = createFaroReceiver(ctx);
  routes.route('/faro', faro.routes);
  routes.route('/', createCollectorRoutes({ db: ctx.db, auth: ctx.auth, clock: ctx.clock, log, config: () => config, engine: () => engine }));

  ctx.onConfigReload(async (next) => {
    config = next.collector;
    if (!engine) return;
    await syncCatalog(ctx.db, config).catch((err) => log.error({ err }, 'cannot mirror modules/targets after reload'));
    engine.reload(config);
  });

  return {
    name: 'collector',
    mount: 'collector',
    routes,
    rawTables: [{ table: 'heartbeats' }, { table: 'collector_stats', retainMs: 90 * DAY }, ...FARO_RAW_TABLES],
    async start() {
      if (config.demoSimulator) {
        const { startPlatformSim } = await import('../ops/platform-sim/sim');
        // Certificates in a fixed folder, so the demo's TLS targets can name the simulator's CA file.
        const certDir = resolve(ctx.dataDir, 'platform-sim-certs');
        mkdirSync(certDir, { recursive: true });
        const platform = await startPlatformSim({ port: config.demoSimulatorPort, certDir });
        sim = platform;
        const { simServices, faultKinds } = await import('../ops/platform-sim/sim');
        for (const f of config.demoFaults) {
          if (!(simServices as readonly string[]).includes(f.service) || !(faultKinds as readonly string[]).includes(f.fault)) {
            throw new Error(`collector.demoFaults: unknown service "${f.service}" or fault "${f.fault}" (services: ${simServices.join(', ')}; faults: ${faultKinds.join(', ')})`);
          }
          await platform.setFault(f.service as (typeof simServices)[number], f.fault as (typeof faultKinds)[number], f.ms);
        }
        log.info({ port: config.demoSimulatorPort }, 'platform simulator started for the demo');
      }
      await syncCatalog(ctx.db, config);
      engine = new CollectorEngine(
        { db: ctx.db, log, clock: ctx.clock, metrics: ctx.metrics, journalDir: journalDirOf(ctx.dataDir, config) },
        config,
      );
      await engine.start();
    },
    async stop() {
      await engine?.stop();
      engine = null;
      await faro.stop();
      await sim?.stop();
      sim = null;
    },
  };
}
