import { z } from 'zod';
import { secret } from '../../core/config/common';
import { checkErrcode, request } from './http';
import { cutUtf8, markdownOf } from './markdown';
import { channelCommon, type Channel, type ChannelType } from './types';

export const wecomSchema = z.object({ type: z.literal('wecom'), ...channelCommon,
  url: z.url().default('https://qyapi.weixin.qq.com/cgi-bin/webhook/send'), key: secret,
  mentionedMobiles: z.array(z.string()).default([]) }).strict();
type Cfg = z.output<typeof wecomSchema>;
/** WeCom rejects markdown content over 4096 bytes (UTF-8). */
export const WECOM_MAX_BYTES = 4096;

const mentionsOf = (mentioned: string[]) => (mentioned.length ? `\n${mentioned.map((m) => `<@${m}>`).join(' ')}` : '');

/** The request body: the text cut at a character boundary so that text + mentions stay within 4096 bytes. */
export function wecomBody(text: string, mentioned: string[]) {
  const at = mentionsOf(mentioned);
  return { msgtype: 'markdown', markdown: { content: cutUtf8(text, WECOM_MAX_BYTES - Buffer.byteLength(at)) + at } };
}

/** 企业微信 group robot, markdown message. */
export const createWecomChannel = (cfg: Cfg, name: string): Channel => ({
  type: 'wecom',
  name,
  sendResolved: cfg.sendResolved,
  timeoutMs: cfg.timeout,
  async send(n, signal) {
    // Details (a tampered page's diff) only as far as they fit beside the alert lines and the mentions.
    const md = markdownOf(n, { color: true, maxBytes: WECOM_MAX_BYTES - Buffer.byteLength(mentionsOf(cfg.mentionedMobiles)) });
    const url = `${cfg.url}${cfg.url.includes('?') ? '&' : '?'}key=${encodeURIComponent(cfg.key)}`;
    const text = await request(url, { body: JSON.stringify(wecomBody(md.text, cfg.mentionedMobiles)), headers: { 'content-type': 'application/json' }, signal }, 'wecom');
    checkErrcode(text, 'wecom');
  },
});

export const wecom: ChannelType<typeof wecomSchema> = {
  type: 'wecom',
  schema: wecomSchema,
  create: (cfg, name) => createWecomChannel(cfg, name),
};
