// Shared by the probe tests: a probe context with a real deadline (the simulator they probe is ops/platform-sim, started by each test).
import type { ProbeContext } from './types';

export function probeCtx(timeoutMs = 3000, now: () => number = Date.now): ProbeContext {
  return { signal: AbortSignal.timeout(timeoutMs), timeoutMs, now };
}

export const DAY_MS = 86_400_000;

