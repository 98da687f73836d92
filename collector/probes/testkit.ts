// Shared by the probe tests: a probe context with a real deadline. The peers they probe run on 127.0.0.1 and are started by each test (ops/platform-sim, or scripted servers as in smtp.test.ts).
import type { ProbeContext } from './types';

export function probeCtx(timeoutMs = 3000, now: () => number = Date.now): ProbeContext {
  return { signal: AbortSignal.timeout(timeoutMs), timeoutMs, now };
}

export const DAY_MS = 86_400_000;

