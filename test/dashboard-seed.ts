import { randomUUID } from 'node:crypto';
import type { Db } from '../core/db';
import { tsdbMode } from '../core/db/jobs';
import { addMonths, chinaDate } from '../core/china-time';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface SeedOptions {
  now: number;
  modules: number;
  targetsPerModule: number;
  days: number;
  /** Raw rows per target per hour for the last `rawHours` (the charts of short ranges and failures read raw rows). */
  rawHours?: number;
  /** Write the 1-hour rollup directly (bench) instead of raw rows + refresh (works on both builds but slower). */
  directRollups?: boolean;
}

const MODULE_NAMES = ['共享交换平台', '人口库', '法人库', '电子证照库', '政务服务平台', '并联审批', '视频会议系统', '市民App后端', '政府门户网站', '省级接口'];

/** Deterministic pseudo-random numbers so that seeded dashboards look the same on every run. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

/**
 * Seeds modules, targets, their state, probe results and rollups for `days`, incidents, collector statistics and
 * alerts: what the dashboard reads. Target `m0-t0` is down with an open incident; `m1-*` are degraded.
 */
export async function seedMonitoring(db: Db, o: SeedOptions) {
  const rand = rng(42);
  const mods = Array.from({ length: o.modules }, (_, i) => ({ id: `m${i}`, name: MODULE_NAMES[i % MODULE_NAMES.length] + (i >= MODULE_NAMES.length ? ` ${Math.floor(i / MODULE_NAMES.length) + 1}` : '') }));
  await db.insertMany('modules', ['id', 'name', 'slo'], mods.map((m) => [m.id, m.name, 99.9]), 'ON CONFLICT (id) DO NOTHING');
  const targets: { id: string; module: string; state: string }[] = [];
  for (const m of mods) for (let j = 0; j < o.targetsPerModule; j++) {
    const id = `${m.id}-t${j}`;
    targets.push({ id, module: m.id, state: id === 'm0-t0' ? 'down' : m.id === 'm1' ? 'degraded' : 'up' });
  }
  await db.insertMany('targets', ['id', 'module_id', 'name', 'type', 'interval_ms'], targets.map((t, i) => [t.id, t.module, `接口 ${t.id}`, i % 5 === 4 ? 'tls' : 'http', 60_000]), 'ON CONFLICT (id) DO NOTHING');
  await db.insertMany('target_state', ['target_id', 'state', 'since', 'consecutive_failures', 'last_ts', 'last_success', 'last_duration_ms', 'last_error_code', 'last_error', 'last_detail'],
    targets.map((t) => [t.id, t.state, new Date(o.now - (t.state === 'down' ? 2 * HOUR : 5 * DAY)), t.state === 'down' ? 7 : 0, new Date(o.now - 30_000), t.state !== 'down', 120, t.state === 'down' ? 'connect_refused' : null,
      t.state === 'down' ? '连接被拒绝 (127.0.0.1:18001)' : null, JSON.stringify({ notAfter: new Date(o.now + 40 * DAY).toISOString(), daysLeft: 40 })]), 'ON CONFLICT (target_id) DO NOTHING');

  const bucketStart = Math.floor(o.now / HOUR) * HOUR - o.days * DAY;
  const mode = await tsdbMode(db);
  if (o.directRollups) {
    // Apache build: the rollup is a plain hypertable. Licensed build: a continuous aggregate, whose materialised
    // hypertable is written directly and its watermark moved, as a refresh would (benchmarks only: 720,000 raw rows
    // through the aggregate would take longer than the measurement).
    let table = 'probe_results_1h';
    if (mode === 'timescale') {
      const m = (await db.query<{ s: string; n: string; id: number }>(
        `SELECT c.materialization_hypertable_schema AS s, c.materialization_hypertable_name AS n, h.id
           FROM timescaledb_information.continuous_aggregates c JOIN _timescaledb_catalog.hypertable h
             ON h.schema_name = c.materialization_hypertable_schema AND h.table_name = c.materialization_hypertable_name
          WHERE c.view_name = 'probe_results_1h'`)).rows[0];
      table = `${m.s}.${m.n}`;
      await db.query(`UPDATE _timescaledb_catalog.continuous_aggs_watermark SET watermark = $1 WHERE mat_hypertable_id = $2`, [String(BigInt(Math.floor(o.now / HOUR) * HOUR) * 1000n), m.id]);
    }
    const rows: unknown[][] = [];
    const flush = async () => {
      if (rows.length) await db.insertMany(table, ['bucket', 'target_id', 'module_id', 'n', 'ok', 'avg_ms', 'max_ms', 'p50_ms', 'p95_ms', 'p99_ms', 'resolve_ms', 'connect_ms', 'tls_ms', 'processing_ms', 'transfer_ms'], rows.splice(0));
    };
    for (const t of targets) {
      for (let b = bucketStart; b < o.now; b += HOUR) {
        const base = 80 + rand() * 60;
        const ok = t.state === 'down' && b > o.now - 2 * HOUR ? 0 : rand() < 0.02 ? 58 : 60;
        rows.push([new Date(b), t.id, t.module, 60, ok, base, base * 3, base, base * 1.8, base * 2.5, 5, 10, 20, base - 40, 5]);
        if (rows.length >= 20_000) await flush();
      }
    }
    await flush();
  } else {
    // Raw rows (one per target per hour over the whole range, `rawHours` of denser rows), then the rollups refreshed.
    const rows: unknown[][] = [];
    const flush = async () => {
      if (rows.length) await db.insertMany('probe_results', ['ts', 'result_id', 'target_id', 'module_id', 'type', 'success', 'duration_ms', 'status_code', 'resolve_ms', 'connect_ms', 'tls_ms', 'processing_ms', 'transfer_ms', 'error_code', 'error'], rows.splice(0));
    };
    const raw = (ts: number, t: { id: string; module: string; state: string }) => {
      const fail = (t.state === 'down' && ts > o.now - 2 * HOUR) || rand() < 0.015;
      const dns = 3 + rand() * 4, conn = 8 + rand() * 6, tls = 15 + rand() * 10, ttfb = 40 + rand() * 80, tr = 3 + rand() * 5;
      rows.push([new Date(ts), randomUUID(), t.id, t.module, 'http', !fail, fail ? 5000 : dns + conn + tls + ttfb + tr, fail ? null : 200, dns, fail ? null : conn, fail ? null : tls, fail ? null : ttfb, fail ? null : tr,
        fail ? 'connect_refused' : null, fail ? '连接被拒绝 (127.0.0.1:18001)' : null]);
    };
    for (const t of targets) {
      for (let ts = bucketStart + 7 * 60_000; ts < o.now; ts += HOUR) raw(ts, t);
      for (let ts = o.now - (o.rawHours ?? 0) * HOUR; ts < o.now; ts += 5 * 60_000) raw(ts, t);
      if (rows.length >= 10_000) await flush();
    }
    await flush();
    await refreshRollups(db, mode, new Date(bucketStart), new Date(o.now + HOUR));
  }

  await db.insertMany('incidents', ['id', 'target_id', 'module_id', 'started_at', 'ended_at', 'first_error_code', 'first_error'], [
    [randomUUID(), 'm0-t0', 'm0', new Date(o.now - 2 * HOUR), null, 'connect_refused', '连接被拒绝 (127.0.0.1:18001)'],
    [randomUUID(), 'm0-t0', 'm0', new Date(o.now - 3 * DAY), new Date(o.now - 3 * DAY + HOUR), 'timeout', '请求超时 10s'],
  ]);
  const stats: unknown[][] = [];
  for (let ts = o.now - HOUR; ts <= o.now; ts += 30_000) stats.push([new Date(ts), 'collector-1', targets.length, 3 + rand() * 4, 15 + rand() * 30, Math.floor(rand() * 50), 0, 40 + rand() * 20, 40 + rand() * 20, 0, 150_000_000]);
  await db.insertMany('collector_stats', ['ts', 'instance', 'targets', 'lag_p50_ms', 'lag_p99_ms', 'buffer_depth', 'journal_bytes', 'rows_per_s', 'probes_per_s', 'write_errors', 'rss_bytes'], stats);
  return { modules: mods, targets };
}

