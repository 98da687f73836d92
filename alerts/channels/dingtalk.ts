import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { secret } from '../../core/config/common';
import { checkErrcode, request } from './http';
import { cutUtf8, markdownOf } from './markdown';
import { channelCommon, type Channel, type ChannelType } from './types';

export const dingtalkSchema = z.object({ type: z.literal('dingtalk'), ...channelCommon,
  url: z.url().default('https://oapi.dingtalk.com/robot/send'), accessToken: secret, secret: secret.optional(),
  atMobiles: z.array(z.string()).default([]), atAll: z.boolean().default(false) }).strict();
type Cfg = z.output<typeof dingtalkSchema>;
/** DingTalk's robot takes at most 20,000 bytes of markdown text. */
export const DINGTALK_MAX_BYTES = 20_000;

/** DingTalk's robot signature: base64(HMAC-SHA256(key = secret, timestamp + "\n" + secret)), URL-encoded. */
export function dingtalkSign(timestampMs: number, secret: string): string {
  const mac = createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
  return encodeURIComponent(mac);
}

export function dingtalkUrl(cfg: Pick<Cfg, 'url' | 'accessToken' | 'secret'>, now: number): string {
  const base = `${cfg.url}${cfg.url.includes('?') ? '&' : '?'}access_token=${encodeURIComponent(cfg.accessToken)}`;
  return cfg.secret ? `${base}&timestamp=${now}&sign=${dingtalkSign(now, cfg.secret)}` : base;
}

/** DingTalk group robot, markdown message; @mentions by phone number. */
export const createDingtalkChannel = (cfg: Cfg, name: string, clock: () => number = Date.now): Channel => ({
  type: 'dingtalk',
  name,
  sendResolved: cfg.sendResolved,
  timeoutMs: cfg.timeout,
  async send(n, signal) {
    const at = cfg.atMobiles.length ? `\n\n${cfg.atMobiles.map((m) => `@${m}`).join(' ')}` : '';
    const room = DINGTALK_MAX_BYTES - Buffer.byteLength(at);
    const md = markdownOf(n, { maxBytes: room });
    const body = { msgtype: 'markdown', markdown: { title: md.title, text: cutUtf8(md.text, room) + at }, at: { atMobiles: cfg.atMobiles, isAtAll: cfg.atAll } };
    const text = await request(dingtalkUrl(cfg, clock()), { body: JSON.stringify(body), headers: { 'content-type': 'application/json' }, signal }, 'dingtalk');
    checkErrcode(text, 'dingtalk');
  },
});
export const dingtalk: ChannelType<typeof dingtalkSchema> = {
  type: 'dingtalk',
  schema: dingtalkSchema,
  create: (cfg, name, env) => createDingtalkChannel(cfg, name, env.clock),
};
