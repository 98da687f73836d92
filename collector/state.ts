/**
 * The per-target state machine, as a pure function: consecutive failures reach `failureThreshold` → down;
 * consecutive successes reach `successThreshold` → up again; a successful probe slower than `slowMs`, or one with a
 * warning (a certificate about to expire) → degraded. A failure its probe type marks as one that fails at once (a
 * security finding such as dns_changed) → down without waiting for the threshold. A transition into or out of down
 * opens or closes an incident.
 */
export type TargetStateName = 'unknown' | 'up' | 'down' | 'degraded';

export interface TargetState {
  targetId: string;
  state: TargetStateName;
  since: number;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  lastTs?: number;
  lastSuccess?: boolean;
  lastDurationMs?: number;
  lastErrorCode?: string | null;
  lastError?: string | null;
  lastDetail?: Record<string, unknown> | null;
  /** The open incident while down. */
  incidentId?: string | null;
  /** Where the current run of failures began, and its first error (the incident starts there). */
  firstFailureTs?: number;
  firstFailureCode?: string | null;
  firstFailureError?: string | null;
}

export interface StateRules {
  failureThreshold: number;
  successThreshold: number;
  slowMs?: number;
}

export interface ObservedResult {
  ts: number;
  success: boolean;
  durationMs: number;
  errorCode?: string | null;
  error?: string | null;
  detail?: Record<string, unknown> | null;
  /** A success with a warning (ProbeOutcome.warning): degraded, still available. */
  warning?: boolean;
  /** A failure that does not wait for the failure threshold (ProbeType.failsAtOnce). */
  atOnce?: boolean;
}

export type IncidentChange =
  | { kind: 'open'; id: string; targetId: string; startedAt: number; firstErrorCode?: string | null; firstError?: string | null }
  | { kind: 'close'; id: string; targetId: string; endedAt: number };

export function initialState(targetId: string, now: number): TargetState {
  return { targetId, state: 'unknown', since: now, consecutiveFailures: 0, consecutiveSuccesses: 0, incidentId: null };
}

/** The next state after one result; `newId` makes the incident id (a UUID in production). */
export function advance(
  prev: TargetState,
  r: ObservedResult,
  rules: StateRules,
  newId: () => string,
): { state: TargetState; incident?: IncidentChange } {
  const failures = r.success ? 0 : prev.consecutiveFailures + 1;
  const successes = r.success ? prev.consecutiveSuccesses + 1 : 0;
  const slow = r.success && ((rules.slowMs !== undefined && r.durationMs > rules.slowMs) || r.warning === true);
  let next: TargetStateName = prev.state;
  if (!r.success) {
    // A first failure of a never-seen target does not make it up; it stays unknown until the threshold.
    if (failures >= rules.failureThreshold || r.atOnce === true) next = 'down';
  } else if (prev.state === 'down') {
    if (successes >= rules.successThreshold) next = slow ? 'degraded' : 'up';
  } else {
    next = slow ? 'degraded' : 'up';
  }
  // Every field written in one literal, in one order: a spread of `prev` plus later additions gave each target's
  // state object a hidden class of its own (~3 KB of garbage per probe, promoted because states live a whole interval).
  const state: TargetState = {
    targetId: prev.targetId,
    state: next,
    since: next === prev.state ? prev.since : r.ts,
    consecutiveFailures: failures,
    consecutiveSuccesses: successes,
    lastTs: r.ts,
    lastSuccess: r.success,
    lastDurationMs: r.durationMs,
    lastErrorCode: r.errorCode ?? null,
    lastError: r.error ?? null,
    lastDetail: r.detail ?? null,
    incidentId: prev.incidentId ?? null,
    firstFailureTs: prev.firstFailureTs,
    firstFailureCode: prev.firstFailureCode,
    firstFailureError: prev.firstFailureError,
  };
  let incident: IncidentChange | undefined;
  if (next === 'down' && prev.state !== 'down') {
    const id = newId();
    state.incidentId = id;
    // The incident began with the first of the consecutive failures, not when the threshold was reached.
    state.since = prev.consecutiveFailures > 0 ? (prev.firstFailureTs ?? r.ts) : r.ts;
    incident = { kind: 'open', id, targetId: prev.targetId, startedAt: state.since, firstErrorCode: prev.firstFailureCode ?? r.errorCode, firstError: prev.firstFailureError ?? r.error };
  } else if (prev.state === 'down' && next !== 'down' && prev.incidentId) {
    incident = { kind: 'close', id: prev.incidentId, targetId: prev.targetId, endedAt: r.ts };
    state.incidentId = null;
  }
  // Remember where a run of failures began (and its first error) for the incident that it may open.
  if (!r.success && failures === 1) {
    state.firstFailureTs = r.ts;
    state.firstFailureCode = r.errorCode ?? null;
    state.firstFailureError = r.error ?? null;
  } else if (r.success) {
    state.firstFailureTs = undefined;
    state.firstFailureCode = undefined;
    state.firstFailureError = undefined;
  }
  return { state, incident };
}
