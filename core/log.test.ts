import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Writable } from 'node:stream';
import { createLogger } from './log';
import { maskIdNumber, maskIdNumbers } from './mask';

function capture() {
  const lines: string[] = [];
  const dest = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { log: createLogger({ level: 'debug', destination: dest as never }), lines };
}

const ID = '11010519491231002X';

test('log lines are JSON with a level and time', () => {
  const { log, lines } = capture();
  log.info({ target: 'portal' }, 'probe ok');
  const rec = JSON.parse(lines[0]);
  assert.is(rec.level, 'info');
  assert.is(rec.msg, 'probe ok');
  assert.is(rec.target, 'portal');
  assert.ok(rec.time);
});

test('no secret is ever logged, whatever the key is called or how deep', () => {
  const { log, lines } = capture();
  log.info({ password: 'hunter2-xyz', appSecret: 'S3CRET-abc', headers: { authorization: 'Bearer cot_tok123', 'X-Signature': 'deadbeef99' }, nested: { deep: { apiKey: 'k-777' } } }, 'request');
  const out = lines.join('');
  for (const s of ['hunter2-xyz', 'S3CRET-abc', 'cot_tok123', 'deadbeef99', 'k-777']) assert.not.ok(out.includes(s), `${s} leaked`);
  assert.ok(out.includes('[redacted]'));
});

test('no full ID number is ever logged: in fields, messages, arrays and errors', () => {
  const { log, lines } = capture();
  log.info({ record: { partyCertNo: ID, list: [`id ${ID}`] } }, `validating ${ID}`);
  log.error({ err: new Error(`bad id ${ID}`) }, 'failed');
  const out = lines.join('');
  assert.not.ok(out.includes(ID), 'full ID leaked');
  assert.ok(out.includes('110105********002X'));
});

test('masking keeps the first 6 and last 4 characters', () => {
  assert.is(maskIdNumber(ID), '110105********002X');
  assert.is(maskIdNumbers(`a ${ID} b 110105194912310021`), 'a 110105********002X b 110105********0021');
  assert.is(maskIdNumbers('order 1234567890123456789012'), 'order 1234567890123456789012', 'longer numbers are not IDs');
});

test.run();
