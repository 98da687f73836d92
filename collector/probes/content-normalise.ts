import { z } from 'zod';

/**
 * Page normalisation for tamper detection: strip what legitimately changes on every request (nonces, CSRF tokens,
 * timestamps, visitor counters, configured regions) so that the hash only moves when the page really changed.
 * HTML is handled with regular expressions over tags, on purpose: we only need "remove this element" and "drop the
 * markup", and a lenient scanner copes with the broken HTML that portals serve.
 */
export const normaliseRulesSchema = z
  .object({
    /** Drop nonce="..." attributes (CSP script nonces change per response). */
    stripNonces: z.boolean().prefault(true),
    /** Blank CSRF tokens: <meta name="csrf-token" content>, hidden inputs named *csrf* / *token*. */
    stripCsrf: z.boolean().prefault(true),
    /** Blank date-times (2026-11-25 10:00:00, ISO 8601, 2026年11月25日 10:00, 13-digit epoch ms). */
    stripTimestamps: z.boolean().prefault(true),
    /** Elements to remove with their content: "tag", "#id", ".class", "tag.class", "[attr=value]", "tag[attr=value]". */
    removeSelectors: z.array(z.string().regex(/^[a-zA-Z][\w-]*$|^[a-zA-Z]*[#.][\w-]+$|^[a-zA-Z]*\[[\w-]+(=["']?[^"'\]]*["']?)?\]$/, 'expected a simple selector: tag, #id, .class, tag.class, [attr=value]')).prefault([]),
    /** Regular expressions whose matches are removed (e.g. "访问量：\\d+"). */
    removePatterns: z.array(z.string()).prefault([]),
    /** Compare only the visible text (markup changes that do not change text are ignored). */
    textOnly: z.boolean().prefault(false),
    /** Trim lines, collapse runs of spaces, drop blank lines. */
    collapseWhitespace: z.boolean().prefault(true),
  })
  .strict()
  .superRefine((r, ctx) => {
    for (const [i, p] of r.removePatterns.entries()) {
      try {
        new RegExp(p);
      } catch (e) {
        ctx.addIssue({ code: 'custom', path: ['removePatterns', i], message: `invalid regular expression: ${(e as Error).message}` });
      }
    }
  });
export type NormaliseRules = z.output<typeof normaliseRulesSchema>;
export const defaultNormaliseRules: NormaliseRules = normaliseRulesSchema.parse({});

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
const BLOCK = /^(address|article|aside|blockquote|br|dd|div|dl|dt|footer|form|h[1-6]|header|hr|li|main|nav|ol|p|pre|section|table|tbody|thead|tfoot|td|th|title|tr|ul|option|select|textarea)$/i;

interface Selector {
  tag?: string;
  attr?: string;
  value?: string;
  cls?: string;
}

function parseSelector(sel: string): Selector {
  let m = /^([a-zA-Z]*)#([\w-]+)$/.exec(sel);
  if (m) return { tag: m[1] || undefined, attr: 'id', value: m[2] };
  m = /^([a-zA-Z]*)\.([\w-]+)$/.exec(sel);
  if (m) return { tag: m[1] || undefined, cls: m[2] };
  m = /^([a-zA-Z]*)\[([\w-]+)(?:=["']?([^"'\]]*)["']?)?\]$/.exec(sel);
  if (m) return { tag: m[1] || undefined, attr: m[2], value: m[3] };
  return { tag: sel };
}

function attrValue(attrs: string, name: string): string | undefined {
  const m = new RegExp(`(?:^|\\s)${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(attrs);
  if (m) return m[1] ?? m[2] ?? m[3];
  return new RegExp(`(?:^|\\s)${name}(?=\\s|$|/)`, 'i').test(attrs) ? '' : undefined;
}

function matches(sel: Selector, tag: string, attrs: string): boolean {
  if (sel.tag && sel.tag.toLowerCase() !== tag.toLowerCase()) return false;
  if (sel.cls !== undefined) return (attrValue(attrs, 'class') ?? '').split(/\s+/).includes(sel.cls);
  if (sel.attr !== undefined) {
    const v = attrValue(attrs, sel.attr);
    return v !== undefined && (sel.value === undefined || v === sel.value);
  }
  return true;
}

/** Removes every element matching the selector, with its content (nesting of the same tag name is counted). */
export function removeElements(html: string, selector: string): string {
  const sel = parseSelector(selector);
  const open = /<([a-zA-Z][\w-]*)(\s[^>]*)?>/g;
  let out = '';
  let pos = 0;
  let m: RegExpExecArray | null;
  while ((m = open.exec(html))) {
    const tag = m[1];
    if (!matches(sel, tag, m[2] ?? '')) continue;
    const start = m.index;
    let end = open.lastIndex;
    if (!VOID.has(tag.toLowerCase()) && !m[0].endsWith('/>')) {
      // Find the matching close tag, counting nested opens of the same name; unclosed → remove to the end.
      const scan = new RegExp(`<(/?)${tag}\\b[^>]*>`, 'gi');
      scan.lastIndex = end;
      let depth = 1;
      let s: RegExpExecArray | null;
      end = html.length;
      while ((s = scan.exec(html))) {
        depth += s[1] ? -1 : s[0].endsWith('/>') ? 0 : 1;
        if (depth === 0) {
          end = scan.lastIndex;
          break;
        }
      }
    }
    out += html.slice(pos, start);
    pos = end;
    open.lastIndex = end;
  }
  return out + html.slice(pos);
}

const TIMESTAMP_PATTERNS = [
  /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?/g,
  /\d{4}[/.]\d{1,2}[/.]\d{1,2}\s+\d{1,2}:\d{2}(:\d{2})?/g,
  /\d{4}年\d{1,2}月\d{1,2}日\s*(星期.|周.)?\s*\d{1,2}[:：]\d{2}([:：]\d{2})?/g,
  /(?<![\d.])1[5-9]\d{11}(?!\d)/g, // epoch milliseconds 2017..2033
];

function decodeEntities(s: string): string {
  return s
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&amp;/g, '&');
}

/** The normalised form of a page: stable across requests of an unchanged page, one logical line per line. */
export function normalise(html: string, rules: NormaliseRules = defaultNormaliseRules): string {
  let s = html.replace(/\r\n?/g, '\n').replace(/<!--[\s\S]*?-->/g, '');
  for (const sel of rules.removeSelectors) s = removeElements(s, sel);
  if (rules.stripNonces) s = s.replace(/\snonce\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi, '');
  if (rules.stripCsrf) {
    s = s.replace(/<meta\b[^>]*name\s*=\s*["']?[\w-]*(csrf|xsrf)[\w-]*["']?[^>]*>/gi, '');
    s = s.replace(/<input\b[^>]*name\s*=\s*["']?[\w-]*(csrf|xsrf|token|authenticity)[\w-]*["']?[^>]*>/gi, '');
    s = s.replace(/\b(data-csrf|data-xsrf|csrf_?token)\s*=\s*("[^"]*"|'[^']*')/gi, '$1=""');
  }
  for (const p of rules.removePatterns) s = s.replace(new RegExp(p, 'g'), '');
  if (rules.textOnly) {
    s = removeElements(removeElements(removeElements(s, 'script'), 'style'), 'noscript');
    s = s.replace(/<\/?([a-zA-Z][\w-]*)[^>]*>/g, (_, tag: string) => (BLOCK.test(tag) ? '\n' : ''));
    s = decodeEntities(s);
  }
  // Timestamps last, so that text split across inline tags (<b>10</b>:00) is already joined in text mode.
  if (rules.stripTimestamps) for (const re of TIMESTAMP_PATTERNS) s = s.replace(re, '');
  if (rules.collapseWhitespace) {
    s = s
      .split('\n')
      // Space next to a tag is layout, not content: "<p> a </p>" and "<p>a</p>" render the same.
      .map((l) => l.replace(/[ \t\f\v\u00a0\u3000]+/g, ' ').replace(/> /g, '>').replace(/ </g, '<').trim())
      .filter((l) => l !== '')
      .join('\n');
  }
  return s;
}

/** Full-width → half-width (NFKC), lower case: "ＨＡＣＫＥＤ" and "hacked" are the same word to a defacer. */
export function fold(s: string): string {
  return s.normalize('NFKC').toLowerCase();
}
