/**
 * Interface call monitoring (应用接口调用监测): the answers of /api/collector/calls/* (collector/calls/routes.ts
 * builds them; the dashboard's 接口调用 page reads them). Instants are ISO strings; lists are Page<T>.
 */
import type { Instant, Page } from './common';

export type InterfaceLevel = 'city' | 'provincial' | 'national';

export interface CallLineError {
  /** 1-based line number in the body or file (a CSV header is line 1; a quoted cell spanning lines counts as one). */
  line: number;
  message: string;
}

/** The answer of POST /calls/ingest and the file import's summary. */
export interface CallIngestSummary {
  lines: number;
  /** Valid lines: stored now or already stored before. */
  accepted: number;
  inserted: number;
  duplicates: number;
  rejected: number;
  /** The first collector.calls.maxErrorsListed per-line errors. */
  errors: CallLineError[];
}

export interface CallTotals {
  calls: number;
  failures: number;
  errorRate: number;
  records: number;
  bytes: number;
  avgMs: number | null;
  p95Ms: number | null;
}

export interface CallTrendPoint extends CallTotals {
  ts: Instant;
}

/** GET /calls/overview. */
export interface CallOverview {
  from: Instant;
  to: Instant;
  /** '1m' or '1h': the rollup the range was read from. */
  step: '1m' | '1h';
  totals: CallTotals;
  trend: CallTrendPoint[];
  interfaces: number;
  callers: number;
  unknownInterfaces: number;
}

/** GET /calls/interfaces (items): one interface over the range. */
export interface InterfaceCallStat extends CallTotals {
  code: string;
  name: string;
  level: InterfaceLevel;
  sensitive: boolean;
  known: boolean;
}

export interface CallerStat extends CallTotals {
  callerDept: string;
  callerSystem: string;
}

/** GET /calls/interfaces/:code. */
export interface InterfaceCallDetail {
  interface: Omit<InterfaceCallStat, keyof CallTotals> & { firstSeen: Instant | null; lastSeen: Instant | null };
  totals: CallTotals & { p50Ms: number | null; p99Ms: number | null };
  trend: CallTrendPoint[];
  statusCodes: { status: number; calls: number }[];
  topCallers: CallerStat[];
  /** The probe targets tagged `interface: <code>` (or with the code as id): their state beside the real traffic. */
  probes: { targetId: string; name: string; state: string; since: Instant | null; lastDurationMs: number | null }[];
}

/** GET /calls/callers/:dept. */
export interface CallerDetail {
  callerDept: string;
  totals: CallTotals;
  trend: CallTrendPoint[];
  systems: { callerSystem: string; firstSeen: Instant; lastSeen: Instant }[];
  interfaces: Page<InterfaceCallStat>;
}

/** GET /calls/cumulative: 累计调用 per level since collector.calls.countSince (plus the configured baseline). */
export interface CallCumulative {
  since: Instant | null;
  levels: { level: InterfaceLevel; calls: number; failures: number; records: number; baseline: number }[];
}

/** GET /calls/unknown: interfaces that are not in the catalogue, and every caller seen. */
export interface UnknownInterface {
  code: string;
  firstSeen: Instant | null;
  lastSeen: Instant | null;
}
