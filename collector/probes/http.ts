import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { JSONPath } from 'jsonpath-plus';
import { z } from 'zod';
import { duration, secret } from '../../core/config/common';
import { send, type ClientSpec } from './http-client';
import { classifyError, cleanPhases, errorText, failure, show } from './outcome';
import type { Probe, ProbeContext, ProbeOutcome, ProbeType } from './types';

/** "200", 200, "2xx", "200-299": one accepted status or range. */
const statusPattern = z.union([
  z.number().int().min(100).max(599),
  z.string().regex(/^([1-5]xx|\d{3}(-\d{3})?)$/, 'expected a status such as 200, "2xx" or "200-299"'),
]);

/** One JSON-path assertion on the response body. */
export const jsonAssertionSchema = z
  .object({
    path: z.string().min(1),
    equals: z.unknown().optional(),
    exists: z.boolean().optional(),
    matches: z.string().optional(),
    oneOf: z.array(z.unknown()).optional(),
  })
  .strict();

export const httpAuthSchema = z.union([
  z.object({ basic: z.object({ username: z.string(), password: secret }).strict() }).strict(),
  z.object({ bearer: secret }).strict(),
]);

const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

/** What is needed to fetch a page: shared by the http and content probes. */
export const httpFetchShape = {
  url: z.string().url().regex(/^https?:\/\//i, 'expected an http:// or https:// URL'),
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']).prefault('GET'),
  headers: z.record(z.string(), z.string()).optional(),
  /** A string is sent as is; an object or array is sent as JSON. */
  body: z.union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())]).optional(),
  auth: httpAuthSchema.optional(),
  expectStatus: z.array(statusPattern).min(1).prefault(['2xx']),
  maxResponseTime: duration({ min: '1ms', max: '10m' }).optional(),
  followRedirects: z.boolean().prefault(true),
  maxRedirects: z.number().int().min(0).max(20).prefault(5),
  tlsVerify: z.boolean().prefault(true),
  /** Resolve the URL's host through these DNS servers ("ip" or "ip:port", e.g. the city's internal 127.0.0.1:5353). */
  dnsServers: z.array(z.string().regex(/^[0-9.]+(:\d{1,5})?$/, 'expected an IPv4 address, optionally with :port')).min(1).optional(),
  /**
   * fresh: a new connection per probe (as blackbox_exporter does): DNS, connect and TLS are measured on every probe,
   * and a server that stops accepting connections fails at once. reuse: keep-alive sockets are reused: cheaper, but
   * those phases are measured only when a socket is opened, and a server that accepts no new connections stays green
   * while old sockets live. Default: collector.defaults.connection (fresh).
   */
  connection: z.enum(['fresh', 'reuse']).prefault('fresh'),
  /**
   * The most bytes of the response body read, after decompression (a small gzip that inflates to gigabytes stops
   * here); beyond it the request is ended and the probe fails with body_too_large. 10 MiB by default.
   */
  maxBodyBytes: z.number().int().min(1024).max(256 * 1024 * 1024).prefault(DEFAULT_MAX_BODY_BYTES),
};
export const httpFetchSpecSchema = z.object(httpFetchShape).strict();

/** A body on GET / HEAD is refused (servers ignore or reject it); say so at config load. */
export function checkMethodBody(s: { method: string; body?: unknown }, ctx: z.RefinementCtx): void {
  if (s.body !== undefined && (s.method === 'GET' || s.method === 'HEAD')) {
    ctx.addIssue({ code: 'custom', path: ['body'], message: `a ${s.method} request cannot carry a body; use method: POST (or PUT / PATCH)` });
  }
}
export type HttpFetchSpec = z.output<typeof httpFetchSpecSchema>;

export const httpSpecSchema = z
  .object({
    ...httpFetchShape,
    bodyContains: z.array(z.string()).optional(),
    bodyNotContains: z.array(z.string()).optional(),
    bodyRegex: z.array(z.string()).optional(),
    json: z.array(jsonAssertionSchema).optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    checkMethodBody(s, ctx);
    for (const [i, r] of (s.bodyRegex ?? []).entries()) {
      try {
        new RegExp(r);
      } catch (e) {
        ctx.addIssue({ code: 'custom', path: ['bodyRegex', i], message: `invalid regular expression: ${(e as Error).message}` });
      }
    }
    for (const [i, a] of (s.json ?? []).entries()) {
      if (a.matches !== undefined) {
        try {
          new RegExp(a.matches);
        } catch (e) {
          ctx.addIssue({ code: 'custom', path: ['json', i, 'matches'], message: `invalid regular expression: ${(e as Error).message}` });
        }
      }
    }
  });
