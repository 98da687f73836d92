import { Hono, type Context } from 'hono';
import { timingSafeEqual } from 'node:crypto';
import type { FaroConfig } from './config';
import type { AppEnv } from '../../core/http';
import type { Logger } from '../../core/log';
import type { Clock } from '../../core/time';
import { readBody, RateLimiter, SeenKeys } from './limits';
import { describeIssues, faroBody } from './schema';
import { rowCount, toRows, type FaroTable } from './rows';
import { UnstorableError, WriterBusyError, type FaroWriter } from './writer';
import type { FaroMetrics } from './metrics';

const ALLOWED_HEADERS = 'content-type, content-encoding, x-api-key, x-faro-session-id, idempotency-key';

export interface ReceiverDeps {
  getConfig(): FaroConfig;
  writer: FaroWriter;
  log: Logger;
  clock: Clock;
  metrics: FaroMetrics;
}

type App = FaroConfig['apps'][number];

function findApp(apps: App[], key: string | undefined): App | undefined {
  if (!key) return undefined;
  const k = Buffer.from(key);
  return apps.find((a) => {
    const b = Buffer.from(a.key);
    return b.length === k.length && timingSafeEqual(b, k);
  });
}

function originAllowed(cfg: FaroConfig, origin: string, app?: App, host?: string): boolean {
  // The dashboard reports to its own server: a same-origin request is not a cross-origin one.
  if (host && /^https?:\/\//.test(origin) && origin.replace(/^https?:\/\//, '') === host) return true;
  if (cfg.allowedOrigins.includes('*') || cfg.allowedOrigins.includes(origin)) return true;
  if (app) return app.allowedOrigins.includes(origin);
  return cfg.apps.some((a) => a.allowedOrigins.includes(origin));
}

/** POST / (key in x-api-key, as Grafana Alloy's faro.receiver) and POST /:key (key in the path), with CORS. */
export function createReceiverRoutes(d: ReceiverDeps) {
  const app = new Hono<AppEnv>();
  const limiter = () => {
    const cfg = d.getConfig();
    if (!cachedLimiter || cachedFor !== cfg.rateLimit) {
      cachedLimiter = new RateLimiter(d.clock, cfg.rateLimit.perSecond, cfg.rateLimit.burst);
      cachedFor = cfg.rateLimit;
    }
    return cachedLimiter;
  };
  let cachedLimiter: RateLimiter | undefined;
  const seen = new SeenKeys(d.clock);
  let cachedFor: unknown;

  const reject = (c: Context, status: 400 | 401 | 403 | 413 | 415 | 429 | 503, code: string, message: string, headers: Record<string, string> = {}) => {
    d.metrics.rejected.inc({ reason: code });
    for (const [k, v] of Object.entries(headers)) c.header(k, v);
    return c.json({ error: { code, message } }, status);
  };

  const preflight = (c: Context) => {
    const origin = c.req.header('origin');
    const cfg = d.getConfig();
    if (!origin || !originAllowed(cfg, origin, findApp(cfg.apps, c.req.param('key')), c.req.header('host'))) {
      return c.json({ error: { code: 'origin_not_allowed', message: `origin ${origin ?? '(none)'} is not in faro.allowedOrigins` } }, 403);
    }
    c.header('Access-Control-Allow-Origin', origin);
    c.header('Access-Control-Allow-Methods', 'POST, OPTIONS');
    c.header('Access-Control-Allow-Headers', ALLOWED_HEADERS);
    c.header('Access-Control-Max-Age', '600');
    c.header('Vary', 'Origin');
    return c.body(null, 204);
  };

  const collect = async (c: Context) => {
    const cfg = d.getConfig();
    const origin = c.req.header('origin');
    const key = c.req.param('key') ?? c.req.header('x-api-key');
    const target = findApp(cfg.apps, key);
    if (origin && originAllowed(cfg, origin, target, c.req.header('host'))) {
      c.header('Access-Control-Allow-Origin', origin);
      // Without this a cross-origin SDK cannot read Retry-After on 429/503 and retries blindly.
      c.header('Access-Control-Expose-Headers', 'Retry-After, X-Faro-Session-Status');
      c.header('Vary', 'Origin');
    }
    if (!cfg.enabled) return reject(c, 503, 'disabled', '前端监测接收端已关闭 (the Faro receiver is switched off: faro.enabled: false)');
    if (!target) return reject(c, 401, 'unknown_key', key ? '未知的应用密钥 (unknown app key; use a key from faro.apps)' : '缺少应用密钥 (missing app key: send the x-api-key header or POST to .../collect/<key>)');
    if (origin && !originAllowed(cfg, origin, target, c.req.header('host'))) return reject(c, 403, 'origin_not_allowed', `来源 ${origin.slice(0, 100)} 不允许为应用 ${target.name} 上报 (origin not allowed for this app)`);
    const wait = limiter().take(target.name);
    if (wait > 0) return reject(c, 429, 'rate_limited', `应用 ${target.name} 上报过于频繁，请 ${wait} 秒后重试 (more than ${cfg.rateLimit.perSecond} requests/s)`, { 'Retry-After': String(wait) });
    const ctype = (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
    if (ctype !== 'application/json' && ctype !== 'text/plain') {
      return reject(c, 415, 'unsupported_media_type', `不接受的 Content-Type ${ctype.slice(0, 60) || '(无)'}，请发送 application/json (send application/json)`);
    }
    const body = await readBody(c.req.raw, cfg.maxBodyBytes);
    if (!body.ok) return reject(c, body.status, body.code, body.message);
    let json: unknown;
    try {
      json = JSON.parse(body.text);
    } catch (err) {
      return reject(c, 400, 'bad_json', '请求体不是合法的 JSON (body is not valid JSON)');
    }
    const parsed = faroBody.safeParse(json);
    if (!parsed.success) return reject(c, 400, 'invalid_payload', `不是 Faro 上报格式：${describeIssues(parsed.error)} (not a Faro payload)`);
    const idem = c.req.header('idempotency-key');
    const idemKey = idem && idem.length <= 128 ? `${target.name}\u0001${idem}` : undefined;
    if (idemKey && seen.has(idemKey)) return c.json({ accepted: 0, duplicate: true }, 202);
    const rows = toRows(target.name, parsed.data, d.clock());
    try {
      await d.writer.write(rows);
      if (idemKey) seen.add(idemKey);
    } catch (err) {
      if (err instanceof UnstorableError) {
        // The database's own words stay in the log (quoted values cut out: they are the sender's data), never in the answer.
        d.log.warn({ app: target.name, reason: err.message.replace(/"[^"]*"/g, '"…"').replace(/'[^']*'/g, "'…'").slice(0, 300) }, 'faro batch refused by the database');
        return reject(c, 400, 'unstorable', '数据库不接受这批数据中的某些值（超出范围或格式不合法），请检查后重试 (the database refused some values of this batch)');
      }
      const busy = err instanceof WriterBusyError;
      return reject(c, 503, busy ? 'busy' : 'storage_unavailable', busy ? '接收端正在处理积压，请稍后重试 (the receiver is catching up; retry shortly)' : '数据库暂时无法写入，请稍后重试 (the database did not take the data; retry shortly)', { 'Retry-After': '5' });
    }
    for (const t in rows) if (rows[t as FaroTable].length) d.metrics.stored.inc({ app: target.name, table: t }, rows[t as FaroTable].length);
    return c.json({ accepted: rowCount(rows) }, 202);
  };

  app.options('/', preflight);
  app.options('/:key', preflight);
  app.post('/', collect);
  app.post('/:key', collect);
  return app;
}
