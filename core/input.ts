/**
 * The request-validation layer every /api route goes through (issue #16): bad input is a 4xx with the field and the
 * reason (Chinese first, a stable English code), never a 500.
 *
 * - `inputGuard` (middleware on /api/*): a body-size limit per route (Hono's bodyLimit, streamed: an oversized body
 *   is cut off, never read in full); strings in the path, the query and a JSON body without NUL (U+0000) and with
 *   valid UTF-16 (no lone surrogate) and UTF-8; JSON nesting and array lengths bounded; and the query parameters
 *   every area shares by name (limit, offset, from, to, bucket, step) checked against the shared schemas below.
 * - The shared zod schemas (`idParam`, `pageQuery`, `instant`, `calendarDay`, `bucketSeconds`, …) that routes use
 *   for their own parameters, and `parseInput` that turns a zod failure into the same error answer.
 *
 * Database errors are turned into answers in `errorHandler` (core/http.ts).
 */
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { httpError, type AppEnv } from './http';
import { parseDuration } from './time';

export const INPUT_LIMITS = {
  /** Deepest JSON nesting a body may have (objects and arrays). */
  maxDepth: 32,
  /** Longest array anywhere in a JSON body (a route may allow more, e.g. record batches). */
  maxArray: 10_000,
  /** Longest single query parameter value. */
  maxQueryValue: 4096,
  /** Default body size for routes without their own. */
  defaultBodyBytes: 1024 * 1024,
} as const;

/** The earliest and latest instant any query accepts: 1970-01-01 … 2199-12-31 (UTC). */
export const MIN_INSTANT_MS = 0;
export const MAX_INSTANT_MS = Date.UTC(2200, 0, 1) - 1;
/** The largest offset a list accepts (a bigger one only scans rows to return nothing). */
export const MAX_OFFSET = 1_000_000_000;
/** A bucket or step of at most 366 days. */
export const MAX_BUCKET_SECONDS = 366 * 86_400;

export interface InputProblem {
  code: string;
  message: string;
  field: string;
}

// A lone surrogate: a high one not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What is wrong with one string (NUL, a lone surrogate), or null. */
export function stringProblem(s: string, field: string): InputProblem | null {
  if (s.includes('\u0000')) return { code: 'nul_character', field, message: `${field} 含有 NUL 字符（\\u0000），请删除后重试 (strings must not contain U+0000)` };
  if (LONE_SURROGATE.test(s)) return { code: 'bad_unicode', field, message: `${field} 含有不成对的 UTF-16 代理字符，不是合法的 Unicode 文本 (lone surrogate)` };
  return null;
}

const fieldOf = (parent: string, key: string | number) =>
  typeof key === 'number' ? `${parent}[${key}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key.slice(0, 40))}]`;

/**
 * Walks a parsed JSON value (iteratively: a deep document cannot overflow the stack) and returns the first problem:
 * nesting deeper than `maxDepth`, an array longer than `maxArray`, a string or key with NUL or a lone surrogate.
 */
export function jsonProblem(value: unknown, opts: { maxDepth?: number; maxArray?: number; root?: string } = {}): InputProblem | null {
  const maxDepth = opts.maxDepth ?? INPUT_LIMITS.maxDepth;
  const maxArray = opts.maxArray ?? INPUT_LIMITS.maxArray;
  const stack: { v: unknown; field: string; depth: number }[] = [{ v: value, field: opts.root ?? 'body', depth: 0 }];
  while (stack.length) {
    const { v, field, depth } = stack.pop()!;
    if (typeof v === 'string') {
      const p = stringProblem(v, field);
      if (p) return p;
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > maxDepth) return { code: 'too_deep', field, message: `${field} 嵌套超过 ${maxDepth} 层 (JSON nested deeper than ${maxDepth} levels)` };
    if (Array.isArray(v)) {
      if (v.length > maxArray) return { code: 'array_too_long', field, message: `${field} 含 ${v.length} 项，超过上限 ${maxArray} 项；请分批提交 (array longer than ${maxArray})` };
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], field: fieldOf(field, i), depth: depth + 1 });
      continue;
    }
    const keys = Object.keys(v);
    if (keys.length > maxArray) return { code: 'too_many_keys', field, message: `${field} 含 ${keys.length} 个键，超过上限 ${maxArray} (object with too many keys)` };
    for (const k of keys) {
      const kp = stringProblem(k, `${field} 的键名`);
      if (kp) return { ...kp, field };
      stack.push({ v: (v as Record<string, unknown>)[k], field: fieldOf(field, k), depth: depth + 1 });
    }
  }
  return null;
}

