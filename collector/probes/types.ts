import type { z } from 'zod';

/**
 * One probe type = one file exporting one `ProbeType` (its name, its spec schema, its probe function, whether it is
 * pushed, and the state it needs), plus one line in the registry (`./index.ts`). The probe function is one `Probe`
 * (as blackbox_exporter's prober is); the scheduler and the engine know nothing of any probe type.
 */
export interface PhaseTimings {
  /** Named as blackbox_exporter's probe_http_duration_seconds{phase} names them, in milliseconds. The same names are
   *  the columns of probe_results and its rollups (`resolve_ms`, ...) and the keys of every API answer and chart. */
  resolve?: number;
  connect?: number;
  tls?: number;
  processing?: number; // request sent → first byte (smtp: connected → 220 banner)
  transfer?: number; // first byte → end
}

export interface ProbeOutcome {
  success: boolean;
  /** Total time of the probe, ms. */
  durationMs: number;
  phases?: PhaseTimings;
  statusCode?: number;
  /** A successful probe that found something to watch (a certificate about to expire): the target is degraded,
   *  not down, and counts as available. `code` is stable English (cert_expiring), `message` Chinese. */
  warning?: { code: string; message: string };
  /** Stable English code: timeout, refused, dns_failure, tls_error, http_status, assertion_failed, content_changed, forbidden_word, dns_changed, heartbeat_missing, ... */
  errorCode?: string;
  /** Chinese text an operator can act on, with the English code and the facts (expected / got). */
  error?: string;
  /** Type-specific facts kept with the result (cert expiry, DNS answers, content hash and diff summary, ...). */
  detail?: Record<string, unknown>;
}

/**
 * What a probe uses of its cancellation: a subset of AbortSignal, so a test may pass one. The scheduler passes its own
 * `Deadline` (scheduler.ts), which costs a fraction of an AbortController (whose signal is an EventTarget).
 */
export interface ProbeSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

export interface ProbeContext {
  /** Aborted at the target's timeout. */
  signal: ProbeSignal;
  timeoutMs: number;
  now: () => number;
}

/** `spec` is the target's type-specific configuration, already validated by the config schema. */
export type Probe<Spec = unknown> = (spec: Spec, ctx: ProbeContext) => Promise<ProbeOutcome>;

/**
 * What the collector keeps that a probe may need before a run. The engine builds it from its stores
 * (collector/store/*.ts) and its memory; a probe type's `state.load` picks what it needs. A new kind of state is a
 * new member here (and its store), not a branch in the engine.
 */
export interface ProbeStateSources {
  /** The approved content baseline of a target (网页防篡改), null when none was approved yet. */
  approvedBaseline(targetId: string): Promise<{ hash: string; text: string; provisional?: boolean } | null>;
  /** Trust on first use: keeps the stored capture of `hash` as the target's provisional baseline (unless it has one). */
  adoptFirstCapture(targetId: string, hash: string): Promise<{ hash: string; text: string; provisional?: boolean } | null>;
  /** The newest beat a job pushed for a target (times in ms), null when it never beat. */
  latestHeartbeat(targetId: string): Promise<{ ts: number; status: 'ok' | 'fail'; message: string | null } | null>;
  /** The DNS baseline of a target (the answer set it must keep), null when none was adopted yet. */
  dnsBaseline(targetId: string): Promise<{ answers: string[]; recordType: string } | null>;
  /** Adopts the answers seen first as the DNS baseline, unless one exists (that one is answered then). */
  adoptDnsBaseline(targetId: string, recordType: string, answers: string[]): Promise<{ answers: string[]; recordType: string }>;
}

export interface ProbeStateInput<Spec = unknown> {
  targetId: string;
  /** The target's configured spec (as validated), before any state is merged over it; the engine always passes it. */
  spec: Spec;
  /** `detail` of the target's previous result, as the state machine keeps it (null after a restart without results). */
  lastDetail: Record<string, unknown> | null | undefined;
  /** When this process began watching the target (a heartbeat that never beat is missing only after a period). */
  firstSeenAt: number | undefined;
  sources: ProbeStateSources;
}

/** The spec keys a probe type's state fills in before a run (the schema marks them "filled in by the collector"). */
export interface ProbeState<Spec> {
  /** The spec keys `load` fills in (never mirrored into the database nor shown by the API). */
  keys: readonly (keyof Spec & string)[];
  /** Reads the state; merged over the configured spec. undefined = nothing to add (the configured spec runs as is). */
  load(input: ProbeStateInput<Spec>): Promise<Partial<Spec> | undefined> | Partial<Spec> | undefined;
}

export interface ProbeType<S extends z.ZodType = z.ZodType, N extends string = string> {
  /** The config's target `type`. */
  type: N;
  /** The schema of the target's `spec` (validated at start; the config builds its union from these). */
  spec: S;
  probe: Probe<z.output<S>>;
  /** push: results come from outside (heartbeats); the scheduler still runs the probe to judge the last beat. A push
   *  target needs a `token`. */
  kind: 'active' | 'push';
  /** Run once right at start besides the target's slots (a certificate's expiry must not wait up to an interval). */
  checkAtStart?: boolean;
  /** Error codes that make the target down at once, without waiting for its failure threshold (security findings
   *  such as dns_changed: a one-probe hijack still leaves an incident). */
  failsAtOnce?: readonly string[];
  /** State the probe needs beyond its configuration (a baseline, the answers seen last, the last heartbeat). */
  state?: ProbeState<z.output<S>>;
  /** The spec takes `connection: fresh | reuse`; a target without one gets `collector.defaults.connection`. */
  connectionOption?: true;
}
