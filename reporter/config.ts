import { z } from 'zod';
import { cronExpression, duration, timeZone } from '../core/config/common';
import { adapterSchemas, DEFAULT_ADAPTER } from './adapters';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'dates are written yyyy-MM-dd, e.g. "2026-10-01"');

/**
 * The working-day calendar (工作日): per year, the statutory holidays and the weekend days made working days (调休)
 * by the State Council's yearly schedule. The office adds next year's each December; a year missing here is a
 * warning at start and counts Monday to Friday.
 */
const calendarConfig = z
  .object({
    years: z
      .record(
        z.string().regex(/^\d{4}$/, 'years are keys such as "2026"'),
        z
          .object({
            /** Days off (法定节假日, including the weekend days inside a holiday block). */
            holidays: z.array(isoDate).default([]),
            /** Weekend days that are working days (调休上班). */
            workdays: z.array(isoDate).default([]),
          })
          .strict(),
      )
      .default({}),
  })
  .strict()
  .prefault({});

const workingDays = z.number().int().min(1).max(120);

/** Reporting deadlines in working days after the record's date (data-standard.md). */
const deadlinesConfig = z
  .object({
    PENALTY: workingDays.default(7),
    /** COERCION (contract v1.1): startDate + N. */
    COERCION: workingDays.default(7),
    INSPECTION: workingDays.default(7),
    /** INSPECTION with a planId (双随机一公开 results). */
    INSPECTION_PLAN: workingDays.default(20),
    /** ITEM and OFFICER have no deadline in contract v1; set a number to give them one. */
    ITEM: workingDays.optional(),
    OFFICER: workingDays.optional(),
  })
  .strict()
  .prefault({});

/** How records come in (API, bulk import, staging tables). */
const intakeConfig = z
  .object({
    /** The city's region code: regionCode must be this or one of its districts (same first four digits). */
    cityRegionCode: z.string().regex(/^\d{4}00$/, 'a city region code has 6 digits ending in 00, e.g. "370700"').default('370700'),
    /** Most records in one POST /records/:dataType. */
    maxRecordsPerRequest: z.number().int().min(1).max(100000).default(5000),
    /** Largest request body of POST /records/:dataType, in bytes (default 32 MiB). */
    maxRequestBytes: z.number().int().min(1024).max(512 * 1024 * 1024).default(32 * 1024 * 1024),
    /** Largest file POST /imports takes, in bytes (default 256 MiB; streamed, so memory does not grow with it). */
    maxImportBytes: z.number().int().min(1024).max(4 * 1024 * 1024 * 1024).default(256 * 1024 * 1024),
    /** Rows written to the database per statement batch by the import and the staging pick-up. */
    writeBatchSize: z.number().int().min(10).max(10000).default(1000),
    /** Staging rows picked up per run (the rest wait for the next run). */
    stagingMaxRowsPerRun: z.number().int().min(1).max(1000000).default(50000),
  })
  .strict()
  .prefault({});

// ---- Delivery (owned by the delivery side): the province gateway, the schedules, the outbox. ----

// node-cron's own validator (core/config/common.ts); the time zone beside it through the Intl check.
const cronExpr = cronExpression;

/**
 * The provincial gateway. `adapter` picks the wire format (reporter/adapters/: each adapter's schema lives beside its
 * code, listed in adapters/index.ts); without it, contract v1. REPORTER_PROVINCE_URL in the environment overrides `url`.
 */
export const reporterProvinceConfig = z
  .preprocess(
    (v) => (v && typeof v === 'object' && !Array.isArray(v) && !('adapter' in v) ? { adapter: DEFAULT_ADAPTER, ...v } : v),
    z.discriminatedUnion('adapter', adapterSchemas),
  )
  .prefault({});

export const reporterScheduleConfig = z
  .object({
    /** Incremental delivery of new and changed records. */
    incremental: cronExpr.default('*/15 * * * *'),
    /** Nightly full pass: also re-sends records the gateway held back only for E_REFERENCE. */
    full: cronExpr.default('30 1 * * *'),
    /** Nightly reconciliation against the province's counts. */
    reconcile: cronExpr.default('0 3 * * *'),
    /** The time zone the three expressions are read in (an IANA name Intl knows). */
    timezone: timeZone.default('Asia/Shanghai'),
    /** Run an incremental delivery right after start. */
    runOnStart: z.boolean().default(false),
    /** Reconcile with the province right after that start run (the demo, so 完整率 has data at once). */
    reconcileOnStart: z.boolean().default(false),
  })
  .strict()
  .prefault({});

export const reporterDeliveryConfig = z
  .object({
    maxRecordsPerBatch: z.number().int().min(1).max(1000).default(1000),
    maxBatchBytes: z.number().int().min(1024).max(5 * 1024 * 1024).default(5 * 1024 * 1024),
    /** Retries of one request on timeouts, 5xx and 429, with exponential backoff and jitter. */
    retries: z.number().int().min(0).max(20).default(6),
    retryBaseDelay: duration({ min: '1ms', max: '10m' }).prefault('1s'),
    retryMaxDelay: duration({ min: '1ms', max: '1h' }).prefault('2m'),
    receiptPollInterval: duration({ min: '10ms', max: '10m' }).prefault('2s'),
    /** How long one run waits for PROCESSING receipts before leaving them for the next run. */
    receiptWait: duration({ min: '10ms', max: '1h' }).prefault('5m'),
    /** Reconciliation covers the months that start within this window back from today, month by month. */
    reconcileMonths: z.number().int().min(1).max(36).default(3),
    /** 覆盖率 counts ITEM entries of these categories (data-standard.md: 01 by default). */
    coverageCategories: z.array(z.enum(['01', '02', '03', '04'])).default(['01']),
    /** How long the exact body of a finished batch is kept (for audit); then it is cleared, the batch row stays. */
    keepBatchBodies: duration({ min: '1d', max: '3650d' }).prefault('90d'),
  })
  .strict()
  .prefault({});

/**
 * The `reporter:` section of the configuration. Owned by the reporter area: `calendar`, `deadlines` and `intake`
 * belong to intake (reporter/standard, reporter/intake); the delivery side adds its own sub-objects.
 */
export const reporterConfig = z
  .object({
    calendar: calendarConfig,
    deadlines: deadlinesConfig,
    intake: intakeConfig,
    province: reporterProvinceConfig,
    schedule: reporterScheduleConfig,
    delivery: reporterDeliveryConfig,
    /** Start the bundled provincial gateway simulator (ops/province-sim) and report to it (the demo). */
    demoSimulator: z.boolean().default(false),
  })
  .strict()
  .prefault({});

export type ReporterCalendarConfig = z.output<typeof calendarConfig>;
export type ReporterDeadlinesConfig = z.output<typeof deadlinesConfig>;
export type ReporterIntakeConfig = z.output<typeof intakeConfig>;
export type ReporterProvinceConfig = z.output<typeof reporterProvinceConfig>;
export type ReporterScheduleConfig = z.output<typeof reporterScheduleConfig>;
export type ReporterDeliveryConfig = z.output<typeof reporterDeliveryConfig>;

export type ReporterConfig = z.output<typeof reporterConfig>;
