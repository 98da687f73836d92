import { z } from 'zod';
import type { Notification } from '../notify/message';
import { request } from './http';
import { channelCommon, type Channel, type ChannelType } from './types';

export const webhookSchema = z.object({ type: z.literal('webhook'), ...channelCommon, url: z.url(), headers: z.record(z.string(), z.string()).default({}),
  /** Alertmanager's max_alerts: 0 = all. */
  maxAlerts: z.number().int().min(0).default(0) }).strict();
type Cfg = z.output<typeof webhookSchema>;
const ZERO_TIME = '0001-01-01T00:00:00Z';

/** Alertmanager's webhook payload, version 4, field for field. */
export function webhookPayload(n: Notification, maxAlerts = 0) {
  const alerts = maxAlerts > 0 ? n.alerts.slice(0, maxAlerts) : n.alerts;
  return {
    receiver: n.receiver,
    status: n.status,
    alerts: alerts.map((a) => ({
      status: a.status,
      labels: a.labels,
      annotations: a.annotations,
      startsAt: new Date(a.startsAt).toISOString(),
      endsAt: a.endsAt ? new Date(a.endsAt).toISOString() : ZERO_TIME,
      generatorURL: a.generatorURL,
      fingerprint: a.fingerprint,
    })),
    groupLabels: n.groupLabels,
    commonLabels: n.commonLabels,
    commonAnnotations: n.commonAnnotations,
    externalURL: n.externalURL,
    version: '4',
    groupKey: n.groupKey,
    truncatedAlerts: n.alerts.length - alerts.length,
  };
}

export const createWebhookChannel = (cfg: Cfg, name: string): Channel => ({
  type: 'webhook',
  name,
  sendResolved: cfg.sendResolved,
  timeoutMs: cfg.timeout,
  async send(n, signal) {
    await request(cfg.url, {
      body: JSON.stringify(webhookPayload(n, cfg.maxAlerts)),
      headers: { 'content-type': 'application/json', 'user-agent': 'city-ops-alerts/1', ...cfg.headers },
      signal,
    }, 'webhook');
  },
});

export const webhook: ChannelType<typeof webhookSchema> = {
  type: 'webhook',
  schema: webhookSchema,
  create: (cfg, name) => createWebhookChannel(cfg, name),
  destination: (cfg) => new URL(cfg.url).origin,
};
