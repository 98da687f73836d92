import { z } from 'zod';

/**
 * The body the Grafana Faro web SDK posts (faro-core `TransportBody`): meta plus any of exceptions, logs,
 * measurements, events and traces (OTLP JSON). Objects are loose: the SDK adds fields between versions and a
 * receiver that refused unknown fields would break on the next SDK upgrade. Only what we store is checked strictly.
 */
const isoTime = z.string().max(64).refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO-8601 timestamp such as "2026-11-25T08:00:00.000Z"');
const strMap = z.record(z.string(), z.unknown());
const traceCtx = z.looseObject({ trace_id: z.string().max(64).optional(), span_id: z.string().max(64).optional() });

const frame = z.looseObject({
  filename: z.string().max(2048).default(''),
  function: z.string().max(1024).default(''),
  lineno: z.number().optional(),
  colno: z.number().optional(),
});

export const exceptionEvent = z.looseObject({
  type: z.string().min(1).max(512),
  value: z.string().max(16_384),
  timestamp: isoTime,
  stacktrace: z.looseObject({ frames: z.array(frame).max(500) }).optional(),
  context: strMap.optional(),
  trace: traceCtx.optional(),
});

export const logEvent = z.looseObject({
  level: z.string().max(32).default('info'),
  message: z.string().max(16_384),
  timestamp: isoTime,
  context: strMap.nullish(),
  trace: traceCtx.optional(),
});

export const measurementEvent = z.looseObject({
  type: z.string().min(1).max(256),
  values: z.record(z.string().max(256), z.number().refine(Number.isFinite, 'expected a finite number')),
  timestamp: isoTime,
  context: strMap.optional(),
  trace: traceCtx.optional(),
});

export const eventEvent = z.looseObject({
  name: z.string().min(1).max(1024),
  timestamp: isoTime,
  domain: z.string().max(256).optional(),
  attributes: strMap.optional(),
  trace: traceCtx.optional(),
});

// OTLP JSON carries 64-bit nanoseconds as decimal strings (numbers from some encoders).
const unixNano = z.union([z.string().regex(/^\d{1,20}$/, 'expected nanoseconds since the epoch as a decimal string'), z.number().int().nonnegative()]);

const otlpSpan = z.looseObject({
  traceId: z.string().max(64),
  spanId: z.string().max(64),
  name: z.string().max(1024),
  startTimeUnixNano: unixNano,
  endTimeUnixNano: unixNano.optional(),
  attributes: z.array(z.unknown()).optional(),
});

export const traces = z.looseObject({
  resourceSpans: z
    .array(z.looseObject({ scopeSpans: z.array(z.looseObject({ spans: z.array(otlpSpan).default([]) })).default([]) }))
    .default([]),
});

export const meta = z.looseObject({
  sdk: z.looseObject({ name: z.string().optional(), version: z.string().optional() }).optional(),
  app: z.looseObject({ name: z.string().optional(), version: z.string().optional(), release: z.string().optional(), environment: z.string().optional() }).optional(),
  session: z.looseObject({ id: z.string().max(128).optional() }).optional(),
  page: z.looseObject({ url: z.string().max(8192).optional(), id: z.string().optional() }).optional(),
  browser: z.looseObject({ name: z.string().optional(), version: z.string().optional(), os: z.string().optional(), mobile: z.boolean().optional() }).optional(),
  user: z.looseObject({ id: z.string().optional(), username: z.string().optional() }).optional(),
  view: z.looseObject({ name: z.string().optional() }).optional(),
});

export const faroBody = z.looseObject({
  meta,
  exceptions: z.array(exceptionEvent).optional(),
  logs: z.array(logEvent).optional(),
  measurements: z.array(measurementEvent).optional(),
  events: z.array(eventEvent).optional(),
  traces: traces.optional(),
});

export type FaroBody = z.output<typeof faroBody>;

/** "exceptions[0].timestamp: expected an ISO-8601 timestamp ..." — the first few problems, each with where it is. */
export function describeIssues(err: z.ZodError, max = 5): string {
  const parts = err.issues.slice(0, max).map((i) => {
    const path = i.path.map((k, n) => (typeof k === 'number' ? `[${k}]` : n === 0 ? String(k) : `.${String(k)}`)).join('');
    return `${path || '(body)'}: ${i.message}`;
  });
  if (err.issues.length > max) parts.push(`... and ${err.issues.length - max} more`);
  return parts.join('; ');
}