export type HttpSpec = z.output<typeof httpSpecSchema>;

/** What a spec needs at run time: its parsed URL, its shared request options and its compiled matchers. */
interface PreparedHttp {
  url: URL;
  client: ClientSpec;
  statusOk: (code: number) => boolean;
  regexes: RegExp[];
  jsonMatchers: (RegExp | undefined)[];
}

// Memory at 10,000 targets: agents are shared per (TLS verify, DNS servers, connection), request options (method,
// headers, body, redirects) per distinct set of them. Targets differ mostly by URL, so a typical configuration needs a
// handful of each; only the URL and the matchers (regexes, status ranges) are per spec.
const prepared = new WeakMap<object, PreparedHttp>();
const IDLE_SOCKET_MS = 4_000;
/** Idle keep-alive sockets kept per origin (host:port) and agent; more are closed when released. */
const MAX_FREE_SOCKETS = 256;
/** Distinct request options kept for reuse by new specs; beyond this the oldest are forgotten (specs using them keep theirs). */
const MAX_CLIENTS = 1000;

type Agents = { http: http.Agent; https: https.Agent };
type Connection = 'fresh' | 'reuse';
const agentPools = new Map<string, Agents>();

/**
 * The connection pools for one (TLS verify, DNS servers) pair, shared by every target with those settings, so targets
 * on one host share keep-alive sockets. Idle sockets are closed by us after 4 s: before the 5 s keep-alive timeout of
 * Node servers (and most proxies), so we never reuse a socket the server is closing at that moment (a false "reset").
 * No `maxSockets`: the scheduler's `perHostConcurrency` is the limit; one here would queue probes inside the agent and
 * count the wait as the site's response time.
 */
function agentsFor(tlsVerify: boolean, dnsServers: string[] | undefined, connection: Connection): Agents {
  const key = JSON.stringify([tlsVerify, dnsServers ?? null, connection]);
  let a = agentPools.get(key);
  if (!a) {
    // fresh: no keep-alive, the socket is closed after its response (`Connection: close`).
    const opts = connection === 'reuse'
      ? { keepAlive: true, timeout: IDLE_SOCKET_MS, maxFreeSockets: MAX_FREE_SOCKETS, scheduling: 'lifo' as const }
      : { keepAlive: false };
    a = { http: new http.Agent(opts), https: new https.Agent({ ...opts, rejectUnauthorized: tlsVerify }) };
    agentPools.set(key, a);
  }
  return a;
}

export function compileStatus(patterns: (number | string)[]): (code: number) => boolean {
  const ranges = patterns.map((p): [number, number] => {
    const s = String(p);
    if (/^[1-5]xx$/.test(s)) return [Number(s[0]) * 100, Number(s[0]) * 100 + 99];
    const [a, b] = s.split('-').map(Number);
    return [a, b ?? a];
  });
  return (code) => ranges.some(([a, b]) => code >= a && code <= b);
}

/** The request options of a spec, apart from the URL; the same options give the same key. */
function clientOptions(spec: HttpFetchSpec) {
  const headers: Record<string, string> = { 'user-agent': 'city-ops-monitor/probe' };
  for (const [k, v] of Object.entries(spec.headers ?? {})) headers[k.toLowerCase()] = v;
  if (spec.auth && 'basic' in spec.auth) {
    headers.authorization = `Basic ${Buffer.from(`${spec.auth.basic.username}:${spec.auth.basic.password}`).toString('base64')}`;
  } else if (spec.auth && 'bearer' in spec.auth) {
    headers.authorization = `Bearer ${spec.auth.bearer}`;
  }
  let body: string | undefined;
  if (typeof spec.body === 'string') body = spec.body;
  else if (spec.body !== undefined) {
    body = JSON.stringify(spec.body);
    headers['content-type'] ??= 'application/json';
  }
  const shape = { method: spec.method, headers, body, followRedirect: spec.followRedirects, maxRedirects: spec.maxRedirects, tlsVerify: spec.tlsVerify, dnsServers: spec.dnsServers, connection: spec.connection, maxBodyBytes: spec.maxBodyBytes };
  // Hashed: the key may carry a credential or a large body, neither of which should sit in memory twice.
  return { key: createHash('sha256').update(JSON.stringify(shape)).digest('base64'), headers, body };
}

