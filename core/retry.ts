/**
 * The one retry policy of every sender (alert channels, the provincial gateway): exponential backoff with "equal
 * jitter" (half fixed, half random, so that many senders do not retry in step), capped, and a server's Retry-After
 * as a floor — we never come back earlier than it asked (Alertmanager's notify.RetryStage does the same).
 */
export interface Backoff {
  /** The delay before the first retry. */
  baseMs: number;
  /** No delay is longer than this (a Retry-After may be). */
  maxMs: number;
  /** Defaults to Math.random; tests fix it. */
  random?: () => number;
}

/** Delay before retry number `attempt` (1 = the first retry); `retryAfterMs` from the server's answer, if any. */
export function backoffDelay(attempt: number, b: Backoff, retryAfterMs?: number): number {
  const exp = Math.min(b.maxMs, b.baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exp / 2 + (b.random ?? Math.random)() * (exp / 2);
  return Math.round(retryAfterMs !== undefined ? Math.max(retryAfterMs, jittered) : jittered);
}

/**
 * A Retry-After header (RFC 9110: delay-seconds or an HTTP-date) in milliseconds from `nowMs`; undefined when absent
 * or unreadable, 0 for a date in the past.
 */
export function parseRetryAfter(value: string | string[] | null | undefined, nowMs: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v === null) return undefined;
  const s = v.trim();
  // Seconds are whole by the RFC; a fractional value some gateways send is read, not refused.
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : Math.max(0, t - nowMs);
}
