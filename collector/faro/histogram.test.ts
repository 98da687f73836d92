import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { binValue, vitalBin } from './histogram';
import { errorFingerprint, normaliseFilename, normaliseMessage } from './fingerprint';

test('a value and its bin middle differ by at most 2 %, for milliseconds and for CLS fractions', () => {
  for (const v of [0.001, 0.01, 0.05, 0.1, 0.25, 1, 12, 99.5, 800, 2500, 4000, 30_000, 600_000]) {
    const m = binValue(vitalBin(v));
    assert.ok(Math.abs(m - v) / v <= 0.021, `${v} → ${m}`);
  }
  assert.ok(vitalBin(2400) < vitalBin(2600), 'bins are ordered like values');
  assert.is(vitalBin(-5), vitalBin(0), 'negative values (clock skew) count as 0');
});

test('fingerprint normalisation: ids, numbers, URLs and build hashes do not split a group', () => {
  assert.is(normaliseMessage('user 123 not found at https://a.gov.cn/x?id=9'), 'user <n> not found at <url>');
  assert.is(normaliseMessage('id 3f2a1bc9e0 failed'), 'id <hex> failed');
  assert.is(normaliseFilename('https://www.example.gov.cn/assets/app.3f2a1bc9.js?v=2'), '/assets/app.<hash>.js');
  const a = errorFingerprint('TypeError', 'x of 12 is undefined', [{ filename: 'https://h/app.aaaaaa11.js', function: 'f' }]);
  const b = errorFingerprint('TypeError', 'x of 99 is undefined', [{ filename: 'https://other/app.bbbbbb22.js', function: 'f' }]);
  const c = errorFingerprint('TypeError', 'x of 99 is undefined', [{ filename: 'https://h/app.js', function: 'g' }]);
  assert.is(a, b);
  assert.is.not(a, c);
  assert.is.not(a, errorFingerprint('RangeError', 'x of 12 is undefined', [{ filename: 'https://h/app.aaaaaa11.js', function: 'f' }]));
});

test.run();
