import type { Health } from '../contract/common';
import { watch, type FSWatcher } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { Hono } from 'hono';
import { serve, type ServerType } from '@hono/node-server';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { loadConfig, configPath, type Config } from './config';
import { openDb, type Db } from '../core/db';
import { createLogger, type Logger } from '../core/log';
import { systemClock, type Clock } from '../core/time';
import { AuthService, authOptionsOf } from '../core/auth/service';
import { createAuthRoutes } from '../core/auth/routes';
import { Leader } from '../core/leader';
import { applyPolicies, runMaintenance, tsdbMode } from '../core/db/jobs';
import { authenticate, errorHandler, httpError, sameOriginGuard, securityHeaders, type AppEnv } from '../core/http';
import { ROLE_NAMES, type AreaContext, type AreaDefinition, type AreaRuntime, type ConfigSections, type RoleName, type SectionsOf } from '../core/area';
import { lockFolder } from '../core/folder-lock';
import { INPUT_LIMITS, inputGuard } from '../core/input';
import { createBackupRoutes } from '../core/backup';
import { configDocumentRoutes, CONFIG_IMPORT_MAX_BYTES } from '../core/config/document-routes';
import { LiveEvents } from '../core/events';
import { journalDirOf, CATALOGUE_MAX_BYTES } from '../collector';
import { collectorArea } from '../collector';
import { alertsArea } from '../alerts';
import { reporterArea } from '../reporter';
import { dashboardArea } from '../dashboard';
import { JOB_TABLES } from './areas';
import { collectorDemo, reporterDemo } from './demo';
import { openConfigObjects, effectiveConfig } from './objects';

export interface SystemOptions {
  config: Config;
  roles?: RoleName[];
  clock?: Clock;
  log?: Logger;
  /** An already open database (tests); otherwise opened from the configuration / DATABASE_URL. */
  db?: Db;
  /** Listen on a port (default true). Tests may drive `app.request` instead. */
  listen?: boolean;
}

export interface System {
  app: Hono<AppEnv>;
  live: LiveEvents;
  db: Db;
  config: Config;
  log: Logger;
  metrics: Registry;
  auth: AuthService;
  areas: RunningArea[];
  url?: string;
  port?: number;
  stop(): Promise<void>;
}

export interface RunningArea extends AreaRuntime {
  name: RoleName;
  mount: string;
}

/** The parts of a context every area shares; `contextFor` adds an area's own sections and reload subscription. */
export type SharedContext = Omit<AreaContext<unknown>, 'config' | 'onConfigReload'>;

/** An area's sections of the whole configuration. */
export function sectionsOf<S extends ConfigSections>(def: AreaDefinition<S, never>, config: Config): SectionsOf<S> {
  return Object.fromEntries(Object.keys(def.sections).map((k) => [k, (config as unknown as Record<string, unknown>)[k]])) as SectionsOf<S>;
}

/** The context of one area: the shared parts, its own sections, a reload subscription that hands it its sections. */
export function contextFor<S extends ConfigSections>(
  def: AreaDefinition<S, never>,
  config: Config,
  shared: SharedContext,
  onReload: (fn: (c: Config) => void | Promise<void>) => void,
): AreaContext<SectionsOf<S>> {
  return {
    ...shared,
    log: shared.log.child({ area: def.name }),
    config: sectionsOf(def, config),
    onConfigReload: (fn) => onReload((c) => fn(sectionsOf(def, c))),
  };
}

