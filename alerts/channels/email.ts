import nodemailer, { type Transporter } from 'nodemailer';
import { z } from 'zod';
import { secret } from '../../core/config/common';
import { titleOf } from '../notify/message';
import { markdownOf, plainTextOf } from './markdown';
import { channelCommon, ChannelError, type Channel, type ChannelType } from './types';

export const emailSchema = z.object({ type: z.literal('email'), ...channelCommon,
  host: z.string().min(1), port: z.number().int().min(1).max(65535).default(25), secure: z.boolean().default(false),
  requireTls: z.boolean().default(false), user: z.string().optional(), password: secret.optional(),
  from: z.string().min(3), to: z.array(z.string().min(3)).min(1), tlsRejectUnauthorized: z.boolean().default(true) }).strict();
type Cfg = z.output<typeof emailSchema>;

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** E-mail through an SMTP server (nodemailer); plain text plus a simple HTML list. */
export const createEmailChannel = (cfg: Cfg, name: string): Channel => {
  let transport: Transporter | undefined;
  const get = () =>
    (transport ??= nodemailer.createTransport({
      host: cfg.host,
      port: cfg.port,
      secure: cfg.secure,
      requireTLS: cfg.requireTls,
      auth: cfg.user ? { user: cfg.user, pass: cfg.password ?? '' } : undefined,
      tls: { rejectUnauthorized: cfg.tlsRejectUnauthorized },
      connectionTimeout: cfg.timeout,
      greetingTimeout: cfg.timeout,
      socketTimeout: cfg.timeout,
    }));
  return {
    type: 'email',
    name,
    sendResolved: cfg.sendResolved,
    timeoutMs: cfg.timeout,
    async send(n, signal) {
      if (signal.aborted) throw new ChannelError('email: 超时 timeout');
      const md = markdownOf(n);
      const html = `<h3>${esc(md.title)}</h3><ul>${md.text.split('\n\n').slice(1).filter((l) => l.startsWith('- ')).map((l) => `<li>${esc(l.slice(2).replace(/\*\*/g, ''))}</li>`).join('')}</ul>` +
        `<p><a href="${esc(n.externalURL)}">${esc(n.externalURL)}</a></p>`;
      try {
        await get().sendMail({ from: cfg.from, to: cfg.to, subject: titleOf(n), text: plainTextOf(n), html });
      } catch (err) {
        const e = err as Error & { responseCode?: number; code?: string };
        const permanent = e.responseCode !== undefined && e.responseCode >= 500 && e.responseCode < 600;
        throw new ChannelError(`email: ${e.code ?? ''} ${e.responseCode ?? ''} ${e.message}`.replace(/\s+/g, ' ').trim(), !permanent);
      }
    },
    close() {
      transport?.close();
      transport = undefined;
    },
  };
};

export const email: ChannelType<typeof emailSchema> = {
  type: 'email',
  schema: emailSchema,
  create: (cfg, name) => createEmailChannel(cfg, name),
  destination: (cfg) => cfg.to,
};