async function refreshRollups(db: Db, mode: string, from: Date, to: Date) {
  if (mode === 'timescale') {
    await db.query(`CALL refresh_continuous_aggregate('probe_results_1h', $1::timestamptz, $2::timestamptz)`, [from, to]);
    await db.query(`CALL refresh_continuous_aggregate('probe_results_1m', $1::timestamptz, $2::timestamptz)`, [new Date(to.getTime() - 2 * DAY), to]);
    return;
  }
  for (const [table, width] of [['probe_results_1h', '1 hour'], ['probe_results_1m', '1 minute']]) {
    await db.query(`INSERT INTO ${table} SELECT time_bucket(INTERVAL '${width}', ts) AS bucket, target_id, module_id,
         count(*), count(*) FILTER (WHERE success), avg(duration_ms), max(duration_ms),
         percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms), percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms),
         percentile_cont(0.99) WITHIN GROUP (ORDER BY duration_ms), avg(resolve_ms), avg(connect_ms), avg(tls_ms), avg(processing_ms), avg(transfer_ms)
       FROM probe_results WHERE ts >= $1 AND ts < $2 GROUP BY 1, 2, 3 ON CONFLICT DO NOTHING`, [from, to]);
  }
}

/** Alerts in each state, one firing alert for each team (the ack test acknowledges the ops one). */
export async function seedAlerts(db: Db, now: number) {
  const row = (fp: string, rule: string, team: string, sev: string, state: string, target: string, summary: string, ago: number) => [
    fp, rule, 'probe', JSON.stringify({ target, module: target.split('-')[0] }), JSON.stringify({ summary }), sev, team, target.split('-')[0], target, state, 1,
    new Date(now - ago), state === 'pending' ? null : new Date(now - ago + 60_000), state === 'resolved' ? new Date(now - ago / 2) : null, new Date(now)];
  await db.insertMany('alerts', ['fingerprint', 'rule', 'rule_type', 'labels', 'annotations', 'severity', 'team', 'module_id', 'target_id', 'state', 'value', 'active_at', 'starts_at', 'ends_at', 'last_eval'], [
    row('fp-down', 'target_down', 'ops', 'critical', 'firing', 'm0-t0', '共享交换平台 接口 m0-t0 不可用', 2 * HOUR),
    row('fp-cert', 'cert_expiring', 'security', 'warning', 'firing', 'm0-t4', '证书将在 10 天后到期', 5 * HOUR),
    row('fp-slow', 'latency_high', 'ops', 'warning', 'pending', 'm1-t0', '人口库 接口 P95 超过 1 秒', 10 * 60_000),
    row('fp-old', 'target_down', 'ops', 'critical', 'resolved', 'm2-t1', '法人库 接口 m2-t1 不可用', 20 * HOUR),
  ]);
}

