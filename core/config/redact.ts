import { REDACTED, SECRET_KEY, type FieldChange } from '../../contract/config';

/**
 * Secrets in configuration objects (a token, a password, header values): masked for a reader who may not write the
 * object and in the audit log; a write that sends the mask back keeps the stored value (README: 统一配置).
 */

/** The object with the values of secret-like keys replaced by ***. */
export function redact(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(redact);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, SECRET_KEY.test(k) ? REDACTED : redact(x)]));
  return v;
}

/** A field diff with its secrets masked: a secret field whole, and secret keys inside a changed list (a receiver's channels). */
export function redactDiff(diff: FieldChange[]): FieldChange[] {
  return diff.map((d) => (SECRET_KEY.test(d.path)
    ? { path: d.path, before: REDACTED, after: REDACTED }
    : { path: d.path, ...('before' in d ? { before: redact(d.before) } : {}), ...('after' in d ? { after: redact(d.after) } : {}) }));
}

/**
 * A form that showed the masked values sends *** back for a secret it did not change: the stored value stays
 * (matched by key, list items by position). A new value replaces it.
 */
export function unredact(next: unknown, cur: unknown): unknown {
  if (Array.isArray(next)) return next.map((x, i) => unredact(x, Array.isArray(cur) ? cur[i] : undefined));
  if (next && typeof next === 'object') {
    const c = cur && typeof cur === 'object' && !Array.isArray(cur) ? (cur as Record<string, unknown>) : {};
    return Object.fromEntries(Object.entries(next).map(([k, x]) => [k, SECRET_KEY.test(k) && x === REDACTED && c[k] !== undefined ? c[k] : unredact(x, c[k])]));
  }
  return next;
}
