import type { AlertsConfig, RuleConfig } from './config';
import type { Db } from '../core/db';
import type { Logger } from '../core/log';
import type { Clock } from '../core/time';
import { createReceivers, type Receiver } from './channels';
import { advanceRecurring, activeWindows } from './store/maintenance-windows';
import type { AlertRecord } from './model';
import { fingerprint } from './model';
import { Dispatcher, type DeliveryResult } from './notify/dispatch';
import { compileInhibitRules, inhibitedBy, MODULE_DOWN_INHIBIT, type InhibitRule } from './notify/inhibit';
import { maxHoldFor, undecidedModules } from './notify/hold';
import { matchesAll } from './matchers';
import { buildNotification, type NotifyAlert } from './notify/message';
import { inMaintenance, silencedBy } from './notify/mute';
import { loadNflog, nflogKey, pruneNflog, recordNflog } from './store/nflog';
import { decide, GroupTimers, type GroupInput } from './notify/plan';
import { compileRoute, groupOf, matchRoutes, type Route } from './notify/routing';
import { RULE_TYPES } from './rules';
import { activeSilences } from './store/silences';
import { Sources, SourceMissing } from './sources';
import { retire, step, type StepResult } from './state';
import { loadNotifiable, loadOpenAlerts, pruneResolved, saveStep } from './store/alerts';
import { saveRuleStatus } from './store/rule-status';

const RESOLVED_KEEP = 24 * 3_600_000;
const HOUR = 3_600_000;
/** Resolved alerts are kept as long as alert_events (a year). */
const HISTORY_KEEP = 365 * 24 * HOUR;

export interface RuleStatus {
  lastEval: number;
  durationMs: number;
  active: number;
  error?: string;
}

export interface EvalSummary {
  rules: number;
  instances: number;
  transitions: number;
  durationMs: number;
}

/**
 * The alert evaluator and notifier. Decisions take `now` from the injected clock; `tick()` does one round (rules
 * when due, then notifications), so tests drive it by hand and the running system calls it on a timer while it
 * holds the 'alerts' leadership.
 */
export class AlertEngine {
  private route: Route | null = null;
  private inhibit: InhibitRule[] = [];
  receivers = new Map<string, Receiver>();
  readonly timers = new GroupTimers();
  readonly dispatcher: Dispatcher;
  readonly ruleStatus = new Map<string, RuleStatus>();
  private lastEval = -Infinity;
  private lastPrune = -Infinity;
  private missingLogged = new Set<string>();
  private sends = new Set<Promise<DeliveryResult>>();
  private dbDownSince: number | null = null;
  private dbAlertSent: { n: ReturnType<typeof buildNotification>; receiver: Receiver }[] = [];
  /** Modules whose state is undecided at the last evaluation: their targets' alerts are held (notify/hold.ts). */
  heldModules = new Set<string>();

  constructor(
    private db: Db,
    private log: Logger,
    private clock: Clock,
    private cfg: AlertsConfig,
    private hooks: { onEvaluated?: (s: EvalSummary) => void; onSent?: (receiver: string, channel: string, r: DeliveryResult) => void } = {},
  ) {
    this.dispatcher = new Dispatcher(db, log, clock, () => this.cfg.retry);
    this.reconfigure(cfg);
  }

  get config() {
    return this.cfg;
  }

  reconfigure(cfg: AlertsConfig) {
    for (const r of this.receivers.values()) for (const c of r.channels) c.close?.();
    this.cfg = cfg;
    this.route = cfg.route ? compileRoute(cfg.route) : null;
    if (!cfg.route && cfg.receivers.length > 0) this.log.warn('alerts: receivers are defined but there is no route (alerts.route in the file or the stored routing tree); no notification is sent');
    this.inhibit = compileInhibitRules(cfg.inhibitRules, cfg.moduleDownInhibits, cfg.securityInhibits);
    this.receivers = createReceivers(cfg.receivers, this.clock, this.log);
  }

