import { Counter, Histogram, type Registry } from 'prom-client';

/** Prometheus metrics of the delivery side (on the process's /metrics). */
export interface DeliveryMetrics {
  requests: Counter<'kind' | 'outcome'>;
  requestSeconds: Histogram<'kind'>;
  records: Counter<'verdict'>;
}

/**
 * The delivery metrics in `registry`. prom-client refuses a second metric of one name in one registry, and every
 * DeliveryService registers into the process's registry (a configuration reload builds a new one): a metric already
 * there is taken from the registry itself (getSingleMetric), so no second registration and no module-level map.
 */
export function deliveryMetrics(registry: Registry): DeliveryMetrics {
  const once = <M>(name: string, make: () => M): M => (registry.getSingleMetric(name) as M | undefined) ?? make();
  return {
    requests: once('reporter_gateway_requests_total', () => new Counter({ name: 'reporter_gateway_requests_total', help: 'Requests to the provincial gateway by kind (upload, receipt, count) and outcome', labelNames: ['kind', 'outcome'], registers: [registry] })),
    requestSeconds: once('reporter_gateway_request_duration_seconds', () => new Histogram({ name: 'reporter_gateway_request_duration_seconds', help: 'Duration of requests to the provincial gateway', labelNames: ['kind'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [registry] })),
    records: once('reporter_records_verdicts_total', () => new Counter({ name: 'reporter_records_verdicts_total', help: 'Records the gateway accepted or rejected (per receipt)', labelNames: ['verdict'], registers: [registry] })),
  };
}
