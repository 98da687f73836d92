import net from 'node:net';
import tls from 'node:tls';
import { z } from 'zod';
import { classifyError, cleanPhases, failure, show } from './outcome';
import type { Probe, ProbeOutcome, ProbeType } from './types';

const regex = (s: string | undefined, path: string, ctx: z.RefinementCtx) => {
  if (s === undefined) return;
  try {
    new RegExp(s);
  } catch (e) {
    ctx.addIssue({ code: 'custom', path: [path], message: `invalid regular expression: ${(e as Error).message}` });
  }
};

export const smtpSpecSchema = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).prefault(25),
    /** The 220 greeting must match this regular expression (e.g. '^mail\.city\.local ESMTP'); tested on its text after "220 ". */
    expectBanner: z.string().optional(),
    /** Send `EHLO <this name>` after the greeting; the reply must be 250 (its extensions are kept in detail). */
    ehlo: z.string().min(1).optional(),
    /** Needs `ehlo`: the server must offer STARTTLS, accept it (220) and complete the TLS handshake. */
    starttls: z.boolean().prefault(false),
    /** With starttls: the certificate must be trusted and carry the name (tls_error otherwise); off for a private CA. */
    tlsVerify: z.boolean().prefault(true),
    /** With starttls: SNI and the name checked in the certificate; defaults to host. */
    servername: z.string().optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    regex(s.expectBanner, 'expectBanner', ctx);
    if (s.starttls && s.ehlo === undefined) ctx.addIssue({ code: 'custom', path: ['starttls'], message: 'starttls needs ehlo (the client name sent first), e.g. ehlo: monitor.city.local' });
  });
export type SmtpSpec = z.output<typeof smtpSpecSchema>;

/** One SMTP reply (RFC 5321 §4.2): its code and the text of each line. */
interface Reply {
  code: number;
  lines: string[];
}

const MAX_REPLY_BYTES = 16_384;

/** Splits what the server sends into replies: lines "NNN-text" continue a reply, "NNN text" ends it. */
class ReplyReader {
  private buf = '';
  private lines: string[] = [];
  private ready: Reply[] = [];
  private waiter?: { resolve(r: Reply): void; reject(e: Error): void };
  private failed?: Error;

  feed(chunk: string) {
    this.buf += chunk;
    if (this.buf.length > MAX_REPLY_BYTES) return this.fail(new Error(`reply longer than ${MAX_REPLY_BYTES} bytes`));
    let i: number;
    while ((i = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, i).replace(/\r$/, '');
      this.buf = this.buf.slice(i + 1);
      const m = /^(\d{3})([ -]?)(.*)$/.exec(line);
      if (!m) return this.fail(new Error(`not an SMTP reply: ${show(line)}`));
      this.lines.push(m[3]);
      if (m[2] !== '-') {
        this.ready.push({ code: Number(m[1]), lines: this.lines });
        this.lines = [];
      }
    }
    this.wake();
  }

  fail(err: Error) {
    this.failed ??= err;
    this.wake();
  }

  next(): Promise<Reply> {
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.wake();
    });
  }

  private wake() {
    if (!this.waiter) return;
    const w = this.waiter;
    if (this.ready.length) {
      this.waiter = undefined;
      w.resolve(this.ready.shift()!);
    } else if (this.failed) {
      this.waiter = undefined;
      w.reject(this.failed);
    }
  }
}

type Stage = 'connect' | 'banner' | 'ehlo' | 'starttls' | 'tls';
const WAITING: Record<Stage, string> = {
  connect: '未建立连接',
  banner: '已连接 但未收到 220 问候',
  ehlo: 'EHLO 后未收到应答',
  starttls: 'STARTTLS 后未收到应答',
  tls: 'STARTTLS 后 TLS 握手未完成',
};

/** The titles of the error codes only this probe type has (the shared ones are in outcome.ts). */
const ERROR_TITLES: Record<string, string> = { smtp_status: 'SMTP状态码异常' };

/** An SMTP reply other than the one expected: smtp_status with the code, the command and the server's text. */
class ReplyError extends Error {
  constructor(
    readonly code: string,
    readonly facts: string,
    readonly statusCode?: number,
  ) {
    super(facts);
  }
}

/**
 * SMTP banner check (as blackbox_exporter's tcp prober with an SMTP query_response): connect, read the 220 greeting,
 * optionally EHLO and STARTTLS with a TLS handshake, then QUIT. Phases: `resolve` (a host name), `connect`,
 * `processing` = connected → greeting complete (the server's first answer, as an HTTP server's first byte), `tls` =
 * STARTTLS sent → handshake done. Errors are classified as tcp.ts does (refused, reset, timeout naming the stage,
 * dns_failure, tls_error); an unexpected reply code is smtp_status, a greeting not matching expectBanner or a missing
 * STARTTLS offer is assertion_failed.
 */