  /** Forget in-memory timing (a new leader starts fresh; the DB state and notification log carry over). */
  reset() {
    this.timers.clear();
    this.lastEval = -Infinity;
  }

  async tick(): Promise<void> {
    const now = this.clock();
    try {
      if (now - this.lastEval >= this.cfg.evaluationInterval) {
        this.lastEval = now;
        await advanceRecurring(this.db, now);
        await this.evaluate(now);
      }
      await this.notify(now);
      if (this.dbDownSince !== null) await this.databaseBack(now);
      if (now - this.lastPrune >= HOUR) {
        this.lastPrune = now;
        await pruneNflog(this.db, now - 7 * 24 * HOUR);
        await pruneResolved(this.db, now - HISTORY_KEEP);
      }
    } catch (err) {
      if (await this.db.ping()) {
        this.log.error({ err }, 'alert evaluation failed');
        return;
      }
      await this.databaseDown(now);
    }
  }

  /**
   * For a process that led until its lock's database session died: the database may be away, so the lock cannot be
   * won back, but someone must say so. Returns true once the database answers again (nothing left to watch).
   */
  async watchDatabase(): Promise<boolean> {
    const now = this.clock();
    if (!(await this.db.ping())) {
      await this.databaseDown(now);
      return false;
    }
    if (this.dbDownSince !== null) await this.databaseBack(now);
    return true;
  }

  /** Evaluates every enabled rule and writes the resulting state changes. */
  async evaluate(now: number): Promise<EvalSummary> {
    const t0 = performance.now();
    const src = new Sources(this.db, now, this.dbDownSince);
    const open = await loadOpenAlerts(this.db);
    const openByRule = new Map<string, AlertRecord[]>();
    for (const a of open) openByRule.set(a.rule, [...(openByRule.get(a.rule) ?? []), a]);
    const total: StepResult = { changed: [], dropped: [], touched: [], transitions: [] };
    const merge = (r: StepResult) => {
      total.changed.push(...r.changed);
      total.touched.push(...r.touched);
      total.dropped.push(...r.dropped);
      total.transitions.push(...r.transitions);
    };
    const rules = this.cfg.rules.filter((r) => r.enabled && r.type !== 'database_unreachable');
    let instances = 0;
    for (const rule of rules) {
      const started = performance.now();
      const type = RULE_TYPES[rule.type];
      try {
        const input = await type.load(src, rule);
        const active = type.evaluate(rule, input, now, { timezone: this.cfg.timezone });
        instances += active.length;
        merge(step(rule, openByRule.get(rule.name) ?? [], active, now));
        this.ruleStatus.set(rule.name, { lastEval: now, durationMs: performance.now() - started, active: active.length });
        this.missingLogged.delete(rule.name);
      } catch (err) {
        // Missing input keeps the rule's alerts as they are: no data is not the same as "resolved".
        const msg = (err as Error).message;
        this.ruleStatus.set(rule.name, { lastEval: now, durationMs: performance.now() - started, active: openByRule.get(rule.name)?.length ?? 0, error: msg });
        if (!this.missingLogged.has(rule.name)) {
          this.missingLogged.add(rule.name);
          if (err instanceof SourceMissing) this.log.warn({ rule: rule.name, err: msg }, 'rule input not available yet; keeping its alerts as they are');
          else this.log.error({ rule: rule.name, err }, 'rule evaluation failed');
        }
        if (!(err instanceof SourceMissing) && !(await this.db.ping())) throw err;
      }
    }
    for (const r of this.cfg.rules) if (r.enabled && r.type === 'database_unreachable') this.ruleStatus.set(r.name, { lastEval: now, durationMs: 0, active: 0 });
    const known = new Set(rules.map((r) => r.name));
    for (const [name, list] of openByRule) if (!known.has(name)) merge(retire(list, now));
    await saveStep(this.db, total, now);
    await this.decideModules(src, now);
    await saveRuleStatus(this.db, [...this.ruleStatus].filter(([, st]) => st.lastEval === now).map(([rule, st]) => ({ rule, ...st })));
    const summary = { rules: rules.length, instances, transitions: total.transitions.length, durationMs: performance.now() - t0 };
    this.hooks.onEvaluated?.(summary);
    return summary;
  }

