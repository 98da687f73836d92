import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ruleSchema, type RuleConfig } from '../config';
import type { TargetView } from '../sources';
import { RULE_TYPES } from '.';

const NOW = Date.UTC(2026, 10, 25, 6, 0, 0);
const env = { timezone: 'Asia/Shanghai' };
const rule = <T extends RuleConfig['type']>(r: Record<string, unknown> & { type: T }) => ruleSchema.parse({ name: 'r', ...r }) as Extract<RuleConfig, { type: T }>;
const evalRule = (r: RuleConfig, input: unknown, now = NOW) => RULE_TYPES[r.type].evaluate(r, input, now, env);

function target(p: Partial<TargetView> = {}): TargetView {
  return {
    id: 'portal-home', name: '门户网站首页', type: 'http', moduleId: 'portal', moduleName: '政府门户网站', slo: 99.9, intervalMs: 30_000,
    failureThreshold: 3, createdOrUpdated: NOW - 86_400_000, state: 'up', since: NOW - 3_600_000, consecutiveFailures: 0,
    lastTs: NOW - 10_000, lastErrorCode: null, lastError: null, ...p,
  };
}

test('target_down: consecutive failures reach N; labels and a Chinese summary with the facts', () => {
  const r = rule({ type: 'target_down', failures: 3, severity: 'critical' });
  const down = target({ state: 'down', consecutiveFailures: 3, since: Date.UTC(2026, 10, 25, 5, 58, 0), lastError: '连接被拒绝 refused' });
  const two = target({ id: 'b', state: 'degraded', consecutiveFailures: 2 });
  const out = evalRule(r, [down, two, target({ id: 'c' })]);
  assert.is(out.length, 1);
  assert.equal(out[0].labels, { alertname: 'r', kind: 'target_down', severity: 'critical', team: 'ops', module: 'portal', target: 'portal-home' });
  assert.match(out[0].annotations.summary, '门户网站首页（政府门户网站）不可用：连续 3 次探测失败（阈值 3），自 2026-11-25 13:58:00 起');
  assert.match(out[0].annotations.summary, '连接被拒绝');
  assert.is(out[0].value, 3);
});

test('target_down: failing for a duration; default uses the collector state', () => {
  const r = rule({ type: 'target_down', downFor: '2m' });
  assert.is(evalRule(r, [target({ state: 'down', consecutiveFailures: 1, since: NOW - 60_000 })]).length, 0);
  assert.is(evalRule(r, [target({ state: 'down', consecutiveFailures: 1, since: NOW - 120_000 })]).length, 1);
  const d = rule({ type: 'target_down' });
  assert.is(evalRule(d, [target({ state: 'down', consecutiveFailures: 3 })]).length, 1);
  assert.is(evalRule(d, [target({ state: 'degraded', consecutiveFailures: 2 })]).length, 0);
  assert.is(evalRule(d, [target({ state: 'down', consecutiveFailures: 3, type: 'heartbeat' })]).length, 0, 'heartbeats have their own rule');
  const sel = rule({ type: 'target_down', modules: 'other' });
  assert.is(evalRule(sel, [target({ state: 'down', consecutiveFailures: 3 })]).length, 0, 'module selector');
});

test('module_down: all (or ratio of) targets down', () => {
  const r = rule({ type: 'module_down' });
  const a = target({ id: 'a', state: 'down', consecutiveFailures: 3 });
  const b = target({ id: 'b', state: 'down', consecutiveFailures: 5 });
  assert.is(evalRule(r, [a, target({ id: 'b' })]).length, 0);
  const out = evalRule(r, [a, b]);
  assert.is(out.length, 1);
  assert.equal(out[0].labels.module, 'portal');
  assert.is(out[0].labels.target, undefined);
  assert.match(out[0].annotations.summary, '2/2');
  assert.is(evalRule(rule({ type: 'module_down', ratio: 0.5 }), [a, target({ id: 'b' })]).length, 1);
});