export const problemResponse = (c: Context, p: InputProblem, status: 400 | 413 = 400) => httpError(c, status, p.code, p.message, { field: p.field });

// ---- shared schemas for the parameters every area uses ----------------------------------------------------------

const msg = (field: string, what: string) => `${field} 应为${what}`;

/** A database row id in a path or query: a positive integer, at most 2^53 − 1 (a bigint column the client can hold). */
export const idParam = z
  .string()
  .regex(/^\d{1,16}$/, { message: '应为正整数 id (a positive integer)' })
  .transform(Number)
  .refine((n) => n >= 1 && Number.isSafeInteger(n), { message: '应为 1 … 9007199254740991 之间的整数 id (id out of range)' });

/** An id of an int4 column: 1 … 2147483647. */
export const intIdParam = z
  .string()
  .regex(/^\d{1,10}$/, { message: '应为正整数 id (a positive integer)' })
  .transform(Number)
  .refine((n) => n >= 1 && n <= 2_147_483_647, { message: '应为 1 … 2147483647 之间的整数 id (id out of range)' });

/** A uuid in a path (silences): 8-4-4-4-12 hex digits. */
export const uuidParam = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, { message: '应为 UUID，如 3f1c…-…（8-4-4-4-12 位十六进制）' });

const nonNegInt = (max: number) =>
  z
    .string()
    .regex(/^\d{1,12}$/, { message: '应为非负整数 (a non-negative integer, digits only)' })
    .transform(Number)
    .refine((n) => n <= max, { message: `应不大于 ${max} (at most ${max})` });

/** ?limit=&offset=: integers; a limit above `max` is cut down to it, an offset is at most MAX_OFFSET. */
export function pageQuery(def = 100, max = 1000) {
  return z.object({
    limit: nonNegInt(1_000_000_000).refine((n) => n >= 1, { message: '应至少为 1 (at least 1)' }).transform((n) => Math.min(n, max)).optional().default(def),
    offset: nonNegInt(MAX_OFFSET).optional().default(0),
  });
}

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/** A real calendar day "yyyy-MM-dd" (2026-13-45 and 2026-02-30 are refused), year 1970 … 2199. */
export function isRealDay(y: number, m: number, d: number): boolean {
  if (y < 1970 || y > 2199 || m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** Parses an instant: epoch milliseconds (digits) or ISO 8601 (a day, or a time with or without an offset); NaN when not one. */
export function parseInstant(v: string): number {
  if (/^\d{1,15}$/.test(v)) {
    const n = Number(v);
    return n >= MIN_INSTANT_MS && n <= MAX_INSTANT_MS ? n : NaN;
  }
  const m = ISO_RE.exec(v);
  if (!m) return NaN;
  if (!isRealDay(Number(m[1]), Number(m[2]), Number(m[3]))) return NaN;
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59)) return NaN;
  const t = Date.parse(v.replace(' ', 'T'));
  return Number.isFinite(t) && t >= MIN_INSTANT_MS && t <= MAX_INSTANT_MS ? t : NaN;
}

/** ?from= / ?to= and other instants: ISO 8601 or epoch ms, a real date between 1970 and 2199. Output: epoch ms. */
export const instant = z.string().transform((v, ctx) => {
  const t = parseInstant(v);
  if (Number.isNaN(t)) {
    ctx.addIssue({ code: 'custom', message: '应为 1970 至 2199 年间的 ISO 8601 时间（如 2026-11-24T08:00:00Z）或毫秒时间戳 (a real instant)' });
    return z.NEVER;
  }
  return t;
});

/** A calendar day "yyyy-MM-dd" that exists. */
export const calendarDay = z.string().refine(
  (v) => {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
    return !!m && isRealDay(Number(m[1]), Number(m[2]), Number(m[3]));
  },
  { message: '应为真实存在的日期 yyyy-MM-dd（如 2026-12-02；2026-13-45 不是日期）' },
);

/** A bucket width in seconds (digits, may have a fraction): 1 s … 366 days. */
export const bucketSeconds = z
  .string()
  .regex(/^\d{1,9}(\.\d{1,6})?$/, { message: '应为秒数 (seconds, e.g. 300)' })
  .transform(Number)
  .refine((n) => n >= 1 && n <= MAX_BUCKET_SECONDS, { message: `应在 1 … ${MAX_BUCKET_SECONDS} 秒之间 (1 s … 366 d)` });

