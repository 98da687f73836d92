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

/** A value as a reader sees it, with its keys in order: two values compare equal when every non-secret field is. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(shape);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, x]) => [k, SECRET_KEY.test(k) ? REDACTED : shape(x)]));
  }
  return v;
}
const shapeOf = (v: unknown) => JSON.stringify(shape(v));

/**
 * The stored counterpart of each item of a sent list, or undefined (a new item, or one that cannot be told apart).
 * By identity, not position (a form may reorder the channels or remove one from the middle): the one stored item that
 * equals the sent one in every non-secret field; when several do, the one at the same position if it is among them.
 * An item edited in place (a channel's url changed, its token left as ***) has no identical stored item: it gets the
 * stored item at its position only when nothing else moved — both lists have the same length, every other sent item
 * is identical to the stored item at its own position, so the positional one is the only stored item left over.
 * Otherwise there is no counterpart, and a *** in it is refused by the store (maskedSecretProblems: enter it again).
 */
function counterparts(next: unknown[], cur: unknown[]): (unknown | undefined)[] {
  const stored = cur.map(shapeOf);
  const found = next.map((x, i) => {
    const s = shapeOf(x);
    const same = stored.flatMap((c, j) => (c === s ? [j] : []));
    return same.length === 1 ? same[0] : same.includes(i) ? i : undefined;
  });
  const inPlace = next.length === cur.length ? found.flatMap((j, i) => (j === undefined ? [i] : [])) : [];
  const alone = inPlace.length === 1 && found.every((j, i) => j === undefined || j === i) ? inPlace[0] : -1;
  return next.map((_, i) => (i === alone ? cur[i] : found[i] === undefined ? undefined : cur[found[i]!]));
}

/**
 * A form that showed the masked values sends *** back for a secret it did not change: the stored value stays
 * (matched by key; list items by identity — counterparts above). A new value replaces it. A *** without a stored
 * value stays ***: the store refuses the write (ConfigObjects.write, maskedSecretProblems).
 */
export function unredact(next: unknown, cur: unknown): unknown {
  if (Array.isArray(next)) {
    const c = counterparts(next, Array.isArray(cur) ? cur : []);
    return next.map((x, i) => unredact(x, c[i]));
  }
  if (next && typeof next === 'object') {
    const c = cur && typeof cur === 'object' && !Array.isArray(cur) ? (cur as Record<string, unknown>) : {};
    return Object.fromEntries(Object.entries(next).map(([k, x]) => [k, SECRET_KEY.test(k) && x === REDACTED && c[k] !== undefined ? c[k] : unredact(x, c[k])]));
  }
  return next;
}

/**
 * The paths ("channels[2].token", the store's problem form) of secret keys whose value is still *** — a mask with no
 * stored value behind it (a new channel, or one that could not be matched): such a write is refused, never stored.
 */
export function maskedSecrets(v: unknown, path = ''): string[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => maskedSecrets(x, `${path}[${i}]`));
  if (v && typeof v === 'object') {
    return Object.entries(v).flatMap(([k, x]) => {
      const p = path ? `${path}.${k}` : k;
      return SECRET_KEY.test(k) && x === REDACTED ? [p] : maskedSecrets(x, p);
    });
  }
  return [];
}

/**
 * The store's problems for the masked secrets of `data` (none: an empty list): one per path, the path in the message
 * too (the form shows a list's problems under the whole list's field, 通知渠道). The message names no secret.
 */
export function maskedSecretProblems(data: unknown): { field: string; message: string }[] {
  return maskedSecrets(data).map((field) => ({ field, message: `${field} 仍为 ${REDACTED}：找不到对应的已保存值（新增的条目，或移动、删除后修改过的条目），请重新填写该密钥` }));
}
