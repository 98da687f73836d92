import type { RuleConfig } from '../../core/config/alerts';
import type { TargetView } from '../sources';
import { instance, selectTargets, targetFacts, type RuleType } from './types';

type Rule = Extract<RuleConfig, { type: 'heartbeat' }>;

/** A heartbeat target (a batch job pushing "I ran") heard nothing for its interval plus the grace. */
export const heartbeat: RuleType<Rule, TargetView[]> = {
  type: 'heartbeat',
  defaultSummary: '{{target}}（{{module}}）心跳缺失：最近一次心跳 {{since}}，已超过 {{threshold}} 秒未收到',
  load: (src) => src.targets(),
  evaluate(rule, targets, now, env) {
    const out = [];
    for (const t of selectTargets(rule, targets)) {
      if (t.type !== 'heartbeat') continue;
      const limit = t.intervalMs + rule.grace;
      const last = t.lastTs ?? t.createdOrUpdated;
      const silentFor = now - last;
      const reportedFailure = t.lastErrorCode === 'heartbeat_failed' && t.state === 'down';
      if (silentFor <= limit && !reportedFailure) continue;
      out.push(instance(rule, reportedFailure ? '{{target}}（{{module}}）任务报告失败：{{error}}' : this.defaultSummary, env,
        { module: t.moduleId, target: t.id },
        { ...targetFacts(t), since: t.lastTs ?? '从未收到', value: Math.round(silentFor / 1000), threshold: Math.round(limit / 1000), error: t.lastError ?? '' },
        Math.round(silentFor / 1000)));
    }
    return out;
  },
};
