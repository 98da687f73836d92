import { z } from 'zod';
import { severity } from '../../core/config/common';
import type { LatestResult, TargetView } from '../sources';
import { ruleCommon, targetSelector, team, instance, selectTargets, targetFacts, type RuleType } from './types';

export const contentSchema = z.object({ ...ruleCommon, ...targetSelector, type: z.literal('content'),
  /** changed: the page differs from its approved baseline; forbidden: a forbidden word appeared. */
  on: z.array(z.enum(['changed', 'forbidden'])).min(1).default(['changed', 'forbidden']),
  team: team.default('security'),
  severity: severity.default('critical'),
}).strict();
type Rule = z.output<typeof contentSchema>;
interface Input { targets: TargetView[]; results: LatestResult[] }

function hitsOf(detail: Record<string, unknown>): string[] {
  const h = detail.forbiddenHits;
  if (typeof h === 'number' && h > 0) return [`${h} 处`];
  if (!Array.isArray(h)) return [];
  // The content probe writes [{word, count, context}]; plain strings are accepted too.
  return h.map((x) => {
    if (typeof x === 'string') return x;
    const o = (x ?? {}) as { word?: unknown; count?: unknown };
    const n = typeof o.count === 'number' && o.count > 1 ? `×${o.count}` : '';
    return `${String(o.word ?? JSON.stringify(x))}${n}`;
  });
}

/** How many changed lines a notice carries (the probe keeps six samples of 160 characters at most). */
const SAMPLE_LINES = 5;

interface DiffFacts { added: number; removed: number; samples: string[] }

function diffOf(detail: Record<string, unknown>): DiffFacts | null {
  const d = detail.diffSummary as { added?: unknown; removed?: unknown; samples?: unknown } | undefined;
  if (!d || typeof d.added !== 'number' || typeof d.removed !== 'number') return null;
  const samples = Array.isArray(d.samples) ? d.samples.filter((x): x is string => typeof x === 'string') : [];
  return { added: d.added, removed: d.removed, samples };
}

/**
 * The diff summary a notice carries (alerts/channels/markdown.ts shows `details` under the alert, within the robot's
 * byte limit): lines added/removed, the forbidden words, then the first changed lines. The structured annotations
 * (`diffAdded`, `diffRemoved`, `diffLines`, `forbiddenWords`) are for webhooks.
 */
function diffAnnotations(diff: DiffFacts | null, hits: string[], provisional: boolean): Record<string, string> {
  const a: Record<string, string> = {};
  const details: string[] = [];
  if (diff) {
    a.diffAdded = String(diff.added);
    a.diffRemoved = String(diff.removed);
    details.push(`新增 ${diff.added} 行，删除 ${diff.removed} 行（对比${provisional ? '未确认基线（首次采集）' : '已批准基线'}）`);
  }
  if (hits.length) {
    a.forbiddenWords = hits.join('、');
    details.push(`违禁词：${a.forbiddenWords}`);
  }
  if (diff?.samples.length) {
    const first = diff.samples.slice(0, SAMPLE_LINES);
    a.diffLines = first.join('\n');
    details.push(...first);
  }
  if (details.length) a.details = details.join('\n');
  return a;
}

/** Page tampered (differs from its approved baseline) or a forbidden word on it, from the newest content result. */
export const content: RuleType<typeof contentSchema, Input> = {
  type: 'content',
  schema: contentSchema,
  defaultSummary: '{{target}}（{{module}}）页面异常：{{what}}，检测时间 {{since}}',
  async load(src) {
    return { targets: await src.targets(), results: await src.latest(['content'], 86_400_000) };
  },
  evaluate(rule, input, _now, env) {
    const selected = new Map(selectTargets(rule, input.targets).map((t) => [t.id, t]));
    const out = [];
    for (const r of input.results) {
      const t = selected.get(r.targetId);
      if (!t) continue;
      const changed = rule.on.includes('changed') && (r.detail.changed === true || r.errorCode === 'content_changed');
      const hits = rule.on.includes('forbidden') ? hitsOf(r.detail) : [];
      const forbidden = hits.length > 0 || (rule.on.includes('forbidden') && r.errorCode === 'forbidden_word');
      if (!changed && !forbidden) continue;
      const provisional = r.detail.baselineProvisional === true;
      const what = [changed && `页面内容与${provisional ? '未确认基线' : '基线'}不一致（疑似篡改）`, forbidden && `发现违禁词：${hits.join('、') || '见详情'}`].filter(Boolean).join('；');
      const inst = instance(rule, this.defaultSummary, env, { module: t.moduleId, target: t.id }, { ...targetFacts(t), what, value: hits.length, since: r.ts }, hits.length);
      inst.annotations = { ...inst.annotations, ...diffAnnotations(rule.on.includes('changed') ? diffOf(r.detail) : null, hits, provisional) };
      out.push(inst);
    }
    return out;
  },
};
