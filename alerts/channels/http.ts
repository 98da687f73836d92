import { ChannelError } from './types';

/** POSTs (or GETs) and turns any non-2xx answer or network error into a ChannelError that names no secret. */
export async function request(
  url: string,
  init: { method?: string; body?: string; headers?: Record<string, string>; signal: AbortSignal },
  what: string,
): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, { method: init.method ?? 'POST', body: init.body, headers: init.headers, signal: init.signal });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'AbortError' || e.name === 'TimeoutError') throw new ChannelError(`${what}: 超时 timeout`);
    throw new ChannelError(`${what}: 网络错误 ${e.cause?.code ?? e.cause?.message ?? e.message}`);
  }
  const text = await res.text().catch(() => '');
  if (!res.ok) {
    const retryable = res.status >= 500 || res.status === 408 || res.status === 429;
    throw new ChannelError(`${what}: HTTP ${res.status} ${text.slice(0, 200)}`, retryable);
  }
  return text;
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
