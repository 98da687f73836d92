/**
 * The city's time: UTC+8 (China has one zone and no daylight saving). The one place that turns an instant into the
 * calendar day, the wall clock or the compact day of a batch id, and back, whatever zone the server or the browser
 * runs in. Pure arithmetic, no dependency: the dashboard bundles it too.
 */
export const CHINA_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

/**
 * The origin for TimescaleDB's time_bucket so that day (and week) buckets begin at midnight in UTC+8, not at 08:00:
 * `time_bucket(width, ts, ${CHINA_BUCKET_ORIGIN})`. A Monday, as TimescaleDB's own default origin is.
 */
export const CHINA_BUCKET_ORIGIN = `TIMESTAMPTZ '2000-01-03 00:00:00+08'`;

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

let cachedMs = NaN;
let cachedDate = '';
/** The calendar day in UTC+8 of an instant, yyyy-MM-dd. (Validation asks it for the same `now` per record: cached.) */
export function chinaDate(ms: number): string {
  if (ms === cachedMs) return cachedDate;
  const day = new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, 10);
  cachedMs = ms;
  cachedDate = day;
  return day;
}

/**
 * ms → "2026-11-24T10:00:00+08:00", the instant as ISO 8601 in UTC+8 (milliseconds shown only when not zero).
 * Arithmetic, no Date: the reporter's validation calls it for every timestamp of every record.
 */
export function chinaIso(ms: number): string {
  const local = ms + CHINA_OFFSET_MS;
  const days = Math.floor(local / DAY_MS);
  let rest = local - days * DAY_MS;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const mi = Math.floor(rest / 60_000);
  rest -= mi * 60_000;
  const sec = Math.floor(rest / 1000);
  const millis = rest - sec * 1000;
  const [y, m, d] = civilFromDays(days);
  const frac = millis === 0 ? '' : `.${String(millis).padStart(3, '0')}`;
  return `${y}-${pad2(m)}-${pad2(d)}T${pad2(h)}:${pad2(mi)}:${pad2(sec)}${frac}+08:00`;
}

/** Days since 1970-01-01 → [year, month, day] (H. Hinnant's civil_from_days). */
function civilFromDays(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

/** yyyyMMdd in UTC+8 (the date part of a batch id). */
export function chinaDay(ms: number): string {
  return chinaDate(ms).replaceAll('-', '');
}

/** "yyyy-MM-dd HH:mm" (or with seconds) of an instant in UTC+8. */
export function chinaWallClock(ms: number, withSeconds = false): string {
  const iso = new Date(ms + CHINA_OFFSET_MS).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, withSeconds ? 19 : 16)}`;
}

/** The value of an `<input type="datetime-local">` showing an instant in UTC+8: "yyyy-MM-ddTHH:mm". */
export function chinaLocalInput(ms: number): string {
  return new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, 16);
}

/** "yyyy-MM-ddTHH:mm[:ss]" or "yyyy-MM-dd HH:mm[:ss]" read as UTC+8 → the instant; NaN when it is not one. */
export function fromChinaWallClock(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  if (!m) return NaN;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0));
  const t = Date.UTC(y, mo - 1, d, h, mi, s);
  // Date.UTC rolls 2026-02-30 over into March: only a real calendar time comes back unchanged.
  return new Date(t).getUTCDate() === d && h < 24 && mi < 60 && s < 60 ? t - CHINA_OFFSET_MS : NaN;
}

/** The instant at which a UTC+8 calendar day (yyyy-MM-dd) begins. */
export function chinaDayStart(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) - CHINA_OFFSET_MS;
}

/** A calendar day (yyyy-MM-dd) moved by n days. */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** The first day of the month of `day` moved by n months (yyyy-MM-01). */
export function addMonths(day: string, n: number): string {
  const y = Number(day.slice(0, 4));
  const m = Number(day.slice(5, 7)) - 1 + n;
  const yy = y + Math.floor(m / 12);
  const mm = ((m % 12) + 12) % 12;
  return `${yy}-${pad2(mm + 1)}-01`;
}

/** Is `s` a real calendar date written yyyy-MM-dd (2026-02-30 is not)? */
export function isCalendarDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const t = Date.parse(`${s}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === s;
}
