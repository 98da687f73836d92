import { z } from 'zod';
import { secret } from '../../core/config/common';
import { checkErrcode, request } from './http';
import { markdownOf } from './markdown';
import { channelCommon, type Channel, type ChannelType } from './types';

export const wecomSchema = z.object({ type: z.literal('wecom'), ...channelCommon,
  url: z.url().default('https://qyapi.weixin.qq.com/cgi-bin/webhook/send'), key: secret,
  mentionedMobiles: z.array(z.string()).default([]) }).strict();
type Cfg = z.output<typeof wecomSchema>;
/** WeCom rejects markdown content over 4096 bytes (UTF-8). */
const MAX_BYTES = 4096;

export function wecomBody(text: string, mentioned: string[]) {
  let content = text + (mentioned.length ? `\n${mentioned.map((m) => `<@${m}>`).join(' ')}` : '');
  while (Buffer.byteLength(content) > MAX_BYTES) content = content.slice(0, content.length - 64);
  return { msgtype: 'markdown', markdown: { content } };
}

/** 企业微信 group robot, markdown message. */
export const createWecomChannel = (cfg: Cfg, name: string): Channel => ({
  type: 'wecom',
  name,
  sendResolved: cfg.sendResolved,
  timeoutMs: cfg.timeout,
  async send(n, signal) {
    const md = markdownOf(n, { color: true });
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
