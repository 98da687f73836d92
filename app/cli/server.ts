/**
 * The running server a command talks to (README: 数据直报 导入, 接口目录导入): a command sends its work to the server
 * when one runs (the embedded database folder is the server's while it runs), and opens the database itself only
 * when none does.
 */

/** An address to reach a server that listens on `h` (any-address means this host). */
export const hostOf = (h: string) => (h === '0.0.0.0' || h === '::' || h === '' ? '127.0.0.1' : h.includes(':') ? `[${h}]` : h);

/** Does a city-ops server answer at `base` (GET /healthz within 1.5 s, a JSON answer with a status)? */
export async function answers(base: string): Promise<boolean> {
  try {
    const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(1500) });
    const body = (await res.json().catch(() => null)) as { status?: string } | null;
    return typeof body?.status === 'string';
  } catch {
    return false;
  }
}

export async function runningServer(base: string): Promise<string | null> {
  return (await answers(base)) ? base : null;
}