/**
 * Regulatory reporting over the last six months: records of every type with deadlines, deliveries (mostly on time
 * and accepted; some late, some rejected with reasons), batches over the last week, runs (two today) and a
 * reconciliation per type for this month with one mismatch.
 */
export async function seedReporting(db: Db, now: number) {
  const rand = rng(7);
  const types = ['ITEM', 'INSPECTION', 'PENALTY', 'OFFICER'];
  const day = chinaDate;
  const records: unknown[][] = [];
  const deliveries: unknown[][] = [];
  let n = 0;
  // Every day up to an hour ago, so the current month (the page's default period) holds delivered records whatever
  // the day of the month the test runs on.
  for (let d = 180; d >= 0; d -= 1) {
    const date = now - d * DAY - HOUR;
    for (const t of types) {
      const id = `${t.slice(0, 3)}${String(n++).padStart(6, '0')}`;
      const invalid = rand() < 0.05;
      const impl = `IMPL${d % 12}`; // ITEM and INSPECTION of the same day share the item: 覆盖率 has data
      records.push([t, id, 1, invalid ? 'invalid' : 'valid', JSON.stringify({ category: '01' }), JSON.stringify(invalid ? [{ code: 'E_FORMAT', field: 'uscc', message: '统一社会信用代码校验位错误' }] : []), 'api',
        new Date(date), new Date(date), day(date), day(date + 5 * DAY), rand() < 0.5 ? 'D01' : 'D02', t === 'ITEM' || t === 'INSPECTION' ? impl : null, 'h' + n]);
      if (invalid) continue;
      const late = rand() < 0.08;
      const rejected = rand() < 0.06;
      const delivered = Math.min(date + (late ? 8 : 1) * DAY, now - 60_000);
      deliveries.push([t, id, new Date(delivered), rejected ? 'rejected' : 'accepted', 1, rejected ? null : 1, rejected ? null : new Date(delivered), rejected ? 1 : null, rejected ? new Date(delivered) : null,
        rejected ? JSON.stringify([{ code: 'P_REF', message: '省平台：关联的监管事项不存在' }]) : null]);
    }
  }
  await db.insertMany('reporter_records', ['data_type', 'record_id', 'version', 'status', 'data', 'errors', 'source', 'first_arrived_at', 'last_arrived_at', 'record_date', 'deadline', 'dept_code', 'impl_code', 'content_hash'], records);
  await db.insertMany('report_deliveries', ['data_type', 'record_id', 'first_delivered_at', 'first_verdict', 'delivered_count', 'accepted_version', 'accepted_at', 'rejected_version', 'rejected_at', 'rejected_errors'], deliveries);
  const batches: unknown[][] = [];
  for (let h = 7 * 24; h >= 1; h -= 6) {
    const t = now - h * HOUR;
    const count = 20 + Math.floor(rand() * 30);
    const rej = Math.floor(rand() * 3);
    const d = day(t).replace(/-/g, '');
    batches.push([`370700${d}${String(h).padStart(4, '0')}`, '370700', d, h, types[h % 4], 'contract-v1', new Date(t), 'done', count, 1000, '{}', 1, new Date(t + 2000), new Date(t + 5000), count - rej, rej]);
  }
  await db.insertMany('report_batches', ['batch_id', 'region_code', 'day', 'seq', 'data_type', 'adapter', 'created_at', 'status', 'record_count', 'body_bytes', 'body', 'attempts', 'first_answer_at', 'finished_at', 'accepted', 'rejected'], batches);
  await db.insertMany('report_runs', ['kind', 'trigger', 'started_at', 'finished_at', 'status', 'stats', 'error'], [
    ['incremental', 'schedule', new Date(now - 26 * HOUR), new Date(now - 26 * HOUR + 60_000), 'ok', JSON.stringify({ batches: 3, records: 120, accepted: 118, rejected: 2 }), null],
    ['incremental', 'schedule', new Date(now - 3 * HOUR), new Date(now - 3 * HOUR + 60_000), 'partial', JSON.stringify({ batches: 2, records: 80, accepted: 77, rejected: 3 }), null],
    ['incremental', 'api', new Date(now - 30 * 60_000), new Date(now - 29 * 60_000), 'ok', JSON.stringify({ batches: 1, records: 40, accepted: 40, rejected: 0 }), null],
  ]);
  const from = addMonths(chinaDate(now), 0);
  const to = addMonths(from, 1);
  await db.insertMany('report_reconciliations', ['checked_at', 'data_type', 'period_from', 'period_to', 'city_count', 'province_count', 'match'],
    types.map((t, i) => [new Date(now - HOUR), t, from, to, 60, i === 2 ? 58 : 60, i !== 2]));
}

