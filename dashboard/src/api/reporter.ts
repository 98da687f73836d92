import type { Page } from '../../../contract/common';
import type { Batch, Correction, DeliveryStatus, Indicators, OverdueRecord, Reconciliation, Run } from '../../../contract/reporter';
import { get } from './http';

/** The answers are contract/reporter.ts's; a GET gives null when the endpoint is not there (404/501). */
export const reporter = {
  /** Indicators for a period of record dates [from, to) as yyyy-MM-dd (the province's periods are months). */
  indicators: (from: string, to: string): Promise<Indicators | null> => get('/api/reporter/indicators', { from, to, limit: 1000 }),
  status: (): Promise<DeliveryStatus | null> => get('/api/reporter/delivery/status'),
  batches: (): Promise<Page<Batch> | null> => get('/api/reporter/batches', { limit: 1000 }),
  corrections: (): Promise<Page<Correction> | null> => get('/api/reporter/corrections', { limit: 200 }),
  /** Records past their deadline that the province has not accepted, oldest deadline first. */
  overdue: (): Promise<Page<OverdueRecord> | null> => get('/api/reporter/overdue', { limit: 100 }),
  reconciliations: (): Promise<Page<Reconciliation> | null> => get('/api/reporter/reconciliations', { limit: 200 }),
  runs: (limit = 20): Promise<Page<Run> | null> => get('/api/reporter/runs', { limit }),
};