export const smtpProbe: Probe<SmtpSpec> = (spec, ctx) => {
  const startedAt = ctx.now();
  const where = `${spec.host}:${spec.port}`;
  const expectRe = spec.expectBanner !== undefined ? new RegExp(spec.expectBanner) : undefined;
  return new Promise((resolve) => {
    let done = false;
    let stage: Stage = 'connect';
    const t: { resolve?: number; connect?: number; processing?: number; tls?: number } = {};
    const detail: Record<string, unknown> = {};
    const reader = new ReplyReader();
    let socket: net.Socket = net.connect({ host: spec.host, port: spec.port });
    const phases = () => cleanPhases(t);
    const finish = (outcome: ProbeOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(outcome);
    };
    const fail = (code: string, facts: string, statusCode?: number) =>
      finish(failure(code, facts, startedAt, ctx.now(), { phases: phases(), detail, ...(statusCode ? { statusCode } : {}) }, ERROR_TITLES));
    const onAbort = () => fail('timeout', `${where} ${WAITING[stage]} (${ctx.timeoutMs} ms)`);
    const timer = setTimeout(onAbort, ctx.timeoutMs);
    if (ctx.signal.aborted) return onAbort();
    ctx.signal.addEventListener('abort', onAbort, { once: true });

    const listen = (s: net.Socket) => {
      s.setEncoding('utf8');
      s.on('data', (chunk: string) => reader.feed(chunk));
      s.on('end', () => reader.fail(new ReplyError('network_error', `${where} ${WAITING[stage].replace(/^已连接 但/, '')}: 连接已被对端关闭`)));
      s.on('error', (err) => {
        reader.fail(err);
        const { code, facts } = classifyError(err, where, ctx.timeoutMs);
        fail(code, stage === 'tls' && code === 'network_error' ? `${where} STARTTLS 握手失败 ${facts}` : facts);
      });
    };
    const send = (line: string) => socket.write(`${line}\r\n`);
    const expectCode = async (command: string, want: number) => {
      const r = await reader.next();
      if (r.code !== want) throw new ReplyError('smtp_status', `${where} ${command} 期望 ${want} 实际 ${r.code} ${show(r.lines.join(' '))}`, r.code);
      return r;
    };

    socket.on('lookup', () => (t.resolve = ctx.now() - startedAt));
    listen(socket);
    socket.on('connect', () => {
      t.connect = ctx.now() - startedAt - (t.resolve ?? 0);
      stage = 'banner';
      void converse().catch((err: unknown) => {
        if (err instanceof ReplyError) return fail(err.code, err.facts, err.statusCode);
        const { code, facts } = classifyError(err, where, ctx.timeoutMs);
        fail(code, (err as { code?: string }).code ? facts : `${where} ${(err as Error).message}`);
      });
    });

    async function converse() {
      const connectedAt = ctx.now();
      const greeting = await expectCode('问候', 220);
      t.processing = ctx.now() - connectedAt;
      const banner = greeting.lines.join('\n');
      detail.banner = banner.slice(0, 200);
      detail.bannerMs = Math.round(t.processing * 10) / 10;
      if (expectRe && !expectRe.test(banner)) throw new ReplyError('assertion_failed', `${where} 问候 期望匹配 /${spec.expectBanner}/ 实际 ${show(banner)}`);
      if (spec.ehlo !== undefined) {
        stage = 'ehlo';
        send(`EHLO ${spec.ehlo}`);
        const r = await expectCode('EHLO', 250);
        const extensions = r.lines.slice(1).map((l) => l.split(' ')[0].toUpperCase());
        detail.extensions = extensions;
        if (spec.starttls) {
          if (!extensions.includes('STARTTLS')) throw new ReplyError('assertion_failed', `${where} 期望 EHLO 应答提供 STARTTLS 实际 ${show(extensions.join(' '))}`);
          stage = 'starttls';
          const sentAt = ctx.now();
          send('STARTTLS');
          await expectCode('STARTTLS', 220);
          stage = 'tls';
          const plain = socket;
          plain.removeAllListeners('data');
          const secure = tls.connect({ socket: plain, servername: spec.servername ?? (net.isIP(spec.host) ? undefined : spec.host), rejectUnauthorized: spec.tlsVerify });
          socket = secure;
          listen(secure);
          await new Promise<void>((ok) => secure.once('secureConnect', ok));
          t.tls = ctx.now() - sentAt;
          detail.tls = { protocol: secure.getProtocol(), authorized: secure.authorized, ...(secure.authorizationError ? { authorizationError: String(secure.authorizationError) } : {}) };
        }
      }
      socket.write('QUIT\r\n');
      finish({ success: true, durationMs: ctx.now() - startedAt, phases: phases(), detail });
    }
  });
};

/** The registry entry (./index.ts): SMTP greeting, optional EHLO and STARTTLS. */
export const smtpProbeType: ProbeType<typeof smtpSpecSchema, 'smtp'> = {
  type: 'smtp',
  spec: smtpSpecSchema,
  probe: smtpProbe,
  kind: 'active',
};
