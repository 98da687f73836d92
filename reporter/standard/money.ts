/**
 * Money held exactly as integer fen (分), never as a binary float. Input is yuan with at most two decimals;
 * the provincial wire carries 万元 with exactly six decimals (1 fen = 0.000001 万元).
 */

const YUAN_RE = /^(\d{1,13})(?:\.(\d{0,2}))?$/;

export type MoneyParse = { ok: true; fen: number } | { ok: false; reason: 'format' | 'negative' | 'decimals' };

/**
 * "1234.56" → 123456 fen. A JSON number is read through its shortest decimal form (1234.56 → "1234.56"), which
 * is exactly what the sender wrote. Thousands separators and currency signs are not accepted.
 */
export function parseYuan(input: string | number): MoneyParse {
  let s = typeof input === 'number' ? numberText(input) : input.trim();
  if (s === undefined) return { ok: false, reason: 'format' };
  if (s.startsWith('-')) return /^-\d/.test(s) ? { ok: false, reason: 'negative' } : { ok: false, reason: 'format' };
  if (s.startsWith('+')) s = s.slice(1);
  const m = YUAN_RE.exec(s);
  if (!m) {
    if (/^\d+\.\d{3,}$/.test(s)) return { ok: false, reason: 'decimals' };
    return { ok: false, reason: 'format' };
  }
  const frac = (m[2] ?? '').padEnd(2, '0');
  return { ok: true, fen: Number(m[1]) * 100 + Number(frac) };
}

function numberText(n: number): string | undefined {
  if (!Number.isFinite(n)) return undefined;
  const s = String(n);
  return /e/i.test(s) ? undefined : s;
}

/** 123456 → "1234.56". */
export function fenToYuan(fen: number): string {
  assertFen(fen);
  const sign = fen < 0 ? '-' : '';
  const a = Math.abs(fen);
  return `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}

/** 123456 fen → "0.123456" 万元 (exactly six decimals). */
export function fenToWan(fen: number): string {
  assertFen(fen);
  const sign = fen < 0 ? '-' : '';
  const a = Math.abs(fen);
  return `${sign}${Math.floor(a / 1_000_000)}.${String(a % 1_000_000).padStart(6, '0')}`;
}

/** "0.123456" 万元 → 123456 fen (the inverse of fenToWan; used by the gateway simulator and tests). */
export function wanToFen(wan: string): number | undefined {
  const m = /^(\d{1,9})\.(\d{6})$/.exec(wan);
  return m ? Number(m[1]) * 1_000_000 + Number(m[2]) : undefined;
}

/** Normalised yuan string ("1234.56") → 万元 string ("0.123456"). */
export function yuanToWan(yuan: string): string {
  const p = parseYuan(yuan);
  if (!p.ok) throw new Error(`not an amount in yuan: "${yuan}"`);
  return fenToWan(p.fen);
}

function assertFen(fen: number) {
  if (!Number.isSafeInteger(fen)) throw new Error(`fen must be a safe integer, got ${fen}`);
}
