import { z } from 'zod';

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
    /** Rows written to the database per statement batch by the import and the staging pick-up. */
    writeBatchSize: z.number().int().min(10).max(10000).default(1000),
    /** Staging rows picked up per run (the rest wait for the next run). */
    stagingMaxRowsPerRun: z.number().int().min(1).max(1000000).default(50000),
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
  })
  .loose()
  .prefault({});

export type ReporterCalendarConfig = z.output<typeof calendarConfig>;
export type ReporterDeadlinesConfig = z.output<typeof deadlinesConfig>;
export type ReporterIntakeConfig = z.output<typeof intakeConfig>;
