import { readFileSync } from 'node:fs';
import tls, { type DetailedPeerCertificate } from 'node:tls';
import { z } from 'zod';
import { classifyError, cleanPhases, errorText, failure } from './outcome';
import type { Probe, ProbeOutcome, ProbeType } from './types';

export const tlsSpecSchema = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).prefault(443),
    /** SNI and the name the certificate must carry (SAN); defaults to host. */
    servername: z.string().optional(),
    /**
     * Fewer days than this before the earliest expiry in the chain is a warning (cert_expiring): the probe succeeds,
     * the target is degraded (not down) and counts as available; only an expired, untrusted or wrongly named
     * certificate fails.
     */
    minDaysLeft: z.number().min(0).prefault(14),
    /** An untrusted chain (self-signed, unknown CA) is a failure (cert_invalid); off = only reported in detail. */
    verifyChain: z.boolean().prefault(true),
    /** The name must match the certificate's SAN (cert_hostname). */
    verifyHostname: z.boolean().prefault(true),
    /** PEM file of a private CA to trust in addition to the system's (e.g. the bureau's internal CA). */
    caFile: z.string().optional(),
  })
  .strict();
export type TlsSpec = z.output<typeof tlsSpecSchema>;

const DAY = 86_400_000;
const caCache = new Map<string, string>();

function nameOf(x: Record<string, string | string[] | undefined> | undefined): string {
  if (!x) return '';
  return ['CN', 'O', 'OU', 'C']
    .filter((k) => x[k] !== undefined)
    .map((k) => `${k}=${[x[k]].flat().join('+')}`)
    .join(', ');
}

/** Earliest notAfter across the chain the server presented (blackbox's probe_ssl_earliest_cert_expiry). */
function earliestExpiry(leaf: DetailedPeerCertificate): number {
  let earliest = Date.parse(leaf.valid_to);
  const seen = new Set<string>([leaf.fingerprint256]);
  let c = leaf.issuerCertificate;
  while (c && !seen.has(c.fingerprint256)) {
    seen.add(c.fingerprint256);
    earliest = Math.min(earliest, Date.parse(c.valid_to));
    c = c.issuerCertificate;
  }
  return earliest;
}

/** Pure judgement of a certificate already fetched: exported so it can be tested with a clock. */
export function judgeCertificate(spec: TlsSpec, servername: string, cert: DetailedPeerCertificate, authorized: boolean, authorizationError: string | undefined, now: number) {
  const notAfterMs = earliestExpiry(cert);
  const daysLeft = Math.floor(((notAfterMs - now) / DAY) * 10) / 10;
  const hostnameError = tls.checkServerIdentity(servername, cert);
  const detail = {
    notAfter: new Date(notAfterMs).toISOString(),
    leafNotAfter: new Date(Date.parse(cert.valid_to)).toISOString(),
    notBefore: new Date(Date.parse(cert.valid_from)).toISOString(),
    daysLeft,
    issuer: nameOf(cert.issuer as never),
    subject: nameOf(cert.subject as never),
    san: cert.subjectaltname ?? '',
    serialNumber: cert.serialNumber,
    fingerprint256: cert.fingerprint256,
    authorized,
    authorizationError: authorizationError ?? null,
    hostnameMatch: !hostnameError,
  };
  let problem: { code: string; facts: string } | undefined;
  let warning: { code: string; facts: string } | undefined;
  if (notAfterMs <= now) problem = { code: 'cert_expired', facts: `${servername} 证书已于 ${detail.notAfter} 过期` };
  else if (Date.parse(cert.valid_from) > now) problem = { code: 'cert_invalid', facts: `${servername} 证书尚未生效 生效时间 ${detail.notBefore}` };
  else if (spec.verifyChain && !authorized) problem = { code: 'cert_invalid', facts: `${servername} 证书链不受信任 (${authorizationError}) 颁发者 ${detail.issuer}` };
  else if (spec.verifyHostname && hostnameError) problem = { code: 'cert_hostname', facts: `证书SAN期望包含 ${servername} 实际 ${detail.san || '(无SAN)'}` };
  else if (daysLeft < spec.minDaysLeft) warning = { code: 'cert_expiring', facts: `${servername} 证书剩余天数 期望 ≥ ${spec.minDaysLeft} 实际 ${daysLeft} (到期 ${detail.notAfter})` };
  return { detail, problem, warning };
}

