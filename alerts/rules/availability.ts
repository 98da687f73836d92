import { z } from 'zod';
import { duration } from '../../core/config/common';
import type { AvailabilityRow, TargetView } from '../sources';
import { formatSpanZh } from '../template';
import { ruleCommon, targetSelector, instance, selectTargets, targetFacts, type RuleType } from './types';

export const availabilitySchema = z.object({ ...ruleCommon, ...targetSelector, type: z.literal('availability'),
  window: duration({ min: '1m', max: '31d' }).prefault('1h'),
  /** Percent; default each module's SLO (modules.slo). */
  objective: z.number().gt(0).max(100).optional(),
  by: z.enum(['module', 'target']).default('module'),
  minSamples: z.number().int().min(1).default(10),
}).strict();
type Rule = z.output<typeof availabilitySchema>;
interface Input { targets: TargetView[]; counts: AvailabilityRow[] }

/** Availability (successful / all probes) over the window below the objective (default: the module's SLO). */
export const availability: RuleType<typeof availabilitySchema, Input> = {
  type: 'availability',
  schema: availabilitySchema,
  defaultSummary: '{{scope}} 近{{window}}可用率 {{value}}%，低于目标 {{threshold}}%（{{ok}}/{{n}} 次探测成功）',
  async load(src, rule) {
    return { targets: await src.targets(), counts: await src.availability(rule.window) };
  },
  evaluate(rule, input, _now, env) {
    const selected = new Map(selectTargets(rule, input.targets).map((t) => [t.id, t]));
    const acc = new Map<string, { n: number; ok: number; t: TargetView }>();
    for (const c of input.counts) {
      const t = selected.get(c.targetId);
      if (!t) continue;
      const key = rule.by === 'module' ? t.moduleId : t.id;
      const a = acc.get(key) ?? { n: 0, ok: 0, t };
      a.n += c.n;
      a.ok += c.ok;
      acc.set(key, a);
    }
    const out = [];
    for (const { n, ok, t } of acc.values()) {
      if (n < rule.minSamples) continue;
      const pct = (100 * ok) / n;
      const objective = rule.objective ?? t.slo;
      if (pct >= objective) continue;
      const facts = { ...targetFacts(t), scope: rule.by === 'module' ? `模块 ${t.moduleName}` : `${t.name}（${t.moduleName}）`,
        value: Math.round(pct * 1000) / 1000, threshold: objective, window: formatSpanZh(rule.window), ok, n };
      out.push(instance(rule, this.defaultSummary, env, rule.by === 'module' ? { module: t.moduleId } : { module: t.moduleId, target: t.id }, facts, pct));
    }
    return out;
  },
};
