import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../core/db';
import { refreshRollups } from '../core/db/jobs';
import type { Logger } from '../core/log';
import type { Clock } from '../core/time';
import type { CollectorConfig, TargetConfig } from './config';
import { Journal } from './journal';
import { errorText } from './probes/outcome';
import { PROBE_ROLLUPS } from './rollups';
import { advance, initialState, type ObservedResult, type TargetState } from './state';
import { ResultWriter, type ResultRow } from './writer';

/**
 * The demo's simulated history (collector.demoHistoryDays): a fresh demo has one hour of data, so the 7-day and
 * 90-day charts would stay empty. Once, into a database without it, this writes `days` of results per target —
 * latency with a working-day rhythm and noise, slow spells, single failed probes, a few outages that open and close
 * incidents, content changes — through the collector's own ResultWriter and state machine, then refreshes the
 * rollups, then records it in demo_history (sql/059), which the pages show as 演示数据.
 *
 * Everything is derived from hashes of (target, time): the same history on every machine, and a start that died
 * half-way writes the same result and incident ids again (the writer's ON CONFLICT DO NOTHING keeps them once).
 */

const DAY = 86_400_000;
const MIN = 60_000;
const BEIJING_MS = 8 * 3_600_000;

/** Deterministic numbers in [0, 1) from a key. */
function units(key: string): number[] {
  const h = createHash('sha256').update(key).digest();
  return Array.from({ length: 8 }, (_, i) => h.readUInt32BE(i * 4) / 2 ** 32);
}

