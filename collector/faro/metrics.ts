import { Counter, Gauge, type Registry } from 'prom-client';

export interface FaroMetrics {
  stored: Counter<'app' | 'table'>;
  rejected: Counter<'reason'>;
}

/** Registered once per registry (the receiver may be built twice in one process, e.g. by two mounts). */
export function faroMetrics(registry: Registry, backlog: () => number): FaroMetrics {
  const existing = registry.getSingleMetric('faro_rows_stored_total') as Counter<'app' | 'table'> | undefined;
  if (existing) return { stored: existing, rejected: registry.getSingleMetric('faro_requests_rejected_total') as Counter<'reason'> };
  const stored = new Counter({ name: 'faro_rows_stored_total', help: 'Rows from the Faro web SDK written to the database', labelNames: ['app', 'table'], registers: [registry] });
  const rejected = new Counter({ name: 'faro_requests_rejected_total', help: 'Faro requests answered 4xx/5xx, by reason', labelNames: ['reason'], registers: [registry] });
  new Gauge({ name: 'faro_writer_backlog_rows', help: 'Rows waiting for the next batch write', registers: [registry], collect() { this.set(backlog()); } });
  return { stored, rejected };
}
