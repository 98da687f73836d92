import { createHash } from 'node:crypto';
import { diffLines } from 'diff';
import { z } from 'zod';
import { fold, normalise, normaliseRulesSchema, type NormaliseRules } from './content-normalise';
import { checkMethodBody, fetchHttp, httpFetchSpecSchema } from './http';
import { failure, guard, show } from './outcome';
import type { Probe, ProbeOutcome, ProbeType } from './types';

/**
 * Page tampering (网页防篡改): the page is normalised, hashed and compared with the approved baseline; the defacement
 * word list is searched in the normalised text. Storing and approving baselines is the collector's job: it passes
 * the approved baseline in `spec.baseline` and keeps `detail.normalisedText` of a changed page as the candidate.
 */
// Words of defacement and of the gambling / porn spam injected into hacked government sites. Words that a legitimate
// page may well carry ("入侵" in a security notice) are left to each target's own list.
export const forbiddenWordsDefault = ['hacked by', 'hacked', '黑客', '被黑', 'defaced', 'owned by', '博彩', '赌场', '六合彩', '色情'];

export const contentSpecSchema = httpFetchSpecSchema
  .extend({
    normalise: normaliseRulesSchema.prefault({}),
    /** Words that must never appear (case-insensitive, full-width folded). `[]` turns the check off. */
    forbiddenWords: z.array(z.string().min(1)).prefault(forbiddenWordsDefault),
    /**
     * Trust on first use: without an approved baseline, the first capture without forbidden words becomes a provisional
     * baseline (未确认基线) that changes are compared with until a person confirms it. false: wait for an approval.
     */
    trustOnFirstUse: z.boolean().default(true),
    /** The approved baseline, filled in by the collector from its baseline store (or pinned in config as a hash). */
    baseline: z.object({ hash: z.string().regex(/^[0-9a-f]{64}$/).optional(), text: z.string().optional(), provisional: z.boolean().optional() }).strict().optional(),
  })
  .strict()
  .superRefine(checkMethodBody);
export type ContentSpec = z.output<typeof contentSpecSchema>;

export interface DiffSummary {
  added: number;
  removed: number;
  /** A few changed lines, "+ line" / "- line", each cut to 160 characters. */
  samples: string[];
}

export interface ContentCheck {
  hash: string;
  normalisedText: string;
  /** True when a baseline was given and the page differs from it. */
  changed: boolean;
  /** Present when changed and the baseline text is known. */
  diffSummary?: DiffSummary;
  forbiddenHits: { word: string; count: number; context: string }[];
}

export interface ContentCheckOptions {
  baselineText?: string;
  baselineHash?: string;
  normalise?: NormaliseRules;
  forbiddenWords?: string[];
}

export const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/**
 * Counts added/removed lines and keeps the first changed ones as samples. A replacement (lines removed, then lines
 * added in their place) is sampled alternately "- old", "+ new", so a defaced block shows what replaced it even
 * when more lines were removed than fit in the samples.
 */
export function summariseDiff(before: string, after: string, maxSamples = 6): DiffSummary {
  const parts = diffLines(before.endsWith('\n') ? before : `${before}\n`, after.endsWith('\n') ? after : `${after}\n`);
  let added = 0;
  let removed = 0;
  const samples: string[] = [];
  const lines = (v: string) => v.split('\n').filter((l) => l !== '');
  const sample = (sign: string, l: string) => {
    if (samples.length < maxSamples) samples.push(`${sign} ${l.length > 160 ? `${l.slice(0, 157)}...` : l}`);
  };
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (!p.added && !p.removed) continue;
    const next = parts[i + 1];
    if (p.removed && next?.added) {
      const old = lines(p.value);
      const neu = lines(next.value);
      removed += old.length;
      added += neu.length;
      for (let k = 0; k < Math.max(old.length, neu.length); k++) {
        if (k < old.length) sample('-', old[k]);
        if (k < neu.length) sample('+', neu[k]);
      }
      i++;
      continue;
    }
    const ls = lines(p.value);
    if (p.added) added += ls.length;
    else removed += ls.length;
    for (const l of ls) sample(p.added ? '+' : '-', l);
  }
  return { added, removed, samples };
}

/** Finds every forbidden word; also with whitespace removed, since "黑 客" or "ｈａｃｋｅｄ" are the usual evasions. */
export function findForbidden(text: string, words: string[]): ContentCheck['forbiddenHits'] {
  const folded = fold(text);
  const squeezed = folded.replace(/\s+/g, '');
  const hits: ContentCheck['forbiddenHits'] = [];
  for (const word of words) {
    const w = fold(word);
    let count = 0;
    let at = folded.indexOf(w);
    const firstAt = at;
    while (at >= 0) {
      count++;
      at = folded.indexOf(w, at + w.length);
    }
    let context = firstAt >= 0 ? folded.slice(Math.max(0, firstAt - 20), firstAt + w.length + 20) : '';
    if (count === 0) {
      const ws = w.replace(/\s+/g, '');
      if (ws.length >= 2 && squeezed.includes(ws)) {
        count = squeezed.split(ws).length - 1;
        const i = squeezed.indexOf(ws);
        context = squeezed.slice(Math.max(0, i - 20), i + ws.length + 20);
      }
    }
    if (count > 0) hits.push({ word, count, context: context.replace(/\s+/g, ' ') });
  }
  return hits;
}

