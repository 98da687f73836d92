import type { RuleConfig } from '../config';
import type { LatencyRow, TargetView } from '../sources';
import { formatSpanZh } from '../template';
import { instance, selectTargets, targetFacts, type RuleType } from './types';

type Rule = Extract<RuleConfig, { type: 'latency' }>;
interface Input { targets: TargetView[]; latency: LatencyRow[] }

/** The p95 (or another quantile) of successful probes' duration over the window above a threshold. */
export const latency: RuleType<Rule, Input> = {
  type: 'latency',
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
