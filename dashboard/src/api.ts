/**
 * The one place that knows the server's URLs and answer shapes. Pages call these functions; when another area
 * changes an endpoint, only this file changes. A missing endpoint (404/501) gives `null`, which pages show as 暂无数据.
 */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export type Role = 'admin' | 'ops' | 'security' | 'regulator';
export interface User { name: string; role: Role }
export type Json = any; // answers are normalised by the helpers below, which tolerate field-name variants

let onUnauthenticated: () => void = () => undefined;
export function setUnauthenticatedHandler(fn: () => void) {
  onUnauthenticated = fn;
}

function qs(params: Record<string, string | number | boolean | undefined | null> = {}) {
  const p = Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '');
  return p.length ? '?' + p.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&') : '';
}

async function call(method: string, path: string, body?: unknown): Promise<Json | null> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 404 || res.status === 501 || res.status === 405) {
    if (method === 'GET') return null;
  }
  let data: Json = null;
  const text = await res.text();
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (res.status === 401 && !path.startsWith('/api/auth/login')) onUnauthenticated();
  if (!res.ok) throw new ApiError(res.status, data?.error?.code ?? 'http_' + res.status, data?.error?.message ?? `${res.status} ${res.statusText}`);
  return data;
}

const get = (path: string, params?: Record<string, any>) => call('GET', path + qs(params));
const post = (path: string, body: unknown = {}) => call('POST', path, body);
const del = (path: string) => call('DELETE', path);

/** Whatever the list is called in an answer: `items`, `data`, a named key, or the answer itself. */
export function list(x: Json, ...keys: string[]): Json[] {
  if (!x) return [];
  if (Array.isArray(x)) return x;
  for (const k of [...keys, 'items', 'data', 'rows', 'results']) if (Array.isArray(x[k])) return x[k];
  return [];
}

/** The first defined field among several spellings (snake_case from SQL, camelCase from hand-written JSON). */
export function pick(o: Json, ...names: string[]): any {
  if (!o) return undefined;
  for (const n of names) if (o[n] !== undefined && o[n] !== null) return o[n];
  return undefined;
}

export interface Range { from: number; to: number }
const rq = (r?: Range) => (r ? { from: new Date(r.from).toISOString(), to: new Date(r.to).toISOString() } : {});

export const api = {
  login: (username: string, password: string) => post('/api/auth/login', { username, password }),
  logout: () => post('/api/auth/logout'),
  me: async (): Promise<User | null> => {
    const res = await fetch('/api/auth/me', { credentials: 'same-origin' });
    if (!res.ok) return null;
    return (await res.json()).user;
  },

  collector: {
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
  },

  alerts: {
    list: (params: Record<string, any> = {}) => get('/api/alerts/alerts', { limit: 200, ...params }),
    ack: (id: string | number, comment = '') => post(`/api/alerts/alerts/${id}/ack`, { comment }),
    silences: () => get('/api/alerts/silences'),
    createSilence: (body: Json) => post('/api/alerts/silences', body),
    expireSilence: (id: string) => del(`/api/alerts/silences/${encodeURIComponent(id)}`),
    maintenance: () => get('/api/alerts/maintenance'),
    createMaintenance: (body: Json) => post('/api/alerts/maintenance', body),
    expireMaintenance: (id: string) => del(`/api/alerts/maintenance/${encodeURIComponent(id)}`),
    deliveries: (params: Record<string, any> = {}) => get('/api/alerts/deliveries', { limit: 100, ...params }),
  },

  reporter: {
    /** Indicators for a period of record dates [from, to) as yyyy-MM-dd (the province's periods are months). */
    indicators: (from: string, to: string) => get('/api/reporter/indicators', { from, to, limit: 1000 }),
    status: () => get('/api/reporter/delivery/status'),
    batches: () => get('/api/reporter/batches', { limit: 1000 }),
    corrections: () => get('/api/reporter/corrections', { limit: 200 }),
    /** Records past their deadline that the province has not accepted, oldest deadline first. */
    overdue: () => get('/api/reporter/overdue', { limit: 100 }),
    reconciliations: () => get('/api/reporter/reconciliations', { limit: 200 }),
    runs: (limit = 20) => get('/api/reporter/runs', { limit }),
  },

  faro: {
    vitals: (r: Range, params: Record<string, any> = {}) => get('/api/collector/faro/vitals', { ...rq(r), ...params }),
    pages: (r: Range, params: Record<string, any> = {}) => get('/api/collector/faro/pages', { ...rq(r), ...params }),
    errors: (r: Range, params: Record<string, any> = {}) => get('/api/collector/faro/errors', { ...rq(r), ...params }),
    sessions: (r: Range, params: Record<string, any> = {}) => get('/api/collector/faro/sessions', { ...rq(r), ...params }),
    apps: () => get('/api/collector/faro/apps'),
  },

  system: {
    /** The online backup of the embedded database (admin): the file, for the browser to save. Errors throw ApiError. */
    backup: async (): Promise<{ blob: Blob; filename: string }> => {
      const res = await fetch('/api/system/backup', { method: 'POST', credentials: 'same-origin' });
      if (!res.ok) {
        const data = await res.json().catch(() => null);
        if (res.status === 401) onUnauthenticated();
        throw new ApiError(res.status, data?.error?.code ?? 'http_' + res.status, data?.error?.message ?? `${res.status} ${res.statusText}`);
      }
      const filename = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'city-ops-db.tar.gz';
      return { blob: await res.blob(), filename };
    },
  },

  health: async () => {
    const res = await fetch('/healthz');
    return res.json().catch(() => null);
  },
};
