import { z } from 'zod';
import { duration } from '../../core/config/common';
import type { SystemEvent } from '../sources';
import type { Labels } from '../model';
import { formatSpanZh } from '../template';
import { ruleCommon, instance, type RuleType } from './types';

export const eventCountSchema = z.object({ ...ruleCommon, type: z.literal('event_count'),
  /** system_events kind, e.g. batch_failed, records_overdue, reconciliation_mismatch. */
  kind: z.string().min(1),
  source: z.string().optional(),
  window: duration({ min: '1m' }).prefault('1h'),
  /** Fires when at least this many events arrived in the window. */
  count: z.number().int().min(1).default(1),
  /** Event labels that tell instances apart (one alert per distinct value set). */
  by: z.array(z.string()).default([]),
}).strict();
type CountRule = z.output<typeof eventCountSchema>;
export const eventValueSchema = z.object({ ...ruleCommon, type: z.literal('event_value'),
  /** system_events kind carrying a value, e.g. records_overdue (how many records are past their deadline). */
  kind: z.string().min(1),
  source: z.string().optional(),
  window: duration({ min: '1m' }).prefault('5m'),
  /** above: the latest value > threshold; growing: latest - earliest in the window > threshold. */
  op: z.enum(['above', 'growing']).default('above'),
  threshold: z.number(),
  by: z.array(z.string()).default([]),
}).strict();
type ValueRule = z.output<typeof eventValueSchema>;

function groupBy(events: SystemEvent[], by: string[]): Map<string, { labels: Labels; events: SystemEvent[] }> {
  const out = new Map<string, { labels: Labels; events: SystemEvent[] }>();
  for (const e of events) {
    const labels: Labels = {};
    for (const k of by) if (e.labels?.[k] != null) labels[k] = String(e.labels[k]);
    const key = JSON.stringify(labels);
    const g = out.get(key) ?? { labels, events: [] };
    g.events.push(e);
    out.set(key, g);
  }
  return out;
}

/** At least `count` system events of a kind within the window (reporter: batch_failed, records_overdue, reconciliation_mismatch). */
export const eventCount: RuleType<typeof eventCountSchema, SystemEvent[]> = {
  type: 'event_count',
  schema: eventCountSchema,
  defaultSummary: '{{kind}}：近{{window}}发生 {{value}} 次（阈值 {{threshold}} 次），首次 {{since}}；最近一次：{{message}}',
  load: (src, rule) => src.events(rule.kind, rule.window, rule.source),
  evaluate(rule, events, _now, env) {
    const out = [];
    for (const { labels, events: list } of groupBy(events, rule.by).values()) {
      if (list.length < rule.count) continue;
      const last = list[list.length - 1];
      out.push(instance(rule, this.defaultSummary, env, { module: last.labels?.module, extra: labels },
        { kind: rule.kind, value: list.length, threshold: rule.count, window: formatSpanZh(rule.window), since: list[0].ts, message: last.message, ...labels }, list.length));
    }
    return out;
  },
};

/**
 * A value carried by system events (the reporter's records_overdue: records past their deadline) above, or growing by
 * more than, a threshold. The collector's own health is in collector_stats: the self_health rule.
 */
export const eventValue: RuleType<typeof eventValueSchema, SystemEvent[]> = {
  type: 'event_value',
  schema: eventValueSchema,
  defaultSummary: '系统自检 {{kind}}：{{what}} {{value}}，超过阈值 {{threshold}}（{{source}}，近{{window}}）',
  load: (src, rule) => src.events(rule.kind, rule.window, rule.source),
  evaluate(rule, events, _now, env) {
    const out = [];
    for (const { labels, events: list } of groupBy(events.filter((e) => e.value !== null), rule.by).values()) {
      if (list.length === 0) continue;
      const last = list[list.length - 1];
      const v = rule.op === 'above' ? last.value! : last.value! - list[0].value!;
      if (!(v > rule.threshold)) continue;
      out.push(instance(rule, this.defaultSummary, env, { extra: labels },
        { kind: rule.kind, what: rule.op === 'above' ? '当前值' : '窗口内增长', value: v, threshold: rule.threshold, source: last.source, window: formatSpanZh(rule.window), since: list[0].ts, ...labels }, v));
    }
    return out;
  },
};
