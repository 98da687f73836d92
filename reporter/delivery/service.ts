import cron, { type ScheduledTask } from 'node-cron';
import type { Db } from '../../core/db';
import type { Logger } from '../../core/log';
import type { Clock } from '../../core/time';
import type { ReporterConfig } from '../config';
import { createAdapter } from '../adapters';
import type { ProvinceAdapter } from '../adapters/types';
import { GatewaySender } from './sender';
import { batchLogStats, checkOverdue, dryRun, finishRun, runDelivery, startRun, type RunStats } from './run';
import { reconcile, type ReconcileResult } from './reconcile';
import type { PassKind } from './outbox';
import type { Registry } from 'prom-client';
import { deliveryMetrics, type DeliveryMetrics } from './metrics';
import type { DataType } from '../standard/types';

export type RunKind = PassKind | 'reconcile';

const COUNT_TTL_MS = 5 * 60_000;
const COUNT_ERROR_TTL_MS = 30_000;

export class RunInProgressError extends Error {}

export interface RunOutcome {
  runId: number;
  status: string;
  stats: RunStats | { results: ReconcileResult[] };
}

/**
 * The delivery side as one object: runs (incremental, full, reconcile, dry run), one at a time per process, and the
 * cron schedules. Which process may send is decided outside (the leader lock): `mayRun()`.
 */
export class DeliveryService {
  readonly adapter: ProvinceAdapter;
  readonly sender: GatewaySender;
  private metrics?: DeliveryMetrics;
  private running: { kind: RunKind; runId: number | null; since: number } | null = null;
  private tasks: { name: RunKind; task: ScheduledTask }[] = [];
  private runDone: Promise<RunOutcome> | null = null;
  private counts = new Map<string, { until: number; answer: Promise<{ count: number; checkedAt: number }> }>();

  constructor(
    private d: {
      db: Db;
      log: Logger;
      clock: Clock;
      config: ReporterConfig;
      url: string;
      secret: string;
      sleep?: (ms: number) => Promise<void>;
      beforeRun?: () => Promise<unknown>;
      mayRun?: () => boolean;
      metrics?: Registry;
    },
  ) {
    const p = d.config.province;
    this.adapter = createAdapter(p, d.secret);
    const del = d.config.delivery;
    this.metrics = d.metrics ? deliveryMetrics(d.metrics) : undefined;
    this.sender = new GatewaySender({ db: d.db, adapter: this.adapter, clock: d.clock, log: d.log, sleep: d.sleep, metrics: this.metrics }, { baseUrl: d.url, timeoutMs: p.timeout, retries: del.retries, retryBaseMs: del.retryBaseDelay, retryMaxMs: del.retryMaxDelay });
  }

  get url() {
    return this.d.url;
  }

  current() {
    return this.running;
  }

  /** May this process send now (it runs the reporter role and holds the leader lock)? */
  mayRun(): boolean {
    return this.d.mayRun ? this.d.mayRun() : true;
  }

  private limits() {
    const del = this.d.config.delivery;
    return { maxRecords: Math.min(del.maxRecordsPerBatch, this.adapter.limits.maxRecords), maxBytes: Math.min(del.maxBatchBytes, this.adapter.limits.maxBytes) };
  }

  /** One run, recorded in report_runs, awaited to its end. Throws RunInProgressError when one is already going here. */
  async run(kind: RunKind, trigger: string, actor: string | null = null): Promise<RunOutcome> {
    return (await this.launch(kind, trigger, actor)).done;
  }

  /** Starts a run and answers as soon as it is recorded (the API's "run now"); `done` settles when it ends. */
  async launch(kind: RunKind, trigger: string, actor: string | null = null): Promise<{ runId: number; done: Promise<RunOutcome> }> {
    if (this.running) throw new RunInProgressError(`a ${this.running.kind} run is in progress since ${new Date(this.running.since).toISOString()}`);
    const { db, clock } = this.d;
    this.running = { kind, runId: null, since: clock() };
    let runId: number;
    try {
      runId = await startRun(db, kind, trigger, actor, clock());
    } catch (err) {
      this.running = null;
      throw err;
    }
    this.running.runId = runId;
    const done = this.execute(kind, trigger, runId).finally(() => {
      this.running = null;
      this.runDone = null;
    });
    this.runDone = done;
    done.catch(() => undefined); // the caller may not wait; the failure is logged and recorded
    return { runId, done };
  }

