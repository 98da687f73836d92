import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { clientIp, httpError, type AppEnv } from '../../core/http';
import { maskIdNumbers } from '../../core/mask';
import type { HeartbeatAccepted } from '../../contract/collector';
import { recordHeartbeat } from '../store/heartbeats';
import type { RouteDeps } from './deps';

const digest = (s: string) => createHash('sha256').update(s).digest();

// Token digests per configuration object: computed once per (re)load, not per request.
const digests = new WeakMap<object, { id: string; digest: Buffer }[]>();
function tokenDigests(config: RouteDeps extends { config(): infer C } ? C : never) {
  let list = digests.get(config);
  if (!list) {
    list = config.targets.filter((t) => t.token).map((t) => ({ id: t.id, digest: digest(t.token!) }));
    digests.set(config, list);
  }
  return list;
}

/**
 * POST /heartbeat/:token — a batch job says it ran. The token in the path is the credential (one per heartbeat
 * target in the configuration), so no login is needed. Body optional: {"status": "ok"|"fail", "message": "..."}.
 */
export function heartbeatRoutes(d: RouteDeps) {
  const r = new Hono<AppEnv>();
  r.post('/heartbeat/:token', async (c) => {
    const given = digest(c.req.param('token'));
    // Compare digests in constant time, and every one of them, so timing tells nothing about which tokens exist.
    let target: { id: string } | undefined;
    for (const t of tokenDigests(d.config())) {
      if (timingSafeEqual(t.digest, given) && !target) target = t;
    }
    if (!target) return httpError(c, 404, 'unknown_heartbeat', '未知的心跳令牌 (no heartbeat target has this token; check the URL in the job)');
    let body: { status?: unknown; message?: unknown } = {};
    const text = await c.req.text();
    if (text.trim()) {
      try {
        body = JSON.parse(text);
      } catch (err) {
        return httpError(c, 400, 'bad_json', `请求体不是合法 JSON (${(err as Error).message}); send {"status":"ok"} or an empty body`);
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return httpError(c, 400, 'bad_body', '请求体应为 JSON 对象, e.g. {"status":"ok","message":"..."}');
    }
    const status = body.status ?? 'ok';
    if (status !== 'ok' && status !== 'fail') return httpError(c, 422, 'bad_status', `status 只能是 "ok" 或 "fail"，收到 ${JSON.stringify(status)}`);
    if (body.message !== undefined && typeof body.message !== 'string') return httpError(c, 422, 'bad_message', 'message 应为字符串');
    const message = body.message ? maskIdNumbers(body.message).slice(0, 2000) : null;
    const ts = d.clock();
    await recordHeartbeat(d.db, { ts, targetId: target.id, status, message, sourceIp: clientIp(c) ?? null });
    const answer: HeartbeatAccepted = { ok: true, target: target.id, status, ts: new Date(ts).toISOString() };
    return c.json(answer, 202);
  });
  return r;
}
