import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Db } from '../core/db';
import type { Logger } from '../core/log';
import type { Clock } from '../core/time';
import type { CollectorConfig, TargetConfig } from './config';
import type { Registry } from 'prom-client';
import { Journal } from './journal';
import { CollectorMetrics } from './metrics';
import { probeTypes } from './registry';
import { Scheduler, type ProbeRun } from './scheduler';
import { SampleRing, quantile } from './schedule';
import { advance, initialState, type TargetState, type TargetStateName } from './state';
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
  private injected = new Map<string, { key: string; base: unknown; spec: unknown }>();
  private firstSeen = new Map<string, number>();
  private targets: TargetConfig[] = [];

  constructor(
    private deps: EngineDeps,
    private config: CollectorConfig,
  ) {
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
      probeFor: (type) => probeTypes[type]?.probe,
      specFor: (t) => this.specFor(t),
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
    const r = await this.deps.db.query<{
      target_id: string; state: TargetStateName; since: Date; consecutive_failures: number; consecutive_successes: number;
      last_ts: Date | null; last_success: boolean | null; last_duration_ms: number | null; last_detail: Record<string, unknown> | null; incident: string | null;
    }>(
      `SELECT s.*, (SELECT i.id FROM incidents i WHERE i.target_id = s.target_id AND i.ended_at IS NULL ORDER BY i.started_at DESC LIMIT 1) AS incident
         FROM target_state s`,
    );
    for (const row of r.rows) {
      this.states.set(row.target_id, {
        targetId: row.target_id,
        state: row.state,
        since: new Date(row.since).getTime(),
        consecutiveFailures: row.consecutive_failures,
        consecutiveSuccesses: row.consecutive_successes,
        lastTs: row.last_ts ? new Date(row.last_ts).getTime() : undefined,
        lastSuccess: row.last_success ?? undefined,
        lastDurationMs: row.last_duration_ms ?? undefined,
        lastDetail: row.last_detail,
        incidentId: row.incident,
      });
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
      dnsMs: o.phases?.resolve ?? null,
      connectMs: o.phases?.connect ?? null,
      tlsMs: o.phases?.tls ?? null,
      ttfbMs: o.phases?.processing ?? null,
      transferMs: o.phases?.transfer ?? null,
      errorCode: o.errorCode ?? null,
      error: o.error ?? null,
      detail: run.attempts > 1 ? { ...(o.detail ?? {}), attempts: run.attempts } : (o.detail ?? null),
    };
    this.writer.push({ k: 'r', r: row });
    const prev = this.states.get(t.id) ?? initialState(t.id, run.startedAt);
    const { state, incident } = advance(prev, { ts: run.startedAt, success: o.success, durationMs: o.durationMs, errorCode: o.errorCode, error: o.error, detail: o.detail }, { failureThreshold: t.failureThreshold, successThreshold: t.successThreshold, slowMs: t.slowMs }, randomUUID);
    this.states.set(t.id, state);
    if (incident) this.writer.push({ k: 'i', i: { ...incident, moduleId: t.module } });
    this.writer.setState(state);
    this.metrics.observe(t.id, t.module, t.type, o);
  }

  /**
   * The spec a probe runs with: the configured one, plus what its type needs injected (the approved content baseline,
   * the DNS answers seen last, the last heartbeat). The object stays the same while nothing changed, because probes
   * keep per-spec resources (keep-alive agents) keyed by it.
   */
  private async specFor(t: TargetConfig): Promise<unknown> {
    const kind = probeTypes[t.type]?.injected;
    if (!kind) return t.spec;
    let extra: Record<string, unknown> | undefined;
    try {
      extra = await this.injection(kind, t);
    } catch (err) {
      // The database is away: keep what was injected last.
      const cached = this.injected.get(t.id);
      if (cached && cached.base === t.spec) return cached.spec;
      this.deps.log.debug({ err: (err as Error).message, target: t.id }, 'injection failed; running with the configured spec');
    }
    if (!extra) return t.spec;
    const key = JSON.stringify(extra);
    const cached = this.injected.get(t.id);
    if (cached && cached.base === t.spec && cached.key === key) return cached.spec;
    const spec = { ...(t.spec as Record<string, unknown>), ...extra };
    this.injected.set(t.id, { key, base: t.spec, spec });
    return spec;
  }

  private async injection(kind: string, t: TargetConfig): Promise<Record<string, unknown> | undefined> {
    if (kind === 'baseline') {
      const r = await this.deps.db.query<{ hash: string; text: string }>(`SELECT hash, text FROM content_baselines WHERE target_id = $1`, [t.id]);
      return r.rows[0] ? { baseline: { hash: r.rows[0].hash, text: r.rows[0].text } } : undefined;
    }
    if (kind === 'previousAnswers') {
      const answers = this.states.get(t.id)?.lastDetail?.answers;
      return Array.isArray(answers) ? { previousAnswers: answers.map(String) } : undefined;
    }
    if (kind === 'state') {
      const r = await this.deps.db.query<{ ts: Date; status: 'ok' | 'fail'; message: string | null }>(
        `SELECT ts, status, message FROM heartbeats WHERE target_id = $1 ORDER BY ts DESC LIMIT 1`,
        [t.id],
      );
      const b = r.rows[0];
      return {
        state: {
          lastBeatAt: b ? new Date(b.ts).getTime() : null,
          lastStatus: b?.status ?? null,
          ...(b?.message ? { message: b.message } : {}),
          firstSeenAt: this.firstSeen.get(t.id),
        },
      };
    }
    return undefined;
  }

  private async writeStats() {
    const now = this.deps.clock();
    const secs = Math.max(0.001, (now - this.lastStats.at) / 1000);
    const written = this.writer.totals.written;
    const probes = this.scheduler.counters.started;
    const q = this.lagQuantiles();
    this.lags.clear();
    const row = [
      new Date(now), this.instance, this.scheduler.size, q.p50 ?? null, q.p99 ?? null, this.writer.depth, this.writer.journalBytes,
      (written - this.lastStats.written) / secs, (probes - this.lastStats.probes) / secs, this.writer.totals.errors, process.memoryUsage().rss,
    ];
    this.lastStats = { at: now, written, probes };
    await this.deps.db.insertMany('collector_stats', ['ts', 'instance', 'targets', 'lag_p50_ms', 'lag_p99_ms', 'buffer_depth', 'journal_bytes', 'rows_per_s', 'probes_per_s', 'write_errors', 'rss_bytes'], [row]);
  }
}
