import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { Clock } from '../../core/time';

const gunzipAsync = promisify(gunzip);

/** A token bucket per key: `perSecond` sustained, `burst` at once. Pure apart from the clock passed in. */
export class RateLimiter {
  private buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    private clock: Clock,
    private perSecond: number,
    private burst: number,
  ) {}

  /** 0 when allowed; otherwise the seconds to wait (for Retry-After). */
  take(key: string): number {
    const now = this.clock();
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.perSecond));
  }
}

export type BodyResult = { ok: true; text: string } | { ok: false; status: 400 | 413 | 415; code: string; message: string };

/**
 * Reads at most `max` bytes of the request body (a larger one is cut off at once, not buffered whole), then
 * gunzips it if Content-Encoding says so, again bounded by `max`.
 */
export async function readBody(req: Request, max: number): Promise<BodyResult> {
  const declared = Number(req.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > max) return tooLarge(max);
  const encoding = (req.headers.get('content-encoding') ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip') {
    return { ok: false, status: 415, code: 'unsupported_encoding', message: `不支持的 Content-Encoding ${encoding.slice(0, 40)}，请用 gzip 或不压缩 (send gzip or no encoding)` };
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (req.body) {
    const reader = req.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > max) {
        await reader.cancel().catch(() => undefined);
        return tooLarge(max);
      }
      chunks.push(value);
    }
  }
  let buf = Buffer.concat(chunks);
  if (encoding === 'gzip') {
    try {
      buf = await gunzipAsync(buf, { maxOutputLength: max });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) return tooLarge(max, 'after gunzip ');
      return { ok: false, status: 400, code: 'bad_gzip', message: `Content-Encoding 为 gzip，但请求体无法解压 (the body does not gunzip: ${(err as Error).message.slice(0, 100)})` };
    }
  }
  return { ok: true, text: buf.toString('utf8') };
}

function tooLarge(max: number, where = ''): BodyResult {
  return { ok: false, status: 413, code: 'too_large', message: `请求体${where ? '解压后' : ''}超过 faro.maxBodyBytes（${max} 字节），请分批发送 (body ${where}is larger than faro.maxBodyBytes; send smaller batches)` };
}

/**
 * Idempotency keys of recently stored requests. The Faro fetch transport sends one `Idempotency-Key` per request and
 * keeps it across its retries, so a retry of a request whose 202 got lost on the way back is answered 202 again
 * without storing the rows twice. Per process and bounded (oldest forgotten first).
 */
export class SeenKeys {
  private seen = new Map<string, number>();
  constructor(
    private clock: Clock,
    private ttlMs = 15 * 60_000,
    private max = 100_000,
  ) {}

  has(key: string): boolean {
    const at = this.seen.get(key);
    return at !== undefined && this.clock() - at < this.ttlMs;
  }

  add(key: string) {
    this.seen.delete(key);
    this.seen.set(key, this.clock());
    if (this.seen.size > this.max) this.seen.delete(this.seen.keys().next().value!);
  }
}
