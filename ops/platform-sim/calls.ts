/**
 * The simulated exchange platform's call log: which department's system called which interface, when, how it went.
 * A working-day rhythm (busy 09–12 and 14–17:30 Beijing time, quiet at night and at weekends), errors on the
 * interfaces whose simulated service has a fault on, and one injected bulk pull: a department that never used the
 * population library pulls many records at once (the abnormal-access rules' demo). Pure: `callsBetween` is a
 * function of the time range, the faults and a seed, so tests can check the rhythm without waiting.
 */
import { CHINA_OFFSET_MS } from '../../core/china-time';

/** The catalogue the demo configuration lists (ops/demo.yaml calls.interfaces): code, name, level, the simulated service. */
export const SIM_INTERFACES = [
  { code: 'RK-JBXX-001', name: '人口基本信息查询', level: 'provincial', sensitive: true, service: 'population', records: 1 },
  { code: 'RK-HJ-002', name: '户籍信息核验', level: 'provincial', sensitive: true, service: 'population', records: 1 },
  { code: 'FR-JBXX-001', name: '法人基本信息查询', level: 'city', sensitive: true, service: 'legal', records: 1 },
  { code: 'ZZ-CX-001', name: '电子证照查询', level: 'national', sensitive: true, service: 'license', records: 2 },
  { code: 'SB-CBXX-001', name: '社保参保信息查询', level: 'provincial', sensitive: false, service: 'exchange', records: 3 },
  { code: 'GJJ-JC-001', name: '公积金缴存查询', level: 'city', sensitive: false, service: 'exchange', records: 5 },
  { code: 'BDC-DJ-001', name: '不动产登记查询', level: 'city', sensitive: false, service: 'exchange', records: 2 },
  { code: 'SP-BJ-001', name: '审批办件推送', level: 'city', sensitive: false, service: 'approval', records: 0 },
  { code: 'JT-WF-001', name: '交通违法查询', level: 'city', sensitive: false, service: 'gov', records: 4 },
  { code: 'QX-YB-001', name: '天气预报', level: 'national', sensitive: false, service: 'exchange', records: 24 },
] as const;

/** Departments, their system, how busy they are (calls per minute at the peak) and the interfaces they use. */
const CALLERS = [
  { dept: '市公安局', system: '警务综合平台', peak: 40, uses: ['RK-JBXX-001', 'RK-HJ-002', 'JT-WF-001'] },
  { dept: '市民政局', system: '社会救助系统', peak: 12, uses: ['RK-JBXX-001', 'SB-CBXX-001', 'BDC-DJ-001'] },
  { dept: '市市场监管局', system: '企业登记系统', peak: 18, uses: ['FR-JBXX-001', 'ZZ-CX-001'] },
  { dept: '市人社局', system: '社保经办系统', peak: 25, uses: ['SB-CBXX-001', 'RK-JBXX-001', 'GJJ-JC-001'] },
  { dept: '市住建局', system: '住房保障系统', peak: 8, uses: ['BDC-DJ-001', 'GJJ-JC-001', 'RK-HJ-002'] },
  { dept: '市政务服务中心', system: '一网通办', peak: 60, uses: ['SP-BJ-001', 'ZZ-CX-001', 'FR-JBXX-001', 'RK-JBXX-001'] },
  { dept: '市大数据中心', system: '城市大脑', peak: 10, uses: ['QX-YB-001', 'JT-WF-001'] },
] as const;

/** The injected bulk pull: a department new to the population library. */
export const BULK_PULL = { dept: '市文旅局', system: '文旅数据平台', interface: 'RK-JBXX-001', calls: 40, recordsPerCall: 800 };

export interface SimCall {
  time: string;
  interface: string;
  callerDept: string;
  callerSystem: string;
  callerId: string;
  status: number;
  latencyMs: number;
  records: number;
  bytes: number;
  id: string;
}

/** Share of the peak at an instant: the office day's rhythm in Beijing time. */
export function activity(ms: number): number {
  const d = new Date(ms + CHINA_OFFSET_MS);
  const day = d.getUTCDay();
  const h = d.getUTCHours() + d.getUTCMinutes() / 60;
  const office = (h >= 9 && h < 12) || (h >= 14 && h < 17.5) ? 1 : (h >= 8 && h < 9) || (h >= 12 && h < 14) || (h >= 17.5 && h < 19) ? 0.4 : h >= 19 && h < 23 ? 0.08 : 0.02;
  return day === 0 || day === 6 ? office * 0.1 : office;
}

// A small deterministic generator (mulberry32): the same minute always gives the same calls.
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The calls of whole minutes in [from, to): per department Poisson-ish counts around peak × activity, spread over
 * the minute. `failing(service)` says whether a simulated service has a fault (its interfaces then fail often).
 */