test('availability: under the module SLO over the window, by module or target', () => {
  const r = rule({ type: 'availability', window: '1h' });
  const t1 = target({ id: 'a' }), t2 = target({ id: 'b' });
  const counts = [{ targetId: 'a', moduleId: 'portal', n: 120, ok: 120 }, { targetId: 'b', moduleId: 'portal', n: 120, ok: 118 }];
  const out = evalRule(r, { targets: [t1, t2], counts });
  assert.is(out.length, 1);
  assert.ok(Math.abs(out[0].value! - (238 / 240) * 100) < 1e-9);
  assert.match(out[0].annotations.summary, '模块 政府门户网站 近1小时可用率 99.167%，低于目标 99.9%');
  assert.is(evalRule(rule({ type: 'availability', objective: 99 }), { targets: [t1, t2], counts }).length, 0);
  const byT = evalRule(rule({ type: 'availability', by: 'target' }), { targets: [t1, t2], counts });
  assert.equal(byT.map((x) => x.labels.target), ['b']);
  assert.is(evalRule(r, { targets: [t1, t2], counts: [{ targetId: 'b', moduleId: 'portal', n: 5, ok: 0 }] }).length, 0, 'too few samples');
});

test('latency: p95 above the threshold', () => {
  const r = rule({ type: 'latency', thresholdMs: 800 });
  const out = evalRule(r, { targets: [target()], latency: [{ targetId: 'portal-home', moduleId: 'portal', n: 10, quantileMs: 1234.4 }] });
  assert.is(out.length, 1);
  assert.match(out[0].annotations.summary, '近5分 p95 为 1234 ms，超过阈值 800 ms');
  assert.is(evalRule(r, { targets: [target()], latency: [{ targetId: 'portal-home', moduleId: 'portal', n: 10, quantileMs: 800 }] }).length, 0);
});

test('cert_expiry: 30/14/7 days → warning/warning/critical; notAfter fallback', () => {
  const r = rule({ type: 'cert_expiry' });
  const t = target({ type: 'tls' });
  const res = (detail: Record<string, unknown>) => ({ targets: [t], results: [{ targetId: t.id, ts: NOW, success: true, errorCode: null, error: null, detail }] });
  assert.is(evalRule(r, res({ daysLeft: 45 })).length, 0);
  const w = evalRule(r, res({ daysLeft: 20, notAfter: '2026-12-15T00:00:00Z' }));
  assert.is(w[0].labels.severity, 'warning');
  assert.is(w[0].labels.team, 'security');
  assert.match(w[0].annotations.summary, '20 天后过期（2026-12-15 08:00 北京时间），已低于 30 天');
  const c = evalRule(r, res({ notAfter: new Date(NOW + 5 * 86_400_000).toISOString() }));
  assert.is(c[0].labels.severity, 'critical');
  assert.is(c[0].value, 5);
  assert.match(evalRule(r, res({ daysLeft: -1, notAfter: 'x' }))[0].annotations.summary, '已过期');
});

test('content: tampered page and forbidden words', () => {
  const r = rule({ type: 'content' });
  const t = target({ type: 'content' });
  const res = (detail: Record<string, unknown>, errorCode: string | null = null) => ({ targets: [t], results: [{ targetId: t.id, ts: NOW, success: false, errorCode, error: null, detail }] });
  assert.is(evalRule(r, res({ changed: false, forbiddenHits: [] })).length, 0);
  const ch = evalRule(r, res({ changed: true }));
  assert.is(ch[0].labels.severity, 'critical');
  assert.match(ch[0].annotations.summary, '疑似篡改');
  const fb = evalRule(r, res({ changed: false, forbiddenHits: [{ word: '博彩', count: 2, context: '…' }, { word: '赌场', count: 1, context: '…' }] }));
  assert.match(fb[0].annotations.summary, '发现违禁词：博彩×2、赌场');
  assert.is(evalRule(rule({ type: 'content', on: ['forbidden'] }), res({ changed: true })).length, 0);
});

