/**
 * Pure scheduling decisions (no timers, the clock is an argument), so tests need no sleeping:
 * where in its interval a target starts, the next planned start, which collector owns a target, whether a probe may
 * start under the global and per-host limits, and lag quantiles.
 */

/** FNV-1a, 32 bit: stable across processes and versions (spreading and sharding must agree between restarts). */
export function hash32(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The offset of a target's slots inside its interval: spreads N targets evenly instead of all at :00. */
export function phaseOffset(id: string, intervalMs: number): number {
  return hash32(id) % intervalMs;
}

/** Jitter added to one planned start: up to 1% of the interval, at most 500 ms; `rand` in [0, 1). */
export function jitter(intervalMs: number, rand: number): number {
  return Math.floor(rand * Math.min(intervalMs * 0.01, 500));
}

/** The largest step of the timers' grid (`timerAt`). */
export const TIMER_GRID_MS = 20;

/**
 * When the timer of a planned start fires: on a grid of 1 % of the interval, at most `TIMER_GRID_MS` (20 ms at
 * intervals of 2 s and more), at or before the planned start (never late: lag is measured from `planned`). The probes
 * whose starts fall in one step share one wake-up of the process instead of one each: at 1,000 targets × 5 s, 50
 * wake-ups a second instead of 200 (#18). The step lies inside the slot's own jitter (up to 1 % of the interval), so
 * the spread over the interval stays the same. Intervals under 200 ms are not gridded.
 */
export function timerAt(planned: number, intervalMs: number): number {
  const grid = Math.min(TIMER_GRID_MS, Math.floor(intervalMs / 100));
  return grid > 1 ? planned - (planned % grid) : planned;
}

/** The first slot at or after `now`: t ≡ phaseOffset (mod interval). */
export function firstSlot(id: string, intervalMs: number, now: number): number {
  const off = phaseOffset(id, intervalMs);
  const base = Math.floor((now - off) / intervalMs) * intervalMs + off;
  return base >= now ? base : base + intervalMs;
}

/**
 * The slot after `prevSlot`. A collector that fell behind (a stopped process, a probe that ran over its slot) does
 * not fire the missed slots in a burst: it moves to the next slot at or after `now` and reports how many it skipped.
 */
export function nextSlot(prevSlot: number, intervalMs: number, now: number): { slot: number; skipped: number } {
  const next = prevSlot + intervalMs;
  if (next >= now) return { slot: next, skipped: 0 };
  const skipped = Math.ceil((now - next) / intervalMs);
  return { slot: next + skipped * intervalMs, skipped };
}

export interface Shard {
  index: number;
  count: number;
}

/** Several collectors share the targets by hash mod count: each target has exactly one owner, no coordination. */
export function ownsTarget(id: string, shard: Shard): boolean {
  if (shard.count <= 1) return true;
  return hash32(id, 0x9e3779b9) % shard.count === shard.index;
}

/** Whether a probe against `host` may start now under the limits. */
export function mayStart(host: string, running: { total: number; perHost: Map<string, number> }, limits: { global: number; perHost: number }): boolean {
  return running.total < limits.global && (running.perHost.get(host) ?? 0) < limits.perHost;
}

/** The host a probe talks to, for the per-host limit: from spec.url, spec.host or spec.target; else the target id. */
export function hostOf(targetId: string, spec: unknown): string {
  const s = (spec ?? {}) as Record<string, unknown>;
  if (typeof s.url === 'string') {
    try {
      return new URL(s.url).host;
    } catch {
      /* fall through */
    }
  }
  for (const k of ['host', 'hostname', 'target', 'server']) if (typeof s[k] === 'string') return String(s[k]);
  return `target:${targetId}`;
}

/** Quantile of an unsorted sample (nearest rank); undefined when empty. */
export function quantile(values: ArrayLike<number>, q: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[idx];
}

/** A fixed-size ring of recent samples (scheduling lag) for the self-statistics. */
export class SampleRing {
  private buf: Float64Array;
  private n = 0;
  private i = 0;
  constructor(size = 20_000) {
    this.buf = new Float64Array(size);
  }
  add(v: number) {
    this.buf[this.i] = v;
    this.i = (this.i + 1) % this.buf.length;
    if (this.n < this.buf.length) this.n++;
  }
  values(): Float64Array {
    return this.buf.subarray(0, this.n);
  }
  clear() {
    this.n = 0;
    this.i = 0;
  }
}
