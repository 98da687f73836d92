import type { RuleConfig } from '../config';
import type { CollectorStat } from '../sources';
import { formatSpanZh } from '../template';
import { instance, type RuleType } from './types';

type Rule = Extract<RuleConfig, { type: 'self_health' }>;

const NAMES: Record<Rule['metric'], string> = {
  buffer_depth: '内存缓冲积压条数',
  journal_bytes: '磁盘日志(journal)字节数',
  lag_p50_ms: '调度延迟 p50 (ms)',
  lag_p99_ms: '调度延迟 p99 (ms)',
  write_errors: '写库错误数',
};

/** The system itself: a collector's buffer or journal growing, scheduler lag, write errors (collector_stats), per instance. */
export const selfHealth: RuleType<Rule, CollectorStat[]> = {
  type: 'self_health',
  defaultSummary: '采集器 {{instance}} 自检异常：{{metricName}}{{what}} {{value}}，超过阈值 {{threshold}}（近{{window}}）',
  load: (src, rule) => src.collectorStats(rule.window),
  evaluate(rule, rows, _now, env) {
    const byInstance = new Map<string, number[]>();
    for (const r of rows) {
      const v = r.values[rule.metric];
      if (v === null) continue;
      byInstance.set(r.instance, [...(byInstance.get(r.instance) ?? []), v]);
    }
    const out = [];
    for (const [inst, vals] of byInstance) {
      const v = rule.op === 'above' ? vals[vals.length - 1] : vals[vals.length - 1] - vals[0];
      if (!(v > rule.threshold)) continue;
      out.push(instance(rule, this.defaultSummary, env, { extra: { instance: inst, metric: rule.metric } },
        { instance: inst, metricName: NAMES[rule.metric], what: rule.op === 'above' ? ' 当前' : ' 窗口内增长', value: v, threshold: rule.threshold, window: formatSpanZh(rule.window) }, v));
    }
    return out;
  },
};
