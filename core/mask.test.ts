import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { maskPersonalData } from './mask';

test('maskPersonalData: ID numbers in every string, idNo and partyCertNo whole, a USCC kept', () => {
  const out = maskPersonalData({
    idNo: 'not-a-valid-id',
    partyCertType: '111',
    partyCertNo: '11010519900307231X',
    facts: '当事人110105199003072316于现场',
    nested: [{ partyCertType: '001', partyCertNo: '91370702MA3C4XYZ1Q' }, { partyCertType: '001', partyCertNo: '110105199003072316' }],
    n: 5,
    empty: null,
  }) as any;
  assert.is(out.idNo, 'not-a-****d-id', 'idNo masked whole');
  assert.not.ok(out.idNo.includes('valid'));
  assert.is(out.partyCertNo, '110105********231X');
  assert.is(out.facts, '当事人110105********2316于现场');
  assert.is(out.nested[0].partyCertNo, '91370702MA3C4XYZ1Q', 'a USCC is public');
  assert.is(out.nested[1].partyCertNo, '110105********2316', 'an ID number under 001 is still masked');
  assert.is(out.n, 5);
  assert.is(out.empty, null);
});

test.run();
