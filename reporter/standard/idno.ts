/** 居民身份证号码 (GB 11643-1999): 17 digits, a check character, an embedded birth date not in the future. */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

export type IdCheck = 'ok' | 'format' | 'date' | 'checksum';

export function idCheckChar(first17: string): string | undefined {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const d = first17.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    sum += d * WEIGHTS[i];
  }
  return CHECK[sum % 11];
}

/**
 * Checks a normalised ID number (half-width, "x" already "X"). `today` is yyyy-MM-dd in UTC+8: a birth date after
 * it is 'date'.
 */
export function checkIdNumber(s: string, today: string): IdCheck {
  if (s.length !== 18) return 'format';
  for (let i = 0; i < 17; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return 'format';
  }
  const last = s.charCodeAt(17);
  if (!((last >= 48 && last <= 57) || last === 88)) return 'format';
  const y = +s.slice(6, 10);
  const m = +s.slice(10, 12);
  const d = +s.slice(12, 14);
  if (y < 1850 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return 'date';
  const birth = `${s.slice(6, 10)}-${s.slice(10, 12)}-${s.slice(12, 14)}`;
  if (birth > today) return 'date';
  return idCheckChar(s) === s[17] ? 'ok' : 'checksum';
}

export function daysInMonth(y: number, m: number): number {
  return m === 2 ? (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
}
