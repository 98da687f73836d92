import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { signature, SIGN_METHODS, type SignMethod } from '../../reporter/signing';
import { SimStore } from './store';
import { NO_FAULTS, mergeFaults, type Faults } from './faults';
import { countRecords, receiptBody, takeBatch, type GatewayAnswer } from './gateway';

/**
 * A local provincial Internet+Regulation gateway implementing province-api.md (contract v1) in memory, with an
 * optional JSON snapshot and run-time fault injection. Loopback only.
 */
export interface ProvinceSimOptions {
  port?: number;
  host?: string;
  appKey: string;
  appSecret: string;
  /** Load on start and save on stop (and every snapshotEveryMs) when given. */
  snapshotFile?: string;
  snapshotEveryMs?: number;
  faults?: Partial<Faults>;
  clock?: () => number;
  maxSkewMs?: number;
  nonceTtlMs?: number;
  log?: (msg: string) => void;
}

export interface ProvinceSim {
  url: string;
  port: number;
  store: SimStore;
  faults(): Faults;
  setFaults(patch: Partial<Faults>): Faults;
  /** Live records of a type (tests). */
  live(dataType?: string): SimStore['records'] extends Map<string, infer R> ? R[] : never;
  snapshot(): void;
  /** Forget everything the province holds (tests, a demo whose database was reset). */
  reset(): void;
  stop(): Promise<void>;
}

const SKEW_MS = 300_000;
const NONCE_TTL_MS = 600_000;

