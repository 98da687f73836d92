/**
 * Faults the simulated gateway injects, changeable at run time (POST /__sim/faults or sim.setFaults()).
 * Rates are shares of requests in [0, 1], drawn independently per request to /api/v1/*.
 */
export interface Faults {
  /** Answer 503 before doing anything. */
  error503: number;
  /** Answer 429 with Retry-After: retryAfterSec. */
  rate429: number;
  retryAfterSec: number;
  /** Hang without answering for hangMs (the client's timeout fires); nothing is taken. */
  timeout: number;
  /** Take the batch, then hang for hangMs: the answer is lost, a retry must hit idempotency. */
  lostAnswer: number;
  hangMs: number;
  /** Answer after slowMs. */
  slow: number;
  slowMs: number;
  /** Receipts stay PROCESSING this long after a batch is taken. */
  processingMs: number;
}

export const NO_FAULTS: Faults = { error503: 0, rate429: 0, retryAfterSec: 1, timeout: 0, lostAnswer: 0, hangMs: 30_000, slow: 0, slowMs: 500, processingMs: 0 };

export function mergeFaults(base: Faults, patch: unknown): Faults {
  if (!patch || typeof patch !== 'object') throw new Error('faults must be a JSON object, e.g. {"error503":0.2}');
  const out: Faults = { ...base };
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (!(k in NO_FAULTS)) throw new Error(`unknown fault "${k}"; known: ${Object.keys(NO_FAULTS).join(', ')}`);
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`fault ${k} must be a number ≥ 0`);
    if (['error503', 'rate429', 'timeout', 'lostAnswer', 'slow'].includes(k) && v > 1) throw new Error(`fault ${k} is a share between 0 and 1`);
    (out as unknown as Record<string, number>)[k] = v;
  }
  return out;
}
