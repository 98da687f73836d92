import type { Hono } from 'hono';
import type { Registry } from 'prom-client';
import type { Config } from './config';
import type { Db } from './db';
import type { Logger } from './log';
import type { Clock } from './time';
import type { AuthService } from './auth/service';
import type { Leader } from './leader';
import type { AppEnv } from './http';

export type RoleName = 'collector' | 'alerts' | 'reporter' | 'dashboard';
export const ROLE_NAMES: RoleName[] = ['collector', 'alerts', 'reporter', 'dashboard'];

/** What the shared core hands every area. Areas talk to each other only through the database and the HTTP API. */
export interface AreaContext {
  config: Config;
  db: Db;
  log: Logger;
  clock: Clock;
  metrics: Registry;
  auth: AuthService;
  /** A leader election on an advisory lock; the caller starts and stops it. */
  leader(name: string, onChange?: (leader: boolean) => void): Leader;
  /** Folder for files an area keeps on disk (the collector's journal); under the data folder. */
  dataDir: string;
  /** Subscribe to configuration reloads (the file changed and validated). */
  onConfigReload(fn: (config: Config) => void | Promise<void>): void;
}

/**
 * An area: its HTTP routes (mounted under /api/<mount> in every process that serves HTTP, so the read side works
 * whatever role a process has) and its workers (started only in processes that run its role).
 */
export interface Area {
  name: RoleName;
  /** Mounted at `/api/${mount}`; routes that must live at the root (e.g. the dashboard at /) use `rootRoutes`. */
  mount?: string;
  routes?: Hono<AppEnv>;
  rootRoutes?: Hono<AppEnv>;
  /** Raw hypertables that the core's retention should cover. */
  rawTables?: { table: string; retainMs?: number; compress?: boolean }[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

export type AreaFactory = (ctx: AreaContext) => Promise<Area>;
