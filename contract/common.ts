/**
 * The HTTP API's contract: the JSON shapes the server answers with, shared by the areas that build them and the
 * dashboard that reads them. Types only (no code, no imports from outside this folder), camelCase field names in
 * every answer; calendar days are "yyyy-MM-dd" (UTC+8), instants ISO 8601 strings with an offset ("...Z").
 */

/** Every list answer: one page of items and how many there are in all. */
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** Every error answer: a stable code, a message a person can act on (Chinese first), and details. */
export interface ErrorBody {
  error: { code: string; message: string; [k: string]: unknown };
}

/** An instant as JSON carries it: ISO 8601 with an offset, e.g. "2026-12-02T07:30:00.000Z". */
export type Instant = string;
/** A calendar day in UTC+8: "2026-12-02". */
export type CalendarDay = string;

/** GET /healthz (app/system.ts): 200 while the database answers, 503 with db "down" when it does not. */
export interface Health {
  status: 'ok' | 'degraded';
  db: 'up' | 'down';
  /** The roles this process runs (collector, alerts, reporter, dashboard). */
  roles: string[];
  backend: 'embedded' | 'server';
}