export function callsBetween(from: number, to: number, failing: (service: string) => boolean = () => false): SimCall[] {
  const out: SimCall[] = [];
  const byCode = new Map<string, (typeof SIM_INTERFACES)[number]>(SIM_INTERFACES.map((i) => [i.code, i]));
  for (let m = Math.ceil(from / 60_000) * 60_000; m < to; m += 60_000) {
    const r = rng(m / 60_000);
    const a = activity(m);
    for (const c of CALLERS) {
      const n = Math.round(c.peak * a * (0.6 + 0.8 * r()));
      for (let k = 0; k < n; k++) {
        const iface = byCode.get(c.uses[Math.floor(r() * c.uses.length)])!;
        const bad = failing(iface.service) ? r() < 0.35 : r() < 0.004;
        const latency = Math.round((bad ? 800 + r() * 4000 : 25 + r() * 120 + (r() < 0.03 ? r() * 900 : 0)) * 10) / 10;
        const records = bad ? 0 : Math.max(0, Math.round(iface.records * (0.5 + r())));
        out.push({
          time: new Date(m + Math.floor(r() * 60_000)).toISOString(), interface: iface.code, callerDept: c.dept, callerSystem: c.system,
          callerId: `${c.system}-u${Math.floor(r() * 30)}`, status: bad ? (r() < 0.5 ? 503 : 500) : 200, latencyMs: latency, records, bytes: 400 + records * 600, id: `sim-${m / 60_000}-${c.dept}-${k}`,
        });
      }
    }
  }
  return out;
}

/** The injected bulk pull starting at `at`: one call every 15 s, many records each. */
export function bulkPull(at: number): SimCall[] {
  return Array.from({ length: BULK_PULL.calls }, (_, i) => ({
    time: new Date(at + i * 15_000).toISOString(), interface: BULK_PULL.interface, callerDept: BULK_PULL.dept, callerSystem: BULK_PULL.system,
    callerId: `${BULK_PULL.system}-batch`, status: 200, latencyMs: 900 + (i % 7) * 40, records: BULK_PULL.recordsPerCall, bytes: BULK_PULL.recordsPerCall * 600, id: `sim-bulk-${at}-${i}`,
  }));
}

/**
 * Runs the stream: at start the last `backfillMs` (so the page shows a day's rhythm at once), then every `everyMs`
 * the minutes since, handed to `sink`; the bulk pull from `bulkAfterMs` after the start, each call as its time
 * comes. Returns stop().
 */
/** The back-fill's step: 10 minutes of calls (a few hundred records at the busiest hour) per write. */
const BACKFILL_STEP_MS = 600_000;

export function startCallStream(opts: { sink(calls: SimCall[]): Promise<void>; failing(service: string): boolean; clock?: () => number; backfillMs?: number; everyMs?: number; bulkAfterMs?: number; onError?(err: unknown): void }) {
  const clock = opts.clock ?? Date.now;
  let last = Math.floor(clock() / 60_000) * 60_000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  // The bulk pull's calls, handed over as their time comes (a log is written as the calls happen).
  let bulk: SimCall[] = [];
  let bulkStarted = false;
  const bulkAt = clock() + (opts.bulkAfterMs ?? 120_000);
  const send = (calls: SimCall[]) => (calls.length ? opts.sink(calls).catch((err) => opts.onError?.(err)) : Promise.resolve());
  const backfill = async () => {
    const from = last - (opts.backfillMs ?? 24 * 3_600_000);
    for (let t = from; t < last && !stopped; t += BACKFILL_STEP_MS) {
      const t0 = Date.now();
      await send(callsBetween(t, Math.min(last, t + BACKFILL_STEP_MS), () => false));
      // An embedded database's promises settle as microtasks: without a turn of the event loop between the steps the
      // whole day would run before one request is answered. Rest as long as the step took, so pages keep answering.
      await new Promise((r) => setTimeout(r, Math.min(1000, Date.now() - t0)));
    }
  };
  const tick = async () => {
    const now = Math.floor(clock() / 60_000) * 60_000;
    if (now > last) {
      await send(callsBetween(last, now, opts.failing));
      last = now;
    }
    if (!bulkStarted && clock() >= bulkAt) {
      bulk = bulkPull(bulkAt);
      bulkStarted = true;
    }
    const due = bulk.filter((c) => Date.parse(c.time) <= clock());
    if (due.length) {
      bulk = bulk.slice(due.length);
      await send(due);
    }
    if (!stopped) timer = setTimeout(() => void tick(), opts.everyMs ?? 10_000);
  };
  const started = backfill().then(() => tick());
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await started.catch(() => undefined);
    },
  };
}