/** Pure: normalise, hash, compare with the baseline, diff, search forbidden words. */
export function checkContent(html: string, opts: ContentCheckOptions = {}): ContentCheck {
  const normalisedText = normalise(html, opts.normalise);
  const hash = sha256(normalisedText);
  const baselineHash = opts.baselineHash ?? (opts.baselineText !== undefined ? sha256(opts.baselineText) : undefined);
  const changed = baselineHash !== undefined && baselineHash !== hash;
  const result: ContentCheck = { hash, normalisedText, changed, forbiddenHits: findForbidden(normalisedText, opts.forbiddenWords ?? []) };
  if (changed && opts.baselineText !== undefined) result.diffSummary = summariseDiff(opts.baselineText, normalisedText);
  return result;
}

export const contentProbe: Probe<ContentSpec> = async (spec, ctx) => {
  const fetched = await fetchHttp(spec, ctx);
  if (!fetched.ok) return fetched.outcome;
  const { outcome } = fetched;
  const body = fetched.body.toString('utf8');
  const startedAt = ctx.now() - outcome.durationMs;
  return guard(startedAt, ctx.now, ctx.timeoutMs, spec.url, async () => judgePage(spec, outcome, body, startedAt, ctx.now));
};

function judgePage(spec: ContentSpec, outcome: ProbeOutcome, body: string, startedAt: number, now: () => number): ProbeOutcome {
  const check = checkContent(body, { baselineHash: spec.baseline?.hash, baselineText: spec.baseline?.text, normalise: spec.normalise, forbiddenWords: spec.forbiddenWords });
  const detail: Record<string, unknown> = { hash: check.hash, baselineHash: spec.baseline?.hash ?? (spec.baseline?.text !== undefined ? sha256(spec.baseline.text) : null), changed: check.changed, bytes: body.length };
  if (spec.baseline?.provisional) detail.baselineProvisional = true;
  // The normalised text is kept only when the collector needs it: no baseline yet (first capture) or a change to review.
  if (!spec.baseline || check.changed) detail.normalisedText = check.normalisedText;
  if (check.diffSummary) detail.diffSummary = check.diffSummary;
  if (check.forbiddenHits.length) detail.forbiddenHits = check.forbiddenHits;
  // The probe's duration is the fetch's (as for http); normalising and diffing are the collector's CPU, not the site's.
  const extra = { durationMs: outcome.durationMs, phases: outcome.phases, statusCode: outcome.statusCode, detail };
  if (check.forbiddenHits.length) {
    const h = check.forbiddenHits[0];
    const words = check.forbiddenHits.map((x) => `${show(x.word)}×${x.count}`).join(' ');
    return failure('forbidden_word', `${spec.url} 期望不含违禁词 实际出现 ${words} 上下文 ${show(h.context)}`, startedAt, now(), extra);
  }
  if (check.changed) {
    const d = check.diffSummary;
    const facts = d
      ? `${spec.url} 与${spec.baseline?.provisional ? '未确认基线（首次采集）' : '基线'}不一致 新增 ${d.added} 行 删除 ${d.removed} 行 例: ${d.samples.slice(0, 2).join(' | ')}`
      : `${spec.url} 期望哈希 ${String(detail.baselineHash).slice(0, 12)} 实际 ${check.hash.slice(0, 12)}`;
    return failure('content_changed', facts, startedAt, now(), extra);
  }
  return { ...outcome, detail };
}

/** The registry entry (./index.ts): page tampering: normalised page against its approved baseline, forbidden words. */
export const contentProbeType: ProbeType<typeof contentSpecSchema, 'content'> = {
  type: 'content',
  spec: contentSpecSchema,
  probe: contentProbe,
  kind: 'active',
  // The approved baseline from the baseline store (collector/store/baselines.ts); none yet: the page is captured, and
  // with trustOnFirstUse the capture (once written, and only without forbidden words) becomes the provisional baseline.
  state: {
    keys: ['baseline'],
    load: async ({ targetId, spec, lastDetail, sources }) => {
      let b = await sources.approvedBaseline(targetId);
      const captured = lastDetail && typeof lastDetail.normalisedText === 'string' && typeof lastDetail.hash === 'string' && !lastDetail.forbiddenHits && lastDetail.baselineHash == null;
      if (!b && spec?.trustOnFirstUse !== false && captured) b = await sources.adoptFirstCapture(targetId, lastDetail.hash as string);
      return b ? { baseline: { hash: b.hash, text: b.text, ...(b.provisional ? { provisional: true } : {}) } } : undefined;
    },
  },
  connectionOption: true,
};
