import { z } from 'zod';
import type { Logger } from '../../core/log';
import { plainTextOf } from './markdown';
import { channelCommon, type Channel, type ChannelType } from './types';

export const logSchema = z.object({ type: z.literal('log'), ...channelCommon }).strict();
type Cfg = z.output<typeof logSchema>;

/**
 * Writes the notification to the process log: for the demo (no robot to post to) and as a last-resort receiver.
 * It still goes through the delivery log and the notification log like every channel.
 */
export const createLogChannel = (cfg: Cfg, name: string, logger: Logger): Channel => ({
  type: 'log',
  name,
  sendResolved: cfg.sendResolved,
  timeoutMs: cfg.timeout,
  async send(n) {
    logger.warn({ receiver: n.receiver, group: n.groupKey, status: n.status, alerts: n.alerts.length }, plainTextOf(n));
  },
});

export const processLog: ChannelType<typeof logSchema> = {
  type: 'log',
  schema: logSchema,
  create: (cfg, name, env) => createLogChannel(cfg, name, env.log),
};
