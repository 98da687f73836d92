import { z } from 'zod';
import { duration } from '../../core/config/common';
import type { CollectorStat } from '../sources';
import { formatSpanZh } from '../template';
import { ruleCommon, instance, type RuleType } from './types';

export const selfHealthSchema = z.object({ ...ruleCommon, type: z.literal('self_health'),
  /** A column of the collector's collector_stats, per collector instance. */
  metric: z.enum(['buffer_depth', 'journal_bytes', 'lag_p50_ms', 'lag_p99_ms', 'write_errors']),
  window: duration({ min: '1m' }).prefault('5m'),
  /** above: the latest value > threshold; growing: latest - earliest in the window > threshold. */
  op: z.enum(['above', 'growing']).default('above'),
  threshold: z.number(),
}).strict();
type Rule = z.output<typeof selfHealthSchema>;

const NAMES: Record<Rule['metric'], string> = {
  buffer_depth: '内存缓冲积压条数',
  journal_bytes: '磁盘日志(journal)字节数',
  lag_p50_ms: '调度延迟 p50 (ms)',
  lag_p99_ms: '调度延迟 p99 (ms)',
  write_errors: '写库错误数',
};

/** The system itself: a collector's buffer or journal growing, scheduler lag, write errors (collector_stats), per instance. */
export const selfHealth: RuleType<typeof selfHealthSchema, CollectorStat[]> = {
  type: 'self_health',
  schema: selfHealthSchema,
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
