import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { randomUUID } from 'node:crypto';
import got from 'got';
import type { Db } from '../../core/db';
import type { Logger } from '../../core/log';
import type { Clock } from '../../core/time';
import type { HttpRequestSpec, ProvinceAdapter, Verdict } from '../adapters/types';
import { backoffDelay, parseRetryAfter } from '../../core/retry';
import { sleep } from '../../core/time';
import type { DeliveryMetrics } from './metrics';

/**
 * The one place that talks HTTP to the gateway: timeouts, retries with exponential backoff and jitter on timeouts,
 * 5xx and 429 (honouring Retry-After), none on other 4xx, a fresh signature (timestamp, nonce) on every attempt,
 * and one report_attempts row per attempt. The adapter only says what a request looks like and what an answer means.
 */
export interface SenderOptions {
  baseUrl: string;
  timeoutMs: number;
  retries: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

export interface SenderDeps {
  db: Db;
  adapter: ProvinceAdapter;
  clock: Clock;
  log: Logger;
  /** Injected so logic tests need not wait. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  metrics?: DeliveryMetrics;
}

export type AttemptKind = 'upload' | 'receipt' | 'count';

export interface SendResult {
  verdict: Verdict;
  attempts: number;
}

export class GatewaySender {
  private agent: { http: HttpAgent; https: HttpsAgent };
  private sleep: (ms: number) => Promise<void>;
  private backoff = () => ({ baseMs: this.opts.retryBaseMs, maxMs: this.opts.retryMaxMs, random: this.deps.random });

  constructor(
    private deps: SenderDeps,
    private opts: SenderOptions,
  ) {
    const u = new URL(opts.baseUrl);
    if (u.protocol === 'http:' && !['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) {
      throw new Error(`reporter.province.url ${opts.baseUrl}: plain HTTP is allowed only for loopback; use https://`);
    }
    this.agent = { http: new HttpAgent({ keepAlive: true, maxSockets: 4 }), https: new HttpsAgent({ keepAlive: true, maxSockets: 4 }) };
    this.sleep = deps.sleep ?? sleep;
  }

  close() {
    this.agent.http.destroy();
    this.agent.https.destroy();
  }

  /** One raw exchange; never throws (network errors come back as status 0). */
  async exchange(req: HttpRequestSpec): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string; error?: string; requestId: string; ms: number }> {
    const requestId = randomUUID();
    const t0 = performance.now();
    try {
      const res = await got(new URL(req.pathWithQuery, this.opts.baseUrl), {
        method: req.method,
        body: req.method === 'POST' ? req.body : undefined,
        headers: this.deps.adapter.headers(req, this.deps.clock(), requestId),
        timeout: { request: this.opts.timeoutMs },
        retry: { limit: 0 }, // retries are ours: each one is signed anew and logged
        throwHttpErrors: false,
        followRedirect: false,
        agent: this.agent,
        responseType: 'text',
      });
      return { status: res.statusCode, headers: res.headers, body: res.body, requestId, ms: performance.now() - t0 };
    } catch (err) {
      const e = err as { code?: string; name?: string; message: string };
      return { status: 0, headers: {}, body: '', error: `${e.code ?? e.name}: ${e.message}`, requestId, ms: performance.now() - t0 };
    }
  }

  /** Sends one batch request (upload or receipt poll) with retries; logs every attempt. */
  async send(kind: AttemptKind, batchId: string | null, req: HttpRequestSpec, firstAttemptNo = 1): Promise<SendResult> {
    const { adapter, clock } = this.deps;
    let verdict: Verdict = { kind: 'transient', reason: 'not attempted' };
    let attempt = 0;
    for (let i = 0; i <= this.opts.retries; i++) {
      attempt = firstAttemptNo + i;
      const x = await this.exchange(req);
      verdict = x.status === 0 ? { kind: 'transient', reason: x.error ?? 'no answer' } : adapter.interpretBatchAnswer(x.status, x.headers, x.body, clock());
      await this.logAttempt(kind, batchId, attempt, x, verdict);
      if (verdict.kind !== 'transient') break;
      if (i < this.opts.retries) {
        const wait = backoffDelay(i + 1, this.backoff(), verdict.retryAfterMs);
        this.deps.log.warn({ batchId, kind, attempt, reason: verdict.reason, retryInMs: wait }, 'gateway request failed; retrying');
        await this.sleep(wait);
      }
    }
    return { verdict, attempts: attempt - firstAttemptNo + 1 };
  }

  /**
   * A count query (reconciliation, and 完整率 for a period on demand); retried like the rest unless `retries` says
   * otherwise; throws when it cannot be answered.
   */
  async count(req: HttpRequestSpec, retries = this.opts.retries): Promise<number> {
    let last = '';
    for (let i = 0; i <= retries; i++) {
      const x = await this.exchange(req);
      try {
        const n = this.deps.adapter.parseCount(x.status, x.body);
        await this.logAttempt('count', null, i + 1, x, { kind: 'receipt', receipt: { batchId: '', status: 'ACCEPTED', duplicate: false, accepted: n, rejected: [] } }, false);
        return n;
      } catch (err) {
        last = x.error ?? (err as Error).message;
        await this.logAttempt('count', null, i + 1, x, { kind: 'transient', reason: last });
        const transient = x.status === 0 || x.status >= 500 || x.status === 429;
        if (!transient || i === retries) break;
        const ra = x.status === 429 ? parseRetryAfter(x.headers['retry-after'], this.deps.clock()) : undefined;
        await this.sleep(backoffDelay(i + 1, this.backoff(), ra));
      }
    }
    throw new Error(`province count query failed: ${last}`);
  }

  private async logAttempt(kind: AttemptKind, batchId: string | null, attempt: number, x: { status: number; requestId: string; ms: number; error?: string }, v: Verdict, keepReceipt = true) {
    const outcome = v.kind === 'receipt' ? (v.receipt.status === 'PROCESSING' ? 'processing' : 'receipt') : v.kind;
    const error = v.kind === 'receipt' ? null : v.reason.slice(0, 500);
    this.deps.metrics?.requests.inc({ kind, outcome });
    this.deps.metrics?.requestSeconds.observe({ kind }, x.ms / 1000);
    // The full per-record rejection list lives on the batch; the attempt keeps the receipt's summary.
    const receipt = v.kind === 'receipt' && keepReceipt
      ? { receiptId: v.receipt.receiptId, status: v.receipt.status, duplicate: v.receipt.duplicate, accepted: v.receipt.accepted, rejected: v.receipt.rejected.length }
      : null;
    // The batch's attempt count moves with the log in one transaction, so a crash between them loses neither.
    await this.deps.db.tx(async (q) => {
      await q.query(
        `INSERT INTO report_attempts (time, batch_id, kind, attempt, request_id, http_status, outcome, error, duration_ms, receipt) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb)`,
        [new Date(this.deps.clock()), batchId, kind, attempt, x.requestId, x.status || null, outcome, error, Math.round(x.ms), receipt ? JSON.stringify(receipt) : null],
      );
      if (kind === 'upload' && batchId) await q.query(`UPDATE report_batches SET attempts = GREATEST(attempts, $2), last_error = $3 WHERE batch_id = $1`, [batchId, attempt, error]);
    });
  }
}
