import type { Page } from '../../../contract/common';
import type { CallCumulative, CallerDetail, CallerStat, CallOverview, InterfaceCallDetail, InterfaceCallStat, UnknownInterface } from '../../../contract/calls';
import { get, rq, type Range } from './http';

export type InterfaceSort = 'calls' | 'failures' | 'p95';

/** Interface call monitoring (/api/collector/calls; contract/calls.ts). */
export const calls = {
  overview: (r: Range): Promise<CallOverview | null> => get('/api/collector/calls/overview', rq(r)),
  interfaces: (r: Range, p: { sort?: InterfaceSort; limit?: number; offset?: number } = {}): Promise<Page<InterfaceCallStat> | null> => get('/api/collector/calls/interfaces', { ...rq(r), ...p }),
  interface: (code: string, r: Range): Promise<InterfaceCallDetail | null> => get(`/api/collector/calls/interfaces/${encodeURIComponent(code)}`, rq(r)),
  callers: (r: Range, p: { limit?: number; offset?: number } = {}): Promise<Page<CallerStat> | null> => get('/api/collector/calls/callers', { ...rq(r), ...p }),
  caller: (dept: string, r: Range, p: { limit?: number; offset?: number } = {}): Promise<CallerDetail | null> => get(`/api/collector/calls/callers/${encodeURIComponent(dept)}`, { ...rq(r), ...p }),
  cumulative: (): Promise<CallCumulative | null> => get('/api/collector/calls/cumulative'),
  unknown: (): Promise<Page<UnknownInterface> | null> => get('/api/collector/calls/unknown'),
  exportUrl: (r: Range) => `/api/collector/calls/export.csv?${new URLSearchParams({ from: new Date(r.from).toISOString(), to: new Date(r.to).toISOString() }).toString()}`,
};