/** Builds and starts the whole system (or the given roles) from a validated configuration. */
export async function startSystem(opts: SystemOptions): Promise<System> {
  let config = opts.config;
  const roles = opts.roles ?? ROLE_NAMES;
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? createLogger({ level: config.log.level });
  const dataDir = configPath(config, config.server.dataDir);
  const url = process.env.DATABASE_URL || config.database.url;
  // One owner per folder, taken before anything is touched: the collector's journal here, the embedded database
  // folder in openDb. A second process on the same folders stops at once with an error naming the holder.
  const journalLock = roles.includes('collector') ? lockFolder(journalDirOf(dataDir, config.collector), 'the collector journal folder') : null;
  let db: Db;
  try {
    db =
      opts.db ??
      (await openDb({
        url,
        dataDir: url ? undefined : configPath(config, config.database.dataDir),
        poolSize: config.database.poolSize,
        statementTimeoutMs: config.database.statementTimeout,
        embeddedCompiler: config.database.embeddedCompiler,
        onError: (err) => log.warn({ err }, 'database connection error'),
      }));
  } catch (err) {
    journalLock?.release();
    throw err;
  }
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const auth = new AuthService(db, clock, config.auth.sessionTtl, authOptionsOf(config.auth));
  await seedUsers(auth, config, log);

  const reloadHandlers: ((c: Config) => void | Promise<void>)[] = [];
  // The configuration store (README: 统一配置): the running configuration is the file and the stored objects. A write
  // through the API applies at once, through the reload path; one from another process (the CLI, another instance)
  // within CONFIG_POLL_MS.
  let fileConfig = config;
  let appliedSeq = 0;
  let applying: Promise<void> = Promise.resolve();
  const applyObjects = (validated?: unknown) =>
    (applying = applying.then(async () => {
      const seq = await objects.lastSeq();
      // A newer change than the one validated (another writer in between): read everything again.
      const e = await effectiveConfig(objects, fileConfig, log, seq === appliedSeq + 1 ? validated : undefined);
      appliedSeq = seq;
      if (e.problems.length) return;
      config = e.config;
      for (const fn of reloadHandlers) await fn(config);
    }).catch((err) => log.error({ err }, 'cannot apply the stored configuration objects')));
  const objects = openConfigObjects(db, clock, () => fileConfig, applyObjects);
  appliedSeq = await objects.lastSeq();
  config = (await effectiveConfig(objects, fileConfig, log)).config;
  const shared: SharedContext = {
    core: config,
    db,
    log,
    clock,
    metrics,
    auth,
    leader: (name, onChange) => new Leader(db, name, log.child({ area: 'leader' }), 5_000, onChange),
    dataDir,
    objects,
  };
  const onReload = (fn: (c: Config) => void | Promise<void>) => reloadHandlers.push(fn);
  // Each area gets its own sections and what the composition root wires in: the demo simulators, and for the
  // dashboard the Faro app it reports as (a collector setting, read here where both sections are known).
  const build = async <S extends ConfigSections, D>(def: AreaDefinition<S, D>, deps: D): Promise<RunningArea> => ({
    name: def.name,
    mount: def.mount ?? def.name,
    ...(await def.create(contextFor(def as AreaDefinition<S, never>, config, shared, onReload), deps)),
  });
  const areas: RunningArea[] = [
    await build(collectorArea, { demo: collectorDemo(dataDir, log.child({ area: 'demo' })) }),
    await build(alertsArea, undefined),
    await build(reporterArea, { demo: reporterDemo(dataDir) }),
    await build(dashboardArea, { faroClient: () => faroClientOf(config) }),
  ];

  if ((await tsdbMode(db)) === 'apache') {
    log.info('TimescaleDB Apache build: rollups and retention are run by the application; compression is not available');
  }
  await applyPolicies(db, config.retention, JOB_TABLES);

  const app = new Hono<AppEnv>();
  app.onError(errorHandler(log));
  // An API path no route serves is refused like every other bad input: a code and a reason (the fuzz asserts it).
  app.notFound((c) => (c.req.path.startsWith('/api/') ? httpError(c, 404, 'not_found', '没有这个接口地址，请检查路径与请求方法 (no API route for this method and path)') : c.text('404 Not Found', 404)));
  app.use('*', securityHeaders());
  app.get('/healthz', async (c) => {
    const dbOk = await db.ping();
    return c.json({ status: dbOk ? 'ok' : 'degraded', db: dbOk ? 'up' : 'down', roles, backend: db.kind } satisfies Health, dbOk ? 200 : 503);
  });
  app.use('*', async (c, next) => {
    const rid = c.req.header('x-request-id');
    c.set('requestId', rid && /^[A-Za-z0-9._-]{1,64}$/.test(rid) ? rid : crypto.randomUUID());
    await next();
  });
  // The input layer (core/input.ts): body size per route, clean strings, bounded JSON, the shared query parameters.
  app.use('/api/*', inputGuard({ bodyBytes: (c) => bodyLimitFor(config, c.req.path), maxArray: (c) => arrayLimitFor(config, c.req.path) }));
  app.use('/api/*', authenticate(auth));
  // The ingest paths that carry their own key are posted to from other origins (batch jobs, other apps' pages).
  app.use('/api/*', sameOriginGuard({ publicOrigins: config.server.publicOrigins, crossOrigin: [/^\/api\/collector\/heartbeat\//, /^\/api\/collector\/faro\/collect(\/|$)/] }));
  app.use('/metrics', authenticate(auth));
  app.get('/metrics', async (c, next) => {
    if (!config.server.publicMetrics && !c.get('principal')) return httpError(c, 401, 'unauthenticated', 'log in to read /metrics');
    await next();
  });
  app.get('/metrics', async (c) => c.text(await metrics.metrics(), 200, { 'Content-Type': metrics.contentType }));
  app.route('/api/auth', createAuthRoutes({ db, auth, sessionTtlMs: config.auth.sessionTtl, secureCookies: config.auth.secureCookies }));
  app.route('/api/system', createBackupRoutes({ db, auth, log }));
  app.route('/api/config', configDocumentRoutes(objects, auth));
  // Live updates for open pages (Server-Sent Events): the database announces every committed change (sql/045).
  const live = new LiveEvents(db, log.child({ area: 'events' }));
  await live.start();
  app.route('/api/events', live.routes());
  for (const a of areas) if (a.routes) app.route(`/api/${a.mount}`, a.routes);
  for (const a of areas) if (a.rootRoutes) app.route('/', a.rootRoutes);

  const started: RunningArea[] = [];
  for (const a of areas) {
    if (!roles.includes(a.name)) continue;
    await a.start();
    started.push(a);
  }

  // The maintenance pass, on one instance at a time. The embedded database has no background workers, and Debian's
  // Apache build has no policies: there the application runs refresh, compression and retention itself. On every
  // build it re-aggregates late results (journal replay) that the refresh policies' windows no longer reach, and
  // purges expired sessions.
  let maintTimer: NodeJS.Timeout | undefined;
  const maintLeader = shared.leader('maintenance');
  await maintLeader.start();
  const maintTick = async () => {
    try {
      if (maintLeader.isLeader()) {
        await runMaintenance(db, log, config.retention, JOB_TABLES, { now: new Date(clock()) });
        await auth.purgeExpiredSessions();
      }
    } catch (err) {
      log.warn({ err }, 'maintenance pass failed');
    }
    maintTimer = setTimeout(maintTick, config.retention.embeddedMaintenanceEvery);
    maintTimer.unref();
  };
  maintTimer = setTimeout(maintTick, 5_000);
  maintTimer.unref();

  // Configuration reload: a changed file is validated first; an invalid one is logged and the old one kept.
  let watcher: FSWatcher | undefined;
  if (config.source.file !== '<inline>') {
    let debounce: NodeJS.Timeout | undefined;
    try {
      watcher = watch(config.source.file, () => {
        clearTimeout(debounce);
        debounce = setTimeout(async () => {
          try {
            fileConfig = loadConfig(config.source.file);
            await applyObjects(); // the file's sections with the stored objects, which survive the reload
            log.info({ file: fileConfig.source.file }, 'configuration reloaded');
          } catch (err) {
            log.error({ err: (err as Error).message }, 'configuration change rejected; keeping the running configuration');
          }
        }, 300);
      });
    } catch {
      /* a file we cannot watch is reloaded on restart only */
    }
  }

  const objectsTimer = setInterval(async () => {
    try {
      if ((await objects.lastSeq()) !== appliedSeq) await applyObjects();

    } catch {
      /* the database is away: tried again next time */
    }
  }, CONFIG_POLL_MS);
  objectsTimer.unref();

  let server: ServerType | undefined;
  let port: number | undefined;
  if (opts.listen !== false) {
    mkdirSync(dataDir, { recursive: true });
    await new Promise<void>((resolve) => {
      server = serve({ fetch: app.fetch, hostname: config.server.host, port: config.server.port }, (info) => {
        port = info.port;
        resolve();
      });
    });
  }
  const base = port !== undefined ? `http://${config.server.host}:${port}` : undefined;
  for (const a of started) a.serving?.();

  return {
    app, live, db, config, log, metrics, auth, areas, url: base, port,
    async stop() {
      watcher?.close();
      clearInterval(objectsTimer);
      await applying;
      clearTimeout(maintTimer);
      await maintLeader.stop();
      await live.stop(); // ends the open event streams, or the server would wait for them
      if (server) await new Promise<void>((r) => server!.close(() => r()));
      for (const a of started.reverse()) await a.stop().catch((err) => log.error({ err, area: a.name }, 'stop failed'));
      if (!opts.db) await db.close();
      journalLock?.release();
    },
  };
}

/** How often a process looks for configuration objects written elsewhere (the CLI, another instance). */
export const CONFIG_POLL_MS = 2_000;

/**
 * The largest request body per route: a heartbeat or a sign-in is a few hundred bytes, so 8 KiB; the sign-in area's
 * other requests 64 KiB; record intake, the file upload and the Faro receiver their configured sizes
 * (reporter.intake.maxRequestBytes, maxImportBytes, faro.maxBodyBytes: a batch of records, a file, an SDK batch), an
 * interface catalogue 32 MiB;
 * everything else 1 MiB.
 */
export function bodyLimitFor(config: Config, path: string): number {
  if (path.startsWith('/api/collector/heartbeat/')) return 8 * 1024;
  if (path === '/api/auth/login' || path === '/api/auth/login/') return 8 * 1024;
  if (path.startsWith('/api/auth/')) return 64 * 1024;
  if (path.startsWith('/api/reporter/records/')) return config.reporter.intake.maxRequestBytes;
  if (path === '/api/reporter/imports' || path === '/api/reporter/imports/') return config.reporter.intake.maxImportBytes;
  if (path.startsWith('/api/collector/faro/collect')) return config.faro.maxBodyBytes;
  if (path === '/api/collector/calls/ingest') return config.calls.maxBodyBytes;
  if (path === '/api/collector/config/catalogue' || path === '/api/collector/config/catalogue/') return CATALOGUE_MAX_BYTES;
  if (path === '/api/config/import' || path === '/api/config/import/') return CONFIG_IMPORT_MAX_BYTES;
  // A 通报's 整改反馈 carries its attachments as base64 (4/3 of their size) beside the text.
  if (/^\/api\/alerts\/notices\/\d+\/feedback\/?$/.test(path)) {
    const a = config.alerts.notices.attachments;
    return Math.max(INPUT_LIMITS.defaultBodyBytes, Math.ceil((a.maxFiles * a.maxBytes * 4) / 3) + 256 * 1024);
  }
  return INPUT_LIMITS.defaultBodyBytes;
}

/** The longest JSON array per route: a record batch may be as long as reporter.intake.maxRecordsPerRequest. */
export function arrayLimitFor(config: Config, path: string): number {
  if (path.startsWith('/api/reporter/records/')) return Math.max(INPUT_LIMITS.maxArray, config.reporter.intake.maxRecordsPerRequest);
  return INPUT_LIMITS.maxArray;
}

/** The Faro app the dashboard reports its own page as (dashboard.faroApp in faro.apps), or null. */
function faroClientOf(config: Config) {
  const name = config.dashboard.faroApp;
  const app = name ? config.faro.apps.find((a) => a.name === name) : undefined;
  // The key is public by design (it ships to every browser); it only lets a client write RUM rows for this app.
  return app && config.faro.enabled ? { url: '/api/collector/faro/collect', apiKey: app.key, app: app.name } : null;
}

async function seedUsers(auth: AuthService, config: Config, log: Logger) {
  if (config.auth.initialAdmin && (await auth.userCount()) === 0) {
    await auth.createUser({ username: config.auth.initialAdmin.username, password: config.auth.initialAdmin.password, role: 'admin' });
    log.info({ user: config.auth.initialAdmin.username }, 'created the first admin from configuration');
  }
  for (const u of config.auth.seedUsers) {
    if (await auth.ensureUser(u)) log.info({ user: u.username, role: u.role }, 'created seed user');
  }
}
