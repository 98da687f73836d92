import { z } from 'zod';
import { titleOf } from '../notify/message';
import { request } from './http';
import { channelCommon, type Channel, type ChannelType } from './types';

export const smsSchema = z.object({ type: z.literal('sms'), ...channelCommon, url: z.url(), method: z.enum(['POST', 'GET']).default('POST'),
  headers: z.record(z.string(), z.string()).default({}), phones: z.array(z.string().min(3)).min(1),
  /** JSON body template: {{phones}} (JSON array), {{phonesCsv}}, {{message}} (JSON-escaped string content). */
  bodyTemplate: z.string().default('{"phones": {{phones}}, "content": "{{message}}"}'),
  maxLength: z.number().int().min(20).default(300) }).strict();
type Cfg = z.output<typeof smsSchema>;

/** One short line per alert; SMS gateways charge by length, so the message is cut at maxLength. */
export function smsText(n: import('../notify/message').Notification, maxLength: number): string {
  const body = n.alerts.map((a) => a.annotations.summary ?? a.labels.alertname).join('；');
  const text = `${titleOf(n)} ${body}`;
  return text.length > maxLength ? text.slice(0, maxLength - 1) + '…' : text;
}

/** Fills the gateway's body template; {{message}} is JSON-escaped (the template is JSON), or URL-encoded in a GET URL. */
export function smsRequest(cfg: Cfg, message: string): { url: string; body?: string } {
  const fill = (tpl: string, enc: (s: string) => string) =>
    tpl
      .replaceAll('{{phones}}', JSON.stringify(cfg.phones))
      .replaceAll('{{phonesCsv}}', enc(cfg.phones.join(',')))
      .replaceAll('{{message}}', enc(message));
  if (cfg.method === 'GET') return { url: fill(cfg.url, encodeURIComponent) };
  return { url: cfg.url, body: fill(cfg.bodyTemplate, (s) => JSON.stringify(s).slice(1, -1)) };
}

/** SMS through a configurable HTTP gateway. */
export const createSmsChannel = (cfg: Cfg, name: string): Channel => ({
  type: 'sms',
  name,
  sendResolved: cfg.sendResolved,
  timeoutMs: cfg.timeout,
  async send(n, signal) {
    const r = smsRequest(cfg, smsText(n, cfg.maxLength));
    await request(r.url, { method: cfg.method, body: r.body, headers: { 'content-type': 'application/json', ...cfg.headers }, signal }, 'sms');
  },
});

export const sms: ChannelType<typeof smsSchema> = {
  type: 'sms',
  schema: smsSchema,
  create: (cfg, name) => createSmsChannel(cfg, name),
  // Phone numbers are shown masked (138****0000).
  destination: (cfg) => cfg.phones.map((p) => p.replace(/^(\d{3})\d+(\d{4})$/, '$1****$2')),
};
