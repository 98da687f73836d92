/**
 * Working days (工作日): Monday to Friday, minus statutory holidays, plus the weekend days the State Council's yearly
 * schedule makes working days (调休). The schedule is configuration (reporter.calendar.years); a year missing from it
 * counts Monday to Friday and is reported as a warning at start.
 */
import type { ReporterCalendarConfig, ReporterDeadlinesConfig } from '../config';
import type { DataType } from './types';
import { addDays } from '../../core/china-time';

export interface WorkingCalendar {
  isWorkingDay(day: string): boolean;
  /** The n-th working day after `day` (yyyy-MM-dd); the day itself does not count. */
  addWorkingDays(day: string, n: number): string;
  /** Years the schedule covers. */
  readonly years: ReadonlySet<number>;
}

export function createCalendar(cfg: ReporterCalendarConfig = { years: {} }): WorkingCalendar {
  const holidays = new Set<string>();
  const workdays = new Set<string>();
  const years = new Set<number>();
  for (const [year, y] of Object.entries(cfg.years)) {
    years.add(Number(year));
    for (const d of y.holidays) holidays.add(d);
    for (const d of y.workdays) workdays.add(d);
  }
  const isWorkingDay = (day: string) => {
    if (holidays.has(day)) return false;
    if (workdays.has(day)) return true;
    const wd = new Date(`${day}T00:00:00Z`).getUTCDay();
    return wd !== 0 && wd !== 6;
  };
  // Records come in clusters of the same dates: the same (day, n) is asked thousands of times per import.
  const memo = new Map<string, string>();
  const addWorkingDays = (day: string, n: number) => {
    const key = `${day}|${n}`;
    const hit = memo.get(key);
    if (hit) return hit;
    if (Number.isNaN(Date.parse(`${day}T00:00:00Z`))) throw new Error(`not a date: "${day}"`);
    let left = n;
    let cur = day;
    while (left > 0) {
      cur = addDays(cur, 1);
      if (isWorkingDay(cur)) left--;
    }
    if (memo.size > 20000) memo.clear();
    memo.set(key, cur);
    return cur;
  };
  return { isWorkingDay, addWorkingDays, years };
}

/** Warnings for the years around `today` that the schedule lacks (this year, and next year from December on). */
export function calendarWarnings(cal: WorkingCalendar, today: string): string[] {
  const year = Number(today.slice(0, 4));
  const want = [year];
  if (today.slice(5, 7) === '12') want.push(year + 1);
  return want
    .filter((y) => !cal.years.has(y))
    .map((y) => `工作日历缺少 ${y} 年的节假日与调休安排 (reporter.calendar.years."${y}")：该年按周一至周五计算报送期限，请按国务院办公厅通知补充`);
}

/**
 * A record's reporting deadline (yyyy-MM-dd) from its normalised data, or undefined when the type has none or the
 * date is missing: PENALTY decisionDate + N, COERCION startDate + N, INSPECTION checkDate + N (or + N_plan with a planId).
 */
export function deadlineFor(
  dataType: DataType,
  data: Record<string, unknown>,
  cal: WorkingCalendar,
  d: ReporterDeadlinesConfig,
): string | undefined {
  const date = recordDate(dataType, data);
  if (!date) return undefined;
  let n: number | undefined;
  if (dataType === 'PENALTY') n = d.PENALTY;
  else if (dataType === 'COERCION') n = d.COERCION;
  else if (dataType === 'INSPECTION') n = data.planId ? d.INSPECTION_PLAN : d.INSPECTION;
  else n = d[dataType];
  return n === undefined ? undefined : cal.addWorkingDays(date, n);
}

/** The field that dates a record for periods (data-standard.md); ITEM and OFFICER use updatedAt's day in UTC+8. */
export const RECORD_DATE_FIELD: Record<DataType, string> = { ITEM: 'updatedAt', INSPECTION: 'checkDate', PENALTY: 'decisionDate', COERCION: 'startDate', OFFICER: 'updatedAt' };

/** The record's date for periods: checkDate, decisionDate, startDate, or updatedAt's day in UTC+8 (ITEM, OFFICER). */
export function recordDate(dataType: DataType, data: Record<string, unknown>): string | undefined {
  const v = data[RECORD_DATE_FIELD[dataType]];
  if (typeof v !== 'string') return undefined;
  if (dataType === 'ITEM' || dataType === 'OFFICER') {
    // updatedAt is normalised to "...+08:00", so its first ten characters are the day in UTC+8.
    return /^\d{4}-\d{2}-\d{2}T.*\+08:00$/.test(v) ? v.slice(0, 10) : undefined;
  }
  return /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : undefined;
}
