import type { Queryable } from '../db';
import { likeAnywhere } from '../input';
import type { Page } from '../../contract/common';
import type { AuditRow, TokenRow, UserRow } from '../../contract/auth';

/** The admin lists of users, API tokens and the audit log (core/auth/routes.ts answers them as they are). */

export type { AuditRow, TokenRow, UserRow };

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

/** What an audit list asks for: actor (exact), action (exact, or a prefix as "user.*"), object (part of it), a time range, text. */
export interface AuditQuery {
  actor?: string;
  action?: string;
  object?: string;
  from?: number;
  to?: number;
  q?: string;
  sortDesc?: boolean;
}

function auditWhere(f: AuditQuery): { where: string; params: unknown[] } {
  const action = f.action?.endsWith('*') ? { prefix: f.action.slice(0, -1) } : f.action ? { exact: f.action } : {};
  return {
    where: `($1::text IS NULL OR actor = $1) AND ($2::text IS NULL OR action = $2) AND ($3::text IS NULL OR starts_with(action, $3))
      AND ($4::text IS NULL OR target ILIKE $4 ESCAPE '\\') AND ($5::timestamptz IS NULL OR ts >= $5) AND ($6::timestamptz IS NULL OR ts < $6)
      AND ($7::text IS NULL OR actor ILIKE $7 ESCAPE '\\' OR action ILIKE $7 ESCAPE '\\' OR target ILIKE $7 ESCAPE '\\' OR details::text ILIKE $7 ESCAPE '\\')`,
    params: [
      f.actor ?? null, action.exact ?? null, action.prefix ?? null, f.object ? likeAnywhere(f.object) : null,
      f.from !== undefined ? new Date(f.from) : null, f.to !== undefined ? new Date(f.to) : null, f.q ? likeAnywhere(f.q) : null,
    ],
  };
}

const auditRow = (a: Record<string, unknown>): AuditRow => ({
  id: Number(a.id), ts: iso(a.ts)!, actor: String(a.actor), role: (a.role as string) ?? null, action: String(a.action), target: (a.target as string) ?? null,
  ip: (a.ip as string) ?? null, details: (a.details as Record<string, unknown>) ?? {},
});

/** A page of the audit log, newest first, and how many entries match in all. */
export async function listAudit(db: Queryable, limit: number, offset: number, f: AuditQuery = {}): Promise<Page<AuditRow>> {
  const { where, params } = auditWhere(f);
  const dir = f.sortDesc === false ? 'ASC' : 'DESC';
  const [r, n] = await Promise.all([
    db.query(`SELECT id, ts, actor, role, action, target, ip, details FROM audit_log WHERE ${where} ORDER BY ts ${dir}, id ${dir} LIMIT $8 OFFSET $9`, [...params, limit, offset]),
    db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE ${where}`, params),
  ]);
  return { items: r.rows.map(auditRow), total: Number(n.rows[0].n), limit, offset };
}
