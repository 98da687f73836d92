/** 统一社会信用代码 (GB 32100-2015): 18 characters, check character by weighted sum mod 31. */
export const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < USCC_ALPHABET.length; i++) VALUE[USCC_ALPHABET.charCodeAt(i)] = i;

export type UsccCheck = 'ok' | 'format' | 'checksum';

/** The check character for the first 17 characters, or undefined when one is outside the alphabet. */
export function usccCheckChar(first17: string): string | undefined {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const c = first17.charCodeAt(i);
    const v = c < 128 ? VALUE[c] : -1;
    if (v < 0) return undefined;
    sum += v * WEIGHTS[i];
  }
  return USCC_ALPHABET[(31 - (sum % 31)) % 31];
}

/** Checks an already normalised (half-width, upper-case) code: 'format' (length, alphabet, region digits) or 'checksum'. */
export function checkUscc(s: string): UsccCheck {
  if (s.length !== 18) return 'format';
  for (let i = 0; i < 18; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || VALUE[c] < 0) return 'format';
  }
  // Characters 3-8 are the registering authority's region code: digits.
  for (let i = 2; i < 8; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return 'format';
  }
  return usccCheckChar(s) === s[17] ? 'ok' : 'checksum';
}

export function isValidUscc(s: string): boolean {
  return checkUscc(s) === 'ok';
}
