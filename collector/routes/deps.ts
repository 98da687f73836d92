import type { Db } from '../../core/db';
import type { AuthService } from '../../core/auth/service';
import type { Clock } from '../../core/time';
import type { Logger } from '../../core/log';
import type { CollectorConfig } from '../config';
import type { CollectorEngine } from '../engine';

/** What the collector's HTTP routes need; `engine()` is null in a process that does not run the collector role. */
export interface RouteDeps {
  db: Db;
  auth: AuthService;
  clock: Clock;
  log: Logger;
  config(): CollectorConfig;
  engine(): CollectorEngine | null;
}

/** A time from the query: ISO 8601 or milliseconds since the epoch; undefined when absent, NaN when unreadable. */
export function timeParam(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  if (/^\d+$/.test(v)) return Number(v);
  return Date.parse(v);
}

/** A time of a store (ms since the epoch) as the contract's Instant. */
export function instant(ms: number): string;
export function instant(ms: number | null): string | null;
export function instant(ms: number | null): string | null {
  return ms == null ? null : new Date(ms).toISOString();
}
