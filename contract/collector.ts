/**
 * The answers of /api/collector/* (collector/routes/*.ts and collector/faro/read.ts build them from the stores in
 * collector/store/; dashboard/src/api/collector.ts reads them). Lists are Page<T>; instants are ISO strings; phase
 * names are the probe's (resolve, connect, tls, processing, transfer) everywhere from the probe to the chart.
 */
import type { Instant, Page } from './common';

export type TargetStateName = 'up' | 'degraded' | 'down' | 'unknown';
export type ModuleStatus = TargetStateName | 'maintenance';

export interface StateCounts {
  up: number;
  degraded: number;
  down: number;
  unknown: number;
}

/** Milliseconds per phase of a probe (averages in series); null where the probe type has no such phase. */
export interface Phases {
  resolve: number | null;
  connect: number | null;
  tls: number | null;
  processing: number | null;
  transfer: number | null;
}

/** GET /modules (items). */
export interface ModuleSummary {
  id: string;
  name: string;
  description: string;
  slo: number;
  tags: Record<string, unknown>;
  status: ModuleStatus;
  downSince: Instant | null;
  targets: StateCounts & { total: number };
}

export interface LastResult {
  ts: Instant;
  success: boolean | null;
  durationMs: number | null;
  errorCode: string | null;
  error: string | null;
}

/** GET /targets (items). */
export interface TargetSummary {
  id: string;
  module: string;
  moduleName: string | null;
  name: string;
  /** The probe type (http, tcp, dns, tls, content, heartbeat, smtp). */
  type: string;
  intervalMs: number;
  tags: Record<string, string>;
  state: TargetStateName;
  since: Instant | null;
  maintenance: boolean;
  consecutiveFailures: number;
  last: LastResult | null;
}

export interface OpenIncident {
  id: string;
  startedAt: Instant;
  firstErrorCode: string | null;
  firstError: string | null;
}

/** GET /targets/:id. */
export interface TargetDetail extends TargetSummary {
  active: boolean;
  /** The configured spec without credentials. */
  spec: Record<string, unknown>;
  failureThreshold: number;
  successThreshold: number;
  lastDetail: Record<string, unknown> | null;
  openIncident: OpenIncident | null;
  /** Percent over the last 24 h; null without results. */
  availability24h: number | null;
}

/** GET /targets/:id/results (items), newest first. */
export interface ProbeResult {
  resultId: string;
  ts: Instant;
  success: boolean;
  durationMs: number;
  statusCode: number | null;
  phases: Phases;
  errorCode: string | null;
  error: string | null;
  detail: Record<string, unknown> | null;
}

/** Raw results are not counted (a count would scan a target's month of rows): a page without `total`. */
export type ProbeResultPage = Omit<Page<ProbeResult>, 'total'>;

export interface SeriesPoint {
  /** The step's start. */
  t: Instant;
  n: number;
  availability: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  phases: Phases;
}

/** GET /targets/:id/series. */
export interface Series {
  target: string;
  from: Instant;
  to: Instant;
  stepMs: number;
  source: 'raw' | '1m' | '1h';
  summary: { n: number; availability: number | null; p50: number | null; p95: number | null; p99: number | null };
  points: SeriesPoint[];
}

/** GET /overview. */
export interface Overview {
  at: Instant;
  targets: StateCounts & { total: number };
  openIncidents: number;
  modules: {
    id: string;
    name: string;
    status: ModuleStatus;
    slo: number;
    /** Percent per window; null without results. */
    availability: { '24h': number | null; '7d': number | null; '30d': number | null };
    errorBudgetLeftPct: number | null;
  }[];
  /** Simulated history the demo wrote (collector.demoHistoryDays): the pages mark it 演示数据. null: none. */
  demoHistory: { from: Instant; to: Instant; days: number; results: number; incidents: number } | null;
}

