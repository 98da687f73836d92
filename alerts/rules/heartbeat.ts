import { z } from 'zod';
import { duration } from '../../core/config/common';
import type { TargetView } from '../sources';
import { ruleCommon, targetSelector, instance, selectTargets, targetFacts, type RuleType } from './types';

export const heartbeatSchema = z.object({ ...ruleCommon, ...targetSelector, type: z.literal('heartbeat'),
  /** Also fires when the collector's heartbeat check itself has not run for the target's interval plus this grace. */
  grace: duration().prefault('1m'),
}).strict();
type Rule = z.output<typeof heartbeatSchema>;

/**
 * A heartbeat target (a batch job pushing "I ran"): the collector's heartbeat check says missing or failed
 * (target_state down with heartbeat_missing / heartbeat_failed), or the check itself has not run for the target's
 * interval plus the grace (then nobody is watching the job).
 */
export const heartbeat: RuleType<typeof heartbeatSchema, TargetView[]> = {
  type: 'heartbeat',
  schema: heartbeatSchema,
  defaultSummary: '{{target}}（{{module}}）心跳缺失：{{error}}',
  load: (src) => src.targets(),
  evaluate(rule, targets, now, env) {
    const out = [];
    for (const t of selectTargets(rule, targets)) {
      if (t.type !== 'heartbeat') continue;
      const reported = t.state === 'down' && (t.lastErrorCode === 'heartbeat_missing' || t.lastErrorCode === 'heartbeat_failed');
      const limit = t.intervalMs + rule.grace;
      const silentFor = now - (t.lastTs ?? t.createdOrUpdated);
      const unchecked = silentFor > limit;
      if (!reported && !unchecked) continue;
      const summary = reported
        ? t.lastErrorCode === 'heartbeat_failed' ? '{{target}}（{{module}}）任务报告失败：{{error}}' : this.defaultSummary
        : '{{target}}（{{module}}）心跳检查已 {{value}} 秒未运行（阈值 {{threshold}} 秒），最近一次 {{since}}';
      out.push(instance(rule, summary, env, { module: t.moduleId, target: t.id },
        { ...targetFacts(t), since: t.lastTs ?? '从未', value: Math.round(silentFor / 1000), threshold: Math.round(limit / 1000), error: t.lastError ?? t.lastErrorCode ?? '' },
        reported ? t.consecutiveFailures : Math.round(silentFor / 1000)));
    }
    return out;
  },
};
