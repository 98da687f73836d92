import net from 'node:net';
import { z } from 'zod';
import { classifyError, cleanPhases, failure, show } from './outcome';
import type { Probe, ProbeType } from './types';

export const tcpSpecSchema = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535),
    /** Sent right after connecting (e.g. "PING\r\n"). */
    send: z.string().optional(),
    /** The banner / reply must contain this string... */
    expect: z.string().optional(),
    /** ...or match this regular expression. */
    expectRegex: z.string().optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.expectRegex !== undefined) {
      try {
        new RegExp(s.expectRegex);
      } catch (e) {
        ctx.addIssue({ code: 'custom', path: ['expectRegex'], message: `invalid regular expression: ${(e as Error).message}` });
      }
    }
  });
export type TcpSpec = z.output<typeof tcpSpecSchema>;

/** Connects, optionally sends a line, and reads until the expectation is met (or the timeout). */
export const tcpProbe: Probe<TcpSpec> = (spec, ctx) => {
  const startedAt = ctx.now();
  const where = `${spec.host}:${spec.port}`;
  const expectRe = spec.expectRegex !== undefined ? new RegExp(spec.expectRegex) : undefined;
  const wantsReply = spec.expect !== undefined || expectRe !== undefined;
  return new Promise((resolve) => {
    let done = false;
    let connectMs: number | undefined;
    let received = '';
    const socket = net.connect({ host: spec.host, port: spec.port });
    const finish = (outcome: Parameters<typeof resolve>[0]) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(outcome);
    };
    const phases = () => cleanPhases({ connect: connectMs });
    const timeoutFacts = () =>
      connectMs === undefined
        ? `${where} 在 ${ctx.timeoutMs} ms 内未建立连接`
        : `${where} 已连接 但 ${ctx.timeoutMs} ms 内未收到期望的回应 ${show(spec.expect ?? `/${spec.expectRegex}/`)} 实际 ${show(received)}`;
    const onAbort = () => finish(failure('timeout', timeoutFacts(), startedAt, ctx.now(), { phases: phases() }));
    const timer = setTimeout(onAbort, ctx.timeoutMs);
    if (ctx.signal.aborted) return onAbort();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const matched = () => (spec.expect !== undefined ? received.includes(spec.expect) : expectRe!.test(received));
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      connectMs = ctx.now() - startedAt;
      if (spec.send !== undefined) socket.write(spec.send);
      if (!wantsReply) finish({ success: true, durationMs: ctx.now() - startedAt, phases: phases(), detail: { connectMs } });
    });
    socket.on('data', (chunk: string) => {
      // Only the first 4 KiB matter for a banner; a chatty server must not grow memory.
      if (received.length < 4096) received += chunk;
      if (matched()) finish({ success: true, durationMs: ctx.now() - startedAt, phases: phases(), detail: { connectMs, banner: received.slice(0, 200) } });
    });
    socket.on('end', () => {
      finish(
        failure('assertion_failed', `${where} 期望回应 ${show(spec.expect ?? `/${spec.expectRegex}/`)} 实际 ${show(received)} (连接已被对端关闭)`, startedAt, ctx.now(), {
          phases: phases(),
          detail: { banner: received.slice(0, 200) },
        }),
      );
    });
    socket.on('error', (err) => {
      const { code, facts } = classifyError(err, where, ctx.timeoutMs);
      finish(failure(code, facts, startedAt, ctx.now(), { phases: phases() }));
    });
  });
};

/** The registry entry (./index.ts): TCP connect, optional send, banner by string or regex. */
export const tcpProbeType: ProbeType<typeof tcpSpecSchema, 'tcp'> = {
  type: 'tcp',
  spec: tcpSpecSchema,
  probe: tcpProbe,
  kind: 'active',
};
