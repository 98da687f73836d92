import type { ChannelConfig } from '../config';
import type { Notification } from '../notify/message';

/**
 * A channel turns one group of alerts into one request and nothing else: retries, the delivery log and "sent once"
 * live above it (alerts/notify/dispatch.ts), as in Alertmanager's notify/<integration>.
 */
export interface Channel {
  readonly type: ChannelConfig['type'];
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

export type ChannelFactory<C extends ChannelConfig> = (cfg: C, name: string) => Channel;
