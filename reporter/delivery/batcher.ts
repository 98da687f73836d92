/** Pure decisions of the delivery side: how many records fit a batch, backoff. No I/O, no clock reads. */

/**
 * How many of `sizes` (bytes of each encoded record, in order) fit one batch under both limits. At least one record
 * always goes (a single record over the byte limit is the caller's to refuse), so the outbox always makes progress.
 */
export function fitBatch(sizes: number[], limits: { maxRecords: number; maxBytes: number }, envelopeBytes: (n: number) => number): number {
  let bytes = 0;
  let n = 0;
  for (const s of sizes) {
    if (n >= limits.maxRecords) break;
    if (n > 0 && envelopeBytes(n + 1) + bytes + s > limits.maxBytes) break;
    bytes += s;
    n++;
  }
  return n;
}

/**
 * Delay before retry number `attempt` (1 = the first retry): exponential from `baseMs`, capped at `maxMs`, with
 * "equal jitter" (half fixed, half random) so that many cities do not retry in step. A Retry-After from the
 * gateway is a floor: we never come back earlier than it asked.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random, retryAfterMs?: number): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exp / 2 + random() * (exp / 2);
  return Math.round(retryAfterMs !== undefined ? Math.max(retryAfterMs, jittered) : jittered);
}
