import { MATCHER_RE } from './config';
import type { Labels } from './model';

export type MatchOp = '=' | '!=' | '=~' | '!~';
export interface Matcher {
  name: string;
  value: string;
  op: MatchOp;
}

const regexCache = new Map<string, RegExp>();
function anchored(src: string): RegExp {
  let re = regexCache.get(src);
  if (!re) {
    re = new RegExp(`^(?:${src})$`);
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(src, re);
  }
  return re;
}

/** Parses `name="value"` style text (Alertmanager's syntax). Throws with the offending text. */
export function parseMatcher(text: string): Matcher {
  const m = MATCHER_RE.exec(text);
  if (!m) throw new Error(`not a matcher: ${text} (expected e.g. team="ops", module=~"share-.*")`);
  const value = m[3].replace(/\\(.)/g, '$1');
  const op = m[2] as MatchOp;
  if (op === '=~' || op === '!~') anchored(value);
  return { name: m[1], value, op };
}

/** Accepts either the text form or {name, value, op} / Alertmanager API v2's {name, value, isRegex, isEqual}. */
export function toMatcher(input: unknown): Matcher {
  if (typeof input === 'string') return parseMatcher(input);
  if (input && typeof input === 'object') {
    const o = input as Record<string, unknown>;
    if (typeof o.name !== 'string' || !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(o.name)) throw new Error('matcher.name must be a label name (letters, digits, _)');
    if (typeof o.value !== 'string') throw new Error(`matcher ${o.name}: value must be a string`);
    let op: MatchOp;
    if (typeof o.op === 'string') {
      if (!['=', '!=', '=~', '!~'].includes(o.op)) throw new Error(`matcher ${o.name}: op must be one of = != =~ !~`);
      op = o.op as MatchOp;
    } else {
      const re = o.isRegex === true;
      const eq = o.isEqual !== false;
      op = re ? (eq ? '=~' : '!~') : eq ? '=' : '!=';
    }
    if (op === '=~' || op === '!~') {
      try {
        anchored(o.value);
      } catch (err) {
        throw new Error(`matcher ${o.name}: the regular expression does not compile: ${(err as Error).message}`);
      }
    }
    return { name: o.name, value: o.value, op };
  }
  throw new Error('a matcher is a string like team="ops" or an object {name, value, op}');
}

/** A missing label matches as the empty string, as in Alertmanager. */
export function matches(m: Matcher, labels: Labels): boolean {
  const v = labels[m.name] ?? '';
  switch (m.op) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return anchored(m.value).test(v);
    case '!~':
      return !anchored(m.value).test(v);
  }
}

export const matchesAll = (ms: Matcher[], labels: Labels) => ms.every((m) => matches(m, labels));

export function formatMatcher(m: Matcher): string {
  return `${m.name}${m.op}${JSON.stringify(m.value)}`;
}
