import { z } from 'zod';
import { duration } from '../../core/config/common';
import type { LatencyRow, TargetView } from '../sources';
import { formatSpanZh } from '../template';
import { ruleCommon, targetSelector, instance, selectTargets, targetFacts, type RuleType } from './types';

export const latencySchema = z.object({ ...ruleCommon, ...targetSelector, type: z.literal('latency'),
  window: duration({ min: '1m', max: '1h' }).prefault('5m'),
  /** The `quantile` (p95 by default) of successful probes' duration above this many ms. */
  thresholdMs: z.number().positive(),
  quantile: z.number().gt(0).lt(1).default(0.95),
  minSamples: z.number().int().min(1).default(3),
}).strict();
type Rule = z.output<typeof latencySchema>;
interface Input { targets: TargetView[]; latency: LatencyRow[] }

/** The p95 (or another quantile) of successful probes' duration over the window above a threshold. */
export const latency: RuleType<typeof latencySchema, Input> = {
  type: 'latency',
  schema: latencySchema,
  defaultSummary: '{{target}}（{{module}}）响应慢：近{{window}} p{{q}} 为 {{value}} ms，超过阈值 {{threshold}} ms',
  async load(src, rule) {
    return { targets: await src.targets(), latency: await src.latency(rule.window, rule.quantile) };
  },
  evaluate(rule, input, _now, env) {
    const selected = new Map(selectTargets(rule, input.targets).map((t) => [t.id, t]));
    const out = [];
    for (const l of input.latency) {
      const t = selected.get(l.targetId);
      if (!t || l.n < rule.minSamples || !(l.quantileMs > rule.thresholdMs)) continue;
      out.push(instance(rule, this.defaultSummary, env, { module: t.moduleId, target: t.id },
        { ...targetFacts(t), value: Math.round(l.quantileMs), threshold: rule.thresholdMs, window: formatSpanZh(rule.window), q: Math.round(rule.quantile * 100), n: l.n }, l.quantileMs));
    }
    return out;
  },
};
