import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Db } from '../core/db';
import type { Logger } from '../core/log';
import type { Clock } from '../core/time';
import type { CollectorConfig, TargetConfig } from './config';
import type { Registry } from 'prom-client';
import { Journal } from './journal';
import { CollectorMetrics } from './metrics';
import { probeTypeOf, type ProbeStateSources } from './probes/index';
import { Scheduler, type ProbeRun } from './scheduler';
import { SampleRing, quantile } from './slots';
import { advance, initialState, type TargetState, type TargetStateName } from './state';
import { adoptFirstCapture, approvedBaseline } from './store/baselines';
import { adoptFirstDnsBaseline, dnsBaseline } from './store/dns-baselines';
import { latestHeartbeat } from './store/heartbeats';
import { loadTargetStates } from './store/targets';
import { writeCollectorStats } from './store/system';
import { ResultWriter, type ResultRow } from './writer';

export interface EngineDeps {
  db: Db;
  log: Logger;
  clock: Clock;
  metrics: Registry;
  journalDir: string;
}

/**
 * The running collector: the scheduler runs probes, every result advances the target's state machine, goes to the
 * Prometheus gauges and to the loss-free writer; every `statsEvery` the engine writes its own statistics.
 */
export class CollectorEngine {
  readonly scheduler: Scheduler;
  readonly writer: ResultWriter;
  readonly metrics: CollectorMetrics;
  readonly journal: Journal;
  readonly instance: string;
  private states = new Map<string, TargetState>();
  private lags = new SampleRing(50_000);
  private statsTimer?: NodeJS.Timeout;
  private lastStats = { at: 0, written: 0, probes: 0 };
  private stateSpecs = new Map<string, { key: string; base: unknown; spec: unknown }>();
  private sources: ProbeStateSources;
  private firstSeen = new Map<string, number>();
  private targets: TargetConfig[] = [];

  constructor(
    private deps: EngineDeps,
    private config: CollectorConfig,
  ) {
    this.sources = {
      approvedBaseline: async (id) => approvedBaseline(deps.db, id),
      adoptFirstCapture: (id, hash) => adoptFirstCapture(deps.db, id, hash),
      latestHeartbeat: (id) => latestHeartbeat(deps.db, id),
      dnsBaseline: (id) => dnsBaseline(deps.db, id),
      // The baseline and its history row in one transaction.
      adoptDnsBaseline: (id, recordType, answers) => deps.db.tx((q) => adoptFirstDnsBaseline(q, { targetId: id, recordType, answers, at: deps.clock() })),
    };
    this.instance = `${hostname()}#${config.shard.index}/${config.shard.count}`;
    this.journal = new Journal(deps.journalDir);
    this.writer = new ResultWriter({
      db: deps.db,
      journal: this.journal,
      log: deps.log,
      clock: deps.clock,
      batchSize: config.batch.size,
      batchAgeMs: config.batch.age,
      bufferSize: config.bufferSize,
      onWritten: (n) => this.metrics.rowsWritten.inc(n),
      onWriteError: () => this.metrics.writeErrors.inc(),
    });
    this.metrics = new CollectorMetrics(deps.metrics, { bufferDepth: () => this.writer.depth, journalBytes: () => this.writer.journalBytes });
    this.scheduler = new Scheduler({
      clock: deps.clock,
      log: deps.log,
      limits: { global: config.concurrency, perHost: config.perHostConcurrency },
      shard: config.shard,
      probeFor: (type) => probeTypeOf(type)?.probe,
      specFor: (t) => this.specFor(t),
      checkAtStart: (t) => probeTypeOf(t.type)?.checkAtStart === true,
      onResult: (run) => this.onResult(run),
      onLag: (ms) => {
        this.lags.add(ms);
        this.metrics.lag.observe(ms / 1000);
      },
    });
  }

  async start() {
    await this.loadStates();
    this.writer.start();
    this.targets = this.config.targets;
    const now = this.deps.clock();
    for (const t of this.targets) this.firstSeen.set(t.id, now);
    this.restoreMetrics();
    this.scheduler.start(this.targets);
    this.lastStats = { at: now, written: this.writer.totals.written, probes: this.scheduler.counters.started };
    const tick = () => {
      void this.writeStats().catch((err) => this.deps.log.debug({ err: (err as Error).message }, 'collector stats not written'));
      this.statsTimer = setTimeout(tick, this.config.statsEvery);
      this.statsTimer.unref();
    };
    this.statsTimer = setTimeout(tick, this.config.statsEvery);
    this.statsTimer.unref();
    this.deps.log.info({ targets: this.scheduler.size, shard: this.config.shard }, 'collector started');
  }

  /** A new configuration: targets added, changed and removed without a restart. */
  reload(config: CollectorConfig) {
    this.config = config;
    const now = this.deps.clock();
    const ids = new Set(config.targets.map((t) => t.id));
    for (const t of this.targets) if (!ids.has(t.id)) this.metrics.forget(t.id);
    for (const t of config.targets) if (!this.firstSeen.has(t.id)) this.firstSeen.set(t.id, now);
    this.targets = config.targets;
    this.scheduler.setLimits({ global: config.concurrency, perHost: config.perHostConcurrency });
    this.scheduler.update(config.targets);
  }

  async stop() {
    clearTimeout(this.statsTimer);
    await this.scheduler.stop();
    await this.writer.stop();
  }

