import type { Db, Queryable } from '../db';
import type { Clock } from '../time';
import { hashPassword, newToken, tokenHash, verifyPassword } from './password';
import type { Role } from './roles';

export interface Principal {
  kind: 'session' | 'token';
  userId?: number;
  tokenId?: number;
  name: string;
  role: Role;
  scopes?: string[];
}

export interface AuditEntry {
  actor: string;
  role?: string;
  action: string;
  target?: string;
  ip?: string;
  details?: Record<string, unknown>;
}

export class AuthService {
  constructor(
    private db: Db,
    private clock: Clock,
    private sessionTtlMs: number,
  ) {}

  async createUser(u: { username: string; password: string; role: Role; displayName?: string }, q: Queryable = this.db) {
    if (u.password.length < 8) throw new Error('password must be at least 8 characters');
    const hash = await hashPassword(u.password);
    const r = await q.query<{ id: number }>(
      `INSERT INTO users (username, display_name, role, password_hash) VALUES ($1, $2, $3, $4) RETURNING id`,
      [u.username, u.displayName ?? '', u.role, hash],
    );
    return Number(r.rows[0].id);
  }

  async ensureUser(u: { username: string; password: string; role: Role; displayName?: string }): Promise<boolean> {
    const r = await this.db.query('SELECT 1 FROM users WHERE username = $1', [u.username]);
    if (r.rowCount > 0) return false;
    await this.createUser(u);
    return true;
  }

  async userCount(): Promise<number> {
    const r = await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
    return Number(r.rows[0].n);
  }

  /** Returns a new session id (to put in the cookie) or null. The same answer for an unknown user and a bad password. */
  async login(username: string, password: string, ip?: string): Promise<{ sessionId: string; principal: Principal } | null> {
    const r = await this.db.query<{ id: number; password_hash: string; role: Role; disabled: boolean }>(
      'SELECT id, password_hash, role, disabled FROM users WHERE username = $1',
      [username],
    );
    const user = r.rows[0];
    const ok = user ? await verifyPassword(password, user.password_hash) : await verifyPassword(password, DUMMY_HASH);
    if (!user || !ok || user.disabled) return null;
    const { token, hash } = newToken('s');
    await this.db.query(`INSERT INTO sessions (id_hash, user_id, expires_at, ip) VALUES ($1, $2, $3, $4)`, [
      hash, user.id, new Date(this.clock() + this.sessionTtlMs), ip ?? null,
    ]);
    return { sessionId: token, principal: { kind: 'session', userId: Number(user.id), name: username, role: user.role } };
  }

  async logout(sessionId: string) {
    await this.db.query('DELETE FROM sessions WHERE id_hash = $1', [tokenHash(sessionId)]);
  }

  async fromSession(sessionId: string): Promise<Principal | null> {
    const r = await this.db.query<{ id: number; username: string; role: Role }>(
      `SELECT u.id, u.username, u.role FROM sessions s JOIN users u ON u.id = s.user_id
       WHERE s.id_hash = $1 AND s.expires_at > $2 AND NOT u.disabled`,
      [tokenHash(sessionId), new Date(this.clock())],
    );
    const u = r.rows[0];
    return u ? { kind: 'session', userId: Number(u.id), name: u.username, role: u.role } : null;
  }

  async createToken(t: { name: string; role: Role; scopes?: string[]; createdBy: string }): Promise<{ id: number; token: string }> {
    const { token, hash } = newToken('cot');
    const r = await this.db.query<{ id: number }>(
      `INSERT INTO api_tokens (name, token_hash, prefix, role, scopes, created_by) VALUES ($1,$2,$3,$4,$5,$6) RETURNING id`,
      [t.name, hash, token.slice(0, 8), t.role, t.scopes ?? [], t.createdBy],
    );
    return { id: Number(r.rows[0].id), token };
  }

  async fromToken(token: string): Promise<Principal | null> {
    const r = await this.db.query<{ id: number; name: string; role: Role; scopes: string[] }>(
      `UPDATE api_tokens SET last_used_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL
       RETURNING id, name, role, scopes`,
      [tokenHash(token), new Date(this.clock())],
    );
    const t = r.rows[0];
    return t ? { kind: 'token', tokenId: Number(t.id), name: `token:${t.name}`, role: t.role, scopes: t.scopes } : null;
  }

  async revokeToken(id: number) {
    const r = await this.db.query('UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL', [id, new Date(this.clock())]);
    return r.rowCount > 0;
  }

  async audit(e: AuditEntry, q: Queryable = this.db) {
    await q.query(`INSERT INTO audit_log (ts, actor, role, action, target, ip, details) VALUES ($1,$2,$3,$4,$5,$6,$7)`, [
      new Date(this.clock()), e.actor, e.role ?? null, e.action, e.target ?? null, e.ip ?? null, JSON.stringify(e.details ?? {}),
    ]);
  }

  async purgeExpiredSessions() {
    await this.db.query('DELETE FROM sessions WHERE expires_at < $1', [new Date(this.clock())]);
  }
}

// Verifying against a fixed hash for unknown users keeps the answer time the same (no user enumeration by timing).
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
