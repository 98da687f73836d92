import { z } from 'zod';
import type { LatestResult, TargetView } from '../sources';
import { ruleCommon, targetSelector, team, instance, selectTargets, targetFacts, type RuleType } from './types';

export const dnsChangedSchema = z.object({ ...ruleCommon, ...targetSelector, type: z.literal('dns_changed'), team: team.default('security') }).strict();
type Rule = z.output<typeof dnsChangedSchema>;
interface Input { targets: TargetView[]; results: LatestResult[] }

const list = (v: unknown) => (Array.isArray(v) ? v.map(String).join(', ') : v == null ? '未知' : String(v));

/** The DNS answer differs from the expected one (error code dns_changed on the newest DNS result). */
export const dnsChanged: RuleType<typeof dnsChangedSchema, Input> = {
  type: 'dns_changed',
  schema: dnsChangedSchema,
  defaultSummary: '{{target}}（{{module}}）DNS 解析结果变化：期望 {{expected}}，实际 {{actual}}，检测时间 {{since}}',
  async load(src) {
    return { targets: await src.targets(), results: await src.latest(['dns'], 86_400_000) };
  },
  evaluate(rule, input, _now, env) {
    const selected = new Map(selectTargets(rule, input.targets).map((t) => [t.id, t]));
    const out = [];
    for (const r of input.results) {
      const t = selected.get(r.targetId);
      if (!t || !(r.errorCode === 'dns_changed' || r.detail.dns_changed === true || r.detail.changed === true)) continue;
      out.push(instance(rule, this.defaultSummary, env, { module: t.moduleId, target: t.id },
        { ...targetFacts(t), expected: list(r.detail.expected ?? r.detail.oldAnswers), actual: list(r.detail.newAnswers ?? r.detail.answers), since: r.ts }, 1));
    }
    return out;
  },
};
