/**
 * The admin answers of /api/auth (core/auth/routes.ts): users, API tokens (never the token itself, only its prefix)
 * and the audit log. Types only.
 */

export interface UserRow {
  id: number;
  username: string;
  displayName: string;
  role: string;
  department: string | null;
  disabled: boolean;
  totp: boolean;
  createdAt: string;
  passwordChangedAt: string | null;
}

export interface TokenRow {
  id: number;
  name: string;
  prefix: string;
  role: string;
  scopes: string[];
  createdBy: string;
  createdAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  expiresAt: string | null;
}

export interface AuditRow {
  id: number;
  ts: string;
  actor: string;
  role: string | null;
  action: string;
  target: string | null;
  ip: string | null;
  details: Record<string, unknown>;
}

/** GET /api/auth/sessions: the sessions that have not expired (never the session id itself). */
export interface SessionRow {
  id: number;
  username: string;
  role: string;
  createdAt: string;
  lastSeenAt: string | null;
  expiresAt: string;
  ip: string | null;
  userAgent: string | null;
}

/** GET /api/auth/lockouts: keys (`user:<name>`, `ip:<address>`) that must wait or are locked now. */
export interface LockoutRow {
  key: string;
  failures: number;
  locks: number;
  lastFailure: string;
  lockedUntil: string | null;
}