  /** Which modules are undecided after this round (their module_down alerts as just saved). */
  private async decideModules(src: Sources, now: number) {
    const rules = this.cfg.moduleDownInhibits ? this.cfg.rules.filter((r) => r.enabled && r.type === 'module_down') : [];
    if (rules.length === 0) {
      this.heldModules = new Set();
      return;
    }
    try {
      const targets = await src.targets();
      const moduleDown = new Map<string, 'pending' | 'firing'>();
      for (const a of await loadOpenAlerts(this.db)) {
        if (a.ruleType === 'module_down' && a.labels.module && (a.state === 'pending' || a.state === 'firing')) {
          if (moduleDown.get(a.labels.module) !== 'firing') moduleDown.set(a.labels.module, a.state);
        }
      }
      this.heldModules = undecidedModules(targets, rules as { ratio: number; modules?: string[]; targets?: string[] }[], moduleDown, now, maxHoldFor(targets, this.cfg.moduleHoldMax));
    } catch (err) {
      if (!(err instanceof SourceMissing)) throw err;
      this.heldModules = new Set();
    }
  }

  /**
   * Routes, mutes (silences, maintenance, inhibition), groups and sends what is due. Returns the deliveries started,
   * so tests can await them; the running system lets them finish in the background.
   */
  async notify(now: number): Promise<Promise<DeliveryResult>[]> {
    if (!this.route) return [];
    const alerts = latestPerFingerprint(await loadNotifiable(this.db, now, RESOLVED_KEEP));
    const [silences, windows] = await Promise.all([activeSilences(this.db, now), activeWindows(this.db, now)]);
    // Inhibiting alerts: the firing ones, and those resolved within inhibitRelease (a module coming back does not
    // announce its targets' alerts that it muted while they recover too).
    const sources = alerts.filter((a) => a.state === 'firing' || (a.state === 'resolved' && a.endsAt !== null && now - a.endsAt < this.cfg.inhibitRelease));
    const groups = new Map<string, GroupInput>();
    for (const a of alerts) {
      if (silencedBy(silences, a.labels, now) || inMaintenance(windows, a.labels, now)) continue;
      if (a.state === 'firing' && inhibitedBy(this.inhibit, a.labels, a.fingerprint, sources)) continue;
      // Held while the module's state is undecided (a storm sends the module's notice, not one per target).
      if (a.state === 'firing' && a.labels.module && this.heldModules.has(a.labels.module) && matchesAll(MODULE_DOWN_INHIBIT.target, a.labels)) continue;
      const na = this.toNotifyAlert(a);
      for (const route of matchRoutes(this.route, a.labels)) {
        const { groupKey, groupLabels } = groupOf(route, a.labels);
        const g = groups.get(groupKey) ?? { route, groupKey, groupLabels, alerts: [] };
        g.alerts.push(na);
        groups.set(groupKey, g);
      }
    }
    const due = this.timers.due(now, groups);
    if (due.length === 0) return [];
    const nflog = await loadNflog(this.db);
    const started: Promise<DeliveryResult>[] = [];
    for (const g of due) {
      const receiver = this.receivers.get(g.route.receiver);
      if (!receiver) continue;
      g.alerts.sort((a, b) => a.startsAt - b.startsAt || a.fingerprint.localeCompare(b.fingerprint));
      for (const ch of receiver.channels) {
        if (this.dispatcher.busy(nflogKey(receiver.name, ch.name, g.groupKey))) continue;
        const d = decide(nflog.get(nflogKey(receiver.name, ch.name, g.groupKey)), g.alerts, { repeatInterval: g.route.repeatInterval, sendResolved: ch.sendResolved }, now);
        if (!d.record) continue;
        const entry = { firing: d.firing, resolved: d.resolved, sentAt: now };
        if (!d.send) {
          await recordNflog(this.db, receiver.name, ch.name, g.groupKey, entry);
          continue;
        }
        const n = buildNotification({ receiver: receiver.name, groupKey: g.groupKey, groupLabels: g.groupLabels, alerts: d.alerts, externalURL: this.cfg.externalUrl, timezone: this.cfg.timezone });
        const p = this.dispatcher.deliver(receiver.name, ch, n, { entry }).then((r) => {
          this.hooks.onSent?.(receiver.name, ch.name, r);
          return r;
        });
        this.track(p);
        started.push(p);
      }
    }
    return started;
  }

