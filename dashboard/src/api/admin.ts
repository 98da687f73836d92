import type { Page } from '../../../contract/common';
import type { AuditRow, LockoutRow, SessionRow, TokenRow, UserRow } from '../../../contract/auth';
import type { Role } from '../../../core/auth/roles';
import { del, get, patch, post, qs } from './http';

/** GET /api/auth/audit filters (README "Lists"): actor exact, action exact or "user.*", object part of it, from/to ISO. */
export interface AuditQuery { actor?: string; action?: string; object?: string; from?: string; to?: string; q?: string; sort?: string; limit?: number; offset?: number }

/** Users, API tokens and the audit log (role admin; core/auth/routes.ts). */
export const admin = {
  users: (params: { limit?: number; offset?: number } = {}): Promise<Page<UserRow> | null> => get('/api/auth/users', { limit: 100, ...params }),
  createUser: (body: { username: string; password: string; role: Role; displayName?: string; department?: string }): Promise<{ id: number }> => post('/api/auth/users', body),
  /** Role, disable / enable, reset the password: each ends the user's sessions. */
  updateUser: (id: number, body: { role?: Role; disabled?: boolean; password?: string; displayName?: string; department?: string }): Promise<{ ok: true }> => patch(`/api/auth/users/${id}`, body),
  logoutUser: (id: number): Promise<{ ended: number }> => post(`/api/auth/users/${id}/logout`),
  tokens: (): Promise<Page<TokenRow> | null> => get('/api/auth/tokens'),
  /** The token itself is in this answer only. */
  createToken: (body: { name: string; role: Role; expiresInDays?: number }): Promise<{ id: number; token: string; expiresAt: string | null }> => post('/api/auth/tokens', body),
  revokeToken: (id: number): Promise<{ ok: true }> => del(`/api/auth/tokens/${id}`),
  /** Active sessions of every user; ending one signs that browser out at once. */
  sessions: (params: { limit?: number; offset?: number } = {}): Promise<Page<SessionRow> | null> => get('/api/auth/sessions', { limit: 200, ...params }),
  endSession: (id: number): Promise<{ ok: true }> => del(`/api/auth/sessions/${id}`),
  /** Login throttling: accounts and addresses that wait or are locked now. */
  lockouts: (): Promise<{ items: LockoutRow[] } | null> => get('/api/auth/lockouts'),
  unlock: (key: string): Promise<{ ok: true }> => del(`/api/auth/lockouts/${encodeURIComponent(key)}`),
  audit: (params: AuditQuery = {}): Promise<Page<AuditRow> | null> => get('/api/auth/audit', params),
  /** The URL of the CSV export with the same filters (the browser downloads it with the session cookie). */
  auditCsvUrl: (params: AuditQuery = {}) => '/api/auth/audit.csv' + qs({ ...params, limit: undefined, offset: undefined }),
};
