import { Counter, Histogram, type Registry } from 'prom-client';

/** Prometheus metrics of the delivery side (on the process's /metrics). */
export interface DeliveryMetrics {
  requests: Counter<'kind' | 'outcome'>;
  requestSeconds: Histogram<'kind'>;
  records: Counter<'verdict'>;
}

const BY_REGISTRY = new WeakMap<Registry, DeliveryMetrics>();

export function deliveryMetrics(registry: Registry): DeliveryMetrics {
  const hit = BY_REGISTRY.get(registry);
  if (hit) return hit;
  const m: DeliveryMetrics = {
    requests: new Counter({ name: 'reporter_gateway_requests_total', help: 'Requests to the provincial gateway by kind (upload, receipt, count) and outcome', labelNames: ['kind', 'outcome'], registers: [registry] }),
    requestSeconds: new Histogram({ name: 'reporter_gateway_request_duration_seconds', help: 'Duration of requests to the provincial gateway', labelNames: ['kind'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [registry] }),
    records: new Counter({ name: 'reporter_records_verdicts_total', help: 'Records the gateway accepted or rejected (per receipt)', labelNames: ['verdict'], registers: [registry] }),
  };
  BY_REGISTRY.set(registry, m);
  return m;
}
