import type { Queryable } from '../../core/db';
import type { Logger } from '../../core/log';
import { sleep, type Clock } from '../../core/time';
import { backoffDelay } from '../../core/retry';
import { ChannelError, type Channel } from '../channels';
import type { Notification } from './message';
import { recordDelivery, type DeliveryStatus } from '../store/deliveries';
import { recordNflog } from '../store/nflog';
import type { NflogEntry } from './plan';

export interface RetryPolicy {
  attempts: number;
  initialBackoff: number;
  maxBackoff: number;
}

export interface DeliveryResult {
  ok: boolean;
  attempts: number;
  error?: string;
}

/**
 * Sends one notification through one channel: retries with the shared backoff (core/retry.ts) on retryable errors,
 * writes every attempt to notification_deliveries, and, once it went out, the notification log entry that keeps
 * it from going out again. Lives once, above every channel.
 */
export class Dispatcher {
  private inflight = new Set<string>();

  constructor(
    private db: Queryable,
    private log: Logger,
    private clock: Clock,
    private retry: () => RetryPolicy,
    private wait: (ms: number) => Promise<void> = (ms) => sleep(ms, { unref: true }),
  ) {}

  busy(key: string) {
    return this.inflight.has(key);
  }

  async deliver(receiver: string, ch: Channel, n: Notification, log?: { entry: NflogEntry }): Promise<DeliveryResult> {
    const key = `${receiver}\u0000${ch.name}\u0000${n.groupKey}`;
    if (this.inflight.has(key)) return { ok: false, attempts: 0, error: 'already sending' };
    this.inflight.add(key);
    try {
      const policy = this.retry();
      for (let attempt = 1; ; attempt++) {
        const t0 = this.clock();
        const started = performance.now();
        let error: string | undefined;
        let retryable = true;
        try {
          await ch.send(n, AbortSignal.timeout(ch.timeoutMs));
        } catch (err) {
          error = err instanceof ChannelError ? err.message : `${ch.type}: ${(err as Error).message}`;
          retryable = !(err instanceof ChannelError) || err.retryable;
        }
        const last = !error || !retryable || attempt >= policy.attempts;
        await this.record(t0, receiver, ch.name, n, error ? (last ? 'gave_up' : 'failed') : 'sent', attempt, performance.now() - started, error);
        if (!error) {
          if (log) await recordNflog(this.db, receiver, ch.name, n.groupKey, log.entry);
          this.log.info({ receiver, channel: ch.name, group: n.groupKey, alerts: n.alerts.length, status: n.status, attempt }, 'notification sent');
          return { ok: true, attempts: attempt };
        }
        this.log.warn({ receiver, channel: ch.name, group: n.groupKey, attempt, error }, last ? 'notification failed; giving up until the next group interval' : 'notification failed; retrying');
        if (last) return { ok: false, attempts: attempt, error };
        await this.wait(backoffDelay(attempt, { baseMs: policy.initialBackoff, maxMs: policy.maxBackoff }));
      }
    } finally {
      this.inflight.delete(key);
    }
  }

  private async record(ts: number, receiver: string, channel: string, n: Notification, status: DeliveryStatus, attempt: number, durationMs: number, error?: string) {
    await recordDelivery(this.db, {
      ts, receiver, channel, groupKey: n.groupKey, status, attempt, alerts: n.alerts.length, firing: n.status === 'firing', durationMs,
      error: error?.slice(0, 1000) ?? null, test: n.test ?? false,
    }).catch((err) => this.log.warn({ err }, 'could not write the delivery log'));
  }
}