/** A step: seconds as digits, or a duration such as 5m / 1h; 1 s … 366 days. */
export const stepParam = z.string().transform((v, ctx) => {
  let msValue: number;
  try {
    msValue = /^\d{1,12}$/.test(v) ? Number(v) * 1000 : parseDuration(v);
  } catch {
    msValue = NaN;
  }
  if (!(msValue >= 1000 && msValue <= MAX_BUCKET_SECONDS * 1000)) {
    ctx.addIssue({ code: 'custom', message: '应为 1 秒至 366 天之间的时长，如 60、60s、5m、1h (a step between 1 s and 366 d)' });
    return z.NEVER;
  }
  return msValue;
});

/**
 * The query parameters every area means the same thing by, checked on every /api request before the route runs.
 * (`page` is not among them: the Faro read side uses it for a page URL.)
 */
export const SHARED_QUERY: Record<string, z.ZodType> = {
  limit: nonNegInt(1_000_000_000),
  offset: nonNegInt(MAX_OFFSET),
  from: instant,
  to: instant,
  bucket: bucketSeconds,
  step: stepParam,
};

/** The first zod issue as an input problem on `field` (or the issue's own path under it). */
export function zodProblem(err: z.ZodError, field: string): InputProblem {
  const issue = err.issues[0];
  const f = [field, ...issue.path.map(String)].filter(Boolean).join('.');
  return { code: 'bad_parameter', field: f, message: `参数 ${f} 不合法：${issue.message}` };
}

/** Parses a value with a schema; on failure answers 400 {error: {code, message, field}}. */
export function parseInput<T extends z.ZodType>(c: Context, schema: T, value: unknown, field: string): { ok: true; value: z.output<T> } | { ok: false; response: Response } {
  const r = schema.safeParse(value);
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, response: problemResponse(c, zodProblem(r.error, field)) };
}

/** A path parameter through a schema (e.g. `idParam`). */
export function paramInput<T extends z.ZodType>(c: Context, name: string, schema: T) {
  return parseInput(c, schema, c.req.param(name), name);
}

/** Query parameters through an object schema. */
export function queryInput<T extends z.ZodType>(c: Context, schema: T) {
  const q = c.req.query();
  return parseInput(c, schema, Object.fromEntries(Object.entries(q).filter(([, v]) => v !== '')), '');
}

// ---- the middleware --------------------------------------------------------------------------------------------

export interface InputGuardOptions {
  /** Largest body in bytes for this request (path and method known); default INPUT_LIMITS.defaultBodyBytes. */
  bodyBytes?(c: Context): number;
  /** Longest JSON array for this request; default INPUT_LIMITS.maxArray. */
  maxArray?(c: Context): number;
}

const JSON_TYPE = /^application\/([\w.+-]*\+)?json\b/i;
const TEXT_TYPE = /^text\/plain\b/i;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function segmentsOf(url: string): string[] | null {
  const path = url.replace(/^[a-z]+:\/\/[^/]*/i, '').split(/[?#]/)[0];
  const out: string[] = [];
  for (const seg of path.split('/')) {
    try {
      out.push(decodeURIComponent(seg));
    } catch {
      return null;
    }
  }
  return out;
}

/** The request-validation middleware for /api/*: see the top of this file. */
export function inputGuard(opts: InputGuardOptions = {}): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    // The path: every segment decodes (percent-encoding, UTF-8) and has no NUL.
    const segs = segmentsOf(c.req.url);
    if (!segs) return problemResponse(c, { code: 'bad_encoding', field: 'path', message: '请求路径的百分号编码不合法 (malformed percent-encoding in the path)' });
    for (const s of segs) {
      const p = stringProblem(s, 'path');
      if (p) return problemResponse(c, p);
    }
    // The query: each value bounded, clean, and the shared parameters valid.
    let params: URLSearchParams;
    try {
      params = new URL(c.req.url).searchParams;
    } catch {
      return problemResponse(c, { code: 'bad_encoding', field: 'query', message: '查询字符串不合法 (malformed query string)' });
    }
    for (const [k, v] of params) {
      const p = stringProblem(k, 'query') ?? stringProblem(v, k);
      if (p) return problemResponse(c, p);
      if (v.length > INPUT_LIMITS.maxQueryValue) return problemResponse(c, { code: 'too_long', field: k, message: `参数 ${k} 长度超过 ${INPUT_LIMITS.maxQueryValue} 个字符 (query value too long)` });
      const schema = SHARED_QUERY[k];
      if (schema && v !== '') {
        const r = schema.safeParse(v);
        if (!r.success) return problemResponse(c, zodProblem(r.error, k));
      }
    }
    if (!c.req.raw.body || c.req.method === 'GET' || c.req.method === 'HEAD') return next();

    // The body: cut off at the route's size, then (JSON or plain text, not compressed) decoded and checked.
    const max = opts.bodyBytes?.(c) ?? INPUT_LIMITS.defaultBodyBytes;
    const tooLarge = (cc: Context) =>
      httpError(cc, 413, 'body_too_large', `请求体超过此接口的上限 ${max >= 1048576 ? `${(max / 1048576).toFixed(1)} MiB` : `${Math.ceil(max / 1024)} KiB`}；请分批提交 (body larger than ${max} bytes)`, { field: 'body', limit: max });
    let tooBig: Response | undefined;
    await bodyLimit({ maxSize: max, onError: (cc) => (tooBig = tooLarge(cc)) })(c, async () => undefined);
    if (tooBig) return tooBig;

    const type = c.req.header('content-type') ?? '';
    const encoding = (c.req.header('content-encoding') ?? 'identity').trim().toLowerCase();
    if (encoding !== 'identity' || !(JSON_TYPE.test(type) || TEXT_TYPE.test(type))) return next();
    const buf = await c.req.raw.arrayBuffer();
    // Later readers (the route's c.req.json(), or a reader of the raw stream) get the same bytes again.
    c.req.raw = new Request(c.req.raw, { body: buf });
    if (buf.byteLength === 0) return next();
    let text: string;
    try {
      text = utf8.decode(buf);
    } catch {
      return problemResponse(c, { code: 'bad_encoding', field: 'body', message: '请求体不是合法的 UTF-8 文本 (body is not valid UTF-8)' });
    }
    (c.req.bodyCache as Record<string, unknown>).text = Promise.resolve(text);
    let value: unknown;
    try {
      value = text.trim() ? JSON.parse(text) : undefined;
    } catch (err) {
      if (JSON_TYPE.test(type)) return problemResponse(c, { code: 'bad_json', field: 'body', message: `请求体不是合法的 JSON：${(err as Error).message.slice(0, 200)} (body is not valid JSON)` });
      const p = stringProblem(text, 'body');
      return p ? problemResponse(c, p) : next();
    }
    const p = jsonProblem(value, { maxArray: opts.maxArray?.(c) ?? INPUT_LIMITS.maxArray });
    if (p) return problemResponse(c, p);
    return next();
  };
}