  private toNotifyAlert(a: AlertRecord): NotifyAlert {
    return {
      id: a.id,
      status: a.state === 'firing' ? 'firing' : 'resolved',
      labels: a.labels,
      annotations: a.annotations,
      startsAt: a.startsAt ?? a.activeAt,
      endsAt: a.state === 'resolved' ? a.endsAt : null,
      fingerprint: a.fingerprint,
      generatorURL: `${this.cfg.externalUrl.replace(/\/$/, '')}/#/alerts/${a.id ?? ''}`,
      acked: !!a.ackAt,
    };
  }

  private track(p: Promise<DeliveryResult>) {
    this.sends.add(p);
    void p.finally(() => this.sends.delete(p));
  }

  /** Waits for deliveries in flight (stop, tests). */
  async drain() {
    while (this.sends.size > 0) await Promise.allSettled([...this.sends]);
  }

  private dbRule(): RuleConfig | undefined {
    return this.cfg.rules.find((r) => r.type === 'database_unreachable' && r.enabled);
  }

  /** The database does not answer: alert state cannot be written, so this one alert is sent straight from memory. */
  private async databaseDown(now: number) {
    if (this.dbDownSince === null) {
      this.dbDownSince = now;
      this.log.error('database unreachable; alert evaluation paused');
    }
    const rule = this.dbRule();
    if (!rule || !this.route || this.dbAlertSent.length > 0) return;
    const active = RULE_TYPES.database_unreachable.evaluate(rule, this.dbDownSince, now, { timezone: this.cfg.timezone });
    if (active.length === 0) return;
    const inst = active[0];
    const na: NotifyAlert = { status: 'firing', labels: inst.labels, annotations: inst.annotations, startsAt: this.dbDownSince, endsAt: null, fingerprint: fingerprint(inst.labels), generatorURL: this.cfg.externalUrl };
    for (const route of matchRoutes(this.route, inst.labels)) {
      const receiver = this.receivers.get(route.receiver);
      if (!receiver) continue;
      const { groupKey, groupLabels } = groupOf(route, inst.labels);
      const n = buildNotification({ receiver: receiver.name, groupKey, groupLabels, alerts: [na], externalURL: this.cfg.externalUrl, timezone: this.cfg.timezone });
      this.dbAlertSent.push({ n, receiver });
      for (const ch of receiver.channels) this.track(this.dispatcher.deliver(receiver.name, ch, n));
    }
  }

  private async databaseBack(now: number) {
    this.log.info({ downForMs: now - this.dbDownSince! }, 'database reachable again');
    this.dbDownSince = null;
    for (const { n, receiver } of this.dbAlertSent.splice(0)) {
      const resolved = { ...n, status: 'resolved' as const, alerts: n.alerts.map((a) => ({ ...a, status: 'resolved' as const, endsAt: now })) };
      for (const ch of receiver.channels) if (ch.sendResolved) this.track(this.dispatcher.deliver(receiver.name, ch, resolved));
    }
  }
}

/** One alert per fingerprint for notification: the open occurrence if there is one, else the latest resolved. */
export function latestPerFingerprint(alerts: AlertRecord[]): AlertRecord[] {
  const byFp = new Map<string, AlertRecord>();
  for (const a of alerts) {
    const prev = byFp.get(a.fingerprint);
    if (!prev || (prev.state === 'resolved' && (a.state !== 'resolved' || (a.endsAt ?? 0) > (prev.endsAt ?? 0)))) byFp.set(a.fingerprint, a);
  }
  return [...byFp.values()];
}
