import { z } from 'zod';
import { duration } from '../../core/config/common';
import { errorText } from './outcome';
import type { Probe, ProbeOutcome, ProbeType } from './types';

/**
 * Push-based: a batch job (nightly exchange sync, base-library load) calls the collector's heartbeat endpoint; this
 * file only judges the last beat. The collector fills `spec.state` from what it received and runs the probe on its
 * schedule like any other.
 */
export const heartbeatSpecSchema = z
  .object({
    /** How often the job is expected to report. */
    period: duration({ min: '1s', max: '31d' }),
    /** Extra time allowed after the period before the beat counts as missing. */
    grace: duration({ max: '31d' }).prefault('0s'),
    /** Filled in by the collector from the heartbeat store, never from the config file. */
    state: z
      .object({ lastBeatAt: z.number().nullable(), lastStatus: z.enum(['ok', 'fail']).nullable().optional(), message: z.string().optional(), firstSeenAt: z.number().optional() })
      .optional(),
  })
  .strict();
export type HeartbeatSpec = z.output<typeof heartbeatSpecSchema>;

const iso = (t: number) => new Date(t).toISOString();

/**
 * Pure judgement of a job's heartbeat. `lastBeatAt` null = never beat: missing once `since` (when monitoring began,
 * defaults to now) is more than period + grace ago, so a freshly added job is not missing at once.
 */
export function heartbeatStatus(
  lastBeatAt: number | null,
  lastStatus: 'ok' | 'fail' | null | undefined,
  expectedPeriodMs: number,
  graceMs: number,
  now: number,
  opts: { message?: string; since?: number } = {},
): ProbeOutcome {
  const allowed = expectedPeriodMs + graceMs;
  if (lastBeatAt === null) {
    const since = opts.since ?? now;
    if (now - since <= allowed) return { success: true, durationMs: 0, detail: { lastBeatAt: null, waitingSince: iso(since) } };
    return {
      success: false,
      durationMs: 0,
      errorCode: 'heartbeat_missing',
      error: errorText('heartbeat_missing', `期望每 ${Math.round(expectedPeriodMs / 1000)} s 一次心跳 实际自 ${iso(since)} 起从未收到`),
      detail: { lastBeatAt: null, overdueMs: now - since - allowed },
    };
  }
  const ageMs = now - lastBeatAt;
  const detail = { lastBeatAt: iso(lastBeatAt), ageMs, lastStatus: lastStatus ?? null, message: opts.message };
  if (ageMs > allowed) {
    return {
      success: false,
      durationMs: 0,
      errorCode: 'heartbeat_missing',
      error: errorText('heartbeat_missing', `期望 ${Math.round(allowed / 1000)} s 内有心跳 实际上次心跳在 ${iso(lastBeatAt)} (${Math.round(ageMs / 1000)} s 前)`),
      detail: { ...detail, overdueMs: ageMs - allowed },
    };
  }
  if (lastStatus === 'fail') {
    return {
      success: false,
      durationMs: 0,
      errorCode: 'heartbeat_failed',
      error: errorText('heartbeat_failed', `期望任务状态 ok 实际 fail (${iso(lastBeatAt)})${opts.message ? ` ${opts.message}` : ''}`),
      detail,
    };
  }
  return { success: true, durationMs: 0, detail };
}

export const heartbeatProbe: Probe<HeartbeatSpec> = async (spec, ctx) =>
  heartbeatStatus(spec.state?.lastBeatAt ?? null, spec.state?.lastStatus, spec.period, spec.grace, ctx.now(), {
    message: spec.state?.message,
    since: spec.state?.firstSeenAt,
  });

/** The registry entry (./index.ts): pushed heartbeats of batch jobs, judged on the probe's schedule. */
export const heartbeatProbeType: ProbeType<typeof heartbeatSpecSchema, 'heartbeat'> = {
  type: 'heartbeat',
  spec: heartbeatSpecSchema,
  probe: heartbeatProbe,
  kind: 'push',
  // The newest beat from the heartbeat store (collector/store/heartbeats.ts), and since when this process watches.
  state: {
    keys: ['state'],
    load: async ({ targetId, sources, firstSeenAt }) => {
      const b = await sources.latestHeartbeat(targetId);
      return { state: { lastBeatAt: b ? b.ts : null, lastStatus: b?.status ?? null, ...(b?.message ? { message: b.message } : {}), firstSeenAt } };
    },
  },
};
