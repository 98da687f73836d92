/**
 * How the dashboard talks to the server: JSON over fetch with the session cookie, errors as ApiError (what the
 * server said), a 401 handled once. The calls themselves live per area beside this file (collector.ts, alerts.ts,
 * reporter.ts, system.ts); the answer shapes are the server's own types (contract/).
 */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly problems: { field: string; message: string; object?: { kind: string; id: string } }[] = []) {
    super(message);
  }
}

import type { Role } from '../../../core/auth/roles';
export type { Role };
/** The signed-in user (GET /api/auth/session); a department contact also has its department. */
export interface User { name: string; role: Role; department?: string }
/** A parsed answer before its call in api/*.ts gives it its contract type (every call declares one). */
type Answer = any;

let onUnauthenticated: () => void = () => undefined;
/** Called on a 401 (the session ended): the app shows the login. */
export const unauthenticated = () => onUnauthenticated();
export function setUnauthenticatedHandler(fn: () => void) {
  onUnauthenticated = fn;
}

export function qs(params: Record<string, string | number | boolean | undefined | null> = {}) {
  const p = Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '');
  return p.length ? '?' + p.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&') : '';
}

async function call(method: string, path: string, body?: unknown): Promise<Answer | null> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 404 || res.status === 501 || res.status === 405) {
    if (method === 'GET') return null;
  }
  let data: Answer = null;
  const text = await res.text();
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (res.status === 401 && !path.startsWith('/api/auth/login')) onUnauthenticated();
  if (!res.ok) throw new ApiError(res.status, data?.error?.code ?? 'http_' + res.status, data?.error?.message ?? `${res.status} ${res.statusText}`, data?.error?.problems ?? []);
  return data;
}

export const get = (path: string, params?: Record<string, any>) => call('GET', path + qs(params));
export const post = (path: string, body: unknown = {}) => call('POST', path, body);
export const put = (path: string, body: unknown = {}) => call('PUT', path, body);
export const del = (path: string) => call('DELETE', path);
export const patch = (path: string, body: unknown = {}) => call('PATCH', path, body);

export interface Range { from: number; to: number }
export const rq = (r?: Range) => (r ? { from: new Date(r.from).toISOString(), to: new Date(r.to).toISOString() } : {});

