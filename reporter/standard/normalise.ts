/**
 * Text normalisation of data-standard.md: trim everywhere, reject control characters, and in codes turn full-width
 * digits and letters into half-width before checking. Fast paths first: almost every value is already clean ASCII.
 */

// C0 controls except TAB/LF/CR, DEL, C1 controls. Long free text may hold line breaks; other fields may not.
const CONTROL_STRICT = /[\u0000-\u001F\u007F-\u009F]/;
const CONTROL_MULTILINE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const HAS_WIDE = /[\uFF01-\uFF5E\u3000]/;

/** Full-width ASCII (！ to ～) and the ideographic space become their half-width forms. */
export function toHalfWidth(s: string): string {
  if (!HAS_WIDE.test(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xff01 && c <= 0xff5e) out += String.fromCharCode(c - 0xfee0);
    else if (c === 0x3000) out += ' ';
    else out += s[i];
  }
  return out;
}

export function hasControlChars(s: string, multiline = false): boolean {
  return (multiline ? CONTROL_MULTILINE : CONTROL_STRICT).test(s);
}

/** Any scalar input as trimmed text; undefined/null/'' → undefined (absent). Numbers keep their shortest form. */
export function text(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  let s: string;
  if (typeof v === 'string') s = v;
  else if (typeof v === 'number' || typeof v === 'bigint') s = String(v);
  else if (typeof v === 'boolean') s = String(v);
  else return undefined;
  s = s.trim();
  return s === '' ? undefined : s;
}

/** A code: trimmed, full-width → half-width, inner spaces kept (so they fail the format check visibly). */
export function code(v: unknown): string | undefined {
  const s = text(v);
  return s === undefined ? undefined : toHalfWidth(s).trim();
}

/** A code compared case-insensitively (USCC, ID number): also upper-cased, so "x" becomes "X". */
export function upperCode(v: unknown): string | undefined {
  const s = code(v);
  return s === undefined ? undefined : s.toUpperCase();
}

/** Splits a multi-value field: an array as is, a string on ';' or '；'. Empty parts are dropped. */
export function multi(v: unknown): string[] | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const parts: unknown[] = Array.isArray(v) ? v : typeof v === 'string' ? v.split(/[;；]/) : [v];
  const out: string[] = [];
  for (const p of parts) {
    const s = text(p);
    if (s !== undefined) out.push(s);
  }
  return out.length === 0 ? undefined : out;
}
