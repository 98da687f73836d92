// The city's day and wall clock at the edges where UTC and UTC+8 disagree: a new year starts in UTC+8 eight hours
// before UTC, month ends, 29 February, and input that is not a real time.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { addDays, addMonths, chinaDate, chinaDay, chinaDayStart, chinaLocalInput, chinaWallClock, fromChinaWallClock, isCalendarDate } from './china-time';

test('the day in UTC+8: the last minute of a year and the first of the next', () => {
  assert.is(chinaDate(Date.parse('2026-12-31T15:59:59Z')), '2026-12-31');
  assert.is(chinaDate(Date.parse('2026-12-31T16:00:00Z')), '2027-01-01', 'midnight in UTC+8 is 16:00 UTC');
  assert.is(chinaDay(Date.parse('2026-12-31T16:00:00Z')), '20270101');
  assert.is(chinaDate(Date.parse('2028-02-28T16:00:00Z')), '2028-02-29');
  assert.is(chinaDate(Date.parse('2026-11-30T16:30:00Z')), '2026-12-01', 'a month end');
  // The one-entry cache answers the right day for alternating instants.
  assert.is(chinaDate(Date.parse('2026-12-31T15:59:59Z')), '2026-12-31');
});

test('wall clock, datetime-local values and back', () => {
  const t = Date.parse('2026-12-31T15:59:30Z');
  assert.is(chinaWallClock(t), '2026-12-31 23:59');
  assert.is(chinaWallClock(t, true), '2026-12-31 23:59:30');
  assert.is(chinaLocalInput(t), '2026-12-31T23:59');
  assert.is(fromChinaWallClock('2026-12-31T23:59:30'), t);
  assert.is(fromChinaWallClock('2027-01-01 00:00'), Date.parse('2026-12-31T16:00:00Z'));
  assert.ok(Number.isNaN(fromChinaWallClock('2026-02-30T10:00')), 'not a real day');
  assert.ok(Number.isNaN(fromChinaWallClock('2026-12-31T24:00')), 'not a real hour');
  assert.ok(Number.isNaN(fromChinaWallClock('31/12/2026 10:00')));
  assert.is(chinaDayStart('2027-01-01'), Date.parse('2026-12-31T16:00:00Z'));
});

test('calendar arithmetic: days across February, months across a year', () => {
  assert.is(addDays('2028-02-28', 1), '2028-02-29');
  assert.is(addDays('2028-02-29', 1), '2028-03-01');
  assert.is(addDays('2027-02-28', 1), '2027-03-01');
  assert.is(addDays('2027-01-01', -1), '2026-12-31');
  assert.is(addMonths('2026-12-15', 1), '2027-01-01');
  assert.is(addMonths('2027-01-31', -1), '2026-12-01');
  assert.is(addMonths('2026-03-01', -14), '2025-01-01');
  assert.ok(isCalendarDate('2028-02-29'));
  assert.not.ok(isCalendarDate('2027-02-29'));
  assert.not.ok(isCalendarDate('2026-13-45'));
  assert.not.ok(isCalendarDate('2026-1-5'));
});

test.run();
