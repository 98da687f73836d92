import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { secret } from '../../core/config/common';
import { titleOf, type Notification } from '../notify/message';
import { exchange, retryableStatus } from './http';
import { metaOf, plainTextOf, whenOf } from './markdown';
import { channelCommon, ChannelError, type Channel, type ChannelType } from './types';

export const feishuSchema = z.object({ type: z.literal('feishu'), ...channelCommon,
  /** The robot's webhook URL (https://open.feishu.cn/open-apis/bot/v2/hook/<token>): the token is in it, so it is a secret. */
  url: secret.pipe(z.url({ protocol: /^https?$/, error: 'expected the robot\'s webhook URL, e.g. https://open.feishu.cn/open-apis/bot/v2/hook/<token>' })),
  /** The signing secret (安全设置 → 签名校验), when the robot has one. */
  secret: secret.optional(),
  /** interactive: a message card (title coloured by status, one line per alert, a button to the alerts page); text: plain text. */
  msgType: z.enum(['interactive', 'text']).default('interactive'),
  /** @所有人. */
  atAll: z.boolean().default(false),
  /** Members to @, by open_id (ou_…): a custom robot cannot @ by phone number. */
  atUserIds: z.array(z.string().min(1)).default([]),
}).strict();
type Cfg = z.output<typeof feishuSchema>;

/** Feishu refuses a request body over 20 KB. */
export const FEISHU_MAX_BYTES = 20 * 1024;
/** Alerts listed in one message before "……另有 N 条", as on the other robots. */
const MAX_ALERTS = 20;

/** Feishu's robot signature: base64(HMAC-SHA256(key = timestamp + "\n" + secret, message = empty)), timestamp in seconds. */
export function feishuSign(timestampSec: number, signingSecret: string): string {
  return createHmac('sha256', `${timestampSec}\n${signingSecret}`).update('').digest('base64');
}

const cut = (s: string, max: number) => (s.length > max ? s.slice(0, max - 1) + '…' : s);

/** The message card: header coloured by status, the group's level and team, one line per alert, a button to the alerts page. */
function card(n: Notification, cfg: Cfg, maxAlerts: number, link: string) {
  const lines: string[] = [];
  const meta = metaOf(n);
  if (meta) lines.push(meta);
  for (const a of n.alerts.slice(0, maxAlerts)) {
    const status = a.status === 'firing' ? "<font color='red'>告警</font>" : "<font color='green'>已恢复</font>";
    lines.push(`${status} ${a.annotations.summary ?? a.labels.alertname}（${whenOf(a, n.timezone)}）`);
  }
  if (n.alerts.length > maxAlerts) lines.push(`……另有 ${n.alerts.length - maxAlerts} 条`);
  const at = [...(cfg.atAll ? ['<at id=all></at>'] : []), ...cfg.atUserIds.map((id) => `<at id=${id}></at>`)];
  if (at.length) lines.push(at.join(' '));
  return {
    config: { wide_screen_mode: true },
    header: { template: n.test ? 'blue' : n.status === 'firing' ? 'red' : 'green', title: { tag: 'plain_text', content: titleOf(n) } },
    elements: [
      { tag: 'div', text: { tag: 'lark_md', content: lines.join('\n') } },
      { tag: 'action', actions: [{ tag: 'button', type: 'primary', text: { tag: 'plain_text', content: '查看告警' }, url: link }] },
    ],
  };
}

function text(n: Notification, cfg: Cfg, maxAlerts: number, link: string): string {
  const at = [...(cfg.atAll ? ['<at user_id="all">所有人</at>'] : []), ...cfg.atUserIds.map((id) => `<at user_id="${id}"></at>`)];
  return [plainTextOf(n, maxAlerts), `查看告警：${link}`, ...(at.length ? [at.join(' ')] : [])].join('\n');
}

/**
 * The request body, within Feishu's 20 KB: fewer alerts listed (the rest counted), then shorter summaries, until it
 * fits. The signature fields go in the body, beside the message.
 */
