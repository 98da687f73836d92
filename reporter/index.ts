import { Hono } from 'hono';
import type { AreaDefinition } from '../core/area';
import { maskPersonalAnswers, type AppEnv } from '../core/http';
import type { Leader } from '../core/leader';
import { DeliveryService } from './delivery/service';
import { seedDemoStaging } from './delivery/demo';
import { createDeliveryRoutes } from './delivery/routes';
import { countKnownBatches } from './delivery/queries';
import { mayReveal, createIntakeRoutes } from './intake/routes';
import { Intake } from './intake/service';
import { beforeDeliveryRun } from './intake/staging';
import { reporterConfig } from './config';

const DEMO_SECRET = 'demo-secret-370700';

/** The demo's provincial gateway simulator, wired in by the composition root (the reporter never imports it). */
export interface ReporterDemo {
  start(o: { port: number; appKey: string; appSecret: string }): Promise<ProvinceGateway>;
}
export interface ProvinceGateway {
  url: string;
  /** Batch ids the gateway holds (a snapshot of another database would answer new ids as duplicates). */
  batchIds(): string[];
  reset(): void;
  stop(): Promise<void>;
}

const sections = { reporter: reporterConfig };

/**
 * The reporter area. Routes (every process): the intake's record API and the delivery API under /api/reporter.
 * Workers (reporter role only): cron schedules that send only while this process holds the 'reporter' leader lock,
 * so a second reporter is a hot standby, never a second sender.
 */
export const reporterArea: AreaDefinition<typeof sections, { demo?: ReporterDemo }> = {
  name: 'reporter',
  sections,
  rawTables: [{ table: 'report_attempts' }],
  create: async (ctx, deps) => {
    let rc = ctx.config.reporter;
    const log = ctx.log;
    let roleStarted = false;
    const retiring = new Set<DeliveryService>();
    let service: DeliveryService | null = null;
    let sim: ProvinceGateway | null = null;
    let leader: Leader | null = null;
    let started = false;
    let startTimer: NodeJS.Timeout | undefined;

    // One intake pipeline for the area's life, handed to the routes and to the delivery side: before each delivery
    // run it picks up staging rows and re-checks records held for a missing reference. A reload reconfigures it.
    const intake = new Intake({ db: ctx.db, reporter: rc, clock: ctx.clock, log: log.child({ part: 'intake' }), metrics: ctx.metrics, audit: (e) => ctx.auth.audit(e) });
    intake.warnCalendar();
    ctx.onConfigReload((config) => intake.configure(config.reporter));
    const intakeBeforeRun = () => beforeDeliveryRun(intake);

    // mayRun: this process holds the lead, and no service replaced by a configuration reload is still finishing a run.
    const build = (url: string, secret: string, cfg = rc) =>
      new DeliveryService({
        db: ctx.db, log: log.child({ part: 'delivery' }), clock: ctx.clock, config: cfg, url, secret, beforeRun: intakeBeforeRun, metrics: ctx.metrics,
        mayRun: () => started && (leader?.isLeader() ?? false) && ![...retiring].some((s) => s.current()),
      });

    const url = process.env.REPORTER_PROVINCE_URL || rc.province.url;
    if (url && rc.province.secret && !rc.demoSimulator) service = build(url, rc.province.secret);

    const routes = new Hono<AppEnv>();
    // ID numbers in every answer masked for every role but the regulatory office (admin too); see core/http.ts.
    routes.use('*', maskPersonalAnswers(mayReveal));
    routes.route('/', createIntakeRoutes({ db: ctx.db, auth: ctx.auth, intake }));
    routes.route('/', createDeliveryRoutes({ db: ctx.db, auth: ctx.auth, clock: ctx.clock, service: () => service, coverageCategories: () => rc.delivery.coverageCategories }));

    // A changed province / schedule / delivery section takes effect without a restart: a new service is built and
    // scheduled; the old one stops scheduling and finishes a run in progress first (the new one waits for it).
    ctx.onConfigReload(async (config) => {
      const next = config.reporter;
      const sig = (r: typeof rc) => JSON.stringify([r.province, r.schedule, r.delivery, r.demoSimulator]);
      if (sig(next) === sig(rc)) return;
      if (rc.demoSimulator || next.demoSimulator) return log.warn('reporter: demo simulator settings apply on restart');
      const u = process.env.REPORTER_PROVINCE_URL || next.province.url;
      if (!u || !next.province.secret) return log.error('reporter: the new configuration has no province url or secret; keeping the running settings');
      let fresh: DeliveryService;
      try {
        fresh = build(u, next.province.secret, next);
      } catch (err) {
        return log.error({ err: (err as Error).message }, 'reporter: the new province settings are unusable; keeping the running settings');
      }
      const old = service;
      rc = next;
      service = fresh;
      if (old) {
        retiring.add(old);
        await old.stopSchedules();
        void old.whenIdle().then(async () => {
          await old.stop();
          retiring.delete(old);
        });
      }
      if (roleStarted) await startSending();
      log.info({ url: u, schedule: next.schedule }, 'reporter: delivery settings reloaded');
    });

    async function startSending() {
      if (!service) return;
      if (!leader) {
        leader = ctx.leader('reporter', (isLeader) => log.info({ isLeader }, isLeader ? 'this process now sends to the province' : 'this process no longer sends'));
        await leader.start();
      }
      started = true;
      service.schedule();
    }

    return {
      routes,
      async start() {
        roleStarted = true;
        if (rc.demoSimulator) {
          if (!deps.demo) throw new Error('reporter.demoSimulator is on, but this process was built without the demo simulator');
          const u = url ? new URL(url) : undefined;
          sim = await deps.demo.start({ port: u ? Number(u.port) : 0, appKey: rc.province.appKey, appSecret: rc.province.secret ?? DEMO_SECRET });
          service = build(sim.url, rc.province.secret ?? DEMO_SECRET);
          // A snapshot from another database (the data folder was reset) would answer new batch ids as duplicates.
          const simBatches = sim.batchIds();
          if (simBatches.length) {
            const known = await countKnownBatches(ctx.db, simBatches);
            if (known !== simBatches.length) {
              log.warn({ simBatches: simBatches.length, known }, 'demo: the simulator snapshot belongs to another database; starting the simulator empty');
              sim.reset();
            }
          }
          const seeded = await seedDemoStaging(ctx.db, ctx.clock());
          log.info({ url: sim.url, seededStagingRows: seeded }, 'demo: provincial gateway simulator started; the reporter sends to it');
        }
        if (!service) {
          log.warn('reporter delivery is off: set reporter.province.url (or REPORTER_PROVINCE_URL) and reporter.province.secret, or reporter.demoSimulator: true');
          return;
        }
        await startSending();
        if (rc.schedule.runOnStart) {
          startTimer = setTimeout(() => {
            if (!service?.mayRun()) return;
            const s = service;
            s.run('incremental', 'start')
              .then(() => (rc.schedule.reconcileOnStart && s.mayRun() ? s.run('reconcile', 'start') : undefined))
              .catch((err) => log.warn({ err }, 'start run failed'));
          }, 1_000);
          startTimer.unref();
        }
      },
      async stop() {
        started = false;
        clearTimeout(startTimer);
        await service?.stop();
        for (const s of retiring) await s.stop();
        await leader?.stop();
        await sim?.stop();
      },
    };
  },
};
