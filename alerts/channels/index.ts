import type { ChannelConfig, ReceiverConfig } from '../config';
import type { Channel } from './types';
import { createWebhookChannel } from './webhook';
import { createDingtalkChannel } from './dingtalk';
import { createWecomChannel } from './wecom';
import { createEmailChannel } from './email';
import { createSmsChannel } from './sms';
import { createLogChannel } from './log';
import type { Logger } from '../../core/log';
import { silentLogger } from '../../core/log';

export type { Channel } from './types';
export { ChannelError } from './types';

/** The config's channel `type` → its factory. */
export function createChannel(cfg: ChannelConfig, name: string, clock: () => number, log: Logger = silentLogger()): Channel {
  switch (cfg.type) {
    case 'webhook':
      return createWebhookChannel(cfg, name);
    case 'dingtalk':
      return createDingtalkChannel(cfg, name, clock);
    case 'wecom':
      return createWecomChannel(cfg, name);
    case 'email':
      return createEmailChannel(cfg, name);
    case 'sms':
      return createSmsChannel(cfg, name);
    case 'log':
      return createLogChannel(cfg, name, log);
  }
}

export interface Receiver {
  name: string;
  channels: Channel[];
}

export function createReceivers(cfgs: ReceiverConfig[], clock: () => number, log?: Logger): Map<string, Receiver> {
  return new Map(cfgs.map((r) => [r.name, { name: r.name, channels: r.channels.map((c, i) => createChannel(c, `${c.type}#${i}`, clock, log?.child({ receiver: r.name }))) }]));
}
