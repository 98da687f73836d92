import { createTwoFilesPatch, structuredPatch } from 'diff';
import { fold } from './content-normalise';

/**
 * What a reviewer needs to approve a changed page (网页防篡改): the unified diff of the normalised texts (the `diff`
 * package), the same as lines with their numbers for the dashboard, and where the forbidden words sit in the
 * candidate (line and column of each occurrence, to highlight them).
 */
export interface DiffLine {
  /** add / del / ctx: a line of a hunk; hunk: the `@@ -a,b +c,d @@` header before its lines. */
  op: 'add' | 'del' | 'ctx' | 'hunk';
  text: string;
  /** 1-based line in the baseline (del, ctx) and in the candidate (add, ctx). */
  oldLine: number | null;
  newLine: number | null;
}

export interface ForbiddenAt {
  word: string;
  count: number;
  /** Each occurrence: 1-based line of the text, 0-based [start, end) columns (UTF-16, as JavaScript indexes). */
  positions: { line: number; start: number; end: number }[];
}

export interface ContentDiff {
  added: number;
  removed: number;
  unified: string;
  lines: DiffLine[];
  /** true when `lines` stopped at `maxLines` (the unified diff is always complete). */
  truncated: boolean;
}

const withNewline = (s: string) => (s === '' || s.endsWith('\n') ? s : `${s}\n`);

/** The unified diff (3 lines of context) of baseline → candidate, and its lines, at most `maxLines` of them. */
export function contentDiff(before: string, after: string, maxLines = 2000): ContentDiff {
  const a = withNewline(before);
  const b = withNewline(after);
  const patch = structuredPatch('baseline', 'candidate', a, b, undefined, undefined, { context: 3 });
  const lines: DiffLine[] = [];
  let added = 0;
  let removed = 0;
  let truncated = false;
  for (const h of patch.hunks) {
    let o = h.oldStart;
    let n = h.newStart;
    const push = (l: DiffLine) => (lines.length < maxLines ? lines.push(l) : (truncated = true));
    push({ op: 'hunk', text: `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`, oldLine: null, newLine: null });
    for (const raw of h.lines) {
      const op = raw[0];
      const text = raw.slice(1);
      if (op === '\\') continue; // "\ No newline at end of file"
      if (op === '+') {
        added++;
        push({ op: 'add', text, oldLine: null, newLine: n++ });
      } else if (op === '-') {
        removed++;
        push({ op: 'del', text, oldLine: o++, newLine: null });
      } else push({ op: 'ctx', text, oldLine: o++, newLine: n++ });
    }
  }
  return { added, removed, unified: createTwoFilesPatch('baseline', 'candidate', a, b, undefined, undefined, { context: 3 }), lines, truncated };
}

/**
 * Every occurrence of each forbidden word in `text`, case-insensitive and full-width folded as the probe searches
 * (`findForbidden`); a word found only with whitespace removed ("黑 客") is located across the spaces. Positions are
 * in the original text, so the dashboard marks exactly the characters on the page.
 */
export function locateForbidden(text: string, words: string[]): ForbiddenAt[] {
  // Fold per code point, remembering where each folded unit came from; a squeezed copy drops whitespace.
  let folded = '';
  const from: number[] = [];
  let squeezed = '';
  const sFrom: number[] = [];
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    const f = fold(ch);
    for (let k = 0; k < f.length; k++) {
      folded += f[k];
      from.push(i);
      if (!/\s/.test(f[k])) {
        squeezed += f[k];
        sFrom.push(i);
      }
    }
    i += ch.length;
  }
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const lineOf = (off: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= off) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const endOf = (map: number[], idx: number) => {
    const start = map[idx];
    const cp = text.codePointAt(start)!;
    return start + String.fromCodePoint(cp).length;
  };
  const out: ForbiddenAt[] = [];
  for (const word of words) {
    const w = fold(word);
    if (!w) continue;
    const spans: [number, number][] = [];
    for (let at = folded.indexOf(w); at >= 0; at = folded.indexOf(w, at + w.length)) spans.push([from[at], endOf(from, at + w.length - 1)]);
    if (spans.length === 0) {
      const ws = w.replace(/\s+/g, '');
      if (ws.length >= 2) for (let at = squeezed.indexOf(ws); at >= 0; at = squeezed.indexOf(ws, at + ws.length)) spans.push([sFrom[at], endOf(sFrom, at + ws.length - 1)]);
    }
    if (spans.length === 0) continue;
    const positions: ForbiddenAt['positions'] = [];
    for (const [s, e] of spans) {
      // An occurrence spread over lines (squeezed) is marked on each line it touches.
      for (let l = lineOf(s); l < lineStarts.length && lineStarts[l] < e; l++) {
        const ls = lineStarts[l];
        const le = l + 1 < lineStarts.length ? lineStarts[l + 1] - 1 : text.length;
        const start = Math.max(s, ls) - ls;
        const end = Math.min(e, le) - ls;
        if (end > start) positions.push({ line: l + 1, start, end });
      }
    }
    out.push({ word, count: spans.length, positions });
  }
  return out;
}
