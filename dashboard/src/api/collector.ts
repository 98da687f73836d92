import type { Page } from '../../../contract/common';
import type {
  Baseline, BaselineApproved, CollectorSystem, DnsBaselineApproved, DnsBaselineView, FaroApp, FaroErrors, FaroEvent, FaroLog, FaroPages, FaroSessions, FaroVitals, Incident, ModuleSummary, Overview,
  ProbeResultPage, Series, TargetDetail, TargetStateName, TargetSummary,
} from '../../../contract/collector';
import { get, post, rq, type Range } from './http';

/** GET /api/collector/targets (README "Lists"): filters, q (id, name, address), sort (module|state|name|since|id, - for descending). */
export interface TargetQuery { module?: string; state?: TargetStateName | string; type?: string; tag?: string; department?: string; q?: string; sort?: string; limit?: number; offset?: number }
export interface IncidentQuery { module?: string; target?: string; open?: boolean; state?: 'open' | 'closed' | string; q?: string; sort?: string; from?: string; to?: string; limit?: number; offset?: number }
export interface FaroQuery { app?: string; page?: string; limit?: number }
/** GET /api/collector/faro/logs and /events (README "Lists"): q, app, page (URL or /path), session, level or name, paging. */
export interface FaroSignalQuery { app?: string; page?: string; session?: string; level?: string; name?: string; q?: string; sort?: string; limit?: number; offset?: number }

/** The answers are contract/collector.ts's; a GET gives null when the endpoint is not there (404/501). */
export const collector = {
  overview: (r?: Range): Promise<Overview | null> => get('/api/collector/overview', rq(r)),
  modules: (params: { limit?: number; offset?: number } = {}): Promise<Page<ModuleSummary> | null> => get('/api/collector/modules', params),
  targets: (params: TargetQuery = {}): Promise<Page<TargetSummary> | null> => get('/api/collector/targets', { limit: 1000, ...params }),
  /** The departments that own targets (tags.department, else the module's), for the department filter. */
  departments: (): Promise<Page<{ department: string; targets: number }> | null> => get('/api/collector/departments'),
  target: (id: string): Promise<TargetDetail | null> => get(`/api/collector/targets/${encodeURIComponent(id)}`),
  series: (id: string, r: Range, step?: string): Promise<Series | null> => get(`/api/collector/targets/${encodeURIComponent(id)}/series`, { ...rq(r), step }),
  results: (id: string, params: { failures?: boolean; limit?: number; offset?: number } = {}): Promise<ProbeResultPage | null> =>
    get(`/api/collector/targets/${encodeURIComponent(id)}/results`, { limit: 50, ...params }),
  incidents: (params: IncidentQuery = {}): Promise<Page<Incident> | null> => get('/api/collector/incidents', params),
  system: (): Promise<CollectorSystem | null> => get('/api/collector/system'),
  baseline: (id: string): Promise<Baseline | null> => get(`/api/collector/targets/${encodeURIComponent(id)}/baseline`),
  approveBaseline: (id: string, resultId?: string, extra: { confirmForbidden?: true; reason?: string } = {}): Promise<BaselineApproved> =>
    post(`/api/collector/targets/${encodeURIComponent(id)}/baseline/approve`, { ...(resultId ? { resultId } : {}), ...extra }),
  /** Trust on first use: a person confirms the provisional baseline it saw (`hash`). */
  confirmBaseline: (id: string, hash: string, extra: { confirmForbidden?: true; reason?: string } = {}): Promise<BaselineApproved> =>
    post(`/api/collector/targets/${encodeURIComponent(id)}/baseline/confirm`, { hash, ...extra }),
  dnsBaseline: (id: string): Promise<DnsBaselineView | null> => get(`/api/collector/targets/${encodeURIComponent(id)}/dns-baseline`),
  approveDnsBaseline: (id: string, reason: string, answers?: string[]): Promise<DnsBaselineApproved> =>
    post(`/api/collector/targets/${encodeURIComponent(id)}/dns-baseline/approve`, answers ? { reason, answers } : { reason }),
};

export const faro = {
  vitals: (r: Range, params: FaroQuery = {}): Promise<FaroVitals | null> => get('/api/collector/faro/vitals', { ...rq(r), ...params }),
  pages: (r: Range, params: FaroQuery = {}): Promise<FaroPages | null> => get('/api/collector/faro/pages', { ...rq(r), ...params }),
  errors: (r: Range, params: FaroQuery = {}): Promise<FaroErrors | null> => get('/api/collector/faro/errors', { ...rq(r), ...params }),
  sessions: (r: Range, params: FaroQuery = {}): Promise<FaroSessions | null> => get('/api/collector/faro/sessions', { ...rq(r), ...params }),
  apps: (): Promise<{ items: FaroApp[] } | null> => get('/api/collector/faro/apps'),
  logs: (r: Range, params: FaroSignalQuery = {}): Promise<Page<FaroLog> | null> => get('/api/collector/faro/logs', { ...rq(r), ...params }),
  events: (r: Range, params: FaroSignalQuery = {}): Promise<Page<FaroEvent> | null> => get('/api/collector/faro/events', { ...rq(r), ...params }),
};