export function feishuBody(n: Notification, cfg: Cfg, nowMs: number): string {
  const ts = Math.floor(nowMs / 1000);
  const signed = cfg.secret ? { timestamp: String(ts), sign: feishuSign(ts, cfg.secret) } : {};
  const link = `${n.externalURL.replace(/\/$/, '')}/#/alerts`;
  let maxAlerts = Math.min(n.alerts.length, MAX_ALERTS);
  let summaryChars = Infinity;
  for (;;) {
    const m: Notification = summaryChars === Infinity ? n
      : { ...n, alerts: n.alerts.map((a) => ({ ...a, annotations: { ...a.annotations, summary: cut(a.annotations.summary ?? a.labels.alertname ?? '', summaryChars) } })) };
    const message = cfg.msgType === 'text'
      ? { msg_type: 'text', content: { text: text(m, cfg, maxAlerts, link) } }
      : { msg_type: 'interactive', card: card(m, cfg, maxAlerts, link) };
    const body = JSON.stringify({ ...signed, ...message });
    if (Buffer.byteLength(body) <= FEISHU_MAX_BYTES) return body;
    if (maxAlerts > 1) maxAlerts = Math.ceil(maxAlerts / 2);
    else if (summaryChars > 100) summaryChars = summaryChars === Infinity ? 2000 : Math.floor(summaryChars / 2);
    else throw new ChannelError(`feishu: 消息超过 ${FEISHU_MAX_BYTES} 字节（只列一条告警也超限）`, false);
  }
}

/**
 * Rate limits, which pass on a later try: 11232 (frequency limited), and 9499 when it says "too many request" — 9499 is
 * also Feishu's plain "Bad Request" for a body it cannot read, which no retry mends.
 */
const rateLimited = (code: number, msg: string) => code === 11232 || (code === 9499 && /too many request|frequency/i.test(msg));

/** Feishu answers {"code": 0, "msg": "success"} (older robots {"StatusCode": 0}); any other code is a failure. */
export function checkFeishuAnswer(status: number, ok: boolean, body: string): void {
  let parsed: { code?: unknown; msg?: unknown; StatusCode?: unknown; StatusMessage?: unknown } | null = null;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = null;
  }
  const code = typeof parsed?.code === 'number' ? parsed.code : typeof parsed?.StatusCode === 'number' ? parsed.StatusCode : undefined;
  const msg = String(parsed?.msg ?? parsed?.StatusMessage ?? '');
  if (code === 0 && ok) return;
  if (code !== undefined && code !== 0) throw new ChannelError(`feishu: code ${code} ${msg}`.trim(), rateLimited(code, msg) || retryableStatus(status));
  if (!ok) throw new ChannelError(`feishu: HTTP ${status} ${body.slice(0, 200)}`, retryableStatus(status));
  throw new ChannelError(`feishu: 应答中没有 code: ${body.slice(0, 200)}`);
}

/** 飞书 group custom robot: a message card or plain text, signed when the robot has a signing secret. */
export const createFeishuChannel = (cfg: Cfg, name: string, clock: () => number = Date.now): Channel => ({
  type: 'feishu',
  name,
  sendResolved: cfg.sendResolved,
  timeoutMs: cfg.timeout,
  async send(n, signal) {
    const res = await exchange(cfg.url, { body: feishuBody(n, cfg, clock()), headers: { 'content-type': 'application/json; charset=utf-8' }, signal }, 'feishu');
    checkFeishuAnswer(res.status, res.ok, res.text);
  },
});

export const feishu: ChannelType<typeof feishuSchema> = {
  type: 'feishu',
  schema: feishuSchema,
  create: (cfg, name, env) => createFeishuChannel(cfg, name, env.clock),
  // The origin only: the path holds the robot's token.
  destination: (cfg) => new URL(cfg.url).origin,
};
