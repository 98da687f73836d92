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
/** The error part of a parsed answer (contract/common.ts ErrorBody, with the config API's problems). */
type ErrorAnswer = { error?: { code?: string; message?: string; problems?: ApiError['problems'] } } | null;

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

/**
 * One call; the answer is typed by the caller (api/*.ts declares the contract type of every call, and TypeScript
 * infers T from it). A call without a declared type gets `unknown`, never `any`.
 */
async function call<T>(method: string, path: string, body?: unknown): Promise<T | null> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 404 || res.status === 501 || res.status === 405) {
    if (method === 'GET') return null;
  }
  let data: unknown = null;
  const text = await res.text();
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (res.status === 401 && !path.startsWith('/api/auth/login')) onUnauthenticated();
  if (!res.ok) {
    const e = (data as ErrorAnswer)?.error;
    throw new ApiError(res.status, e?.code ?? 'http_' + res.status, e?.message ?? `${res.status} ${res.statusText}`, e?.problems ?? []);
  }
  return data as T;
}

export const get = <T = unknown>(path: string, params?: Record<string, any>) => call<T>('GET', path + qs(params));
// A write is never answered null for a missing route (only a GET is): its answer is the body the server sent.
export const post = <T = unknown>(path: string, body: unknown = {}) => call<T>('POST', path, body) as Promise<T>;
export const put = <T = unknown>(path: string, body: unknown = {}) => call<T>('PUT', path, body) as Promise<T>;
export const del = <T = unknown>(path: string) => call<T>('DELETE', path) as Promise<T>;
export const patch = <T = unknown>(path: string, body: unknown = {}) => call<T>('PATCH', path, body) as Promise<T>;

export interface Range { from: number; to: number }
export const rq = (r?: Range) => (r ? { from: new Date(r.from).toISOString(), to: new Date(r.to).toISOString() } : {});

