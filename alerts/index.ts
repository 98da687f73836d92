import { Hono } from 'hono';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { AreaDefinition } from '../core/area';
import { alertsConfig } from './config';
import type { AppEnv } from '../core/http';
import type { Leader } from '../core/leader';
import { AlertEngine } from './engine';
import { alertRoutes } from './api/alerts';
import { silenceRoutes } from './api/silences';
import { maintenanceWindowRoutes } from './api/maintenance-windows';
import { ruleRoutes } from './api/rules';
import { noticeRoutes } from './api/notices';
import { ALERTS_KINDS } from './objects';
import { configObjectRoutes } from '../core/config/routes';

/**
 * The alerts area: rules → alert state → routing, grouping, muting → channels. The API is mounted in every
 * process (read side everywhere); the engine runs only in processes with the alerts role, and only while holding
 * the 'alerts' leadership, so a second instance is a hot standby that takes over when the first one's session ends.
 */
const sections = { alerts: alertsConfig };

export const alertsArea: AreaDefinition<typeof sections> = {
  name: 'alerts',
  sections,
  configKinds: ALERTS_KINDS,
  // Alert history and the delivery log are evidence of who was told what: kept a year.
  rawTables: [{ table: 'alert_events', retainMs: 365 * 86_400_000 }, { table: 'notification_deliveries', retainMs: 365 * 86_400_000 }],
  async create(ctx) {
    let cfg = ctx.config.alerts;
    let engine: AlertEngine | undefined;
    let leader: Leader | undefined;
    let timer: NodeJS.Timeout | undefined;
    let running = false;
    let ticking: Promise<void> | undefined;
    // Set while this process led and lost the lock (its database session ended): it keeps watching the database so
    // that a database outage is still announced although no one can hold the lock.
    let watchingDb = false;

    const evals = new Counter({ name: 'alerts_evaluations_total', help: 'Rule evaluation rounds', registers: [ctx.metrics] });
    const evalSeconds = new Histogram({ name: 'alerts_evaluation_seconds', help: 'Duration of one evaluation round', buckets: [0.01, 0.05, 0.1, 0.5, 1, 5], registers: [ctx.metrics] });
    const active = new Gauge({ name: 'alerts_active_instances', help: 'Alert instances that held at the last evaluation', registers: [ctx.metrics] });
    const sent = new Counter({ name: 'alerts_notifications_total', help: 'Notifications by receiver, channel and result', labelNames: ['receiver', 'channel', 'result'], registers: [ctx.metrics] });
    const isLeader = new Gauge({ name: 'alerts_leader', help: '1 while this process evaluates and sends alerts', registers: [ctx.metrics] });

    const routes = new Hono<AppEnv>();
    const getCfg = () => cfg;
    routes.route('/', alertRoutes(ctx, getCfg));
    routes.route('/', silenceRoutes(ctx));
    routes.route('/', maintenanceWindowRoutes(ctx, getCfg));
    routes.route('/', ruleRoutes(ctx, getCfg));
    routes.route('/', noticeRoutes(ctx, getCfg, ctx.auth));
    // The write API of rules and receivers (core/config/routes.ts; README: 统一配置).
    for (const k of ALERTS_KINDS) routes.route(`/config/${k.key}`, configObjectRoutes(ctx.objects, k.kind, ctx.auth));

    ctx.onConfigReload((next) => {
      cfg = next.alerts;
      engine?.reconfigure(cfg);
    });

    const loop = () => {
      if (!running) return;
      timer = setTimeout(async () => {
        if (leader?.isLeader() && engine) {
          ticking = engine.tick();
          await ticking.catch((err) => ctx.log.error({ err }, 'alerts tick failed'));
        } else if (watchingDb && engine) {
          watchingDb = !(await engine.watchDatabase().catch(() => false));
        }
        loop();
      }, cfg.notifyTick);
    };

    return {
      routes,
      async start() {
        if (!cfg.enabled) return;
        engine = new AlertEngine(ctx.db, ctx.log, ctx.clock, cfg, {
          onEvaluated: (s) => {
            evals.inc();
            evalSeconds.observe(s.durationMs / 1000);
            active.set(s.instances);
          },
          onSent: (receiver, channel, r) => sent.inc({ receiver, channel, result: r.ok ? 'sent' : 'failed' }),
        });
        running = true;
        leader = ctx.leader('alerts', (l) => {
          isLeader.set(l ? 1 : 0);
          if (l) engine?.reset();
          watchingDb = !l;
        });
        await leader.start();
        loop();
      },
      async stop() {
        running = false;
        clearTimeout(timer);
        await ticking?.catch(() => undefined);
        await engine?.drain();
        await leader?.stop();
        for (const r of engine?.receivers.values() ?? []) for (const c of r.channels) c.close?.();
      },
    };
  },
};
