import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { reporterConfig } from '../config';
import { ADAPTERS, createAdapter } from './index';

test('reporter.province is the union of the registered adapters; contract-v1 when none is named', () => {
  const p = reporterConfig.parse({ province: { appKey: 'k' } }).province;
  assert.is(p.adapter, 'contract-v1');
  assert.is((p as { signMethod: string }).signMethod, 'HMAC-SM3');
  assert.ok(Object.keys(ADAPTERS).includes('contract-v1'));
  const bad = reporterConfig.safeParse({ province: { adapter: 'nope' } });
  assert.not.ok(bad.success);
  assert.equal(bad.error!.issues[0].path, ['province', 'adapter']);
  // An adapter's own keys are its own: a key of no adapter is refused.
  assert.not.ok(reporterConfig.safeParse({ province: { adapter: 'contract-v1', signMethod: 'MD5' } }).success);
});

test('createAdapter builds the configured adapter with the resolved secret', () => {
  const p = reporterConfig.parse({ province: { appKey: 'k', signMethod: 'HMAC-SHA256' } }).province;
  const a = createAdapter(p, 'the-secret');
  assert.is(a.name, 'contract-v1');
  const h = a.headers({ method: 'GET', pathWithQuery: '/api/v1/batches/x', body: '' }, Date.UTC(2026, 10, 25), 'req-1');
  assert.ok(Object.values(h).includes('k'), 'the app key is sent');
  assert.ok(Object.values(h).includes('HMAC-SHA256'), 'the configured sign method is used');
  assert.throws(() => createAdapter({ ...p, adapter: 'other' }, 's'), /unknown province adapter "other"; known: contract-v1/);
});

test.run();
