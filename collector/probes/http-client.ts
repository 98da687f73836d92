import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import type { PhaseTimings, ProbeSignal } from './types';

/**
 * The HTTP probe's own request on `node:http` / `node:https` (#18): one request per probe with the agents of
 * `http.ts`, phases read from the socket's events, redirects followed by hand. It replaced got for probes only (the
 * reporter's signed requests still use got): got 14 built ~23 KB of option objects per request, and the collector's
 * CPU per probe fell from 0.55 to 0.34 ms without it (docs/collector.md "CPU per probe").
 *
 * Phases (blackbox_exporter's names, ms, summed over redirects): resolve = socket assigned → DNS answer (0 for an IP
 * literal, which needs no lookup), connect = → TCP connected, tls = → TLS handshake done, processing = request
 * written → first response byte, transfer = → last byte. A request on a reused keep-alive socket has no resolve,
 * connect or tls phase.
 */
export interface ClientSpec {
  method: string;
  /** Header names in lower case, `content-length` included with a body; `authorization` is dropped on a redirect to another origin. */
  headers: Record<string, string>;
  body?: Buffer;
  followRedirects: boolean;
  maxRedirects: number;
  agents: { http: http.Agent; https: https.Agent };
  tlsVerify: boolean;
  lookup?: typeof import('node:dns').lookup;
  /** The most bytes of a final response's body kept, counted after decompression (a gzip bomb stops here). */
  maxBodyBytes: number;
}

export interface ClientResponse {
  statusCode: number;
  /** The body's bytes, decompressed; not decoded (a keyword is searched in the bytes, see http.ts `checkBody`). */
  body: Buffer;
  phases: PhaseTimings;
  /** First request sent → last byte of the last response, ms. */
  totalMs: number;
  /** Every request of the probe went out on a reused keep-alive socket. */
  reused: boolean;
}

/** The error got raised for a redirect loop (outcome.ts maps the code to too_many_redirects). */
export class TooManyRedirects extends Error {
  readonly code = 'ERR_TOO_MANY_REDIRECTS';
  constructor(n: number) {
    super(`Redirected ${n} times. Aborting.`);
  }
}

