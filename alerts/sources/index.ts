import type { Queryable } from '../../core/db';
import { loadTargets, loadModules, type TargetView, type ModuleView } from './targets';
import { loadAvailability, loadLatency, loadLatestResults, type AvailabilityRow, type LatencyRow, type LatestResult } from './probe-results';
import { loadEvents, type SystemEvent } from './system-events';
import { loadCollectorStats, type CollectorStat } from './collector-stats';
import { loadOverdueNotices, type OverdueNotice } from './notices';
import { loadAccessBaselines, loadInterfaceCallRates, loadSensitiveAccess, type AccessBaseline, type InterfaceCallRate, type SensitiveAccess } from './calls';
import { browserExceptionCounts, webVitalQuantiles, type BrowserExceptionRate, type WebVitalQuantile } from './faro';

export type { AccessBaseline, InterfaceCallRate, SensitiveAccess };
export type { OverdueNotice, CollectorStat, TargetView, ModuleView, AvailabilityRow, LatencyRow, LatestResult, SystemEvent, BrowserExceptionRate, WebVitalQuantile };
export { SourceMissing } from './safe';

/**
 * The inputs of one evaluation, read once per tick however many rules share them (memoised by query and window).
 * `dbDownSince` is set by the engine from its own pings, for the database_unreachable rule.
 */
export class Sources {
  private memo = new Map<string, Promise<unknown>>();
  constructor(
    readonly db: Queryable,
    readonly now: number,
    readonly dbDownSince: number | null = null,
  ) {}

  private once<T>(key: string, fn: () => Promise<T>): Promise<T> {
    let p = this.memo.get(key) as Promise<T> | undefined;
    if (!p) {
      p = fn();
      this.memo.set(key, p);
    }
    return p;
  }

  targets = () => this.once<TargetView[]>('targets', () => loadTargets(this.db));
  modules = () => this.once<ModuleView[]>('modules', () => loadModules(this.db));
  availability = (windowMs: number) => this.once<AvailabilityRow[]>(`avail:${windowMs}`, () => loadAvailability(this.db, windowMs, this.now));
  latency = (windowMs: number, q: number) => this.once<LatencyRow[]>(`lat:${windowMs}:${q}`, () => loadLatency(this.db, windowMs, q, this.now));
  latest = (types: string[], lookbackMs: number) =>
    this.once<LatestResult[]>(`latest:${types.join(',')}:${lookbackMs}`, () => loadLatestResults(this.db, types, lookbackMs, this.now));
  events = (kind: string, windowMs: number, source?: string) =>
    this.once<SystemEvent[]>(`ev:${kind}:${windowMs}:${source ?? ''}`, () => loadEvents(this.db, kind, windowMs, this.now, source));
  collectorStats = (windowMs: number) => this.once<CollectorStat[]>(`cstats:${windowMs}`, () => loadCollectorStats(this.db, windowMs, this.now));
  browserExceptions = (windowMs: number) => this.once<BrowserExceptionRate[]>(`faro-ex:${windowMs}`, () => browserExceptionCounts(this.db, windowMs, this.now));
  overdueNotices = () => this.once<OverdueNotice[]>('notices-overdue', () => loadOverdueNotices(this.db, this.now));
  callRates = (windowMs: number) => this.once<InterfaceCallRate[]>(`calls:${windowMs}`, () => loadInterfaceCallRates(this.db, windowMs, this.now));
  sensitiveAccess = (windowMs: number) => this.once<SensitiveAccess[]>(`calls-sens:${windowMs}`, () => loadSensitiveAccess(this.db, windowMs, this.now));
  accessBaselines = (windowMs: number, periodMs: number) =>
    this.once<AccessBaseline[]>(`calls-base:${windowMs}:${periodMs}`, () => loadAccessBaselines(this.db, windowMs, periodMs, this.now));
  webVital = (metric: string, q: number, windowMs: number) =>
    this.once<WebVitalQuantile[]>(`faro-wv:${metric}:${q}:${windowMs}`, () => webVitalQuantiles(this.db, metric, q, windowMs, this.now));
}
