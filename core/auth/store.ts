import type { Queryable } from '../db';
import type { Page } from '../../contract/common';

/** The admin lists of users, API tokens and the audit log (core/auth/routes.ts answers them as they are). */

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

const iso = (d: unknown) => (d ? new Date(d as string).toISOString() : null);

export async function listUsers(db: Queryable, limit: number, offset: number): Promise<Page<UserRow>> {
  const [r, n] = await Promise.all([
    db.query(
      `SELECT id, username, display_name, role, department, disabled, totp_secret IS NOT NULL AS totp, created_at, password_changed_at FROM users ORDER BY id LIMIT $1 OFFSET $2`,
      [limit, offset],
    ),
    db.query<{ n: number }>('SELECT count(*)::int AS n FROM users'),
  ]);
  const items = r.rows.map((u) => ({
    id: Number(u.id), username: String(u.username), displayName: String(u.display_name ?? ''), role: String(u.role), department: (u.department as string) ?? null,
    disabled: !!u.disabled, totp: !!u.totp, createdAt: iso(u.created_at)!, passwordChangedAt: iso(u.password_changed_at),
  }));
  return { items, total: Number(n.rows[0].n), limit, offset };
}

export async function listTokens(db: Queryable): Promise<Page<TokenRow>> {
  const r = await db.query(`SELECT id, name, prefix, role, scopes, created_by, created_at, last_used_at, revoked_at, expires_at FROM api_tokens ORDER BY id`);
  const items = r.rows.map((t) => ({
    id: Number(t.id), name: String(t.name), prefix: String(t.prefix), role: String(t.role), scopes: (t.scopes as string[]) ?? [], createdBy: String(t.created_by),
    createdAt: iso(t.created_at), lastUsedAt: iso(t.last_used_at), revokedAt: iso(t.revoked_at), expiresAt: iso(t.expires_at),
  }));
  return { items, total: items.length, limit: items.length, offset: 0 };
}

export async function listAudit(db: Queryable, limit: number, offset: number): Promise<Page<AuditRow>> {
  const [r, n] = await Promise.all([
    db.query(`SELECT id, ts, actor, role, action, target, ip, details FROM audit_log ORDER BY ts DESC, id DESC LIMIT $1 OFFSET $2`, [limit, offset]),
    db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log'),
  ]);
  const items = r.rows.map((a) => ({
    id: Number(a.id), ts: iso(a.ts)!, actor: String(a.actor), role: (a.role as string) ?? null, action: String(a.action), target: (a.target as string) ?? null,
    ip: (a.ip as string) ?? null, details: (a.details as Record<string, unknown>) ?? {},
  }));
  return { items, total: Number(n.rows[0].n), limit, offset };
}
