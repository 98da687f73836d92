import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Registry } from 'prom-client';
import { deliveryMetrics } from './metrics';

test('a second DeliveryService on one registry gets the metrics already registered (prom-client refuses duplicates)', async () => {
  const r = new Registry();
  const a = deliveryMetrics(r);
  const b = deliveryMetrics(r);
  assert.ok(a.requests === b.requests && a.records === b.records && a.requestSeconds === b.requestSeconds);
  b.requests.inc({ kind: 'upload', outcome: 'receipt' });
  assert.match(await r.metrics(), 'reporter_gateway_requests_total{kind="upload",outcome="receipt"} 1');
  assert.is.not(deliveryMetrics(new Registry()).requests, a.requests, 'another registry, other metrics');
});

test.run();
