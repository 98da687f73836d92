import { Hono } from 'hono';
import { Registry } from 'prom-client';
import { parseConfig } from '../../app/config';
import type { Db } from '../../core/db';
import type { AppEnv } from '../../core/http';
import { silentLogger } from '../../core/log';
import type { Clock } from '../../core/time';
import { createFaroReceiver } from './index';

export const KEY = 'test-key-0123456789';

/** The receiver mounted in-process as /faro, with a fixed principal (role ops) for the read routes. */
export function receiverApp(db: Db, clock: Clock, extraYaml = '', rate = { perSecond: 5, burst: 10 }) {
  const config = parseConfig(`faro:
  apps:
    - { name: portal, key: ${KEY}, allowedOrigins: ["https://www.example.gov.cn"] }
  allowedOrigins: ["http://127.0.0.1:9999"]
  maxBodyBytes: 65536
  rateLimit: { perSecond: ${rate.perSecond}, burst: ${rate.burst} }
  batch: { maxRows: 1000, maxDelayMs: 5 }
${extraYaml}`);
  const r = createFaroReceiver({ config, db, log: silentLogger(), clock, metrics: new Registry() });
  const app = new Hono<AppEnv>();
  app.use('*', async (c, next) => {
    c.set('principal', c.req.header('x-test-anon') ? null : { kind: 'token', name: 'tester', role: 'ops' });
    await next();
  });
  app.route('/faro', r.routes);
  return { app, receiver: r };
}

/** A body shaped exactly like the one @grafana/faro-web-sdk 2.x posts. */
export function sampleBody(now: number, opts: { session?: string; message?: string; page?: string } = {}) {
  const ts = new Date(now - 1000).toISOString();
  return {
    meta: {
      sdk: { name: '@grafana/faro-web-sdk', version: '2.12.1', integrations: [] },
      app: { name: 'portal', version: '1.0.0', environment: 'production' },
      session: { id: opts.session ?? 'sess-1', attributes: { isSampled: 'true' } },
      page: { id: 'p1', url: opts.page ?? 'https://www.example.gov.cn/service/list?token=secret' },
      browser: { name: 'Chrome', version: '126.0', os: 'Linux', mobile: false, userAgent: 'Mozilla/5.0', language: 'zh-CN' },
      user: { id: 'u-1' },
      view: { name: 'default' },
    },
    exceptions: [
      {
        type: 'TypeError',
        value: opts.message ?? "Cannot read properties of undefined (reading 'id') for record 4711",
        timestamp: ts,
        stacktrace: { frames: [
          { filename: 'https://www.example.gov.cn/assets/app.3f2a1bc9.js', function: 'renderList', lineno: 10, colno: 5 },
          { filename: 'https://www.example.gov.cn/assets/app.3f2a1bc9.js', function: 'onLoad', lineno: 99, colno: 1 },
        ] },
        context: { component: 'list' },
      },
    ],
    measurements: [
      { type: 'web-vitals', values: { lcp: 2400, delta: 2400 }, timestamp: ts, context: { id: 'v1', rating: 'good', navigation_type: 'navigate' } },
      { type: 'web-vitals', values: { cls: 0.05, delta: 0.05 }, timestamp: ts, context: { rating: 'good' } },
      { type: 'custom', values: { list_render_ms: 120 }, timestamp: ts },
    ],
    logs: [{ level: 'info', message: 'list loaded', timestamp: ts, context: { n: '20' } }],
    events: [{ name: 'session_start', domain: 'browser', timestamp: ts, attributes: { a: 'b' } }],
    traces: { resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 'fetch' }, spans: [
      { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), name: 'HTTP GET', kind: 3, startTimeUnixNano: String(BigInt(now - 2000) * 1_000_000n), endTimeUnixNano: String(BigInt(now - 1800) * 1_000_000n), attributes: [] },
    ] }] }] },
  };
}
