/**
 * Login throttling: after `delayAfter` consecutive failures a key (an account, a client address) must wait before
 * its next try — 1 s, 2 s, 4 s … up to `maxDelay` — and after `threshold` failures it is locked for `lockFor`, each
 * further lock of the same key twice as long (up to `maxLock`). Pure decisions of a row and a clock; the rows live
 * in login_throttle so several instances share them.
 */
export interface ThrottleLimits {
  delayAfter: number;
  maxDelay: number;
  lockFor: number;
  maxLock: number;
}

export interface ThrottleRow {
  failures: number;
  locks: number;
  lastFailure: number;
  lockedUntil: number | null;
}

/** A key that has not failed for this long starts afresh (its lock count too). */
export const FORGET_AFTER_MS = 24 * 3_600_000;

/** How long this key must still wait before it may try again (0: now), and whether that is a lock. */
export function waitFor(row: ThrottleRow | undefined, now: number, l: ThrottleLimits): { ms: number; locked: boolean } {
  if (!row) return { ms: 0, locked: false };
  if (row.lockedUntil !== null && row.lockedUntil > now) return { ms: row.lockedUntil - now, locked: true };
  if (now - row.lastFailure > FORGET_AFTER_MS) return { ms: 0, locked: false };
  if (row.failures < l.delayAfter) return { ms: 0, locked: false };
  const delay = Math.min(l.maxDelay, 1000 * 2 ** (row.failures - l.delayAfter));
  return { ms: Math.max(0, row.lastFailure + delay - now), locked: false };
}

/** The row after one more failure; `lockedNow` when this failure set a lock. */
export function afterFailure(row: ThrottleRow | undefined, now: number, threshold: number, l: ThrottleLimits): ThrottleRow & { lockedNow: boolean } {
  const fresh = !row || (now - row.lastFailure > FORGET_AFTER_MS && !(row.lockedUntil !== null && row.lockedUntil > now));
  const base = fresh ? { failures: 0, locks: 0 } : { failures: row!.failures, locks: row!.locks };
  const failures = base.failures + 1;
  if (failures >= threshold) {
    const locks = base.locks + 1;
    return { failures: 0, locks, lastFailure: now, lockedUntil: now + Math.min(l.maxLock, l.lockFor * 2 ** (locks - 1)), lockedNow: true };
  }
  return { failures, locks: base.locks, lastFailure: now, lockedUntil: null, lockedNow: false };
}