test('content: the notice carries the diff summary (lines added/removed, first changed lines, words found)', () => {
  const r = rule({ type: 'content' });
  const t = target({ type: 'content' });
  const samples = ['- <h2>政务要闻</h2>', '+ <h1>Hacked by 黑客</h1>', '+ <p>博彩</p>', '+ 4', '+ 5', '+ 6'];
  const detail = { changed: true, baselineProvisional: true, diffSummary: { added: 5, removed: 1, samples }, forbiddenHits: [{ word: 'hacked by', count: 1, context: '' }, { word: '黑客', count: 2, context: '' }] };
  const [a] = evalRule(r, { targets: [t], results: [{ targetId: t.id, ts: NOW, success: false, errorCode: 'forbidden_word', error: null, detail }] });
  assert.match(a.annotations.summary, '页面内容与未确认基线不一致');
  assert.is(a.annotations.diffAdded, '5');
  assert.is(a.annotations.diffRemoved, '1');
  assert.is(a.annotations.forbiddenWords, 'hacked by、黑客×2');
  assert.equal(a.annotations.diffLines.split('\n'), samples.slice(0, 5), 'the first five changed lines');
  assert.equal(a.annotations.details.split('\n').slice(0, 2), ['新增 5 行，删除 1 行（对比未确认基线（首次采集））', '违禁词：hacked by、黑客×2']);
  // Forbidden words only (no baseline yet): no diff counts, the words are still named.
  const [b] = evalRule(r, { targets: [t], results: [{ targetId: t.id, ts: NOW, success: false, errorCode: 'forbidden_word', error: null, detail: { changed: false, forbiddenHits: [{ word: '博彩', count: 1 }] } }] });
  assert.is(b.annotations.diffAdded, undefined);
  assert.is(b.annotations.details, '违禁词：博彩');
});

test('dns_changed: error code dns_changed on the newest result', () => {
  const r = rule({ type: 'dns_changed' });
  const t = target({ type: 'dns' });
  const out = evalRule(r, { targets: [t], results: [{ targetId: t.id, ts: NOW, success: false, errorCode: 'dns_changed', error: null, detail: { answers: ['6.6.6.6'], oldAnswers: ['10.0.0.1'], newAnswers: ['6.6.6.6'], pinned: false } }] });
  assert.match(out[0].annotations.summary, '期望 10.0.0.1，实际 6.6.6.6');
  assert.is(evalRule(r, { targets: [t], results: [{ targetId: t.id, ts: NOW, success: true, errorCode: null, error: null, detail: { answers: ['10.0.0.1'] } }] }).length, 0);
});

test('heartbeat: the collector says missing/failed, or its check stopped running', () => {
  const r = rule({ type: 'heartbeat', grace: '1m' });
  const hb = target({ type: 'heartbeat', intervalMs: 60_000, lastTs: NOW - 30_000 });
  assert.is(evalRule(r, [hb]).length, 0);
  const missing = evalRule(r, [{ ...hb, state: 'down', consecutiveFailures: 2, lastErrorCode: 'heartbeat_missing', lastError: '心跳缺失 heartbeat_missing: 期望 93600 s 内有心跳' }]);
  assert.is(missing.length, 1);
  assert.match(missing[0].annotations.summary, '门户网站首页（政府门户网站）心跳缺失：心跳缺失 heartbeat_missing: 期望 93600 s 内有心跳');
  const failed = evalRule(r, [{ ...hb, state: 'down', lastErrorCode: 'heartbeat_failed', lastError: '任务状态 fail' }]);
  assert.match(failed[0].annotations.summary, '任务报告失败：任务状态 fail');
  const stale = evalRule(r, [{ ...hb, lastTs: NOW - 200_000 }]);
  assert.match(stale[0].annotations.summary, '心跳检查已 200 秒未运行（阈值 120 秒）');
  assert.is(evalRule(r, [{ ...hb, lastTs: null, createdOrUpdated: NOW - 7_200_000 }]).length, 1, 'never checked');
  assert.is(evalRule(r, [{ ...target(), state: 'down', lastErrorCode: 'heartbeat_missing' }]).length, 0, 'only heartbeat targets');
});

test('self_health: collector buffer/journal growing, scheduler lag (collector_stats per instance)', () => {
  const row = (ts: number, instance: string, v: Partial<Record<string, number>>) => ({ ts, instance, values: { buffer_depth: null, journal_bytes: null, lag_p50_ms: null, lag_p99_ms: null, write_errors: null, ...v } });
  const grow = rule({ type: 'self_health', metric: 'journal_bytes', op: 'growing', threshold: 1_000_000 });
  const rows = [row(NOW - 200_000, 'c1', { journal_bytes: 0 }), row(NOW - 100_000, 'c1', { journal_bytes: 5_000_000 }), row(NOW - 100_000, 'c2', { journal_bytes: 9_000_000 })];
  const out = evalRule(grow, rows);
  assert.equal(out.map((x) => x.labels.instance), ['c1'], 'c2 has one row: no growth');
  assert.match(out[0].annotations.summary, '采集器 c1 自检异常：磁盘日志(journal)字节数 窗口内增长 5000000，超过阈值 1000000');
  const lag = rule({ type: 'self_health', metric: 'lag_p99_ms', threshold: 2000 });
  assert.is(evalRule(lag, [row(NOW - 1000, 'c1', { lag_p99_ms: 2500 })]).length, 1);
  assert.is(evalRule(lag, [row(NOW - 1000, 'c1', { lag_p99_ms: 500 })]).length, 0);
});

