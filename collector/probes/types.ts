/**
 * One probe type = one file exporting one function of type `Probe` (as blackbox_exporter's prober does), plus an
 * entry in the registry (`./index.ts`). The scheduler knows nothing of any probe type.
 */
export interface PhaseTimings {
  /** Named as blackbox_exporter's probe_http_duration_seconds{phase} names them, in milliseconds. */
  resolve?: number;
  connect?: number;
  tls?: number;
  processing?: number; // request sent → first byte
  transfer?: number; // first byte → end
}

export interface ProbeOutcome {
  success: boolean;
  /** Total time of the probe, ms. */
  durationMs: number;
  phases?: PhaseTimings;
  statusCode?: number;
  /** Stable English code: timeout, refused, dns_failure, tls_error, http_status, assertion_failed, content_changed, forbidden_word, dns_changed, heartbeat_missing, ... */
  errorCode?: string;
  /** Chinese text an operator can act on, with the English code and the facts (expected / got). */
  error?: string;
  /** Type-specific facts kept with the result (cert expiry, DNS answers, content hash and diff summary, ...). */
  detail?: Record<string, unknown>;
}

export interface ProbeContext {
  /** Aborted at the target's timeout. */
  signal: AbortSignal;
  timeoutMs: number;
  now: () => number;
}

/** `spec` is the target's type-specific configuration, already validated by the config schema. */
export type Probe<Spec = unknown> = (spec: Spec, ctx: ProbeContext) => Promise<ProbeOutcome>;
