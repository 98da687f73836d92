import type { Queryable } from '../../core/db';

/** Thrown by a source whose table or column does not exist (yet): the rules that need it report "no data". */
export class SourceMissing extends Error {}

const MISSING = new Set(['42P01', '42703', '42883']); // undefined table, column, function

/**
 * Inputs are written by other areas (some still being built), so a missing table or column must not stop the
 * evaluation of every other rule: it becomes SourceMissing, which the engine logs once per rule.
 */
export async function readSource<T>(db: Queryable, source: string, sql: string, params: unknown[] = []): Promise<T[]> {
  try {
    return (await db.query<T>(sql, params)).rows;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code && MISSING.has(code)) throw new SourceMissing(`${source}: ${(err as Error).message}`);
    if (/does not exist/.test((err as Error).message)) throw new SourceMissing(`${source}: ${(err as Error).message}`);
    throw err;
  }
}

export const ms = (v: unknown): number | null => (v == null ? null : v instanceof Date ? v.getTime() : new Date(v as string).getTime());
export const num = (v: unknown): number | null => (v == null || v === '' ? null : Number(v));
