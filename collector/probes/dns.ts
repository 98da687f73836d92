import { Resolver } from 'node:dns/promises';
import { z } from 'zod';
import { failure, show } from './outcome';
import type { Probe, ProbeType } from './types';

export const dnsSpecSchema = z
  .object({
    /** The name to resolve, e.g. portal.city.local. */
    name: z.string().min(1),
    recordType: z.enum(['A', 'AAAA', 'CNAME']).prefault('A'),
    /** Resolvers to ask, "ip" or "ip:port" (e.g. 127.0.0.1:5353); the system resolver when absent. */
    servers: z.array(z.string().regex(/^(\[[0-9a-fA-F:]+\]|[0-9.]+|[0-9a-fA-F:]+)(:\d{1,5})?$/, 'expected an IP address, optionally with :port')).min(1).optional(),
    /** Pinned answers: any other answer set is dns_changed. */
    expect: z.array(z.string()).min(1).optional(),
    /**
     * The approved baseline, filled in by the collector (not the config) for names without pinned answers: the answers
     * seen first, then what a security user approved (collector/store/dns-baselines.ts). Any other answer set is
     * dns_changed, on every probe, until the answers return or a new set is approved: a hijack cannot heal itself.
     */
    baselineAnswers: z.array(z.string()).optional(),
  })
  .strict();
export type DnsSpec = z.output<typeof dnsSpecSchema>;

const norm = (xs: string[]) => [...new Set(xs.map((x) => x.toLowerCase().replace(/\.$/, '')))].sort();
const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

export const dnsProbe: Probe<DnsSpec> = async (spec, ctx) => {
  const startedAt = ctx.now();
  const where = `${spec.name} ${spec.recordType}${spec.servers ? ` @${spec.servers.join(',')}` : ''}`;
  // c-ares retries with a growing timeout; one try with the whole budget keeps the probe inside the target's timeout.
  const resolver = new Resolver({ timeout: Math.max(1, ctx.timeoutMs), tries: 1 });
  if (ctx.signal.aborted) return failure('timeout', `${where} 在 ${ctx.timeoutMs} ms 内无应答`, startedAt, ctx.now());
  const onAbort = () => resolver.cancel();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    if (spec.servers) resolver.setServers(spec.servers);
    let answers: string[];
    if (spec.recordType === 'A') answers = await resolver.resolve4(spec.name);
    else if (spec.recordType === 'AAAA') answers = await resolver.resolve6(spec.name);
    else answers = await resolver.resolveCname(spec.name);
    const got = norm(answers);
    const durationMs = ctx.now() - startedAt;
    const phases = { resolve: durationMs };
    const old = spec.expect ? norm(spec.expect) : spec.baselineAnswers ? norm(spec.baselineAnswers) : undefined;
    if (old && !sameSet(old, got)) {
      const what = spec.expect ? '期望' : '基线';
      return failure('dns_changed', `${where} ${what} ${show(old)} 实际 ${show(got)}`, startedAt, ctx.now(), {
        phases,
        detail: { answers: got, oldAnswers: old, newAnswers: got, pinned: !!spec.expect },
      });
    }
    return { success: true, durationMs, phases, detail: { answers: got, ...(old ? {} : { firstSeen: true }) } };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (ctx.signal.aborted || code === 'ETIMEOUT' || code === 'ECANCELLED') {
      return failure('timeout', `${where} 在 ${ctx.timeoutMs} ms 内无应答`, startedAt, ctx.now());
    }
    const meaning: Record<string, string> = { ENOTFOUND: '域名不存在 NXDOMAIN', ENODATA: '无此类型记录', ESERVFAIL: '服务器失败 SERVFAIL', ECONNREFUSED: '解析服务器拒绝连接', EREFUSED: '解析服务器拒绝查询' };
    return failure('dns_failure', `${where} ${meaning[code] ?? ''} (${code || (err as Error).message})`, startedAt, ctx.now());
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
  }
};

/** The registry entry (./index.ts): DNS resolution, expected answers or a change from the previous ones. */
export const dnsProbeType: ProbeType<typeof dnsSpecSchema, 'dns'> = {
  type: 'dns',
  spec: dnsSpecSchema,
  probe: dnsProbe,
  kind: 'active',
  // A changed answer is a security finding: the target is down at once (an incident even for a one-probe hijack).
  failsAtOnce: ['dns_changed'],
  // Without pinned answers the approved baseline decides. None yet: the answers of the first successful result are
  // adopted (trust on first use, marked as such until a security user approves); before any, the probe just reports.
  state: {
    keys: ['baselineAnswers'],
    load: async ({ targetId, spec, lastDetail, sources }) => {
      const s = spec as { expect?: string[]; recordType?: string } | undefined;
      if (s?.expect) return undefined;
      const recordType = s?.recordType ?? 'A';
      let b = await sources.dnsBaseline(targetId);
      const seen = lastDetail?.firstSeen === true && Array.isArray(lastDetail.answers) ? lastDetail.answers.map(String) : undefined;
      if (!b && seen?.length) b = await sources.adoptDnsBaseline(targetId, recordType, seen);
      return b ? { baselineAnswers: b.answers } : undefined;
    },
  },
};