/** The body grew past `maxBodyBytes` (outcome.ts maps the code to body_too_large); the request was destroyed. */
export class BodyTooLarge extends Error {
  readonly code = 'ERR_BODY_TOO_LARGE';
  constructor(readonly limit: number) {
    super(`响应体(解压后)超过 ${limit} 字节 (${+(limit / 1048576).toFixed(2)} MiB) 上限，已停止读取；确需更大的页面请调高该目标的 spec.maxBodyBytes`);
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const EMPTY = Buffer.alloc(0);

interface Hop {
  statusCode: number;
  location?: string;
  body: Buffer;
  reused: boolean;
}

/** Sends the request (and its redirects); rejects with the Node error (code ECONNREFUSED, ...) or AbortError. */
export async function send(url: URL, spec: ClientSpec, signal: ProbeSignal): Promise<ClientResponse> {
  const start = performance.now();
  const phases: Required<PhaseTimings> = { resolve: 0, connect: 0, tls: 0, processing: 0, transfer: 0 };
  let method = spec.method;
  let body = spec.body;
  let headers = spec.headers;
  let reused = true;
  for (let hop = 0; ; hop++) {
    const res = await once(url, method, headers, body, spec, signal, phases);
    reused &&= res.reused;
    const location = spec.followRedirects && REDIRECTS.has(res.statusCode) ? res.location : undefined;
    if (location === undefined) {
      // Any hop on a new connection: all five (resolve 0 for an IP literal); all reused: only the request's two.
      const out: PhaseTimings = reused ? { processing: phases.processing, transfer: phases.transfer } : phases;
      return { statusCode: res.statusCode, body: res.body, phases: out, totalMs: performance.now() - start, reused };
    }
    if (hop >= spec.maxRedirects) throw new TooManyRedirects(hop);
    const next = new URL(location, url);
    if (next.protocol !== 'http:' && next.protocol !== 'https:') throw Object.assign(new Error(`redirect to ${next.protocol} refused`), { code: 'ERR_UNSUPPORTED_PROTOCOL' });
    // As got (and browsers) do: 303 turns into a GET without a body; credentials stay with their origin.
    if (res.statusCode === 303 && method !== 'GET' && method !== 'HEAD') {
      method = 'GET';
      body = undefined;
      headers = withoutBodyHeaders(headers);
    }
    if (next.origin !== url.origin && headers.authorization !== undefined) {
      headers = { ...headers };
      delete headers.authorization;
    }
    url = next;
  }
}

function withoutBodyHeaders(h: Record<string, string>): Record<string, string> {
  const out = { ...h };
  delete out['content-type'];
  delete out['content-length'];
  return out;
}

function once(url: URL, method: string, headers: Record<string, string>, body: Buffer | undefined, spec: ClientSpec, signal: ProbeSignal, phases: Required<PhaseTimings>): Promise<Hop> {
  return new Promise<Hop>((resolve, reject) => {
    const tls = url.protocol === 'https:';
    const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const options: https.RequestOptions = { protocol: url.protocol, hostname, port: url.port || (tls ? 443 : 80), path: url.pathname + url.search, method, headers, agent: tls ? spec.agents.https : spec.agents.http };
    if (spec.lookup) options.lookup = spec.lookup;
    // The agent carries the same setting; on the request it also keys the agent's socket pool. SNI: the agent's own.
    if (tls) options.rejectUnauthorized = spec.tlsVerify;
    let settled = false;
    let req: http.ClientRequest | undefined;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      req?.destroy();
      reject(err);
    };
    // The signal ends the request at any point, the body's download included (a destroyed response need not emit).
    const onAbort = () => fail(signal.reason ?? Object.assign(new Error('aborted'), { name: 'AbortError' }));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    const done = (hop: Hop) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      resolve(hop);
    };
    req = (tls ? https : http).request(options);
    let t0 = 0; // socket assigned
    let tReady = 0; // connected (TCP, then TLS), or the reused socket assigned
    let tSent = 0;
    let reused = false;
    const r = req;
    r.once('socket', (socket: Socket) => {
      t0 = performance.now();
      // A socket from the agent's free list is reused; one that is not connecting any more was too.
      reused = r.reusedSocket || !socket.connecting;
      if (reused) {
        tReady = t0;
        return;
      }
      let tLookup = 0;
      socket.once('lookup', () => {
        tLookup = performance.now();
        phases.resolve += tLookup - t0;
      });
      socket.once('connect', () => {
        const now = performance.now();
        phases.connect += now - (tLookup || t0);
        tReady = now;
      });
      if (tls) {
        socket.once('secureConnect', () => {
          const now = performance.now();
          phases.tls += now - tReady;
          tReady = now;
        });
      }
    });
    r.once('finish', () => {
      tSent = performance.now();
    });
    r.on('error', fail);
    r.once('response', (res) => {
      const tFirst = performance.now();
      // The request may be "finished" (buffered) before its socket connected: processing starts at the later one.
      phases.processing += tFirst - Math.max(tSent, tReady, t0);
      const statusCode = res.statusCode ?? 0;
      const location = res.headers.location;
      res.on('error', fail);
      if (spec.followRedirects && REDIRECTS.has(statusCode) && location !== undefined) {
        // A redirect's body is drained, not kept (nor counted against maxBodyBytes).
        res.resume();
        res.once('end', () => {
          phases.transfer += performance.now() - tFirst;
          done({ statusCode, location, body: EMPTY, reused });
        });
        return;
      }
      const stream = decoded(res);
      const chunks: Buffer[] = [];
      const max = spec.maxBodyBytes;
      let size = 0;
      stream.on('data', (c: Buffer) => {
        size += c.length;
        if (size > max) {
          // The decompressor too: it would go on inflating what it already holds after the socket is gone.
          stream.destroy();
          return fail(new BodyTooLarge(max));
        }
        chunks.push(c);
      });
      stream.once('end', () => {
        phases.transfer += performance.now() - tFirst;
        done({ statusCode, body: chunks.length === 1 ? chunks[0]! : chunks.length === 0 ? EMPTY : Buffer.concat(chunks), reused });
      });
      if (stream !== res) stream.on('error', fail);
    });
    r.end(body);
  });
}

/** got decompressed bodies it asked for; the probe asks for none, but a server may compress anyway. */
function decoded(res: http.IncomingMessage): Readable {
  const enc = res.headers['content-encoding'];
  if (!enc || enc === 'identity') return res;
  const z = enc === 'gzip' || enc === 'x-gzip' ? zlib.createGunzip() : enc === 'br' ? zlib.createBrotliDecompress() : enc === 'deflate' ? zlib.createInflate() : undefined;
  if (!z) return res;
  return res.pipe(z);
}
