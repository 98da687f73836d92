import { ChannelError } from './types';

/** POSTs (or GETs) and answers the status and body; a network error or timeout is a ChannelError that names no secret. */
export async function exchange(
  url: string,
  init: { method?: string; body?: string; headers?: Record<string, string>; signal: AbortSignal },
  what: string,
): Promise<{ status: number; ok: boolean; text: string }> {
  let res: Response;
  try {
    res = await fetch(url, { method: init.method ?? 'POST', body: init.body, headers: init.headers, signal: init.signal });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'AbortError' || e.name === 'TimeoutError') throw new ChannelError(`${what}: 超时 timeout`);
    throw new ChannelError(`${what}: 网络错误 ${e.cause?.code ?? e.cause?.message ?? e.message}`);
  }
  return { status: res.status, ok: res.ok, text: await res.text().catch(() => '') };
}

/** Whether an HTTP error status may pass on a later try (5xx, 408, 429). */
export const retryableStatus = (status: number) => status >= 500 || status === 408 || status === 429;

/** `exchange`, with any non-2xx answer a ChannelError. */
export async function request(
  url: string,
  init: { method?: string; body?: string; headers?: Record<string, string>; signal: AbortSignal },
  what: string,
): Promise<string> {
  const res = await exchange(url, init, what);
  if (!res.ok) throw new ChannelError(`${what}: HTTP ${res.status} ${res.text.slice(0, 200)}`, retryableStatus(res.status));
  return res.text;
}

/** DingTalk and WeCom answer 200 with {errcode, errmsg}; errcode 0 is success. */
export function checkErrcode(text: string, what: string) {
  let body: { errcode?: number; errmsg?: string };
  try {
    body = JSON.parse(text);
  } catch {
    throw new ChannelError(`${what}: 应答不是 JSON: ${text.slice(0, 200)}`);
  }
  if (body.errcode !== 0 && body.errcode !== undefined) {
    // 130101 / 45009 are rate limits (retry later); other codes are configuration errors.
    const retryable = body.errcode === 130101 || body.errcode === 45009 || body.errcode === -1;
    throw new ChannelError(`${what}: errcode ${body.errcode} ${body.errmsg ?? ''}`, retryable);
  }
}
