import { z } from 'zod';
import { duration } from '../../core/config/common';
import type { TargetView } from '../sources';
import { ruleCommon, targetSelector, instance, selectTargets, targetFacts, type RuleType } from './types';

export const targetDownSchema = z.object({ ...ruleCommon, ...targetSelector, type: z.literal('target_down'),
  /** Consecutive failed probes (default: the target's own failure threshold, i.e. target_state says down). */
  failures: z.number().int().min(1).optional(),
  /** Or: failing for at least this long (target_state.since). */
  downFor: duration().optional(),
}).strict();
type Rule = z.output<typeof targetDownSchema>;

/**
 * A target is down when it failed `failures` probes in a row, or has been failing for `downFor`; without either,
 * when the collector's own state (the target's failure threshold) says down.
 */
export const targetDown: RuleType<typeof targetDownSchema, TargetView[]> = {
  type: 'target_down',
  schema: targetDownSchema,
  defaultSummary: '{{target}}（{{module}}）不可用：连续 {{value}} 次探测失败（阈值 {{threshold}}），自 {{since}} 起；最近错误：{{error}}',
  load: (src) => src.targets(),
  evaluate(rule, targets, now, env) {
    const out = [];
    for (const t of selectTargets(rule, targets)) {
      if (t.type === 'heartbeat') continue; // heartbeats have their own rule
      const failing = t.consecutiveFailures > 0 && t.state !== 'up';
      if (!failing) continue;
      const since = t.since ?? now;
      let holds: boolean;
      let threshold: number | string;
      if (rule.failures !== undefined || rule.downFor !== undefined) {
        holds = (rule.failures !== undefined && t.consecutiveFailures >= rule.failures) || (rule.downFor !== undefined && t.state === 'down' && now - since >= rule.downFor);
        threshold = rule.failures ?? `${Math.round((rule.downFor ?? 0) / 1000)}s`;
      } else {
        holds = t.state === 'down';
        threshold = t.failureThreshold;
      }
      if (!holds) continue;
      out.push(
        instance(rule, this.defaultSummary, env, { module: t.moduleId, target: t.id },
          { ...targetFacts(t), value: t.consecutiveFailures, threshold, since, error: t.lastError ?? t.lastErrorCode ?? '未知' }, t.consecutiveFailures),
      );
    }
    return out;
  },
};
