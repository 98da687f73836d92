import { z } from 'zod';
import { duration } from '../../core/config/common';
import type { Logger } from '../../core/log';
import type { Clock } from '../../core/time';
import type { Notification } from '../notify/message';

/**
 * A channel turns one group of alerts into one request and nothing else: retries, the delivery log and "sent once"
 * live above it (alerts/notify/dispatch.ts), as in Alertmanager's notify/<integration>.
 */
export interface Channel {
  readonly type: string;
  /** "webhook#0": the receiver's channel, as named in the delivery log and the notification log. */
  readonly name: string;
  readonly sendResolved: boolean;
  readonly timeoutMs: number;
  send(n: Notification, signal: AbortSignal): Promise<void>;
  close?(): void;
}

/** A failed send; `retryable` false for answers that will not change on retry (4xx other than 408/429). */
export class ChannelError extends Error {
  constructor(message: string, readonly retryable = true) {
    super(message);
    this.name = 'ChannelError';
  }
}

/** The keys every channel has, whatever its type: spread into each channel type's schema beside its `type` literal. */
export const channelCommon = {
  sendResolved: z.boolean().default(true),
  timeout: duration({ min: '100ms', max: '2m' }).prefault('10s'),
};

/** A channel's config as far as every channel type shares it. */
export type ChannelBase = z.output<z.ZodObject<typeof channelCommon>> & { type: string };

/** What a channel may need from the process besides its config. */
export interface ChannelEnv {
  clock: Clock;
  log: Logger;
}

/**
 * One channel type = one file: its config schema, the factory, and what the receivers API may show of where it
 * sends. The registry (channels/index.ts) lists them; alerts/config.ts makes `channels[]` the union of their schemas.
 */
export interface ChannelType<S extends z.ZodType<ChannelBase> = z.ZodType<ChannelBase>> {
  /** The config's `type`: the literal in `schema`. */
  type: z.output<S>['type'];
  /** `{ type: z.literal(...), ...channelCommon, ...its own keys }`, strict. */
  schema: S;
  create(cfg: z.output<S>, name: string, env: ChannelEnv): Channel;
  /** Where it sends, for GET /receivers: nothing secret (no token, no key). Absent: nothing is shown. */
  destination?(cfg: z.output<S>): string | string[];
}