/** A content (防篡改) target whose page changed since the approved baseline: a candidate waits for approval. */
export async function seedContentTarget(db: Db, now: number) {
  const { createHash } = await import('node:crypto');
  const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
  const oldText = '欢迎访问市政府门户网站\n政务公开\n办事服务';
  const newText = '欢迎访问市政府门户网站\n政务公开\n办事服务\n新增：冬季供暖服务专栏';
  await db.insertMany('modules', ['id', 'name'], [['m9', '政府门户网站']], 'ON CONFLICT (id) DO NOTHING');
  await db.insertMany('targets', ['id', 'module_id', 'name', 'type', 'interval_ms'], [['portal-home', 'm9', '门户首页防篡改', 'content', 300_000]], 'ON CONFLICT (id) DO NOTHING');
  await db.insertMany('target_state', ['target_id', 'state', 'since', 'last_ts', 'last_success'], [['portal-home', 'down', new Date(now - HOUR), new Date(now - 60_000), false]], 'ON CONFLICT (target_id) DO NOTHING');
  await db.insertMany('content_baselines', ['target_id', 'hash', 'text', 'approved_by', 'approved_at'], [['portal-home', sha(oldText), oldText, 'ops', new Date(now - 10 * DAY)]]);
  await db.insertMany('probe_results', ['ts', 'result_id', 'target_id', 'module_id', 'type', 'success', 'duration_ms', 'error_code', 'error', 'detail'], [
    [new Date(now - 60_000), randomUUID(), 'portal-home', 'm9', 'content', false, 80, 'content_changed', '与基线不一致 新增 1 行 删除 0 行',
      JSON.stringify({ hash: sha(newText), normalisedText: newText, diffSummary: { added: 1, removed: 0, samples: ['+新增：冬季供暖服务专栏'] } })],
  ]);
}

