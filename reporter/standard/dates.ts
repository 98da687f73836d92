/**
 * Dates of data-standard.md. A date is a calendar day, normalised to yyyy-MM-dd; a timestamp (updatedAt) is ISO 8601
 * with an offset, or "yyyy-MM-dd HH:mm:ss" read as UTC+8, normalised to ISO with +08:00. "Today" is the day in UTC+8,
 * the city's time zone, whatever zone the server runs in.
 */
import { daysInMonth } from './idno';
import { CHINA_OFFSET_MS as UTC8_MS, chinaDate, chinaIso } from '../../core/china-time';

const DATE_RE = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/;
const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})([T ])(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/;

export type DateParse = { ok: true; value: string } | { ok: false; reason: 'format' | 'calendar' };
export type DateTimeParse = { ok: true; ms: number; iso: string } | { ok: false; reason: 'format' | 'calendar' | 'offset' };

/** "2026-11-24", "2026/11/24", "2026-1-5" → "2026-11-24"; a timestamp gives its day in UTC+8. */
export function parseDate(s: string): DateParse {
  const m = DATE_RE.exec(s);
  if (m) {
    const y = +m[1];
    const mo = +m[2];
    const d = +m[3];
    if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || y < 1900) return { ok: false, reason: 'calendar' };
    return { ok: true, value: `${m[1]}-${pad2(mo)}-${pad2(d)}` };
  }
  const t = parseDateTime(s);
  if (t.ok) return { ok: true, value: chinaDate(t.ms) };
  return { ok: false, reason: t.reason === 'calendar' ? 'calendar' : 'format' };
}

/**
 * ISO 8601 with an offset ("2026-11-24T10:00:00+08:00", "...Z"), or "yyyy-MM-dd HH:mm:ss" read as UTC+8.
 * An ISO "T" form without an offset is refused ('offset'): the standard asks for one and a guess could be 8 h off.
 */
export function parseDateTime(s: string): DateTimeParse {
  const m = DATETIME_RE.exec(s);
  if (!m) return { ok: false, reason: 'format' };
  const [, ys, mos, ds, sep, hs, mis, ss, frac, off] = m;
  const y = +ys;
  const mo = +mos;
  const d = +ds;
  const h = +hs;
  const mi = +mis;
  const sec = ss === undefined ? 0 : +ss;
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || sec > 59 || y < 1900) {
    return { ok: false, reason: 'calendar' };
  }
  let offsetMs: number;
  if (off === undefined) {
    if (sep === 'T') return { ok: false, reason: 'offset' };
    offsetMs = UTC8_MS;
  } else if (off === 'Z') offsetMs = 0;
  else {
    const sign = off[0] === '-' ? -1 : 1;
    const digits = off.slice(1).replace(':', '');
    const oh = +digits.slice(0, 2);
    const om = +digits.slice(2, 4);
    if (oh > 14 || om > 59) return { ok: false, reason: 'format' };
    offsetMs = sign * (oh * 3600_000 + om * 60_000);
  }
  const msPart = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
  const ms = Date.UTC(y, mo - 1, d, h, mi, sec, msPart) - offsetMs;
  return { ok: true, ms, iso: chinaIso(ms) };
}

/** ms → "2026-11-24T10:00:00+08:00" (milliseconds shown only when not zero): core/china-time.ts `chinaIso`. */
export const isoUtc8 = chinaIso;

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
