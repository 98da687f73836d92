import type { ChannelConfig } from '../config';
import type { Logger } from '../../core/log';
import { plainTextOf } from './markdown';
import type { Channel } from './types';

type Cfg = Extract<ChannelConfig, { type: 'log' }>;

/**
 * Writes the notification to the process log: for the demo (no robot to post to) and as a last-resort receiver.
 * It still goes through the delivery log and the notification log like every channel.
 */
export const createLogChannel = (cfg: Cfg, name: string, log: Logger): Channel => ({
  type: 'log',
  name,
  sendResolved: cfg.sendResolved,
  timeoutMs: cfg.timeout,
  async send(n) {
    log.warn({ receiver: n.receiver, group: n.groupKey, status: n.status, alerts: n.alerts.length }, plainTextOf(n));
  },
});
