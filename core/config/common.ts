import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseDuration } from '../time';

/** A duration such as "30s", "5m", "7d"; parsed to milliseconds. */
export function duration(opts: { min?: string; max?: string } = {}) {
  return z.string().transform((text, ctx) => {
    let v: number;
    try {
      v = parseDuration(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: `expected a duration such as "30s", "5m", "2h" or "7d"`, input: text });
      return z.NEVER;
    }
    if (opts.min && v < parseDuration(opts.min)) {
      ctx.addIssue({ code: 'custom', message: `expected a duration of at least ${opts.min}`, input: text });
      return z.NEVER;
    }
    if (opts.max && v > parseDuration(opts.max)) {
      ctx.addIssue({ code: 'custom', message: `expected a duration of at most ${opts.max}`, input: text });
      return z.NEVER;
    }
    return v;
  });
}

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
