// Reconciliation periods are calendar months in UTC+8, counted back from the month that holds "now" there.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { monthPeriods } from './reconcile';

test('months in UTC+8: at the last minute of a year UTC+8 is already in January', () => {
  assert.equal(monthPeriods(Date.parse('2026-12-31T15:59:00Z'), 2), [{ from: '2026-11-01', to: '2026-12-01' }, { from: '2026-12-01', to: '2027-01-01' }]);
  assert.equal(monthPeriods(Date.parse('2026-12-31T16:00:00Z'), 2), [{ from: '2026-12-01', to: '2027-01-01' }, { from: '2027-01-01', to: '2027-02-01' }]);
});

test('months around 29 February and across several years', () => {
  assert.equal(monthPeriods(Date.parse('2028-02-29T04:00:00Z'), 1), [{ from: '2028-02-01', to: '2028-03-01' }]);
  const many = monthPeriods(Date.parse('2027-03-10T04:00:00Z'), 15);
  assert.is(many.length, 15);
  assert.equal(many[0], { from: '2026-01-01', to: '2026-02-01' });
  for (let i = 1; i < many.length; i++) assert.is(many[i].from, many[i - 1].to, 'periods tile without gaps');
});

test.run();
