import { Hono } from 'hono';
import { httpError, requirePermission, type AppEnv } from '../../core/http';
import type { Db } from '../../core/db';
import type { Logger } from '../../core/log';
import type { Clock } from '../../core/time';
import { readBody } from '../faro/limits';
import type { CallsConfig } from './config';
import { CallIntake, linesOf } from './pipeline';
import { parseJsonLine } from './record';

export interface IngestDeps {
  db: Db;
  log: Logger;
  clock: Clock;
  config(): CallsConfig;
}

/**
 * POST /ingest: newline-delimited JSON call records (gzip allowed), `Authorization: Bearer <token>` with the
 * permission calls:ingest. Every line is checked on its own: bad ones come back as per-line errors, the rest are
 * stored. The answer (200) is sent only after the rows are committed, so what was acknowledged survives a crash; a
 * resend of the same lines is recognised by their dedupe key and not counted twice.
 */
export function ingestRoutes(d: IngestDeps) {
  const r = new Hono<AppEnv>();
  r.post('/ingest', requirePermission('calls:ingest'), async (c) => {
    const cfg = d.config();
    if (!cfg.enabled) return httpError(c, 503, 'disabled', '接口调用监测已关闭 (collector.calls.enabled: false)');
    const body = await readBody(c.req.raw, cfg.maxBodyBytes);
    if (!body.ok) {
      const msg = body.status === 413 ? `请求体超过 ${cfg.maxBodyBytes} 字节（collector.calls.maxBodyBytes）；请分批发送 (body too large)` : body.message;
      return httpError(c, body.status, body.code, msg);
    }
    const intake = new CallIntake(d.db, d.config, 'http', { batchRows: 50_000, clock: d.clock });
    for (const [n, line] of linesOf(body.text)) {
      const full = intake.add(n, parseJsonLine(line));
      if (full) await full;
    }
    try {
      const s = await intake.finish();
      return c.json(s, s.accepted === 0 && s.rejected > 0 ? 422 : 200);
    } catch (err) {
      d.log.warn({ err }, 'call records not stored');
      c.header('Retry-After', '5');
      return httpError(c, 503, 'storage_unavailable', '数据库暂时无法写入，本批未保存；请稍后重发（重发不会重复计数） (not stored; retry)');
    }
  });
  return r;
}
