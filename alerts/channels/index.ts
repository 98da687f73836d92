import type { Logger } from '../../core/log';
import { silentLogger } from '../../core/log';
import type { Channel, ChannelBase, ChannelType } from './types';
import { webhook } from './webhook';
import { dingtalk } from './dingtalk';
import { wecom } from './wecom';
import { feishu } from './feishu';
import { email } from './email';
import { sms } from './sms';
import { processLog } from './log';

export type { Channel, ChannelBase } from './types';
export { ChannelError } from './types';

/**
 * Every channel type, each with its config schema (alerts/config.ts makes `channels[]` the union of them). Adding a
 * channel type = its file (schema, factory) + one line here.
 */
const REGISTRY = [
  webhook,
  dingtalk,
  wecom,
  feishu,
  email,
  sms,
  processLog,
] as const;

type Registry = typeof REGISTRY;
type SchemasOf<T extends readonly { schema: unknown }[]> = { [K in keyof T]: T[K]['schema'] };
export type ChannelTypeName = Registry[number]['type'];

/** The schemas in registry order, typed one by one, as z.discriminatedUnion wants them. */
export const channelSchemas = REGISTRY.map((c) => c.schema) as unknown as SchemasOf<Registry>;

/** The config's channel `type` → its channel type. */
export const CHANNEL_TYPES = Object.fromEntries(REGISTRY.map((c) => [c.type, c])) as Record<ChannelTypeName, ChannelType<any>>;

export function createChannel(cfg: ChannelBase, name: string, clock: () => number, log: Logger = silentLogger()): Channel {
  return CHANNEL_TYPES[cfg.type as ChannelTypeName].create(cfg, name, { clock, log });
}

/** Where a channel sends, as GET /receivers shows it (never a secret). */
export function channelDestination(cfg: ChannelBase): string | string[] | undefined {
  return CHANNEL_TYPES[cfg.type as ChannelTypeName].destination?.(cfg);
}

export interface Receiver {
  name: string;
  channels: Channel[];
}

export function createReceivers(cfgs: { name: string; channels: ChannelBase[] }[], clock: () => number, log?: Logger): Map<string, Receiver> {
  return new Map(cfgs.map((r) => [r.name, { name: r.name, channels: r.channels.map((c, i) => createChannel(c, `${c.type}#${i}`, clock, log?.child({ receiver: r.name }))) }]));
}
