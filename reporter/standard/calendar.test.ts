import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createCalendar, calendarWarnings, deadlineFor, recordDate } from './calendar';
import { reporterConfig } from '../config';

// National Day 2026: 1-7 Oct off; Sun 20 Sep and Sat 10 Oct are working days (调休).
const cal = createCalendar({
  years: {
    '2026': {
      holidays: ['2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04', '2026-10-05', '2026-10-06', '2026-10-07'],
      workdays: ['2026-09-20', '2026-10-10'],
    },
  },
});
const deadlines = reporterConfig.parse({}).deadlines;

test('working days: weekends off, holidays off, make-up days on', () => {
  assert.ok(cal.isWorkingDay('2026-11-24')); // Tuesday
  assert.not.ok(cal.isWorkingDay('2026-11-28')); // Saturday
  assert.not.ok(cal.isWorkingDay('2026-10-01')); // Thursday, National Day
  assert.ok(cal.isWorkingDay('2026-10-10')); // Saturday, make-up day
  assert.ok(cal.isWorkingDay('2026-09-20')); // Sunday, make-up day
});

test('addWorkingDays counts from the day after the date', () => {
  // Fri 20 Nov + 7: Mon 23 .. Fri 27 (5), Mon 30 (6), Tue 1 Dec (7).
  assert.is(cal.addWorkingDays('2026-11-20', 7), '2026-12-01');
  // A Saturday date: Mon 30 Nov is the first working day.
  assert.is(cal.addWorkingDays('2026-11-28', 1), '2026-11-30');
  // Across National Day: Tue 29 Sep + 7 → Wed 30 Sep (1), [1-7 Oct off], Thu 8 (2), Fri 9 (3), Sat 10 (4, 调休), Mon 12 (5), Tue 13 (6), Wed 14 (7).
  assert.is(cal.addWorkingDays('2026-09-29', 7), '2026-10-14');
  // Across the make-up Sunday 20 Sep: Fri 18 Sep + 1 → Sun 20 Sep.
  assert.is(cal.addWorkingDays('2026-09-18', 1), '2026-09-20');
});

test('a year missing from the calendar: a warning, and Monday to Friday', () => {
  assert.equal(calendarWarnings(cal, '2026-11-24'), []);
  const dec = calendarWarnings(cal, '2026-12-02');
  assert.is(dec.length, 1);
  assert.match(dec[0], '2027');
  assert.is(calendarWarnings(createCalendar(), '2026-05-01').length, 1);
  // 2027-01-01 is a Friday; without a 2027 schedule it counts as a working day.
  assert.is(cal.addWorkingDays('2026-12-31', 1), '2027-01-01');
});

test('deadlines: PENALTY +7, INSPECTION +7, +20 with planId, N configurable; none for ITEM by default', () => {
  assert.is(deadlineFor('PENALTY', { decisionDate: '2026-11-20' }, cal, deadlines), '2026-12-01');
  assert.is(deadlineFor('INSPECTION', { checkDate: '2026-11-20' }, cal, deadlines), '2026-12-01');
  // + 20: 23-27 Nov (5), 30 Nov-4 Dec (10), 7-11 Dec (15), 14-18 Dec (20).
  assert.is(deadlineFor('INSPECTION', { checkDate: '2026-11-20', planId: 'SJ-1' }, cal, deadlines), '2026-12-18');
  assert.is(deadlineFor('ITEM', { updatedAt: '2026-11-20T10:00:00+08:00' }, cal, deadlines), undefined);
  const custom = reporterConfig.parse({ deadlines: { PENALTY: 3, ITEM: 1 } }).deadlines;
  assert.is(deadlineFor('PENALTY', { decisionDate: '2026-11-20' }, cal, custom), '2026-11-25');
  assert.is(deadlineFor('ITEM', { updatedAt: '2026-11-20T10:00:00+08:00' }, cal, custom), '2026-11-23');
  assert.is(recordDate('OFFICER', { updatedAt: '2026-11-20T23:59:00+08:00' }), '2026-11-20');
  assert.is(deadlineFor('PENALTY', {}, cal, deadlines), undefined);
});

test('the demo configuration carries the 2026 schedule', async () => {
  const { loadConfig } = await import('../../app/config');
  const c = loadConfig(new URL('../../ops/demo.yaml', import.meta.url).pathname);
  const demo = createCalendar(c.reporter.calendar);
  assert.not.ok(demo.isWorkingDay('2026-02-17')); // 春节
  assert.ok(demo.isWorkingDay('2026-02-28')); // Saturday, 调休
  assert.is(demo.addWorkingDays('2026-09-30', 7), '2026-10-15'); // 8, 9, 10 (Sat, 调休), 12, 13, 14, 15 Oct
});

test.run();