const clients = new Map<string, ClientSpec>();
/** The shared request options of a spec (one object per distinct options). */
function clientFor(spec: HttpFetchSpec): ClientSpec {
  const { key, headers, body } = clientOptions(spec);
  let c = clients.get(key);
  if (c) return c;
  const bytes = body === undefined ? undefined : Buffer.from(body);
  if (bytes) headers['content-length'] = String(bytes.length);
  c = {
    method: spec.method,
    headers,
    body: bytes,
    followRedirects: spec.followRedirects,
    maxRedirects: spec.maxRedirects,
    agents: agentsFor(spec.tlsVerify, spec.dnsServers, spec.connection ?? 'fresh'),
    tlsVerify: spec.tlsVerify,
    lookup: spec.dnsServers ? lookupVia(spec.dnsServers) : undefined,
    maxBodyBytes: spec.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
  };
  if (clients.size >= MAX_CLIENTS) clients.delete(clients.keys().next().value!);
  clients.set(key, c);
  return c;
}

// Per-spec leftovers kept small (10,000 specs): one shared empty list, one matcher per distinct status list.
const NONE: never[] = [];
const statusMatchers = new Map<string, (code: number) => boolean>();
function statusMatcher(patterns: (number | string)[]): (code: number) => boolean {
  const key = patterns.join(',');
  let m = statusMatchers.get(key);
  if (!m) statusMatchers.set(key, (m = compileStatus(patterns)));
  return m;
}
function prepare(spec: HttpFetchSpec & Partial<HttpSpec>): PreparedHttp {
  let p = prepared.get(spec);
  if (p) return p;
  p = {
    url: new URL(spec.url),
    client: clientFor(spec),
    statusOk: statusMatcher(spec.expectStatus),
    regexes: spec.bodyRegex?.length ? spec.bodyRegex.map((r) => new RegExp(r)) : NONE,
    jsonMatchers: spec.json?.length ? spec.json.map((a) => (a.matches !== undefined ? new RegExp(a.matches) : undefined)) : NONE,
  };
  prepared.set(spec, p);
  return p;
}

/** A dns.lookup-compatible function that asks the given servers (A records) instead of the system resolver. */
function lookupVia(servers: string[]) {
  const resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers(servers);
  return ((hostname: string, options: unknown, callback: (...a: unknown[]) => void) => {
    const cb = typeof options === 'function' ? (options as typeof callback) : callback;
    const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all;
    if (isIP(hostname)) return void (all ? cb(null, [{ address: hostname, family: isIP(hostname) }]) : cb(null, hostname, isIP(hostname)));
    resolver.resolve4(hostname).then(
      (addrs) => (all ? cb(null, addrs.map((address) => ({ address, family: 4 }))) : cb(null, addrs[0], 4)),
      (err) => cb(err),
    );
  }) as unknown as typeof import('node:dns').lookup;
}

/**
 * Forgets a spec that is no longer scheduled (config reload, tests). Its agents are shared with other targets and are
 * not closed: their idle sockets close after 4 s, and idle sockets do not keep the process alive.
 */
