import { get, post, rq, type Range } from './http';

export const collector = {
  overview: (r?: Range) => get('/api/collector/overview', rq(r)),
  modules: () => get('/api/collector/modules'),
  targets: (params: Record<string, any> = {}) => get('/api/collector/targets', { limit: 1000, ...params }),
  target: (id: string) => get(`/api/collector/targets/${encodeURIComponent(id)}`),
  series: (id: string, r: Range, step?: string) => get(`/api/collector/targets/${encodeURIComponent(id)}/series`, { ...rq(r), step }),
  results: (id: string, params: Record<string, any> = {}) => get(`/api/collector/targets/${encodeURIComponent(id)}/results`, { limit: 50, ...params }),
  incidents: (params: Record<string, any> = {}) => get('/api/collector/incidents', params),
  system: () => get('/api/collector/system'),
  baseline: (id: string) => get(`/api/collector/targets/${encodeURIComponent(id)}/baseline`),
  approveBaseline: (id: string, resultId?: string) => post(`/api/collector/targets/${encodeURIComponent(id)}/baseline/approve`, resultId ? { resultId } : {}),
  };

export const faro = {
  vitals: (r: Range, params: Record<string, any> = {}) => get('/api/collector/faro/vitals', { ...rq(r), ...params }),
  pages: (r: Range, params: Record<string, any> = {}) => get('/api/collector/faro/pages', { ...rq(r), ...params }),
  errors: (r: Range, params: Record<string, any> = {}) => get('/api/collector/faro/errors', { ...rq(r), ...params }),
  sessions: (r: Range, params: Record<string, any> = {}) => get('/api/collector/faro/sessions', { ...rq(r), ...params }),
  apps: () => get('/api/collector/faro/apps'),
  };
