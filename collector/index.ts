import { Hono } from 'hono';
import { resolve } from 'node:path';
import { collectorConfig, type CollectorConfig } from './config';
import { faroConfig } from './faro/config';
import type { AreaDefinition } from '../core/area';
import type { AppEnv } from '../core/http';
import { CollectorEngine } from './engine';
import { createCollectorRoutes } from './routes';
import { syncCatalog } from './sync';
import { createFaroReceiver, FARO_RAW_TABLES } from './faro/index';
import { PROBE_RAW_TABLE, PROBE_ROLLUPS } from './rollups';
import { CALL_RAW_TABLE, CALL_ROLLUPS, callsConfig, createCallMonitor } from './calls/index';
import { COLLECTOR_KINDS } from './objects';
import { configObjectRoutes } from '../core/config/routes';
import { seedDemoHistory } from './demo-history';
import { catalogueRoutes } from './catalogue/routes';
export { CATALOGUE_MAX_BYTES } from './catalogue/routes';
export { readCatalogue, CatalogueFileError } from './catalogue/read';
export { importCatalogue, CatalogueConfigError } from './catalogue/plan';

const DAY = 86_400_000;

/** Each shard its own journal folder, so collectors sharing a data folder never replay each other's segments. */
export function journalDirOf(dataDir: string, c: CollectorConfig): string {
  const base = resolve(dataDir, c.journalDir);
  return c.shard.count > 1 ? resolve(base, `shard-${c.shard.index}-of-${c.shard.count}`) : base;
}

/** The demo's simulated city platform, wired in by the composition root (the collector never imports a simulator). */
export interface CollectorDemo {
  /** `calls`: where the simulated platform's call log goes (the call monitor's intake). */
  start(config: CollectorConfig, sinks: { calls(records: unknown[]): Promise<void> }): Promise<{ stop(): Promise<void>; serving?(): void }>;
}

const sections = { collector: collectorConfig, faro: faroConfig, calls: callsConfig };

/**
 * The collector area: routes (health API, heartbeat ingest, Faro receiver) in every process; the engine (scheduler,
 * probes, loss-free writer, metrics, self-statistics) only where the collector role runs.
 */
export const collectorArea: AreaDefinition<typeof sections, { demo?: CollectorDemo }> = {
  name: 'collector',
  sections,
  rawTables: [PROBE_RAW_TABLE, { table: 'heartbeats' }, { table: 'collector_stats', retainMs: 90 * DAY }, ...FARO_RAW_TABLES, CALL_RAW_TABLE],
  rollups: [...PROBE_ROLLUPS, ...CALL_ROLLUPS],
  configKinds: COLLECTOR_KINDS,
  async create(ctx, deps) {
    let config = ctx.config.collector;
    let engine: CollectorEngine | null = null;
    let sim: Awaited<ReturnType<CollectorDemo['start']>> | null = null;
    let seeding: { done: Promise<unknown>; abort: AbortController } | null = null;
    const log = ctx.log;

    const routes = new Hono<AppEnv>();
    // Faro browser monitoring (collector/faro): mounted at /api/collector/faro.
    const faro = createFaroReceiver(ctx);
    routes.route('/faro', faro.routes);
    // Interface call monitoring (collector/calls): mounted at /api/collector/calls.
    let callsCfg = ctx.config.calls;
    const calls = createCallMonitor({ db: ctx.db, log, clock: ctx.clock, config: () => callsCfg });
    routes.route('/calls', calls.routes);
    // The write API of modules and targets (core/config/routes.ts; README: 统一配置).
    for (const k of COLLECTOR_KINDS) routes.route(`/config/${k.key}`, configObjectRoutes(ctx.objects, k.kind, ctx.auth));
    // The interface catalogue import (collector/catalogue; README: 接口目录导入): modules and targets from a CSV or OpenAPI file.
    routes.route('/config/catalogue', catalogueRoutes(ctx.objects, ctx.auth));
    routes.route('/', createCollectorRoutes({ db: ctx.db, auth: ctx.auth, clock: ctx.clock, log, config: () => config, engine: () => engine }));

    ctx.onConfigReload(async (next) => {
      const prev = config;
      config = next.collector;
      callsCfg = next.calls;
      if (engine) await calls.reload();
      if (!engine) return;
      await syncCatalog(ctx.db, config, prev).catch((err) => log.error({ err }, 'cannot mirror modules/targets after reload'));
      engine.reload(config);
    });

    return {
      routes,
      async start() {
        if (config.demoSimulator) {
          if (!deps.demo) throw new Error('collector.demoSimulator is on, but this process was built without the demo simulator');
          sim = await deps.demo.start(config, { calls: (records) => calls.ingest(records) });
        }
        await syncCatalog(ctx.db, config);
        engine = new CollectorEngine(
          { db: ctx.db, log, clock: ctx.clock, metrics: ctx.metrics, journalDir: journalDirOf(ctx.dataDir, config) },
          config,
        );
        await engine.start();
        await calls.start();
      },
      // The demo's simulated history, once, beside the live probes. It takes seconds of the database (on the
      // embedded one, of this thread), so it begins once the whole process serves.
      serving() {
        // The simulated platform's work that takes the database for seconds (its call log's back-fill) waits until
        // the process serves, as the history below does: a start is not held up by the demo's data.
        sim?.serving?.();
        if (config.demoHistoryDays <= 0 || !engine || seeding) return;
        const abort = new AbortController();
        const done = seedDemoHistory({ db: ctx.db, log, clock: ctx.clock, config, journalDir: resolve(journalDirOf(ctx.dataDir, config), 'demo-history'), signal: abort.signal })
          .catch((err) => log.warn({ err }, 'demo history not seeded; the next start tries again'));
        seeding = { done, abort };
      },
      async stop() {
        seeding?.abort.abort();
        await seeding?.done;
        seeding = null;
        await calls.stop();
        await engine?.stop();
        engine = null;
        await faro.stop();
        await sim?.stop();
        sim = null;
      },
    };
  },
};