/** GET /incidents (items). */
export interface Incident {
  id: string;
  target: string;
  targetName: string | null;
  module: string;
  moduleName: string | null;
  start: Instant;
  end: Instant | null;
  ongoing: boolean;
  durationMs: number;
  firstErrorCode: string | null;
  firstError: string | null;
}

/** A forbidden word found in a page's normalised text, with every place it sits (to highlight). */
export interface ForbiddenFound {
  word: string;
  count: number;
  /** 1-based line of the normalised text; 0-based [start, end) columns (JavaScript string indexes). */
  positions: { line: number; start: number; end: number }[];
}

/** One line of the diff baseline → candidate: add / del / ctx with their line numbers, or a hunk's `@@` header. */
export interface BaselineDiffLine {
  op: 'add' | 'del' | 'ctx' | 'hunk';
  text: string;
  oldLine: number | null;
  newLine: number | null;
}

/** The pending change of a content target: its candidate against the baseline in force. */
export interface BaselineChange {
  /** What the candidate is compared with: the approved baseline, the provisional one (trust on first use), or nothing. */
  against: 'approved' | 'provisional' | 'none';
  baselineHash: string | null;
  candidateHash: string;
  added: number;
  removed: number;
  /** The unified diff (3 lines of context) of the normalised texts, from the `diff` package. */
  unified: string;
  lines: BaselineDiffLine[];
  /** `lines` stopped at 2,000 (the unified diff is complete). */
  truncated: boolean;
}

/** GET /targets/:id/baseline. */
export interface Baseline {
  target: string;
  /** The baseline a person approved or confirmed; null while there is none (or only a provisional one). */
  approved: { hash: string; text: string; approvedBy: string; approvedAt: Instant; sourceResultId: string | null } | null;
  /** Trust on first use: the first clean capture, compared against until a person confirms it (未确认基线). */
  provisional: { hash: string; text: string; capturedAt: Instant; sourceResultId: string | null; forbidden: ForbiddenFound[] } | null;
  candidate: { resultId: string; ts: Instant; hash: string; text: string; diffSummary: unknown; forbidden: ForbiddenFound[] } | null;
  /** The candidate against the baseline in force, when they differ (null when there is no candidate or it is the baseline). */
  change: BaselineChange | null;
  /** The target's forbidden words (its spec's `forbiddenWords`). */
  forbiddenWords: string[];
}

/** POST /targets/:id/baseline/approve and /baseline/confirm. */
export interface BaselineApproved {
  target: string;
  hash: string;
  approvedBy: string;
  sourceResultId: string | null;
  /** The forbidden words the approved page contains (approved only with `confirmForbidden` and a reason). */
  forbiddenWords: string[];
}

/** The 409 `forbidden_words_present` answer's extra fields: the words found (approve again with confirmForbidden + reason). */
export interface ForbiddenWordsPresent {
  words: { word: string; count: number }[];
}

/** POST /heartbeat/:token (202). */
export interface HeartbeatAccepted {
  ok: true;
  target: string;
  status: 'ok' | 'fail';
  ts: Instant;
}

export interface CollectorStat {
  ts: Instant;
  instance: string;
  targets: number;
  lagP50Ms: number | null;
  lagP99Ms: number | null;
  bufferDepth: number;
  journalBytes: number;
  rowsPerS: number;
  probesPerS: number;
  writeErrors: number;
  rssBytes: number | null;
}

/** GET /system. */
export interface CollectorSystem {
  at: Instant;
  /** This process's engine; null where the collector role does not run. */
  live: {
    instance: string;
    targets: number;
    inFlight: number;
    queued: number;
    lagMs: { p50: number | undefined; p99: number | undefined; n: number };
    bufferDepth: number;
    journalBytes: number;
    databaseDown: boolean;
    totals: { written: number; errors: number; journaled: number; replayed: number };
    skipped: { overlap: number; late: number };
  } | null;
  instances: CollectorStat[];
  recent: CollectorStat[];
  database: {
    backend: 'embedded' | 'server';
    bytes: number | null;
    hypertables: { name: string; chunks: number; compressedChunks: number; oldest: Instant | null; newest: Instant | null; totalBytes: number | null; tableBytes: number | null; indexBytes: number | null }[];
  };
}