test('browser_errors and web_vital', () => {
  const e = rule({ type: 'browser_errors', perMinute: 10, window: '5m' });
  assert.is(evalRule(e, [{ app: 'portal', count: 50 }]).length, 0);
  const out = evalRule(e, [{ app: 'portal', count: 51 }, { app: 'app2', count: 3 }]);
  assert.equal(out.map((x) => x.labels.app), ['portal']);
  assert.match(out[0].annotations.summary, '10.2 次/分钟');
  const v = rule({ type: 'web_vital', metric: 'lcp', threshold: 2500 });
  const vo = evalRule(v, [{ app: 'portal', n: 20, value: 3100 }, { app: 'x', n: 2, value: 9000 }]);
  assert.is(vo.length, 1);
  assert.match(vo[0].annotations.summary, 'LCP p75 为 3100 ms，超过阈值 2500 ms');
  const cls = evalRule(rule({ type: 'web_vital', metric: 'cls', threshold: 0.1 }), [{ app: 'portal', n: 20, value: 0.25 }]);
  assert.match(cls[0].annotations.summary, 'CLS p75 为 0.25，超过阈值 0.1');
});

test('event_count (reporting) and event_value (self-health)', () => {
  const ev = (ts: number, labels: Record<string, string>, value: number | null = null, message = '') => ({ ts, source: 'reporter', kind: 'k', severity: 'warning', labels, value, message });
  const c = rule({ type: 'event_count', kind: 'batch_failed', count: 3, by: ['dataset'] });
  const events = [ev(NOW - 3e5, { dataset: 'A' }), ev(NOW - 2e5, { dataset: 'A' }), ev(NOW - 1e5, { dataset: 'A' }, null, '省平台返回 500'), ev(NOW - 1e5, { dataset: 'B' })];
  const out = evalRule(c, events);
  assert.is(out.length, 1);
  assert.is(out[0].labels.dataset, 'A');
  assert.match(out[0].annotations.summary, '发生 3 次（阈值 3 次）');
  assert.match(out[0].annotations.summary, '省平台返回 500');
  const g = rule({ type: 'event_value', kind: 'buffer_size', op: 'growing', threshold: 1000 });
  assert.is(evalRule(g, [ev(NOW - 2e5, {}, 100), ev(NOW - 1e5, {}, 1200)]).length, 1);
  assert.is(evalRule(g, [ev(NOW - 2e5, {}, 100), ev(NOW - 1e5, {}, 900)]).length, 0);
  const above = rule({ type: 'event_value', kind: 'scheduler_lag_ms', threshold: 5000 });
  assert.is(evalRule(above, [ev(NOW - 2e5, {}, 9000), ev(NOW - 1e5, {}, 100)]).length, 0, 'latest value counts');
});

test('database_unreachable: after `for` of failed pings', () => {
  const r = rule({ type: 'database_unreachable', for: '30s' });
  assert.is(evalRule(r, null).length, 0);
  assert.is(evalRule(r, NOW - 10_000).length, 0);
  assert.is(evalRule(r, NOW - 40_000)[0].labels.severity, 'critical');
});

test('a custom summary template is filled; unknown placeholders stay visible', () => {
  const r = rule({ type: 'target_down', failures: 1, summary: '{{target}} 挂了 {{value}} 次 {{nope}}', labels: { team_channel: 'portal' } });
  const out = evalRule(r, [target({ state: 'down', consecutiveFailures: 2 })]);
  assert.is(out[0].annotations.summary, '门户网站首页 挂了 2 次 {{nope}}');
  assert.is(out[0].labels.team_channel, 'portal');
});

test.run();
