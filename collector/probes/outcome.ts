import type { PhaseTimings, ProbeOutcome } from './types';

/**
 * Shared by every probe: the stable error codes, their Chinese titles, and the mapping of Node / got errors to them.
 * A probe never throws; whatever goes wrong becomes one of these outcomes. A code only one probe type uses keeps its
 * title in that probe's file and passes it to `failure` (smtp.ts: smtp_status), so a new type needs no line here.
 */
export const errorTitles: Record<string, string> = {
  timeout: '超时',
  refused: '连接被拒绝',
  reset: '连接被重置',
  dns_failure: '域名解析失败',
  tls_error: 'TLS错误',
  http_status: 'HTTP状态码异常',
  assertion_failed: '断言失败',
  response_too_slow: '响应过慢',
  too_many_redirects: '重定向过多',
  body_too_large: '响应体过大',
  content_changed: '页面内容被篡改',
  forbidden_word: '发现违禁词',
  dns_changed: 'DNS解析结果变化',
  cert_expiring: '证书即将过期',
  cert_expired: '证书已过期',
  cert_invalid: '证书链校验失败',
  cert_hostname: '证书域名不匹配',
  heartbeat_missing: '心跳缺失',
  heartbeat_failed: '任务报告失败',
  network_error: '网络错误',
  probe_error: '探测内部错误',
};

/** `断言失败 assertion_failed: JSON路径 $.status 期望 "ok" 实际 "degraded"` */
export function errorText(code: string, facts: string, titles: Record<string, string> = {}): string {
  return `${titles[code] ?? errorTitles[code] ?? '探测失败'} ${code}: ${facts}`;
}

/** A failed outcome; `titles` are the probe type's own codes' titles (beside the shared ones). */
export function failure(code: string, facts: string, startedAt: number, now: number, extra: Partial<ProbeOutcome> = {}, titles?: Record<string, string>): ProbeOutcome {
  return { success: false, durationMs: Math.max(0, now - startedAt), errorCode: code, error: errorText(code, facts, titles), ...extra };
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'EPROTO',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

/** Maps a network / got / TLS error to a stable code and a Chinese explanation naming the target. */
export function classifyError(err: unknown, where: string, timeoutMs: number): { code: string; facts: string } {
  const e = err as { code?: string; name?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e?.code && !String(e.code).startsWith('ERR_GOT') ? e.code : (e?.cause?.code ?? e?.code);
  const msg = e?.cause?.message ?? e?.message ?? String(err);
  if (e?.name === 'AbortError' || e?.name === 'TimeoutError' || code === 'ETIMEDOUT' || code === 'ERR_ABORTED' || code === 'ABORT_ERR') {
    return { code: 'timeout', facts: `${where} 在 ${timeoutMs} ms 内未完成` };
  }
  if (code === 'ECONNREFUSED') return { code: 'refused', facts: `${where} 拒绝连接 (ECONNREFUSED)` };
  if (code === 'ECONNRESET' || code === 'EPIPE') return { code: 'reset', facts: `${where} 连接被对端重置 (${code})` };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ENODATA' || code === 'ESERVFAIL' || code === 'ECONNREFUSED_DNS') {
    return { code: 'dns_failure', facts: `${where} 无法解析 (${code})` };
  }
  if (code === 'ERR_TOO_MANY_REDIRECTS') return { code: 'too_many_redirects', facts: `${where} ${msg}` };
  if (code === 'ERR_BODY_TOO_LARGE') return { code: 'body_too_large', facts: `${where} ${msg}` };
  if (code && (TLS_CODES.has(code) || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL'))) {
    return { code: 'tls_error', facts: `${where} 证书或握手失败 (${code}: ${msg})` };
  }
  return { code: 'network_error', facts: `${where} ${code ? `(${code}) ` : ''}${msg}` };
}

/** Rounds phase timings to 0.1 ms and drops the missing ones (a reused keep-alive socket has no dns/connect/tls). */
export function cleanPhases(p: PhaseTimings): PhaseTimings {
  const out: PhaseTimings = {};
  for (const [k, v] of Object.entries(p) as [keyof PhaseTimings, number | undefined][]) {
    if (typeof v === 'number' && Number.isFinite(v)) out[k] = Math.round(v * 10) / 10;
  }
  return out;
}

/** Runs a probe body and turns anything it throws into an outcome, so a probe bug never stops the scheduler. */
export async function guard(startedAt: number, now: () => number, timeoutMs: number, where: string, body: () => Promise<ProbeOutcome>): Promise<ProbeOutcome> {
  try {
    return await body();
  } catch (err) {
    const e = err as { code?: string };
    // Network errors keep their code; anything else is a bug or a config the probe could not apply.
    if (e?.code) {
      const { code, facts } = classifyError(err, where, timeoutMs);
      return failure(code, facts, startedAt, now());
    }
    return failure('probe_error', `${where} ${(err as Error)?.message ?? String(err)}`, startedAt, now());
  }
}

/** JSON-ish rendering of an expected / actual value for messages. */
export function show(v: unknown): string {
  if (v === undefined) return '(无)';
  const s = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}
