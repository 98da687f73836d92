import cron from 'node-cron';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseDuration } from '../time';

/** The one spelling of a duration in the file: a number and a unit, e.g. 500ms, 30s, 5m, 2h, 7d, 1w, 3y. */
const DURATION_TEXT = /^\d+(\.\d+)?(ms|s|m|h|d|w|y)$/;
/** No duration in the file is longer than this (PostgreSQL intervals and timers stay far inside their ranges). */
const LONGEST = parseDuration('100y');

/** A duration such as "30s", "5m", "7d"; parsed to milliseconds. */
export function duration(opts: { min?: string; max?: string } = {}) {
  return z.string().transform((text, ctx) => {
    let v: number;
    try {
      if (!DURATION_TEXT.test(text)) throw new Error();
      v = parseDuration(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: `expected a duration such as "30s", "5m", "2h" or "7d" (a number and one of the units ms, s, m, h, d, w, y)`, input: text });
      return z.NEVER;
    }
    if (opts.min && v < parseDuration(opts.min)) {
      ctx.addIssue({ code: 'custom', message: `expected a duration of at least ${opts.min}`, input: text });
      return z.NEVER;
    }
    const max = opts.max ? parseDuration(opts.max) : LONGEST;
    if (v > max) {
      ctx.addIssue({ code: 'custom', message: `expected a duration of at most ${opts.max ?? '100y'}`, input: text });
      return z.NEVER;
    }
    return v;
  });
}

/** An IANA time zone that this Node knows (Intl), e.g. "Asia/Shanghai". */
export const timeZone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'unknown time zone: expected an IANA time zone such as "Asia/Shanghai" (see the tz database)' },
);

/**
 * A cron expression as node-cron reads it (5 or 6 fields), checked by node-cron's own validator: the message names
 * the field that is wrong. Its time zone is a `timeZone` beside it (the schedule's `timezone` key).
 */
export const cronExpression = z.string().superRefine((expr, ctx) => {
  const r = cron.validateDetailed(expr);
  if (r.valid) return;
  const why = r.errors.map((e) => `${e.field}: ${e.message}`).join('; ') || 'not a cron expression';
  ctx.addIssue({ code: 'custom', message: `expected a cron expression (node-cron, 5 or 6 fields, e.g. "*/15 * * * *"): ${why}` });
});

/**
 * A secret is never written in the file itself in production: `{ env: NAME }` reads an environment variable,
 * `{ file: path }` reads a file (trailing newline removed). A plain string is accepted for demos and tests.
 */
export const secret = z
  .union([z.string().min(1), z.object({ env: z.string().min(1) }).strict(), z.object({ file: z.string().min(1) }).strict()])
  .transform((v, ctx) => {
    if (typeof v === 'string') return v;
    if ('env' in v) {
      const val = process.env[v.env];
      if (val === undefined || val === '') {
        ctx.addIssue({ code: 'custom', message: `environment variable ${v.env} is not set; export it or use { file: ... }`, input: v });
        return z.NEVER;
      }
      return val;
    }
    try {
      return readFileSync(v.file, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `cannot read secret file ${v.file}: ${(err as NodeJS.ErrnoException).code}`, input: v });
      return z.NEVER;
    }
  });

/** Labels / tags: short keys, string values. */
export const labels = z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'label names are letters, digits and _'), z.string());

export const severity = z.enum(['info', 'warning', 'critical']);
