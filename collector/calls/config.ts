import { z } from 'zod';
import { duration } from '../../core/config/common';

/** One interface of the platform's catalogue: its level (for the 累计调用 counters) and whether it is sensitive. */
const catalogueEntry = z
  .object({
    code: z.string().min(1).max(128),
    name: z.string().default(''),
    /** 市级 / 省级 / 国家级 data: the seed counts calls of city data apart from provincial and national data. */
    level: z.enum(['city', 'provincial', 'national']).default('city'),
    /** Population, legal-entity, licence libraries: the abnormal-access rules watch these. */
    sensitive: z.boolean().default(false),
  })
  .strict();

/** The `calls:` section: interface call monitoring (ingest limits, the interface catalogue, the staging pick-up). */
export const callsConfig = z
  .object({
    enabled: z.boolean().default(true),
    interfaces: z.array(catalogueEntry).default([]),
    /** The cumulative counters (累计调用) count calls from this instant on; before it, `baseline` per level. */
    countSince: z.string().datetime({ offset: true }).optional(),
    baseline: z
      .object({ city: z.number().int().min(0).default(0), provincial: z.number().int().min(0).default(0), national: z.number().int().min(0).default(0) })
      .strict()
      .prefault({}),
    /** Largest accepted NDJSON body, before and after gunzip. */
    maxBodyBytes: z.number().int().min(1024).max(256 * 1024 * 1024).default(32 * 1024 * 1024),
    /** Per-line errors listed in an answer (all are counted). */
    maxErrorsListed: z.number().int().min(1).max(10_000).default(100),
    /** Pick-up from call_records_staging: how often and how many rows per transaction. */
    staging: z
      .object({ enabled: z.boolean().default(true), every: duration({ min: '1s', max: '1h' }).prefault('10s'), batch: z.number().int().min(1).max(100_000).default(10_000) })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((v, ctx) => {
    const seen = new Set<string>();
    v.interfaces.forEach((e, i) => {
      if (seen.has(e.code)) ctx.addIssue({ code: 'custom', path: ['interfaces', i, 'code'], message: `interface ${e.code} is listed twice; list each code once` });
      seen.add(e.code);
    });
  })
  .prefault({});

export type CallsConfig = z.output<typeof callsConfig>;
