/**
 * Polls `fn` every `everyMs` (default 200 ms) until it returns something truthy, and returns that; throws after `ms`
 * (default 15 s). `fn` may be synchronous. No playwright here: the API tests import it without the browser helper.
 */
export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined | false | null> | T | undefined | false | null,
  ms = 15_000,
  everyMs = 200,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
