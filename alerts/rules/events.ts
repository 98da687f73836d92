import type { RuleConfig } from '../config';
import type { SystemEvent } from '../sources';
import type { Labels } from '../model';
import { formatSpanZh } from '../template';
import { instance, type RuleType } from './types';

type CountRule = Extract<RuleConfig, { type: 'event_count' }>;
type ValueRule = Extract<RuleConfig, { type: 'event_value' }>;

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
export const eventCount: RuleType<CountRule, SystemEvent[]> = {
  type: 'event_count',
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

/** A value carried by system events (self-health: buffer size, journal bytes, scheduler lag) above, or growing by more than, a threshold. */
export const eventValue: RuleType<ValueRule, SystemEvent[]> = {
  type: 'event_value',
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