// ---- list queries (issue #13): one contract for every list's search, filters and sort -----------------------------

/** ?q=: free-text search, trimmed, at most 200 characters; an empty one is no search. */
export const searchText = z
  .string()
  .max(200, { message: '搜索词最长 200 个字符 (search text too long)' })
  .transform((s) => s.trim());

/** A LIKE pattern that matches `s` literally anywhere (%, _ and \ escaped); use with ILIKE … ESCAPE '\'. */
export const likeAnywhere = (s: string) => `%${s.replace(/[\\%_]/g, (ch) => '\\' + ch)}%`;

/** ?x=a,b: a comma-separated list of allowed values (each one checked). */
export function csvEnum<T extends string>(values: readonly T[]) {
  return z.string().transform((v, ctx) => {
    const parts = v.split(',').map((s) => s.trim()).filter(Boolean);
    const bad = parts.find((p) => !values.includes(p as T));
    if (bad !== undefined) {
      ctx.addIssue({ code: 'custom', message: `“${bad.slice(0, 40)}” 不是可选值；应为 ${values.join(' | ')}（可逗号分隔多个）` });
      return z.NEVER;
    }
    return parts as T[];
  });
}

/** ?flag=true|false (also 1/0, yes/no). */
export const boolParam = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: '应为 true 或 false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/**
 * ?sort=key or ?sort=-key (descending): one of the list's sort keys. Output: { key, desc }.
 */
export function sortParam<K extends string>(keys: readonly K[]) {
  return z.string().transform((v, ctx) => {
    const desc = v.startsWith('-');
    const key = (desc ? v.slice(1) : v) as K;
    if (!keys.includes(key)) {
      ctx.addIssue({ code: 'custom', message: `不能按“${v.slice(0, 40)}”排序；可选 ${keys.join(' | ')}，前加 - 为倒序（如 -${keys[0]}）` });
      return z.NEVER;
    }
    return { key, desc };
  });
}

/**
 * The query of a list: limit/offset (pageQuery), q (searchText), sort (sortParam over `sorts`, default `defaultSort`)
 * and the list's own filters. Unknown parameters are ignored (the dashboard's own route params may ride along).
 */
export function listQuery<S extends z.ZodRawShape, K extends string>(filters: S, o: { sorts: readonly K[]; defaultSort: `${'' | '-'}${K}`; limit?: number; max?: number }) {
  return pageQuery(o.limit ?? 50, o.max ?? 500)
    .extend({ q: searchText.optional().default(''), sort: sortParam(o.sorts).prefault(o.defaultSort) })
    .extend(filters);
}