  private async execute(kind: RunKind, trigger: string, runId: number): Promise<RunOutcome> {
    const { db, clock, log, config } = this.d;
    try {
      if (kind === 'reconcile') {
        const results = await reconcile({ db, adapter: this.adapter, sender: this.sender, log, clock, regionCode: config.province.regionCode }, config.delivery.reconcileMonths, runId);
        const status = results.every((r) => r.match) ? 'ok' : 'partial';
        await finishRun(db, runId, status, { results }, clock());
        return { runId, status, stats: { results } };
      }
      const stats = await runDelivery(
        {
          db, adapter: this.adapter, sender: this.sender, clock, log, regionCode: config.province.regionCode, limits: this.limits(),
          receiptPollMs: config.delivery.receiptPollInterval, receiptWaitMs: config.delivery.receiptWait, sleep: this.d.sleep, beforeRun: this.d.beforeRun, keepBodiesMs: config.delivery.keepBatchBodies,
        },
        kind,
        runId,
      );
      this.metrics?.records.inc({ verdict: 'accepted' }, stats.accepted);
      this.metrics?.records.inc({ verdict: 'rejected' }, stats.rejected);
      await checkOverdue(db, clock());
      const status = stats.stoppedBy || stats.processingLeft ? 'partial' : 'ok';
      await finishRun(db, runId, status, stats, clock());
      log.info({ runId, kind, trigger, ...stats }, 'delivery run finished');
      return { runId, status, stats };
    } catch (err) {
      log.error({ err, runId, kind }, 'delivery run failed');
      // What it did before the error, from the batch log (the province may have accepted batches of it).
      const done = await batchLogStats(db, runId).catch(() => ({}));
      await finishRun(db, runId, 'failed', done, clock(), (err as Error).message).catch(() => undefined);
      throw err;
    }
  }

  /**
   * How many live records of a type the province holds for [from, to) (yyyy-MM-dd, record dates), for 完整率 over a
   * period no reconciliation covers. Answers are kept COUNT_TTL_MS (a page view does not become a gateway call each
   * time), failures COUNT_ERROR_TTL_MS; concurrent asks for the same key share one request; one retry only, so a page
   * never waits out a whole backoff series.
   */
  provinceCount(dataType: DataType, from: string, to: string): Promise<{ count: number; checkedAt: number }> {
    const key = `${dataType}|${from}|${to}`;
    const now = this.d.clock();
    const hit = this.counts.get(key);
    if (hit && now < hit.until) return hit.answer;
    const answer = this.sender
      .count(this.adapter.countRequest(dataType, this.d.config.province.regionCode, `${from}T00:00:00+08:00`, `${to}T00:00:00+08:00`), 1)
      .then((count) => ({ count, checkedAt: this.d.clock() }));
    const entry = { until: now + COUNT_TTL_MS, answer };
    answer.catch(() => (entry.until = Math.min(entry.until, this.d.clock() + COUNT_ERROR_TTL_MS)));
    if (this.counts.size >= 500) this.counts.clear();
    this.counts.set(key, entry);
    return answer;
  }

  dryRun(kind: PassKind = 'incremental') {
    return dryRun({ db: this.d.db, adapter: this.adapter, regionCode: this.d.config.province.regionCode, limits: this.limits() }, kind);
  }

  /** Starts the cron schedules; each tick runs only where mayRun() (the leader) says so. */
  schedule() {
    const s = this.d.config.schedule;
    const plan: [RunKind, string][] = [['incremental', s.incremental], ['full', s.full], ['reconcile', s.reconcile]];
    for (const [name, expr] of plan) {
      const task = cron.schedule(
        expr,
        async () => {
          if (!this.mayRun()) return;
          if (this.running) return this.d.log.info({ name }, 'scheduled run skipped: another run is in progress');
          await this.run(name, 'schedule').catch(() => undefined);
        },
        { timezone: s.timezone, name: `reporter-${name}`, noOverlap: true },
      );
      this.tasks.push({ name, task });
    }
  }

  nextRuns(): { kind: RunKind; next: string | null }[] {
    return this.tasks.map((t) => ({ kind: t.name, next: t.task.getNextRun()?.toISOString() ?? null }));
  }

  async stopSchedules() {
    for (const t of this.tasks) await t.task.stop();
    this.tasks = [];
  }

  /** Resolves when no run is going (a run in progress is waited for, never cut). */
  async whenIdle() {
    await this.runDone?.catch(() => undefined);
  }

  async stop() {
    await this.stopSchedules();
    this.sender.close();
  }
}
