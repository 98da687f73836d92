import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkUscc, usccCheckChar } from './uscc';
import { checkIdNumber } from './idno';
import { toHalfWidth, code, upperCode, multi, hasControlChars, text } from './normalise';
import { parseYuan, fenToWan, fenToYuan, yuanToWan, wanToFen } from './money';
import { parseDate, parseDateTime, isoUtc8 } from './dates';

import { CODE_TABLES, describeTable, headerMap, FIELDS } from './codes';
import { chinaDate } from '../../core/china-time';

test('USCC: the well-known valid example, checked by hand', () => {
  // 9*1+1*3+3*9+5*27+0*19+1*26+0*16+0*17+M(21)*20+0+0+0+1*8+0+0+Y(30)*30+4*28 = 1640; 1640 mod 31 = 28; 31-28 = 3.
  assert.is(usccCheckChar('91350100M000100Y4'), '3');
  assert.is(checkUscc('91350100M000100Y43'), 'ok');
});

test('USCC: wrong check character, forbidden letters, wrong length, non-digit region', () => {
  assert.is(checkUscc('91350100M000100Y44'), 'checksum');
  assert.is(checkUscc('91350100M000100YI3'), 'format'); // I is not in the alphabet
  assert.is(checkUscc('91350100M000100O43'), 'format'); // O neither
  assert.is(checkUscc('91350100M000100Y4'), 'format');
  assert.is(checkUscc('913501000M00100Y43'.slice(0, 2) + 'A' + '50100M000100Y43'), 'format');
  assert.is(checkUscc('91350100m000100y43'), 'format'); // callers upper-case first (upperCode)
});

test('ID number: the standard example, checked by hand, and failures', () => {
  // 1*7+1*9+0*10+1*5+0*8+5*4+1*2+9*1+4*6+9*3+1*7+2*9+3*10+1*5+0*8+0*4+2*2 = 167; 167 mod 11 = 2 → "10X98765432"[2] = X
  assert.is(checkIdNumber('11010519491231002X', '2026-11-24'), 'ok');
  assert.is(checkIdNumber('110105194912310021', '2026-11-24'), 'checksum');
  assert.is(checkIdNumber('11010519490231002X', '2026-11-24'), 'date'); // 31 Feb
  assert.is(checkIdNumber('110105203012310029', '2026-11-24'), 'date'); // born in 2030
  assert.is(checkIdNumber('11010519491231002', '2026-11-24'), 'format');
  assert.is(checkIdNumber('1101051949123100AX', '2026-11-24'), 'format');
});

test('normalise: full-width to half-width in codes, trim, x → X, control characters', () => {
  assert.is(toHalfWidth('９１３５０１００Ｍ'), '91350100M');
  assert.is(code('　ＡＢ１２　'), 'AB12');
  assert.is(upperCode(' 11010519491231002x '), '11010519491231002X');
  assert.is(text('  潍坊  '), '潍坊');
  assert.is(text('   '), undefined);
  assert.is(text(12.5), '12.5');
  assert.ok(hasControlChars('a\u0007b'));
  assert.ok(hasControlChars('a\nb'));
  assert.not.ok(hasControlChars('a\nb', true));
  assert.ok(hasControlChars('a\u0000b', true));
  assert.equal(multi('张三;李四；王五; '), ['张三', '李四', '王五']);
  assert.equal(multi([' 张三 ', '', '李四']), ['张三', '李四']);
  assert.is(multi(''), undefined);
});

test('money: exact fen, 万元 with six decimals, no binary floats', () => {
  assert.equal(parseYuan('1234.56'), { ok: true, fen: 123456 });
  assert.equal(parseYuan(1234.56), { ok: true, fen: 123456 });
  assert.equal(parseYuan('0.1'), { ok: true, fen: 10 });
  assert.equal(parseYuan('200'), { ok: true, fen: 20000 });
  // 0.1 + 0.2 style drift cannot happen: 0.29 yuan is 29 fen, not 28.999...
  assert.equal(parseYuan('0.29'), { ok: true, fen: 29 });
  assert.equal(parseYuan('1.005'), { ok: false, reason: 'decimals' });
  assert.equal(parseYuan('-5'), { ok: false, reason: 'negative' });
  assert.equal(parseYuan('1,000'), { ok: false, reason: 'format' });
  assert.equal(parseYuan('¥100'), { ok: false, reason: 'format' });
  assert.is(fenToWan(123456), '0.123456');
  assert.is(fenToWan(1), '0.000001');
  assert.is(fenToWan(1234567890123), '1234567.890123');
  assert.is(yuanToWan('1234.56'), '0.123456');
  assert.is(yuanToWan('50000'), '5.000000');
  assert.is(fenToYuan(5), '0.05');
  assert.is(wanToFen('0.123456'), 123456);
  assert.is(wanToFen('0.12345'), undefined);
  // Round trip over many amounts.
  for (let fen = 0; fen < 300000; fen += 7) assert.is(wanToFen(fenToWan(fen)), fen);
});

test('dates: forms accepted, UTC+8 for the plain form, offset required for ISO T form', () => {
  assert.equal(parseDate('2026-11-24'), { ok: true, value: '2026-11-24' });
  assert.equal(parseDate('2026/1/5'), { ok: true, value: '2026-01-05' });
  assert.equal(parseDate('2026-02-29'), { ok: false, reason: 'calendar' });
  assert.equal(parseDate('2024-02-29'), { ok: true, value: '2024-02-29' });
  assert.equal(parseDate('24.11.2026'), { ok: false, reason: 'format' });
  // 2026-11-24 23:30 in UTC+8 is still the 24th there (15:30 UTC).
  assert.equal(parseDate('2026-11-24T15:30:00Z'), { ok: true, value: '2026-11-24' });
  assert.equal(parseDate('2026-11-24T16:30:00Z'), { ok: true, value: '2026-11-25' });
  const plain = parseDateTime('2026-11-24 10:00:00');
  assert.ok(plain.ok && plain.ms === Date.UTC(2026, 10, 24, 2, 0, 0));
  assert.ok(plain.ok && plain.iso === '2026-11-24T10:00:00+08:00');
  const z = parseDateTime('2026-11-24T02:00:00Z');
  assert.ok(z.ok && z.iso === '2026-11-24T10:00:00+08:00');
  const off = parseDateTime('2026-11-24T10:00:00.250+0800');
  assert.ok(off.ok && off.iso === '2026-11-24T10:00:00.250+08:00');
  assert.equal(parseDateTime('2026-11-24T10:00:00'), { ok: false, reason: 'offset' });
  assert.equal(parseDateTime('2026-11-31 10:00:00'), { ok: false, reason: 'calendar' });
  assert.is(isoUtc8(Date.UTC(2026, 11, 31, 16, 0, 0)), '2027-01-01T00:00:00+08:00');
  assert.is(chinaDate(Date.UTC(2026, 10, 24, 16, 0, 0)), '2026-11-25');
});

test('codes: every code table of the standard, with Chinese labels; CSV headers map to keys', () => {
  assert.equal(Object.keys(CODE_TABLES.PENALTY_TYPE).length, 14);
  assert.is(CODE_TABLES.CERT_TYPE['111'], '居民身份证');
  assert.ok(describeTable('PARTY_NATURE').includes('2 法人'));
  const h = headerMap('PENALTY');
  assert.is(h.get('罚款金额（元）'), 'fineAmount');
  assert.is(h.get('罚款金额(元)'), 'fineAmount');
  assert.is(h.get('处罚决定书文号'), 'decisionNo');
  assert.is(FIELDS.INSPECTION.length, 18);
});

test.run();