export async function startProvinceSim(opts: ProvinceSimOptions): Promise<ProvinceSim> {
  const clock = opts.clock ?? Date.now;
  const store = opts.snapshotFile ? SimStore.load(opts.snapshotFile) : new SimStore();
  let faults: Faults = mergeFaults(NO_FAULTS, opts.faults ?? {});
  const nonces = new Map<string, number>(); // nonce → time seen
  const hanging = new Set<ServerResponse>();
  const skew = opts.maxSkewMs ?? SKEW_MS;
  const nonceTtl = opts.nonceTtlMs ?? NONCE_TTL_MS;
  let lastSweep = 0;

  function checkAuth(req: IncomingMessage, path: string, body: Buffer, now: number): GatewayAnswer | null {
    const h = (n: string) => {
      const v = req.headers[n];
      return Array.isArray(v) ? v[0] : v;
    };
    if (h('x-app-key') !== opts.appKey) return { status: 401, body: { code: 40104, message: 'unknown app key' } };
    const ts = Number(h('x-timestamp'));
    if (!Number.isFinite(ts) || Math.abs(now - ts) > skew) return { status: 401, body: { code: 40102, message: `timestamp skew over ${skew / 1000} s` } };
    const method = (h('x-sign-method') ?? 'HMAC-SM3') as SignMethod;
    if (!SIGN_METHODS.includes(method)) return { status: 401, body: { code: 40101, message: `unknown X-Sign-Method ${method}` } };
    const nonce = h('x-nonce') ?? '';
    if (!/^[0-9a-fA-F]{16,64}$/.test(nonce)) return { status: 401, body: { code: 40101, message: 'X-Nonce must be 16–64 hex characters' } };
    const expected = Buffer.from(signature(method, opts.appSecret, { method: req.method ?? 'GET', pathWithQuery: path, timestamp: h('x-timestamp')!, nonce, body }));
    const got = Buffer.from(String(h('x-signature') ?? '').toLowerCase());
    if (got.length !== expected.length || !timingSafeEqual(got, expected)) return { status: 401, body: { code: 40101, message: 'bad signature' } };
    if (now - lastSweep > 10_000) {
      for (const [n, t] of nonces) if (now - t > nonceTtl) nonces.delete(n);
      lastSweep = now;
    }
    const seen = nonces.get(nonce);
    if (seen !== undefined && now - seen <= nonceTtl) return { status: 401, body: { code: 40103, message: 'nonce replayed' } };
    nonces.set(nonce, now);
    return null;
  }

  function send(res: ServerResponse, a: GatewayAnswer, requestId: string | undefined) {
    if (res.writableEnded || res.destroyed) return;
    const text = JSON.stringify(a.body);
    res.writeHead(a.status, { 'Content-Type': 'application/json; charset=utf-8', ...(requestId ? { 'X-Request-Id': requestId } : {}), ...(a.headers ?? {}) });
    res.end(text);
  }

  function hang(res: ServerResponse) {
    hanging.add(res);
    const t = setTimeout(() => {
      hanging.delete(res);
      res.destroy();
    }, faults.hangMs);
    res.on('close', () => {
      clearTimeout(t);
      hanging.delete(res);
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const path = req.url ?? '/';
    const url = new URL(path, 'http://sim');
    const requestId = req.headers['x-request-id'] as string | undefined;
    const now = clock();

    if (url.pathname === '/__sim/faults') {
      if (req.method === 'GET') return send(res, { status: 200, body: faults as unknown as Record<string, unknown> }, requestId);
      try {
        faults = mergeFaults(faults, JSON.parse(body.toString('utf8') || '{}'));
        return send(res, { status: 200, body: faults as unknown as Record<string, unknown> }, requestId);
      } catch (err) {
        return send(res, { status: 400, body: { code: 40001, message: (err as Error).message } }, requestId);
      }
    }
    if (url.pathname === '/__sim/state') {
      const counts: Record<string, number> = {};
      for (const r of store.records.values()) if (r.live) counts[r.dataType] = (counts[r.dataType] ?? 0) + 1;
      return send(res, { status: 200, body: { live: counts, batches: store.batches.size, stats: store.stats } }, requestId);
    }
    if (!url.pathname.startsWith('/api/v1/')) return send(res, { status: 404, body: { code: 40401, message: 'no such endpoint' } }, requestId);

    store.stats.requests++;
    const roll = Math.random();
    let edge = 0;
    const hit = (share: number) => roll < (edge += share);
    if (hit(faults.error503)) return (store.stats.faultsInjected++, send(res, { status: 503, body: { code: 50301, message: 'service unavailable (simulated)' } }, requestId));
    if (hit(faults.rate429)) return (store.stats.faultsInjected++, send(res, { status: 429, body: { code: 42901, message: 'rate limited (simulated)' }, headers: { 'Retry-After': String(faults.retryAfterSec) } }, requestId));
    if (hit(faults.timeout)) return (store.stats.faultsInjected++, hang(res));
    const lose = hit(faults.lostAnswer);
    if (hit(faults.slow)) await new Promise((r) => setTimeout(r, faults.slowMs));

    const denied = checkAuth(req, path, body, now);
    if (denied) return send(res, denied, requestId);

    let answer: GatewayAnswer;
    const m = /^\/api\/v1\/(?:batches(?:\/([^/]+))?|records\/([^/]+)\/count)$/.exec(url.pathname);
    if (m && req.method === 'POST' && url.pathname === '/api/v1/batches') answer = takeBatch(store, body, now, faults.processingMs);
    else if (m && req.method === 'GET' && m[1]) {
      const b = store.batches.get(decodeURIComponent(m[1]));
      answer = b ? { status: 200, body: receiptBody(b, now, false) } : { status: 404, body: { code: 40401, message: 'unknown batch' } };
    } else if (m && req.method === 'GET' && m[2]) answer = countRecords(store, decodeURIComponent(m[2]), url.searchParams);
    else answer = { status: 404, body: { code: 40401, message: `no endpoint ${req.method} ${url.pathname}` } };
    if (lose) {
      store.stats.faultsInjected++;
      return hang(res);
    }
    send(res, answer, requestId);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      opts.log?.(`province-sim: request failed: ${(err as Error).message}`);
      if (!res.headersSent) send(res, { status: 500, body: { code: 50001, message: 'internal error' } }, undefined);
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  const snap = () => opts.snapshotFile && store.save(opts.snapshotFile);
  const snapTimer = opts.snapshotFile && opts.snapshotEveryMs ? setInterval(snap, opts.snapshotEveryMs) : undefined;
  snapTimer?.unref();

  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    port,
    store,
    faults: () => faults,
    setFaults(patch) {
      faults = mergeFaults(faults, patch);
      return faults;
    },
    live: (t) => store.live(t),
    snapshot: () => void snap(),
    reset() {
      store.records.clear();
      store.batches.clear();
      store.itemsChanged();
    },
    async stop() {
      clearInterval(snapTimer);
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      snap();
    },
  };
}
