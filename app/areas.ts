import { collectorArea } from '../collector';
import { alertsArea } from '../alerts';
import { reporterArea } from '../reporter';
import { dashboardArea } from '../dashboard';
import type { JobTables } from '../core/db/jobs';
import type { ConfigKind } from '../core/config/store';

/** The four areas, in the order they are built, mounted and started. */
export const AREAS = [collectorArea, alertsArea, reporterArea, dashboardArea] as const;

/** What the database jobs keep: every area's raw tables and rollups. */
export const JOB_TABLES: JobTables = {
  rawTables: AREAS.flatMap((a) => a.rawTables ?? []),
  rollups: AREAS.flatMap((a) => a.rollups ?? []),
};

/** Every area's kinds of configuration objects (core/config/store.ts). */
export const CONFIG_KINDS = AREAS.flatMap((a) => (a as { configKinds?: ConfigKind[] }).configKinds ?? []);
