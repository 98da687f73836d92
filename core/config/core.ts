import { ROLES } from '../auth/roles';
import { z } from 'zod';
import { passwordProblemsSync } from '../auth/password-policy';
import { duration, secret } from './common';

/** The user names the users table takes (sql/001_core.sql's CHECK). */
const USERNAME_RE = /^[A-Za-z0-9_.-]{2,64}$/;

function isPostgresUrl(v: string): boolean {
  try {
    const u = new URL(v);
    // postgres:///db (the local socket) and ?host=/path are forms node-postgres takes too.
    return u.protocol === 'postgres:' || u.protocol === 'postgresql:';
  } catch {
    return false;
  }
}

export const serverConfig = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8080),
    /** Serve /metrics without a login (Prometheus scrapes it). */
    publicMetrics: z.boolean().default(true),
    /** Extra headers trusted for the client address (behind a reverse proxy). */
    trustProxy: z.boolean().default(false),
    /** Origins besides this server's own host that may send state-changing requests (the address users type, behind a proxy), e.g. "https://ops.city.gov.cn". */
    publicOrigins: z.array(z.string().url()).default([]),
    /** Folder for files the application keeps (the collector's journal, exports); relative to this file. */
    dataDir: z.string().default('./data'),
  })
  .strict()
  .prefault({});

export const databaseConfig = z
  .object({
    /** A TimescaleDB server; the DATABASE_URL environment variable wins over this. Without either: embedded. */
    url: secret
      .optional()
      .refine((v) => v === undefined || isPostgresUrl(v), { message: 'expected a PostgreSQL URL such as postgres://user:password@db.example:5432/city_ops' }),
    /** Where the embedded database keeps its files. */
    dataDir: z.string().default('./data/db'),
    poolSize: z.number().int().min(1).max(200).default(10),
    statementTimeout: duration({ min: '1s', max: '1h' }).prefault('30s'),
    /** The embedded database's WebAssembly: V8's baseline code only (less memory, faster start) or tiered up to optimized code (heavy SQL ≈ 1.5× faster). */
    embeddedCompiler: z.enum(['baseline', 'optimizing']).default('baseline'),
  })
  .strict()
  .prefault({});

export const retentionConfig = z
  .object({
    raw: duration({ min: '1d', max: '10y' }).prefault('30d'),
    oneMinute: duration({ min: '1d', max: '10y' }).prefault('180d'),
    oneHour: duration({ min: '1d', max: '30y' }).prefault('3y'),
    compressAfter: duration({ min: '1h', max: '1y' }).prefault('7d'),
    /** How often the application's maintenance pass runs: refresh, compression and retention where the database does not (embedded database, a server without policies); late results' rollups and expired sessions everywhere. */
    embeddedMaintenanceEvery: duration({ min: '10s', max: '1h' }).prefault('1m'),
  })
  .strict()
  .prefault({});

export const authConfig = z
  .object({
    sessionTtl: duration({ min: '5m', max: '30d' }).prefault('12h'),
    /** Created once, when the users table is empty. */
    initialAdmin: z.object({ username: z.string().min(2), password: secret }).strict().optional(),
    /** Users created at start when missing (demo and tests); passwords as secrets. */
    seedUsers: z
      .array(
        z
          .object({
            username: z.string().min(2),
            password: secret,
            role: z.enum(ROLES),
            displayName: z.string().default(''),
            /** Required for role department: the department whose notices (通报) the user answers. */
            department: z.string().min(1).optional(),
          })
          .strict()
          .refine((u) => u.role !== 'department' || !!u.department, { path: ['department'], message: 'role department needs department: <the department, as in the modules\' tags.department>' }),
      )
      .default([]),
    /** Secure flag on the session cookie: on by default (serve behind HTTPS); the demo on http://127.0.0.1 turns it off. */
    secureCookies: z.boolean().default(true),
    /** What a new password must be (users created by the API, the CLI and the configuration alike). */
    passwordPolicy: z
      .object({
        minLength: z.number().int().min(8).max(128).default(12),
        /** zxcvbn strength 0–4 (a common-password dictionary and patterns, shipped as data): at least this. */
        minScore: z.number().int().min(0).max(4).default(3),
        /** Character classes (lower, upper, digits, others) a password must mix; 0 = no such rule. */
        requireClasses: z.number().int().min(0).max(4).default(0),
      })
      .strict()
      .prefault({}),
    /** Failed sign-ins: growing delays, then a temporary lock, per account and per client address. */
    lockout: z
      .object({
        /** Failures of one account before its first lock; from `delayAfter` on, each next try must wait longer. */
        accountFailures: z.number().int().min(3).max(100).default(10),
        addressFailures: z.number().int().min(3).max(1000).default(40),
        delayAfter: z.number().int().min(1).max(50).default(3),
        maxDelay: duration({ min: '1s', max: '10m' }).prefault('60s'),
        /** The first lock; each further lock of the same key lasts twice as long, up to `maxLock`. */
        lockFor: duration({ min: '1m', max: '1d' }).prefault('15m'),
        maxLock: duration({ min: '1m', max: '7d' }).prefault('24h'),
      })
      .strict()
      .prefault({}),
    /** TOTP second factor (RFC 6238): any user may enrol; users of these roles must, before they can do anything else. */
    totp: z
      .object({ requiredRoles: z.array(z.enum(['admin', 'ops', 'security', 'regulator'])).default([]), issuer: z.string().min(1).max(64).default('city-ops') })
      .strict()
      .prefault({}),
    /** API tokens expire: this long when the creator names no other term. */
    tokenTtl: duration({ min: '1h', max: '3y' }).prefault('180d'),
  })
  .strict()
  // What the start would refuse when it creates the users, refused here first, at the key's line: a name the users
  // table does not take, a password the policy refuses (the same check as the API's, zxcvbn included).
  .superRefine((a, ctx) => {
    const users: [(string | number)[], { username: string; password: string }][] = [
      ...(a.initialAdmin ? [[['initialAdmin'], a.initialAdmin] as [(string | number)[], { username: string; password: string }]] : []),
      ...a.seedUsers.map((u, i) => [['seedUsers', i], u] as [(string | number)[], { username: string; password: string }]),
    ];
    for (const [path, u] of users) {
      if (!USERNAME_RE.test(u.username)) {
        ctx.addIssue({ code: 'custom', path: [...path, 'username'], message: 'a user name is 2–64 letters, digits, "_", "." or "-"' });
        continue;
      }
      if (typeof u.password !== 'string') continue;
      const problems = passwordProblemsSync(u.password, u.username, a.passwordPolicy);
      if (problems.length) ctx.addIssue({ code: 'custom', path: [...path, 'password'], message: `the password policy (auth.passwordPolicy) refuses it: ${problems.join('；')}` });
    }
  })
  .prefault({});

export const logConfig = z
  .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
  .strict()
  .prefault({});

/** The sections of the configuration file that the core owns; each area adds its own (app/config.ts). */
export const coreSections = { server: serverConfig, database: databaseConfig, retention: retentionConfig, auth: authConfig, log: logConfig };
export type CoreConfig = { [K in keyof typeof coreSections]: z.output<(typeof coreSections)[K]> };
export type AuthConfig = z.output<typeof authConfig>;
