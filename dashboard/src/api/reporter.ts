import { get } from './http';

export const reporter = {
  /** Indicators for a period of record dates [from, to) as yyyy-MM-dd (the province's periods are months). */
  indicators: (from: string, to: string) => get('/api/reporter/indicators', { from, to, limit: 1000 }),
  status: () => get('/api/reporter/delivery/status'),
  batches: () => get('/api/reporter/batches', { limit: 1000 }),
  corrections: () => get('/api/reporter/corrections', { limit: 200 }),
  /** Records past their deadline that the province has not accepted, oldest deadline first. */
  overdue: () => get('/api/reporter/overdue', { limit: 100 }),
  reconciliations: () => get('/api/reporter/reconciliations', { limit: 200 }),
  runs: (limit = 20) => get('/api/reporter/runs', { limit }),
  };
