import { z } from 'zod';
import { duration, secret } from './common';

export const serverConfig = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8080),
    /** Serve /metrics without a login (Prometheus scrapes it). */
    publicMetrics: z.boolean().default(true),
    /** Extra headers trusted for the client address (behind a reverse proxy). */
    trustProxy: z.boolean().default(false),
    /** Folder for files the application keeps (the collector's journal, exports); relative to this file. */
    dataDir: z.string().default('./data'),
  })
  .strict()
  .prefault({});

export const databaseConfig = z
  .object({
    /** A TimescaleDB server; the DATABASE_URL environment variable wins over this. Without either: embedded. */
    url: secret.optional(),
    /** Where the embedded database keeps its files. */
    dataDir: z.string().default('./data/db'),
    poolSize: z.number().int().min(1).max(200).default(10),
    statementTimeout: duration({ min: '1s' }).prefault('30s'),
  })
  .strict()
  .prefault({});

export const retentionConfig = z
  .object({
    raw: duration({ min: '1d' }).prefault('30d'),
    oneMinute: duration({ min: '1d' }).prefault('180d'),
    oneHour: duration({ min: '1d' }).prefault('3y'),
    compressAfter: duration({ min: '1h' }).prefault('7d'),
    /** How often the application's maintenance pass runs: refresh, compression and retention where the database does not (embedded database, a server without policies); late results' rollups and expired sessions everywhere. */
    embeddedMaintenanceEvery: duration({ min: '10s' }).prefault('1m'),
  })
  .strict()
  .prefault({});

export const authConfig = z
  .object({
    sessionTtl: duration({ min: '5m' }).prefault('12h'),
    /** Created once, when the users table is empty. */
    initialAdmin: z.object({ username: z.string().min(2), password: secret }).strict().optional(),
    /** Users created at start when missing (demo and tests); passwords as secrets. */
    seedUsers: z
      .array(
        z
          .object({
            username: z.string().min(2),
            password: secret,
            role: z.enum(['admin', 'ops', 'security', 'regulator']),
            displayName: z.string().default(''),
          })
          .strict(),
      )
      .default([]),
    /** Secure flag on the session cookie (turn on behind HTTPS). */
    secureCookies: z.boolean().default(false),
  })
  .strict()
  .prefault({});

export const logConfig = z
  .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
  .strict()
  .prefault({});

/** The sections of the configuration file that the core owns; each area adds its own (app/config.ts). */
export const coreSections = { server: serverConfig, database: databaseConfig, retention: retentionConfig, auth: authConfig, log: logConfig };
export type CoreConfig = { [K in keyof typeof coreSections]: z.output<(typeof coreSections)[K]> };
