// Shared by the probe tests: a probe context with a real deadline, and the platform simulator.
import type { ProbeContext } from './types';

export function probeCtx(timeoutMs = 3000, now: () => number = Date.now): ProbeContext {
  return { signal: AbortSignal.timeout(timeoutMs), timeoutMs, now };
}

export const DAY_MS = 86_400_000;

/**
 * nock 15's interceptors call Promise.withResolvers, which Node 20 lacks (Node 22 has it): without this every
 * intercepted request fails with "Promise.withResolvers is not a function".
 */
export function polyfillPromiseWithResolvers(): void {
  const P = Promise as unknown as { withResolvers?: () => unknown };
  P.withResolvers ??= () => {
    let resolve!: (v: unknown) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
