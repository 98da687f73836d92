/** A pure decision of the delivery side: how many records fit a batch. No I/O, no clock reads. */

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
