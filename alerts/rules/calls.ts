import { z } from 'zod';
import { duration } from '../../core/config/common';
import type { InterfaceCallRate } from '../sources';
import { formatSpanZh } from '../template';
import { ids, instance, ruleCommon, type RuleType } from './types';

/** Which interfaces (codes) a call rule looks at; all when absent. */
const interfaceSelector = { interfaces: ids.optional() };
const pick = (rule: { interfaces?: string[] }, rows: InterfaceCallRate[]) => rows.filter((r) => !rule.interfaces || rule.interfaces.includes(r.interfaceCode));
const label = (r: InterfaceCallRate) => (r.name ? `${r.name}（${r.interfaceCode}）` : r.interfaceCode);

export const callErrorRateSchema = z.object({ ...ruleCommon, ...interfaceSelector, type: z.literal('call_error_rate'),
  window: duration({ min: '1m', max: '1h' }).prefault('5m'),
  /** Failed calls in percent of all calls over the window above this. */
  thresholdPct: z.number().gt(0).max(100),
  minCalls: z.number().int().min(1).default(20),
}).strict();

/** An interface's real calls (the platform's logs) failing above a share over the window: the SLO as users feel it. */
export const callErrorRate: RuleType<typeof callErrorRateSchema, InterfaceCallRate[]> = {
  type: 'call_error_rate',
  schema: callErrorRateSchema,
  defaultSummary: '接口 {{interface}} 近{{window}}调用失败率 {{value}}%，超过阈值 {{threshold}}%（{{failures}}/{{calls}} 次）',
  load: (src, rule) => src.callRates(rule.window),
  evaluate(rule, rows, _now, env) {
    return pick(rule, rows)
      .filter((r) => r.calls >= rule.minCalls && (r.failures / r.calls) * 100 > rule.thresholdPct)
      .map((r) => {
        const pct = Math.round((r.failures / r.calls) * 10_000) / 100;
        return instance(rule, this.defaultSummary, env, { extra: { interface: r.interfaceCode } },
          { interface: label(r), value: pct, threshold: rule.thresholdPct, window: formatSpanZh(rule.window), failures: r.failures, calls: r.calls }, pct);
      });
  },
};

export const callLatencySchema = z.object({ ...ruleCommon, ...interfaceSelector, type: z.literal('call_latency'),
  window: duration({ min: '1m', max: '1h' }).prefault('5m'),
  /** The calls' p95 latency above this many ms. */
  thresholdMs: z.number().positive(),
  minCalls: z.number().int().min(1).default(20),
}).strict();

/** An interface's p95 call latency over the window above a threshold. */
export const callLatency: RuleType<typeof callLatencySchema, InterfaceCallRate[]> = {
  type: 'call_latency',
  schema: callLatencySchema,
  defaultSummary: '接口 {{interface}} 近{{window}}调用 p95 耗时 {{value}} ms，超过阈值 {{threshold}} ms（{{calls}} 次调用）',
  load: (src, rule) => src.callRates(rule.window),
  evaluate(rule, rows, _now, env) {
    return pick(rule, rows)
      .filter((r) => r.calls >= rule.minCalls && r.p95Ms !== null && r.p95Ms > rule.thresholdMs)
      .map((r) => instance(rule, this.defaultSummary, env, { extra: { interface: r.interfaceCode } },
        { interface: label(r), value: Math.round(r.p95Ms!), threshold: rule.thresholdMs, window: formatSpanZh(rule.window), calls: r.calls }, r.p95Ms!));
  },
};
