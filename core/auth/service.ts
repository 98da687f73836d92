import type { Db, Queryable } from '../db';
import type { Clock } from '../time';
import { hashPassword, newToken, tokenHash, verifyPassword } from './password';
import { can, PERMISSIONS, type Permission, type Role } from './roles';
import { DEFAULT_POLICY, passwordProblems, WeakPasswordError, type PasswordPolicy } from './password-policy';
import { afterFailure, waitFor, type ThrottleLimits, type ThrottleRow } from './throttle';
import { newTotpSecret, totpStep, totpUri } from './totp';

export interface Principal {
  kind: 'session' | 'token';
  userId?: number;
  tokenId?: number;
  name: string;
  role: Role;
  /** For the `department` role: the department whose notices (通报) this user sees and answers. */
  department?: string;
  /** A token limited to these permissions (within its role's); empty or absent: all of the role's. */
  scopes?: string[];
  /** A session of a role that must use TOTP, not enrolled yet: it may only enrol (and sign out). */
  totpSetupRequired?: boolean;
}

export interface NewUser {
  username: string;
  password: string;
  role: Role;
  displayName?: string;
  /** Required for the `department` role (the department it answers notices for), ignored for the others. */
  department?: string;
}

/** A `department` user without its department: it would see no notice. */
export class MissingDepartmentError extends Error {
  constructor() {
    super('部门联络人（department 角色）必须指定所属部门 department');
  }
}

export interface AuditEntry {
  actor: string;
  role?: string;
  action: string;
  target?: string;
  ip?: string;
  details?: Record<string, unknown>;
}

export interface AuthOptions {
  passwordPolicy: PasswordPolicy;
  lockout: ThrottleLimits & { accountFailures: number; addressFailures: number };
  totp: { requiredRoles: Role[]; issuer: string };
  tokenTtlMs: number;
}

export const DEFAULT_AUTH_OPTIONS: AuthOptions = {
  passwordPolicy: DEFAULT_POLICY,
  lockout: { accountFailures: 10, addressFailures: 40, delayAfter: 3, maxDelay: 60_000, lockFor: 15 * 60_000, maxLock: 24 * 3_600_000 },
  totp: { requiredRoles: [], issuer: 'city-ops' },
  tokenTtlMs: 180 * 86_400_000,
};

/** The AuthService options from the configuration's auth section. */
export function authOptionsOf(a: { passwordPolicy: PasswordPolicy; lockout: AuthOptions['lockout']; totp: AuthOptions['totp']; tokenTtl: number }): AuthOptions {
  return { passwordPolicy: a.passwordPolicy, lockout: a.lockout, totp: a.totp, tokenTtlMs: a.tokenTtl };
}

export type LoginResult =
  | { ok: true; sessionId: string; principal: Principal }
  | { ok: false; reason: 'bad_credentials' | 'totp_required' | 'bad_totp' }
  | { ok: false; reason: 'throttled' | 'locked'; retryAfterMs: number };

export class AuthService {
  readonly options: AuthOptions;

  constructor(
    private db: Db,
    /** The one clock of the process (tests fix it); the routes date their exports by it too. */
    readonly clock: Clock,
    private sessionTtlMs: number,
    options: Partial<AuthOptions> = {},
  ) {
    this.options = { ...DEFAULT_AUTH_OPTIONS, ...options };
  }