export function releaseHttpProbe(spec: HttpFetchSpec): void {
  prepared.delete(spec);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  // YAML gives `200` where JSON has "200" or the reverse; an operator means the same thing.
  if ((typeof a === 'number' || typeof a === 'string') && (typeof b === 'number' || typeof b === 'string')) return String(a) === String(b);
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * A keyword that is found in the body's UTF-8 bytes exactly when it is found in the decoded text: one without
 * U+FFFD (what decoding puts in place of invalid bytes) and without surrogates (a lone one cannot be encoded; astral
 * characters are left to the text search too). For these the search needs no decoding of the body.
 */
const BYTE_SEARCHABLE = /^[^\uD800-\uDFFF\uFFFD]*$/;

/**
 * Checks the body assertions in order; returns the first failure's facts. The body is the response's bytes (or its
 * text): keywords are searched in the bytes, and the body is decoded as UTF-8 (invalid bytes → U+FFFD) only when a
 * regex, a JSON path or an unusual keyword needs the text.
 */
export function checkBody(spec: HttpSpec, p: Pick<PreparedHttp, 'regexes' | 'jsonMatchers'>, raw: Buffer | string): string | undefined {
  let text = typeof raw === 'string' ? raw : undefined;
  const decode = () => (text ??= (raw as Buffer).toString('utf8'));
  const has = (word: string) => (text === undefined && BYTE_SEARCHABLE.test(word) ? (raw as Buffer).includes(word, 0, 'utf8') : decode().includes(word));
  for (const word of spec.bodyContains ?? []) if (!has(word)) return `响应体应包含 ${show(word)} 实际未找到`;
  for (const word of spec.bodyNotContains ?? []) if (has(word)) return `响应体不应包含 ${show(word)} 实际出现`;
  if (!p.regexes.length && !spec.json?.length) return undefined;
  const body = decode();
  for (const re of p.regexes) if (!re.test(body)) return `响应体应匹配正则 /${re.source}/ 实际不匹配`;
  if (spec.json?.length) {
    let doc: unknown;
    try {
      doc = JSON.parse(body);
    } catch {
      return `响应体应为JSON 实际 ${show(body.slice(0, 60))}`;
    }
    for (const [i, a] of spec.json.entries()) {
      const found = JSONPath({ path: a.path, json: doc as object, wrap: true }) as unknown[];
      const actual = found.length === 0 ? undefined : found.length === 1 ? found[0] : found;
      if (a.exists !== undefined && (found.length > 0) !== a.exists) return `JSON路径 ${a.path} 期望${a.exists ? '存在' : '不存在'} 实际${found.length ? `存在 ${show(actual)}` : '不存在'}`;
      if (a.equals !== undefined && !sameValue(actual, a.equals)) return `JSON路径 ${a.path} 期望 ${show(a.equals)} 实际 ${show(actual)}`;
      if (a.oneOf !== undefined && !a.oneOf.some((v) => sameValue(actual, v))) return `JSON路径 ${a.path} 期望为 ${show(a.oneOf)} 之一 实际 ${show(actual)}`;
      const re = p.jsonMatchers[i];
      if (re && (actual === undefined || !re.test(typeof actual === 'string' ? actual : JSON.stringify(actual)))) return `JSON路径 ${a.path} 期望匹配 /${re.source}/ 实际 ${show(actual)}`;
    }
  }
  return undefined;
}

export type FetchResult = { ok: true; outcome: ProbeOutcome; body: Buffer } | { ok: false; outcome: ProbeOutcome };

/**
 * Sends the request and judges the transport: status code and response time. The body checks are the caller's
 * (assertions for http, hashing for content). Never throws.
 */
export async function fetchHttp(spec: HttpFetchSpec & Partial<HttpSpec>, ctx: ProbeContext): Promise<FetchResult & { prepared?: PreparedHttp }> {
  const startedAt = ctx.now();
  try {
    const p = prepare(spec);
    // The scheduler's signal ends the request at the target's timeout (any phase, the body included).
    const res = await send(p.url, p.client, ctx.signal);
    const phases = cleanPhases(res.phases);
    const durationMs = Math.round(res.totalMs * 10) / 10;
    const base: ProbeOutcome = { success: true, durationMs, phases, statusCode: res.statusCode };
    if (!p.statusOk(res.statusCode)) {
      return { ok: false, outcome: { ...base, success: false, errorCode: 'http_status', error: errorText('http_status', `${spec.method} ${spec.url} 期望 ${spec.expectStatus.join(',')} 实际 ${res.statusCode}`) } };
    }
    if (spec.maxResponseTime !== undefined && durationMs > spec.maxResponseTime) {
      return { ok: false, outcome: { ...base, success: false, errorCode: 'response_too_slow', error: errorText('response_too_slow', `${spec.method} ${spec.url} 期望 ≤ ${spec.maxResponseTime} ms 实际 ${durationMs} ms`) } };
    }
    return { ok: true, outcome: base, body: res.body, prepared: p };
  } catch (err) {
    const { code, facts } = classifyError(ctx.signal.aborted ? (ctx.signal.reason ?? err) : err, `${spec.method} ${spec.url}`, ctx.timeoutMs);
    return { ok: false, outcome: failure(code, facts, startedAt, ctx.now()) };
  }
}

export const httpProbe: Probe<HttpSpec> = async (spec, ctx) => {
  const fetched = await fetchHttp(spec, ctx);
  if (!fetched.ok) return fetched.outcome;
  let bodyProblem: string | undefined;
  try {
    bodyProblem = checkBody(spec, fetched.prepared!, fetched.body);
  } catch (err) {
    // jsonpath-plus throws on a path it cannot evaluate; that is the config's fault, reported, not thrown.
    return { ...fetched.outcome, success: false, errorCode: 'probe_error', error: errorText('probe_error', `断言无法执行: ${(err as Error).message}`) };
  }
  if (bodyProblem) return { ...fetched.outcome, success: false, errorCode: 'assertion_failed', error: errorText('assertion_failed', bodyProblem) };
  return fetched.outcome;
};

/** The registry entry (./index.ts): HTTP(S) with phase timings, status, body and JSON assertions. */
export const httpProbeType: ProbeType<typeof httpSpecSchema, 'http'> = {
  type: 'http',
  spec: httpSpecSchema,
  probe: httpProbe,
  kind: 'active',
  connectionOption: true,
};
