import { randomUUID } from 'node:crypto';
import { configJson, type TargetConfig } from './config';
import type { Clock } from '../core/time';
import type { Logger } from '../core/log';
import type { Probe, ProbeOutcome, ProbeSignal } from './probes/types';
import { firstSlot, hostOf, jitter, mayStart, nextSlot, ownsTarget, timerAt, type Shard } from './slots';

export interface ProbeRun {
  resultId: string;
  target: TargetConfig;
  /** When the probe started (ms) and when it was planned to. */
  startedAt: number;
  plannedAt: number;
  outcome: ProbeOutcome;
  attempts: number;
}

export interface SchedulerOptions {
  clock: Clock;
  log: Logger;
  limits: { global: number; perHost: number };
  shard: Shard;
  /** The probe function of a type. */
  probeFor(type: string): Probe<any> | undefined;
  /** Gives a probe its spec: the engine adds what the probe type's state hook loads (the scheduler knows no type). */
  specFor?(target: TargetConfig): unknown | Promise<unknown>;
  onResult(run: ProbeRun): void;
  onLag?(lagMs: number): void;
  random?: () => number;
  /** Targets checked once right at start, besides their slots (the probe type says so: TLS certificates). */
  checkAtStart?(target: TargetConfig): boolean;
}

interface Entry {
  target: TargetConfig;
  host: string;
  slot: number;
  planned: number;
  /** The planned start of the run waiting in the ready queue (`planned` has moved on to the next slot by then). */
  runPlanned: number;
  timer?: NodeJS.Timeout;
  running: boolean;
  queued: boolean;
  removed: boolean;
}

/**
 * Runs every owned target at its slots: spread over the interval by id hash, with jitter; never two probes of one
 * target at once; at most `limits.global` probes in flight and `limits.perHost` per host (the rest wait in FIFO order,
 * and the wait counts as scheduling lag). `update()` applies a new target list without a restart.
 */
export class Scheduler {
  private entries = new Map<string, Entry>();
  private ready: Entry[] = [];
  private readyHead = 0;
  private running = { total: 0, perHost: new Map<string, number>() };
  private stopped = true;
  private inflight = new Set<Promise<void>>();
  readonly counters = { started: 0, skippedOverlap: 0, skippedLate: 0 };

  constructor(private opts: SchedulerOptions) {}

  get size() {
    return this.entries.size;
  }

  get inFlight() {
    return this.running.total;
  }

  get queued() {
    return this.ready.length - this.readyHead;
  }

  /** New concurrency limits (configuration reload); probes already running finish. */
  setLimits(limits: { global: number; perHost: number }) {
    this.opts.limits = limits;
    this.pump();
  }

  start(targets: TargetConfig[]) {
    this.stopped = false;
    this.update(targets);
    // A start leaves, e.g., a certificate's facts unknown until the target's first slot (up to a whole interval):
    // the types that ask for it run once now. The slot after stays where it was (never two at once: an overlapping
    // slot is skipped as ever).
    if (this.opts.checkAtStart) {
      const now = this.opts.clock();
      for (const e of this.entries.values()) {
        if (!this.opts.checkAtStart(e.target) || e.queued || e.running) continue;
        e.queued = true;
        e.runPlanned = now;
        this.ready.push(e);
      }
      this.pump();
    }
  }

  /** Applies a new target list: added targets get their first slot, changed ones keep their timing unless the interval changed, removed ones stop. */
  update(targets: TargetConfig[]) {
    const wanted = new Map<string, TargetConfig>();
    for (const t of targets) if (t.enabled && ownsTarget(t.id, this.opts.shard)) wanted.set(t.id, t);
    for (const [id, e] of this.entries) {
      if (!wanted.has(id)) {
        e.removed = true;
        clearTimeout(e.timer);
        this.entries.delete(id);
      }
    }
    const now = this.opts.clock();
    for (const [id, t] of wanted) {
      const e = this.entries.get(id);
      if (!e) {
        const entry: Entry = { target: t, host: hostOf(id, t.spec), slot: 0, planned: 0, runPlanned: 0, running: false, queued: false, removed: false };
        this.entries.set(id, entry);
        this.plan(entry, firstSlot(id, t.interval, now));
      } else if (configJson(e.target) !== configJson(t)) {
        const intervalChanged = e.target.interval !== t.interval;
        e.target = t;
        e.host = hostOf(id, t.spec);
        if (intervalChanged) {
          clearTimeout(e.timer);
          this.plan(e, firstSlot(id, t.interval, now));
        }
      }
    }
  }

  private plan(e: Entry, slot: number) {
    if (this.stopped || e.removed) return;
    e.slot = slot;
    e.planned = slot + jitter(e.target.interval, (this.opts.random ?? Math.random)());
    // The probes of one grid step share one wake-up of the process (timerAt).
    const delay = Math.max(0, timerAt(e.planned, e.target.interval) - this.opts.clock());
    e.timer = setTimeout(() => this.due(e), delay);
  }