// Faro (browser monitoring), under /api/collector/faro.

/** GET /faro/apps (items). */
export interface FaroApp {
  name: string;
  measurements24h: number;
  lastSeen: Instant | null;
}

/** GET /faro/vitals. */
export interface FaroVitals {
  from: Instant;
  to: Instant;
  bucketSeconds: number;
  source: 'raw' | 'histogram';
  items: { bucket: Instant; name: string; p75: number; n: number }[];
}

/** GET /faro/pages: p75 per page (ms; cls unitless). */
export interface FaroPages {
  source: 'raw' | 'histogram';
  items: { app: string; pageUrl: string; samples: number; sessions?: number; lcpP75: number | null; inpP75: number | null; clsP75: number | null; ttfbP75: number | null }[];
}

export interface FaroErrorGroup {
  fingerprint: string;
  app: string;
  type: string;
  message: string;
  count: number;
  sessions: number;
  firstSeen: Instant;
  lastSeen: Instant;
  lastPage: string | null;
  lastBrowser: string | null;
}

/** GET /faro/errors. */
export interface FaroErrors {
  items: FaroErrorGroup[];
  series: { bucket: Instant; n: number }[];
  bucketSeconds: number;
}

/** GET /faro/errors/:fingerprint (items). */
export interface FaroException {
  ts: Instant;
  app: string;
  sessionId: string | null;
  pageUrl: string | null;
  browser: string | null;
  browserVersion: string | null;
  os: string | null;
  type: string;
  message: string;
  frames: unknown;
  context: unknown;
  traceId: string | null;
}

/** GET /faro/sessions. */
export interface FaroSessions {
  sessions: number;
  sessionsWithErrors: number;
  items: { sessionId: string; app: string; errors: number; distinctErrors: number; lastSeen: Instant; lastPage: string | null; browser: string | null }[];
}

/** GET /faro/logs (a Page of these): what the SDK's console and `faro.api.pushLog` sent, newest first. */
export interface FaroLog {
  ts: Instant;
  app: string;
  sessionId: string | null;
  /** Without query string and fragment (they carry tokens). */
  pageUrl: string | null;
  browser: string | null;
  /** Faro's LogLevel: trace, debug, info, log, warn, error. */
  level: string;
  message: string;
  context: Record<string, unknown> | null;
  traceId: string | null;
}

/** GET /faro/events (a Page of these): the SDK's events (session_start, view_changed, `faro.api.pushEvent`). */
export interface FaroEvent {
  ts: Instant;
  app: string;
  sessionId: string | null;
  pageUrl: string | null;
  browser: string | null;
  name: string;
  domain: string | null;
  attributes: Record<string, unknown> | null;
  traceId: string | null;
}

/** One DNS baseline a target held (GET /targets/:id/dns-baseline). */
export interface DnsBaselineEntry {
  answers: string[];
  recordType: string;
  approvedBy: string;
  approvedAt: Instant;
  reason: string;
  /** Adopted from the first answers seen (trust on first use), not approved by a person. */
  firstSeen: boolean;
}

/** GET /targets/:id/dns-baseline. */
export interface DnsBaselineView {
  target: string;
  recordType: string;
  /** The target's configured `expect` list: when set, it decides and no baseline is kept. */
  pinned: string[] | null;
  approved: DnsBaselineEntry | null;
  /** The newest answers and whether they match the approved baseline. */
  current: { ts: Instant; answers: string[]; matches: boolean | null } | null;
  history: (DnsBaselineEntry & { previous: string[] | null })[];
}

/** POST /targets/:id/dns-baseline/approve. */
export interface DnsBaselineApproved {
  target: string;
  answers: string[];
  previous: string[] | null;
  approvedBy: string;
  reason: string;
}