/** A UUID-shaped id from a key (probe_results.result_id and incidents.id are uuids). */
function uuidOf(key: string): string {
  const h = createHash('sha256').update(key).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Typical latency (ms) of a healthy probe of each type on the city network. */
const BASE_MS: Record<string, number> = { http: 45, content: 65, tls: 22, tcp: 4, dns: 3, smtp: 35, heartbeat: 0 };
const FAILURE: Record<string, { code: string; facts: string; statusCode?: number }> = {
  http: { code: 'http_status', facts: '期望 200 实际 503', statusCode: 503 },
  content: { code: 'content_changed', facts: '与基线不一致 新增 3 行 删除 2 行' },
  tls: { code: 'tls_error', facts: '证书或握手失败 (ECONNRESET)' },
  tcp: { code: 'refused', facts: '拒绝连接 (ECONNREFUSED)' },
  dns: { code: 'timeout', facts: '解析在 5000 ms 内未完成' },
  smtp: { code: 'timeout', facts: 'SMTP 在 10000 ms 内未应答' },
  heartbeat: { code: 'heartbeat_missing', facts: '作业未按时上报心跳' },
};

/** The outage and the slow spell of one target on one day, if it has them. The first three targets: one of each is certain. */
export function dayPlan(targetId: string, index: number, day: number, days: number): { outage?: [number, number]; slow?: [number, number, number] } {
  const [pOut, outStart, outLen, pSlow, slowStart, slowLen, slowX] = units(`demo-day|${targetId}|${day}`);
  const plan: { outage?: [number, number]; slow?: [number, number, number] } = {};
  if (pOut < 0.012 || (index < 3 && day === Math.max(0, days - 2 - index * 3))) plan.outage = [outStart * (DAY - 2 * 3_600_000), (12 + outLen * 80) * MIN];
  if (pSlow < 0.08 || (index < 3 && day === days - 1 - index)) plan.slow = [slowStart * DAY, (45 + slowLen * 150) * MIN, 3 + slowX * 4];
  return plan;
}

/** One simulated result of `t` at `ts`, given its day plan. */
export function simulatedResult(t: TargetConfig, ts: number, dayStart: number, plan: ReturnType<typeof dayPlan>, progress: number): Omit<ResultRow, 'moduleId'> {
  const [noise, blip, p1, p2] = units(`demo-result|${t.id}|${ts}`);
  const into = ts - dayStart;
  const hour = new Date(ts + BEIJING_MS).getUTCHours();
  const busy = hour >= 9 && hour < 18 ? 1.6 : hour >= 7 && hour < 22 ? 1.2 : 0.85;
  let ms = (BASE_MS[t.type] ?? 30) * busy * Math.exp((noise - 0.5) * 0.9) * (1 + 0.2 * Math.sin(progress * Math.PI * 2));
  // A slow spell: several times slower, and past the target's own `slow` threshold if it has one (degraded).
  if (plan.slow && into >= plan.slow[0] && into < plan.slow[0] + plan.slow[1]) ms = Math.max(ms * plan.slow[2], t.slowMs ? t.slowMs * (1.1 + noise * 0.5) : 0);
  const down = plan.outage !== undefined && into >= plan.outage[0] && into < plan.outage[0] + plan.outage[1];
  // A single failed probe now and then (a blip below the failure threshold, so no incident).
  const failed = down || (blip < 0.003 && t.failureThreshold > 1);
  const base = { resultId: uuidOf(`demo-result|${t.id}|${ts}`), ts, targetId: t.id, type: t.type };
  if (failed) {
    const f = FAILURE[t.type] ?? FAILURE.http;
    const timeout = f.code === 'timeout';
    return {
      ...base, success: false, durationMs: Math.round(timeout ? t.timeout : ms * 2), statusCode: f.statusCode ?? null, errorCode: f.code, error: errorText(f.code, `${t.name} ${f.facts}（演示数据）`),
      detail: t.type === 'content' ? { changed: true, bytes: 18_000 + Math.round(p1 * 400), diffSummary: { added: 3, removed: 2, samples: ['+ 演示：首页横幅被替换'] } } : { demo: true },
    };
  }
  const d = Math.max(t.type === 'heartbeat' ? 0 : 1, Math.round(ms * 10) / 10);
  const web = t.type === 'http' || t.type === 'content';
  return {
    ...base, success: true, durationMs: d, statusCode: web ? 200 : null,
    resolveMs: web || t.type === 'dns' ? Math.round(d * (t.type === 'dns' ? 1 : 0.05) * 10) / 10 : null,
    connectMs: web || t.type === 'tcp' || t.type === 'tls' ? Math.round(d * (t.type === 'tcp' ? 1 : t.type === 'tls' ? 0.3 : 0.1) * 10) / 10 : null,
    tlsMs: t.type === 'tls' ? Math.round(d * 0.7 * 10) / 10 : null,
    processingMs: web ? Math.round(d * (0.6 + p2 * 0.1) * 10) / 10 : null,
    transferMs: web ? Math.round(d * (0.25 - p2 * 0.1) * 10) / 10 : null,
    // A content page's size moves a little (a visitor counter, news items) without the content being changed.
    detail: t.type === 'content' ? { changed: false, bytes: 18_000 + Math.round(p1 * 400), demo: true } : null,
  };
}

export interface DemoHistory { from: number; to: number; days: number; targets: number; results: number; incidents: number; tookMs: number; seededAt: number }

/** The recorded demo history, or null when this database has none. */
export async function demoHistoryOf(db: Db): Promise<DemoHistory | null> {
  const r = await db.query<{ from_ts: Date; to_ts: Date; days: number; targets: number; results: string | number; incidents: number; took_ms: number; seeded_at: Date }>('SELECT * FROM demo_history');
  const x = r.rows[0];
  if (!x) return null;
  const ms = (v: Date) => new Date(v).getTime();
  return { from: ms(x.from_ts), to: ms(x.to_ts), days: x.days, targets: x.targets, results: Number(x.results), incidents: x.incidents, tookMs: x.took_ms, seededAt: ms(x.seeded_at) };
}

/**
 * Seeds the history once: does nothing when demo_history has its row or `demoHistoryDays` is 0. The history ends
 * one step before `clock()`, where the live probes take over. `signal`: stop between targets (process shutdown).
 * A target's rows go in batches of 1,000, with a turn of the event loop between them (the embedded database's promises
 * settle as microtasks: one long flush would hold every request until it ends), and after each target the seeding
 * rests as long as its writes took (`pause: false`: not).
 */
/** Rows per write of the seeding (one INSERT of ~0.1 s on the embedded database). */
const SEED_BATCH = 1000;

export async function seedDemoHistory(o: { db: Db; log: Logger; clock: Clock; config: CollectorConfig; journalDir: string; signal?: AbortSignal; pause?: boolean }): Promise<DemoHistory | null> {
  const { db, config } = o;
  const days = config.demoHistoryDays;
  if (days <= 0 || (await demoHistoryOf(db))) return null;
  const started = Date.now();
  const step = config.demoHistoryStep;
  const now = o.clock();
  const to = Math.floor(now / step) * step - step;
  const from = to - days * DAY;
  const targets = config.targets.filter((t) => t.enabled !== false);
  // The writer's own journal folder: if the database goes away half-way, what is left waits there for the next try.
  const writer = new ResultWriter({ db, journal: new Journal(o.journalDir), log: o.log, clock: o.clock, batchSize: SEED_BATCH, batchAgeMs: 60_000, bufferSize: 1_000_000 });
  let results = 0;
  let incidents = 0;
  let unflushed = 0;
  for (const [index, t] of targets.entries()) {
    if (o.signal?.aborted) break; // shutting down: the next start writes the rest (same ids, nothing twice)
    let state: TargetState = initialState(t.id, from);
    const rules = { failureThreshold: t.failureThreshold, successThreshold: t.successThreshold, slowMs: t.slowMs };
    let day = -1;
    let plan: ReturnType<typeof dayPlan> = {};
    let dayStart = from;
    for (let ts = from; ts < to; ts += step) {
      const d = Math.floor((ts - from) / DAY);
      if (d !== day) {
        day = d;
        dayStart = from + d * DAY;
        plan = dayPlan(t.id, index, d, days);
      }
      const r = simulatedResult(t, ts, dayStart, plan, (ts - from) / (to - from));
      writer.push({ k: 'r', r: { ...r, moduleId: t.module } });
      results++;
      if (++unflushed >= SEED_BATCH) {
        unflushed = 0;
        await writer.flush();
        await new Promise((r) => setImmediate(r));
      }
      const observed: ObservedResult = { ts, success: r.success, durationMs: r.durationMs, errorCode: r.errorCode, error: r.error, detail: r.detail };
      const next = advance(state, observed, rules, () => uuidOf(`demo-incident|${t.id}|${ts}`));
      state = next.state;
      if (next.incident) {
        writer.push({ k: 'i', i: { ...next.incident, moduleId: t.module } });
        if (next.incident.kind === 'open') incidents++;
      }
    }
    // History ends with every incident closed: what is down now is the live probes' to say.
    if (state.incidentId) writer.push({ k: 'i', i: { kind: 'close', id: state.incidentId, targetId: t.id, endedAt: to, moduleId: t.module } });
    const w0 = Date.now();
    await writer.flush();
    unflushed = 0;
    // The embedded database runs on this thread: rest as long as the batch took, so pages and live probes keep answering.
    if (o.pause !== false) await sleep(Math.min(2000, Date.now() - w0));
  }
  await writer.flush();
  const unwritten = writer.depth;
  await writer.stop();
  if (o.signal?.aborted) return null;
  if (unwritten > 0 || writer.databaseDown) throw new Error(`demo history: ${unwritten} simulated results could not be written (kept in ${o.journalDir}; the next start tries again)`);
  const writeMs = Date.now() - started;
  await refreshRollups(db, PROBE_ROLLUPS, new Date(now));
  const tookMs = Date.now() - started;
  await db.query(
    `INSERT INTO demo_history (from_ts, to_ts, days, targets, results, incidents, took_ms) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
    [new Date(from), new Date(to), days, targets.length, results, incidents, tookMs],
  );
  o.log.info({ days, targets: targets.length, results, incidents, writeMs, refreshMs: tookMs - writeMs, tookMs }, 'demo history seeded (演示数据)');
  return demoHistoryOf(db);
}
