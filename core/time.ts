import ms from 'ms';

/** Milliseconds since the epoch. Pure logic takes a Clock so tests drive time without sleeping. */
export type Clock = () => number;
export const systemClock: Clock = () => Date.now();

/** A clock that tests move by hand. */
export function manualClock(start = Date.UTC(2026, 10, 24, 2, 0, 0)) {
  let now = start;
  const clock = (() => now) as Clock & { advance(msOrText: number | string): void; set(t: number): void };
  clock.advance = (d) => {
    now += typeof d === 'number' ? d : parseDuration(d);
  };
  clock.set = (t) => {
    now = t;
  };
  return clock;
}

/** '30s', '5m', '7d', '3y' → milliseconds (the `ms` package does the parsing). Throws on anything else. */
export function parseDuration(text: string): number {
  const v = ms(text as ms.StringValue);
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`not a duration: "${text}" (use e.g. 30s, 5m, 2h, 7d)`);
  return v;
}

export function formatDuration(msValue: number): string {
  return ms(msValue, { long: false });
}

/** PostgreSQL interval literal for a millisecond count. */
export function pgInterval(msValue: number): string {
  return `${Math.round(msValue / 1000)} seconds`;
}

/** Waits; `unref` lets the process exit meanwhile (a retry waiting in the background). */
export const sleep = (msValue: number, opts: { unref?: boolean } = {}) =>
  new Promise<void>((r) => {
    const t = setTimeout(r, msValue);
    if (opts.unref) t.unref();
  });