/**
 * A defaced content target: its first capture is the provisional baseline (trust on first use, not yet confirmed),
 * and the newest capture replaced the headline with a defacement carrying forbidden words.
 */
export async function seedDefacedTarget(db: Db, now: number) {
  const { createHash } = await import('node:crypto');
  const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
  const first = '<h1>市政府新闻中心</h1>\n<p>政务要闻</p>\n<p>部门动态</p>\n<p>图片新闻</p>';
  const defaced = '<h1>Hacked by 黑客联盟</h1>\n<p>政务要闻</p>\n<p>部门动态</p>\n<p>澳门博彩 线上赌场</p>';
  await db.insertMany('modules', ['id', 'name'], [['m9', '政府门户网站']], 'ON CONFLICT (id) DO NOTHING');
  await db.insertMany('targets', ['id', 'module_id', 'name', 'type', 'interval_ms'], [['portal-news', 'm9', '新闻中心防篡改', 'content', 300_000]], 'ON CONFLICT (id) DO NOTHING');
  await db.insertMany('target_state', ['target_id', 'state', 'since', 'last_ts', 'last_success'], [['portal-news', 'down', new Date(now - HOUR), new Date(now - 60_000), false]], 'ON CONFLICT (target_id) DO NOTHING');
  const firstId = randomUUID();
  await db.insertMany('content_baselines', ['target_id', 'hash', 'text', 'approved_by', 'approved_at', 'source_result_id', 'provisional'], [['portal-news', sha(first), first, '首次采集', new Date(now - 2 * DAY), firstId, true]]);
  await db.insertMany('probe_results', ['ts', 'result_id', 'target_id', 'module_id', 'type', 'success', 'duration_ms', 'error_code', 'error', 'detail'], [
    [new Date(now - 2 * DAY), firstId, 'portal-news', 'm9', 'content', true, 80, null, null, JSON.stringify({ hash: sha(first), normalisedText: first, baselineHash: null, changed: false })],
    [new Date(now - 120_000), randomUUID(), 'portal-news', 'm9', 'content', false, 80, 'forbidden_word', '期望不含违禁词 实际出现 hacked by×1',
      JSON.stringify({ hash: sha(defaced), normalisedText: defaced, baselineHash: sha(first), baselineProvisional: true, changed: true,
        diffSummary: { added: 2, removed: 2, samples: ['- <h1>市政府新闻中心</h1>', '+ <h1>Hacked by 黑客联盟</h1>'] }, forbiddenHits: [{ word: 'hacked by', count: 1, context: '' }] })],
  ]);
}
