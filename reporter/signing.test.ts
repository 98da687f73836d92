import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { bodyHash, signRequest, signature, stringToSign, type SignMethod } from './signing';

// An independent implementation path: the openssl command line (OpenSSL 3 has SM3).
function openssl(alg: 'sm3' | 'sha256', input: string, hmacKey?: string): string {
  const args = ['dgst', `-${alg}`, ...(hmacKey ? ['-hmac', hmacKey] : [])];
  const out = execFileSync('openssl', args, { input }).toString();
  return out.trim().split('= ').pop()!;
}

test('SM3 body hash matches the GB/T 32905 test vector and openssl', () => {
  assert.is(bodyHash('HMAC-SM3', 'abc'), '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
  assert.is(bodyHash('HMAC-SM3', ''), openssl('sm3', ''));
  assert.is(bodyHash('HMAC-SHA256', ''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
});

for (const method of ['HMAC-SM3', 'HMAC-SHA256'] as SignMethod[]) {
  test(`${method} signature equals openssl's HMAC over the documented string`, () => {
    const alg = method === 'HMAC-SM3' ? 'sm3' : 'sha256';
    const body = JSON.stringify({ batchId: '370700-20261124-000123', dataType: 'ITEM', records: [{ recordId: '检查-1' }] });
    const h = signRequest({
      appKey: 'city-370700', appSecret: 's3cr3t-key', signMethod: method, method: 'post', pathWithQuery: '/api/v1/batches',
      body, nowMs: 1764000000123, nonce: '0123456789abcdef0123', requestId: '00000000-0000-4000-8000-000000000000',
    });
    const expectedString = `POST\n/api/v1/batches\n1764000000123\n0123456789abcdef0123\n${openssl(alg, body)}`;
    assert.is(stringToSign(method, { method: 'POST', pathWithQuery: '/api/v1/batches', timestamp: '1764000000123', nonce: '0123456789abcdef0123', body }), expectedString);
    assert.is(h['X-Signature'], openssl(alg, expectedString, 's3cr3t-key'));
    assert.is(h['X-Sign-Method'], method);
    assert.is(h['X-Timestamp'], '1764000000123');
    assert.is(h['X-App-Key'], 'city-370700');
  });
}

test('empty body and query string are part of what is signed', () => {
  const a = signature('HMAC-SM3', 'k', { method: 'GET', pathWithQuery: '/api/v1/records/ITEM/count?regionCode=370700', timestamp: '1', nonce: 'aaaaaaaaaaaaaaaa', body: '' });
  const b = signature('HMAC-SM3', 'k', { method: 'GET', pathWithQuery: '/api/v1/records/ITEM/count?regionCode=370701', timestamp: '1', nonce: 'aaaaaaaaaaaaaaaa', body: '' });
  assert.is.not(a, b);
  const s = `GET\n/api/v1/records/ITEM/count?regionCode=370700\n1\naaaaaaaaaaaaaaaa\n${openssl('sm3', '')}`;
  assert.is(a, openssl('sm3', s, 'k'));
});

test('a fresh nonce is 32 hex characters and differs each time', () => {
  const h1 = signRequest({ appKey: 'a', appSecret: 'b', signMethod: 'HMAC-SM3', method: 'GET', pathWithQuery: '/', body: '', nowMs: 0 });
  const h2 = signRequest({ appKey: 'a', appSecret: 'b', signMethod: 'HMAC-SM3', method: 'GET', pathWithQuery: '/', body: '', nowMs: 0 });
  assert.match(h1['X-Nonce'], /^[0-9a-f]{32}$/);
  assert.is.not(h1['X-Nonce'], h2['X-Nonce']);
  assert.match(h1['X-Request-Id'], /^[0-9a-f-]{36}$/);
});

test.run();
