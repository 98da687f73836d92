/**
 * PostgreSQL array literals for `unnest($n::type[])` bulk statements, built in one pass over the rows rather than by
 * the driver (which escapes every element of every array one by one): numbers as they print, text double-quoted
 * with `"` and `\` escaped — the whole of PostgreSQL's quoting rule for array elements — and NULL bare. Booleans go
 * as text `t` / `f` (see `pgBool`). Used by the probe result writer and the call-record store.
 */
const quote = (v: string) => '"' + (/["\\]/.test(v) ? v.replace(/["\\]/g, '\\$&') : v) + '"';

/** `{1,2.5,NULL}` for a float8[] / int[] / bigint[] parameter. */
export function numArray<T>(rows: readonly T[], f: (r: T) => number | null | undefined): string {
  let s = '{';
  for (let i = 0; i < rows.length; i++) {
    const v = f(rows[i]!);
    s += (i ? ',' : '') + (v == null ? 'NULL' : v);
  }
  return s + '}';
}

/** `{"a","b \"c\"",NULL}` for a text[] (or uuid[], boolean[] with `pgBool`) parameter. */
export function textArray<T>(rows: readonly T[], f: (r: T) => string | null | undefined): string {
  let s = '{';
  for (let i = 0; i < rows.length; i++) {
    const v = f(rows[i]!);
    s += (i ? ',' : '') + (v == null ? 'NULL' : quote(v));
  }
  return s + '}';
}

/** A boolean as an element of a boolean[] literal built by `textArray`. */
export const pgBool = (v: boolean | null | undefined): string | null => (v == null ? null : v ? 't' : 'f');
