import { z } from 'zod';
import { secret } from '../../core/config/common';

/** One browser application allowed to send: its name (stored with every row) and its key (the Faro `apiKey`). */
const faroApp = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'app names are letters, digits, _ . - (at most 64)'),
    key: secret,
    /** Extra CORS origins for this app only, e.g. "https://www.example.gov.cn". */
    allowedOrigins: z.array(z.string().min(1)).default([]),
  })
  .strict();

/** The `faro:` section: browser real-user monitoring receiver (apps, keys, CORS, limits). Owned by the Faro receiver. */
export const faroConfig = z
  .object({
    enabled: z.boolean().default(true),
    apps: z.array(faroApp).default([]),
    /** CORS origins allowed for every app ("*" allows any origin; the key still has to match). */
    allowedOrigins: z.array(z.string().min(1)).default([]),
    /** Largest accepted body, before and after gunzip; bigger answers 413. */
    maxBodyBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
    /** Token bucket per app key: sustained requests per second and burst; over it answers 429 with Retry-After. */
    rateLimit: z
      .object({ perSecond: z.number().positive().default(50), burst: z.number().int().min(1).default(200) })
      .strict()
      .prefault({}),
    /** Group commit: rows are written in batches of at most this many, at most this often (ms). */
    batch: z
      .object({ maxRows: z.number().int().min(1).max(50_000).default(5000), maxDelayMs: z.number().int().min(0).max(5000).default(50) })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((v, ctx) => {
    const seen = new Set<string>();
    v.apps.forEach((a, i) => {
      if (seen.has(a.key)) ctx.addIssue({ code: 'custom', path: ['apps', i, 'key'], message: 'two apps share this key; give each app its own key' });
      seen.add(a.key);
    });
  })
  .prefault({});

export type FaroConfig = z.output<typeof faroConfig>;
