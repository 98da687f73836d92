import type { Hono } from 'hono';
import type { Registry } from 'prom-client';
import type { z } from 'zod';
import type { Db } from './db';
import type { Logger } from './log';
import type { Clock } from './time';
import type { AuthService } from './auth/service';
import type { Leader } from './leader';
import type { AppEnv } from './http';
import type { CoreConfig } from './config/core';
import type { ConfigSource } from './config/load';
import type { RawTable, RollupDefinition } from './db/jobs';
import type { ConfigKind, ConfigObjects } from './config/store';

export type RoleName = 'collector' | 'alerts' | 'reporter' | 'dashboard';
export const ROLE_NAMES: RoleName[] = ['collector', 'alerts', 'reporter', 'dashboard'];

/** Configuration sections an area owns: top-level key → its zod schema. */
export type ConfigSections = Record<string, z.ZodType>;
/** The validated values of an area's sections, e.g. `{ collector: CollectorConfig; faro: FaroConfig }`. */
export type SectionsOf<S extends ConfigSections> = { [K in keyof S]: z.output<S[K]> };

/**
 * What the composition root hands an area. Areas talk to each other only through the database and the HTTP API,
 * never through code: an area sees its own configuration sections and the core's, nothing else.
 */
export interface AreaContext<C> {
  /** The area's own sections of the configuration file. */
  config: C;
  /** The core's sections (server, database, retention, auth, log) and where the file is. */
  core: CoreConfig & ConfigSource;
  db: Db;
  log: Logger;
  clock: Clock;
  metrics: Registry;
  auth: AuthService;
  /** A leader election on an advisory lock; the caller starts and stops it. */
  leader(name: string, onChange?: (leader: boolean) => void): Leader;
  /** Folder for files an area keeps on disk (the collector's journal); under the data folder. */
  dataDir: string;
  /** The configuration store (core/config/store.ts): the objects of every area's `configKinds`, versioned. */
  objects: ConfigObjects;
  /** Subscribe to configuration reloads (the file or a stored object changed, and validated): the area's sections, new. */
  onConfigReload(fn: (config: C) => void | Promise<void>): void;
}

/** A running area: its HTTP routes (mounted in every process that serves HTTP) and its workers (started only in processes that run its role). */
export interface AreaRuntime {
  routes?: Hono<AppEnv>;
  /** Routes that must live at the root (the dashboard at `/`). */
  rootRoutes?: Hono<AppEnv>;
  start(): Promise<void>;
  /** Called once every area of the process has started and the server listens: background work that must not slow the start. */
  serving?(): void;
  stop(): Promise<void>;
}

/**
 * An area, as one value: its configuration sections with their schemas, its raw hypertables and rollups (the core's
 * database jobs keep them: retention, compression, refresh), and how to build it. `D` is what the composition root
 * wires in besides the context (the demo simulators, a link to another area's settings).
 */
export interface AreaDefinition<S extends ConfigSections = ConfigSections, D = void> {
  name: RoleName;
  /** Routes are mounted at `/api/${mount}` (default: the name). */
  mount?: string;
  sections: S;
  rawTables?: RawTable[];
  rollups?: RollupDefinition[];
  /** The kinds of configuration objects in its sections that may also be written through the API (core/config/store.ts). */
  configKinds?: ConfigKind[];
  create(ctx: AreaContext<SectionsOf<S>>, deps: D): Promise<AreaRuntime>;
}