  /** The current state of a target as the engine knows it (the database may be a batch behind). */
  stateOf(id: string): TargetStateName | undefined {
    return this.states.get(id)?.state;
  }

  /** Starts a new lag sample (benchmarks measure after a warm-up). */
  resetLagSamples() {
    this.lags.clear();
  }

  lagQuantiles() {
    const v = this.lags.values();
    return { p50: quantile(v, 0.5), p99: quantile(v, 0.99), n: v.length };
  }

  private async loadStates() {
    for (const state of await loadTargetStates(this.deps.db)) this.states.set(state.targetId, state);
  }

  /**
   * /metrics after a start: each target's gauges from its last stored result (target_state), so
   * probe_ssl_earliest_cert_expiry and probe_success are there before the first probe, as blackbox_exporter has them
   * on every scrape. Counters are not touched (no probe ran).
   */
  private restoreMetrics() {
    for (const t of this.targets) {
      const s = this.states.get(t.id);
      if (s?.lastTs === undefined || s.lastSuccess === undefined) continue;
      this.metrics.restore(t.id, t.module, { success: s.lastSuccess, durationMs: s.lastDurationMs ?? 0, detail: s.lastDetail ?? undefined });
    }
  }

  private onResult(run: ProbeRun) {
    const t = run.target;
    const o = run.outcome;
    const row: ResultRow = {
      resultId: run.resultId,
      ts: run.startedAt,
      targetId: t.id,
      moduleId: t.module,
      type: t.type,
      success: o.success,
      durationMs: Math.round(o.durationMs * 1000) / 1000,
      statusCode: o.statusCode ?? null,
      resolveMs: o.phases?.resolve ?? null,
      connectMs: o.phases?.connect ?? null,
      tlsMs: o.phases?.tls ?? null,
      processingMs: o.phases?.processing ?? null,
      transferMs: o.phases?.transfer ?? null,
      errorCode: o.errorCode ?? null,
      error: o.error ?? null,
      detail: run.attempts > 1 ? { ...(o.detail ?? {}), attempts: run.attempts } : (o.detail ?? null),
    };
    this.writer.push({ k: 'r', r: row });
    const prev = this.states.get(t.id) ?? initialState(t.id, run.startedAt);
    const atOnce = !o.success && o.errorCode !== undefined && (probeTypeOf(t.type)?.failsAtOnce?.includes(o.errorCode) ?? false);
    const { state, incident } = advance(prev, { ts: run.startedAt, success: o.success, durationMs: o.durationMs, errorCode: o.errorCode, error: o.error, detail: o.detail, warning: o.warning !== undefined, atOnce }, { failureThreshold: t.failureThreshold, successThreshold: t.successThreshold, slowMs: t.slowMs }, randomUUID);
    this.states.set(t.id, state);
    if (incident) this.writer.push({ k: 'i', i: { ...incident, moduleId: t.module } });
    this.writer.setState(state, state.state !== prev.state || incident !== undefined);
    this.metrics.observe(t.id, t.module, t.type, o);
  }

  /**
   * The spec a probe runs with: the configured one, plus what its type's `state.load` adds (the approved content
   * baseline, the DNS answers seen last, the last heartbeat: each probe type says what it needs). The object stays the
   * same while nothing changed, because probes keep per-spec resources (keep-alive agents) keyed by it.
   */
  private async specFor(t: TargetConfig): Promise<unknown> {
    const state = probeTypeOf(t.type)?.state;
    if (!state) return t.spec;
    let extra: Record<string, unknown> | undefined;
    try {
      extra = (await state.load({ targetId: t.id, spec: t.spec, lastDetail: this.states.get(t.id)?.lastDetail, firstSeenAt: this.firstSeen.get(t.id), sources: this.sources })) as Record<string, unknown> | undefined;
    } catch (err) {
      // The database is away: keep what was added last.
      const cached = this.stateSpecs.get(t.id);
      if (cached && cached.base === t.spec) return cached.spec;
      this.deps.log.debug({ err: (err as Error).message, target: t.id }, 'probe state not read; running with the configured spec');
    }
    if (!extra) return t.spec;
    const key = JSON.stringify(extra);
    const cached = this.stateSpecs.get(t.id);
    if (cached && cached.base === t.spec && cached.key === key) return cached.spec;
    const spec = { ...(t.spec as Record<string, unknown>), ...extra };
    this.stateSpecs.set(t.id, { key, base: t.spec, spec });
    return spec;
  }

  private async writeStats() {
    const now = this.deps.clock();
    const secs = Math.max(0.001, (now - this.lastStats.at) / 1000);
    const written = this.writer.totals.written;
    const probes = this.scheduler.counters.started;
    const q = this.lagQuantiles();
    this.lags.clear();
    const stats = {
      ts: now, instance: this.instance, targets: this.scheduler.size, lagP50Ms: q.p50 ?? null, lagP99Ms: q.p99 ?? null, bufferDepth: this.writer.depth,
      journalBytes: this.writer.journalBytes, rowsPerS: (written - this.lastStats.written) / secs, probesPerS: (probes - this.lastStats.probes) / secs,
      writeErrors: this.writer.totals.errors, rssBytes: process.memoryUsage().rss,
    };
    this.lastStats = { at: now, written, probes };
    await writeCollectorStats(this.deps.db, stats);
  }
}