  private due(e: Entry) {
    if (this.stopped || e.removed) return;
    if (e.running || e.queued) {
      // The previous probe of this target is still running (or waiting): never overlap, skip this slot.
      this.counters.skippedOverlap++;
    } else {
      e.queued = true;
      e.runPlanned = e.planned;
      this.ready.push(e);
      this.pump();
    }
    const { slot, skipped } = nextSlot(e.slot, e.target.interval, this.opts.clock());
    this.counters.skippedLate += skipped;
    this.plan(e, slot);
  }

  private pump() {
    const limits = this.opts.limits;
    // FIFO, but a probe whose host is at its limit lets the next ones pass (bounded scan so a busy host cannot stall all).
    let scanned = 0;
    let i = this.readyHead;
    while (this.running.total < limits.global && scanned < 1000) {
      i = Math.max(i, this.readyHead);
      if (i >= this.ready.length) break;
      const e = this.ready[i];
      if (e.removed) {
        this.take(i);
        continue;
      }
      if (mayStart(e.host, this.running, limits)) {
        this.take(i);
        this.launch(e);
      } else {
        i++;
        scanned++;
      }
    }
    if (this.readyHead > 4096 && this.readyHead * 2 > this.ready.length) {
      this.ready = this.ready.slice(this.readyHead);
      this.readyHead = 0;
    }
  }

  private take(i: number) {
    if (i === this.readyHead) {
      this.ready[i].queued = false;
      this.readyHead++;
    } else {
      this.ready[i].queued = false;
      this.ready.splice(i, 1);
    }
  }

  private launch(e: Entry) {
    e.running = true;
    this.running.total++;
    this.running.perHost.set(e.host, (this.running.perHost.get(e.host) ?? 0) + 1);
    const host = e.host;
    const p = this.runProbe(e).finally(() => {
      e.running = false;
      this.running.total--;
      const n = (this.running.perHost.get(host) ?? 1) - 1;
      if (n <= 0) this.running.perHost.delete(host);
      else this.running.perHost.set(host, n);
      this.inflight.delete(p);
      if (!this.stopped) this.pump();
    });
    this.inflight.add(p);
  }

  private async runProbe(e: Entry) {
    const clock = this.opts.clock;
    const t = e.target;
    const startedAt = clock();
    const plannedAt = e.runPlanned;
    this.opts.onLag?.(Math.max(0, startedAt - plannedAt));
    this.counters.started++;
    const probe = this.opts.probeFor(t.type);
    let outcome: ProbeOutcome;
    let attempts = 0;
    const endsAt = startedAt + t.timeout;
    try {
      if (!probe) throw new Error(`no probe for type ${t.type}`);
      const spec = this.opts.specFor ? await this.opts.specFor(t) : t.spec;
      // Retries share the target's timeout: a probe never runs into its next slot.
      for (;;) {
        attempts++;
        // The first attempt gets exactly the target's timeout; retries what is left, rounded down to whole seconds.
        // Probes cache per-timeout clients, so the value must take few distinct values, not one per run.
        const left = attempts === 1 ? t.timeout : Math.max(100, Math.floor((endsAt - clock()) / 1000) * 1000);
        const deadline = new Deadline();
        const timer = setTimeout(() => deadline.abort(), left);
        try {
          outcome = await probe(spec, { signal: deadline, timeoutMs: left, now: clock });
        } finally {
          clearTimeout(timer);
        }
        if (outcome.success || attempts > t.retries || clock() >= endsAt) break;
      }
    } catch (err) {
      outcome = { success: false, durationMs: clock() - startedAt, errorCode: 'probe_error', error: `探测内部错误 probe_error: ${(err as Error).message}` };
    }
    if (e.removed) return;
    this.opts.onResult({ resultId: randomUUID(), target: t, startedAt, plannedAt, outcome: outcome!, attempts });
  }

  /** Stops planning; waits for probes in flight (their results are still delivered). */
  async stop() {
    this.stopped = true;
    for (const e of this.entries.values()) clearTimeout(e.timer);
    this.ready = [];
    this.readyHead = 0;
    await Promise.allSettled([...this.inflight]);
  }
}

/**
 * The cancellation a probe attempt gets: aborted at its timeout, with AbortController's reason (an AbortError).
 * One object and no EventTarget per probe: an AbortController's signal cost 4 % of the collector's CPU (#18).
 */
class Deadline implements ProbeSignal {
  aborted = false;
  reason: unknown = undefined;
  private listeners: (() => void)[] | undefined;

  abort() {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = new DOMException('This operation was aborted', 'AbortError');
    const ls = this.listeners;
    this.listeners = undefined;
    if (ls) for (const l of ls) l();
  }

  addEventListener(_type: 'abort', listener: () => void) {
    if (!this.aborted) (this.listeners ??= []).push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void) {
    const i = this.listeners?.indexOf(listener) ?? -1;
    if (i >= 0) this.listeners!.splice(i, 1);
  }
}
