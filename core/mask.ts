/**
 * Masking of personal ID numbers (GB 11643, 18 characters) and secrets before anything is logged or shown in an
 * error: first 6 and last 4 kept, as data-standard.md asks.
 */
const ID_RE = /(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])/g;

export function maskIdNumbers(text: string): string {
  return text.replace(ID_RE, '$1********$2');
}

export function maskIdNumber(id: string): string {
  const s = String(id);
  if (s.length <= 10) return '*'.repeat(s.length);
  return s.slice(0, 6) + '*'.repeat(s.length - 10) + s.slice(-4);
}

const SECRET_KEY_RE = /pass(word)?|secret|token|authorization|cookie|api[-_]?key|app[-_]?key|signature|private/i;

/** Deep copy with secret-looking keys replaced and ID numbers masked in every string. */
export function scrub(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[deep]';
  if (typeof value === 'string') return maskIdNumbers(value);
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  if (value instanceof Error) {
    return { type: value.name, message: maskIdNumbers(value.message), stack: value.stack ? maskIdNumbers(value.stack) : undefined };
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = SECRET_KEY_RE.test(k) && v != null && v !== '' ? '[redacted]' : scrub(v, depth + 1);
    }
    return out;
  }
  return value;
}

// Fields of a record whose whole value is a personal ID number (valid or not): 身份证号, and the party's certificate
// number unless the party is an organisation (partyCertType 001: a USCC, public).
const ID_FIELDS = new Set(['idNo', 'idNumber', 'idCardNo']);

/**
 * Personal data masked for a reader who may not see it (issue #16): every string has its 18-character ID numbers
 * masked wherever they stand (free text such as `facts`, error messages, raw payloads), valid or not; `idNo` is
 * masked whole whatever it holds; `partyCertNo` is masked whole unless `partyCertType` is 001 (a USCC), and then
 * still has any ID-number-shaped value masked (a person's number stored under the wrong type). A deep copy.
 */
export function maskPersonalData(value: unknown, depth = 0): unknown {
  if (depth > 64) return '[deep]';
  if (typeof value === 'string') return maskIdNumbers(value);
  if (Array.isArray(value)) return value.map((v) => maskPersonalData(v, depth + 1));
  if (value && typeof value === 'object') {
    const src = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(src)) {
      if (typeof v === 'string' && v !== '' && (ID_FIELDS.has(k) || (k === 'partyCertNo' && src.partyCertType !== '001'))) out[k] = maskIdNumber(v);
      else out[k] = maskPersonalData(v, depth + 1);
    }
    return out;
  }
  return value;
}