  /** Creates a user; the password must pass the policy (WeakPasswordError says what is wrong, in Chinese). */
  async createUser(u: NewUser, q: Queryable = this.db) {
    if (u.role === 'department' && !u.department?.trim()) throw new MissingDepartmentError();
    await this.checkPassword(u.password, u.username);
    const hash = await hashPassword(u.password);
    const r = await q.query<{ id: number }>(
      `INSERT INTO users (username, display_name, role, password_hash, password_changed_at, department) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [u.username, u.displayName ?? '', u.role, hash, new Date(this.clock()), u.role === 'department' ? u.department!.trim() : null],
    );
    return Number(r.rows[0].id);
  }

  async checkPassword(password: string, username: string) {
    const problems = await passwordProblems(password, username, this.options.passwordPolicy);
    if (problems.length) throw new WeakPasswordError(problems);
  }

  async ensureUser(u: NewUser): Promise<boolean> {
    const r = await this.db.query('SELECT 1 FROM users WHERE username = $1', [u.username]);
    if (r.rowCount > 0) return false;
    await this.createUser(u);
    return true;
  }

  async userCount(): Promise<number> {
    const r = await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
    return Number(r.rows[0].n);
  }

  /**
   * Signs in. Throttled per account (any name: known or not, so a lock says nothing about who exists) and per client
   * address; a user with TOTP must send the current code. The same answer for an unknown user and a bad password.
   */
  async login(username: string, password: string, ip?: string, totpCode?: string): Promise<LoginResult> {
    const now = this.clock();
    const keys = [`user:${username.toLowerCase()}`, ...(ip ? [`ip:${ip}`] : [])];
    const rows = await this.throttleRows(keys);
    for (const k of keys) {
      const w = waitFor(rows.get(k), now, this.options.lockout);
      if (w.ms > 0) return { ok: false, reason: w.locked ? 'locked' : 'throttled', retryAfterMs: w.ms };
    }
    const r = await this.db.query<{ id: number; password_hash: string; role: Role; disabled: boolean; totp_secret: string | null; totp_last_step: number | null; department: string | null }>(
      'SELECT id, password_hash, role, disabled, totp_secret, totp_last_step, department FROM users WHERE username = $1',
      [username],
    );
    const user = r.rows[0];
    const ok = user ? await verifyPassword(password, user.password_hash) : await verifyPassword(password, DUMMY_HASH);
    if (!user || !ok || user.disabled) {
      await this.recordFailure(keys, rows, now, username, ip);
      return { ok: false, reason: 'bad_credentials' };
    }
    if (user.totp_secret) {
      if (!totpCode) return { ok: false, reason: 'totp_required' };
      const step = totpStep(user.totp_secret, totpCode, now);
      const used = await this.db.query(
        'UPDATE users SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)',
        [user.id, step ?? -1],
      );
      if (step === null || used.rowCount === 0) {
        await this.recordFailure(keys, rows, now, username, ip);
        return { ok: false, reason: 'bad_totp' };
      }
    }
    await this.db.query('DELETE FROM login_throttle WHERE key = $1', [keys[0]]);
    const { token, hash } = newToken('s');
    await this.db.query(`INSERT INTO sessions (id_hash, user_id, expires_at, ip, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $5)`, [
      hash, user.id, new Date(now + this.sessionTtlMs), ip ?? null, new Date(now),
    ]);
    const setup = !user.totp_secret && this.options.totp.requiredRoles.includes(user.role);
    return { ok: true, sessionId: token, principal: { kind: 'session', userId: Number(user.id), name: username, role: user.role, ...(user.department ? { department: user.department } : {}), ...(setup ? { totpSetupRequired: true } : {}) } };
  }

  private async throttleRows(keys: string[]): Promise<Map<string, ThrottleRow>> {
    const r = await this.db.query<{ key: string; failures: number; locks: number; last_failure: Date; locked_until: Date | null }>(
      'SELECT key, failures, locks, last_failure, locked_until FROM login_throttle WHERE key = ANY($1::text[])',
      [keys],
    );
    return new Map(r.rows.map((x) => [x.key, { failures: Number(x.failures), locks: Number(x.locks), lastFailure: new Date(x.last_failure).getTime(), lockedUntil: x.locked_until ? new Date(x.locked_until).getTime() : null }]));
  }

  private async recordFailure(keys: string[], rows: Map<string, ThrottleRow>, now: number, username: string, ip?: string) {
    const l = this.options.lockout;
    for (const key of keys) {
      const next = afterFailure(rows.get(key), now, key.startsWith('user:') ? l.accountFailures : l.addressFailures, l);
      await this.db.query(
        `INSERT INTO login_throttle (key, failures, locks, last_failure, locked_until) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (key) DO UPDATE SET failures = EXCLUDED.failures, locks = EXCLUDED.locks, last_failure = EXCLUDED.last_failure, locked_until = EXCLUDED.locked_until`,
        [key, next.failures, next.locks, new Date(next.lastFailure), next.lockedUntil === null ? null : new Date(next.lockedUntil)],
      );
      if (next.lockedNow) {
        await this.audit({ actor: username, action: 'auth.locked', target: key, ip, details: { until: new Date(next.lockedUntil!).toISOString(), locks: next.locks } });
      }
    }
  }

  /** Keys that wait or are locked now (admins see them). */
  async lockouts(): Promise<{ key: string; failures: number; locks: number; lastFailure: string; lockedUntil: string | null }[]> {
    const r = await this.db.query<{ key: string; failures: number; locks: number; last_failure: Date; locked_until: Date | null }>(
      `SELECT key, failures, locks, last_failure, locked_until FROM login_throttle
        WHERE locked_until > $1 OR failures >= $2 ORDER BY last_failure DESC LIMIT 1000`,
      [new Date(this.clock()), this.options.lockout.delayAfter],
    );
    return r.rows.map((x) => ({ key: x.key, failures: Number(x.failures), locks: Number(x.locks), lastFailure: new Date(x.last_failure).toISOString(), lockedUntil: x.locked_until ? new Date(x.locked_until).toISOString() : null }));
  }

  async unlock(key: string): Promise<boolean> {
    return (await this.db.query('DELETE FROM login_throttle WHERE key = $1', [key])).rowCount > 0;
  }

  async logout(sessionId: string) {
    await this.db.query('DELETE FROM sessions WHERE id_hash = $1', [tokenHash(sessionId)]);
  }

  async fromSession(sessionId: string, userAgent?: string): Promise<Principal | null> {
    const now = new Date(this.clock());
    // The session is seen (at most once a minute, so reading pages does not write on every request).
    const r = await this.db.query<{ id: number; username: string; role: Role; totp: boolean; department: string | null }>(
      `WITH touch AS (
         UPDATE sessions SET last_seen_at = $2, user_agent = coalesce(user_agent, $3)
          WHERE id_hash = $1 AND (last_seen_at IS NULL OR last_seen_at < $2::timestamptz - INTERVAL '60 seconds'))
       SELECT u.id, u.username, u.role, u.department, u.totp_secret IS NOT NULL AS totp FROM sessions s JOIN users u ON u.id = s.user_id
       WHERE s.id_hash = $1 AND s.expires_at > $2 AND NOT u.disabled`,
      [tokenHash(sessionId), now, userAgent?.slice(0, 300) ?? null],
    );
    const u = r.rows[0];
    if (!u) return null;
    const setup = !u.totp && this.options.totp.requiredRoles.includes(u.role);
    return { kind: 'session', userId: Number(u.id), name: u.username, role: u.role, ...(u.department ? { department: u.department } : {}), ...(setup ? { totpSetupRequired: true } : {}) };
  }

  /** Creates an API token. Scopes must be permissions of its role; it expires after `ttlMs` (default: auth.tokenTtl). */
  async createToken(t: { name: string; role: Role; scopes?: string[]; createdBy: string; ttlMs?: number }): Promise<{ id: number; token: string; expiresAt: string }> {
    for (const s of t.scopes ?? []) {
      if (!(s in PERMISSIONS) || !can(t.role, s as Permission)) throw new TokenScopeError(`scope "${s}" is not a permission of role ${t.role} (permissions: ${Object.keys(PERMISSIONS).filter((p) => can(t.role, p as Permission)).join(', ')})`);
    }
    const { token, hash } = newToken('cot');
    const expiresAt = new Date(this.clock() + (t.ttlMs ?? this.options.tokenTtlMs));
    const r = await this.db.query<{ id: number }>(
      `INSERT INTO api_tokens (name, token_hash, prefix, role, scopes, created_by, expires_at, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id`,
      [t.name, hash, token.slice(0, 8), t.role, t.scopes ?? [], t.createdBy, expiresAt, new Date(this.clock())],
    );
    return { id: Number(r.rows[0].id), token, expiresAt: expiresAt.toISOString() };
  }

  async fromToken(token: string): Promise<Principal | null> {
    if (token.length > 200) return null;
    const now = new Date(this.clock());
    const r = await this.db.query<{ id: number; name: string; role: Role; scopes: string[] }>(
      `UPDATE api_tokens SET last_used_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)
       RETURNING id, name, role, scopes`,
      [tokenHash(token), now],
    );
    const t = r.rows[0];
    return t ? { kind: 'token', tokenId: Number(t.id), name: `token:${t.name}`, role: t.role, scopes: t.scopes } : null;
  }

  async revokeToken(id: number) {
    const r = await this.db.query('UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL', [id, new Date(this.clock())]);
    return r.rowCount > 0;
  }

  // ---- TOTP enrolment ----

  /** Starts (or restarts) enrolment: a new secret, pending until a code from it is confirmed. */
  async totpBegin(userId: number, username: string): Promise<{ secret: string; uri: string }> {
    const secret = newTotpSecret();
    await this.db.query('UPDATE users SET totp_pending = $2 WHERE id = $1', [userId, secret]);
    return { secret, uri: totpUri(secret, this.options.totp.issuer, username) };
  }

  /** Confirms enrolment with a current code; from then on sign-in needs a code. */
  async totpConfirm(userId: number, code: string): Promise<boolean> {
    const r = await this.db.query<{ totp_pending: string | null }>('SELECT totp_pending FROM users WHERE id = $1', [userId]);
    const pending = r.rows[0]?.totp_pending;
    const step = pending ? totpStep(pending, code, this.clock()) : null;
    if (!pending || step === null) return false;
    await this.db.query('UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, totp_last_step = $2 WHERE id = $1', [userId, step]);
    return true;
  }

  /** Removes the second factor (an admin, for a user who lost the device; audited by the caller). */
  async totpReset(userId: number): Promise<boolean> {
    return (await this.db.query('UPDATE users SET totp_secret = NULL, totp_pending = NULL, totp_last_step = NULL WHERE id = $1', [userId])).rowCount > 0;
  }

  // ---- users and sessions (admin) ----

  async updateUser(id: number, ch: { role?: Role; disabled?: boolean; password?: string; displayName?: string; department?: string }): Promise<boolean> {
    const cur = await this.db.query<{ username: string; role: Role; department: string | null }>('SELECT username, role, department FROM users WHERE id = $1', [id]);
    if (!cur.rows[0]) return false;
    const role = ch.role ?? cur.rows[0].role;
    const department = ch.department?.trim() || (role === 'department' ? cur.rows[0].department : null);
    if (role === 'department' && !department) throw new MissingDepartmentError();
    const sets: string[] = [];
    const params: unknown[] = [id];
    const set = (col: string, v: unknown) => sets.push(`${col} = $${params.push(v)}`);
    if (ch.role) set('role', ch.role);
    if (ch.disabled !== undefined) set('disabled', ch.disabled);
    if (ch.displayName !== undefined) set('display_name', ch.displayName);
    if (ch.role || ch.department !== undefined) set('department', role === 'department' ? department : null);
    if (ch.password !== undefined) {
      await this.checkPassword(ch.password, cur.rows[0].username);
      set('password_hash', await hashPassword(ch.password));
      set('password_changed_at', new Date(this.clock()));
    }
    if (!sets.length) return true;
    set('updated_at', new Date(this.clock()));
    await this.db.tx(async (q) => {
      await q.query(`UPDATE users SET ${sets.join(', ')} WHERE id = $1`, params);
      // A new password, a new role or a disabled account ends the user's sessions.
      if (ch.password !== undefined || ch.role || ch.disabled || ch.department !== undefined) await q.query('DELETE FROM sessions WHERE user_id = $1', [id]);
    });
    return true;
  }

  /** The user's own password change: the current one first. */
  async changeOwnPassword(userId: number, current: string, next: string): Promise<boolean> {
    const r = await this.db.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = $1', [userId]);
    if (!r.rows[0] || !(await verifyPassword(current, r.rows[0].password_hash))) return false;
    return this.updateUser(userId, { password: next });
  }

  async listSessions(limit: number, offset: number) {
    const now = new Date(this.clock());
    const [rows, total] = await Promise.all([
      this.db.query<{ id: number; username: string; role: Role; created_at: Date; last_seen_at: Date | null; expires_at: Date; ip: string | null; user_agent: string | null }>(
        `SELECT s.id, u.username, u.role, s.created_at, s.last_seen_at, s.expires_at, s.ip, s.user_agent
           FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.expires_at > $1
          ORDER BY coalesce(s.last_seen_at, s.created_at) DESC LIMIT $2 OFFSET $3`,
        [now, limit, offset],
      ),
      this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM sessions WHERE expires_at > $1', [now]),
    ]);
    return {
      items: rows.rows.map((s) => ({
        id: Number(s.id), username: s.username, role: s.role, createdAt: new Date(s.created_at).toISOString(), lastSeenAt: s.last_seen_at ? new Date(s.last_seen_at).toISOString() : null,
        expiresAt: new Date(s.expires_at).toISOString(), ip: s.ip, userAgent: s.user_agent,
      })),
      total: Number(total.rows[0].n), limit, offset,
    };
  }

  async endSession(id: number): Promise<boolean> {
    return (await this.db.query('DELETE FROM sessions WHERE id = $1', [id])).rowCount > 0;
  }

  async endUserSessions(userId: number): Promise<number> {
    return (await this.db.query('DELETE FROM sessions WHERE user_id = $1', [userId])).rowCount;
  }

  async audit(e: AuditEntry, q: Queryable = this.db) {
    await q.query(`INSERT INTO audit_log (ts, actor, role, action, target, ip, details) VALUES ($1,$2,$3,$4,$5,$6,$7)`, [
      new Date(this.clock()), e.actor, e.role ?? null, e.action, e.target ?? null, e.ip ?? null, JSON.stringify(e.details ?? {}),
    ]);
  }

  async purgeExpiredSessions() {
    const now = new Date(this.clock());
    await this.db.query('DELETE FROM sessions WHERE expires_at < $1', [now]);
    await this.db.query(`DELETE FROM login_throttle WHERE (locked_until IS NULL OR locked_until < $1) AND last_failure < $1::timestamptz - INTERVAL '1 day'`, [now]);
  }
}

export class TokenScopeError extends Error {}

// Verifying against a fixed hash for unknown users keeps the answer time the same (no user enumeration by timing).
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