export const tlsProbe: Probe<TlsSpec> = (spec, ctx) => {
  const startedAt = ctx.now();
  const servername = spec.servername ?? spec.host;
  const where = `${spec.host}:${spec.port}`;
  return new Promise<ProbeOutcome>((resolve) => {
    let done = false;
    let connectMs: number | undefined;
    let socket: tls.TLSSocket | undefined;
    const finish = (o: ProbeOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
      socket?.destroy();
      resolve(o);
    };
    const onAbort = () => finish(failure('timeout', `${where} TLS握手在 ${ctx.timeoutMs} ms 内未完成`, startedAt, ctx.now(), { phases: cleanPhases({ connect: connectMs }) }));
    const timer = setTimeout(onAbort, ctx.timeoutMs);
    if (ctx.signal.aborted) return onAbort();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      let ca: string[] | undefined;
      if (spec.caFile) {
        if (!caCache.has(spec.caFile)) {
          try {
            caCache.set(spec.caFile, readFileSync(spec.caFile, 'utf8'));
          } catch (err) {
            return finish(failure('probe_error', `无法读取 caFile ${spec.caFile} (${(err as NodeJS.ErrnoException).code}) 请检查路径和权限`, startedAt, ctx.now()));
          }
        }
        ca = [...tls.rootCertificates, caCache.get(spec.caFile)!];
      }
      // Never reject here: an untrusted or expired certificate is what we came to report, with its facts.
      const isIp = /^[\d.]+$|:/.test(servername);
      socket = tls.connect({ host: spec.host, port: spec.port, servername: isIp ? undefined : servername, rejectUnauthorized: false, ca,
        // `authorized` then speaks of the chain alone; the name is judged separately (cert_hostname).
        checkServerIdentity: () => undefined });
    } catch (err) {
      const { code, facts } = classifyError(err, where, ctx.timeoutMs);
      return finish(failure(code, facts, startedAt, ctx.now()));
    }
    socket.once('connect', () => (connectMs = ctx.now() - startedAt));
    socket.once('secureConnect', () => {
      const now = ctx.now();
      const phases = cleanPhases({ connect: connectMs, tls: connectMs !== undefined ? now - startedAt - connectMs : undefined });
      const cert = socket!.getPeerCertificate(true);
      if (!cert || !cert.valid_to) return finish(failure('tls_error', `${where} 服务器未提供证书`, startedAt, now, { phases }));
      const { detail, problem, warning } = judgeCertificate(spec, servername, cert, socket!.authorized, socket!.authorizationError?.toString(), now);
      if (problem) return finish(failure(problem.code, problem.facts, startedAt, now, { phases, detail }));
      if (warning) {
        // Expiring is a warning: success, degraded; kept in detail too (the target page and a restart read it there).
        const w = { code: warning.code, message: errorText(warning.code, warning.facts) };
        return finish({ success: true, durationMs: now - startedAt, phases, detail: { ...detail, warning: w }, warning: w });
      }
      finish({ success: true, durationMs: now - startedAt, phases, detail });
    });
    socket.once('error', (err) => {
      const { code, facts } = classifyError(err, where, ctx.timeoutMs);
      finish(failure(code, facts, startedAt, ctx.now(), { phases: cleanPhases({ connect: connectMs }) }));
    });
  });
};

/** The registry entry (./index.ts): TLS certificate: chain, host name, days left. */
export const tlsProbeType: ProbeType<typeof tlsSpecSchema, 'tls'> = {
  type: 'tls',
  spec: tlsSpecSchema,
  probe: tlsProbe,
  kind: 'active',
  checkAtStart: true,
};
