import type { RuleConfig } from '../config';
import type { BrowserExceptionRate, WebVitalQuantile } from '../sources';
import { formatSpanZh } from '../template';
import { instance, type RuleType } from './types';

type ErrRule = Extract<RuleConfig, { type: 'browser_errors' }>;
type VitalRule = Extract<RuleConfig, { type: 'web_vital' }>;

/** Browser JS exceptions per minute (Faro) per app above a threshold. */
export const browserErrors: RuleType<ErrRule, BrowserExceptionRate[]> = {
  type: 'browser_errors',
  defaultSummary: '前端应用 {{app}} 近{{window}} JS 异常 {{value}} 次/分钟，超过阈值 {{threshold}} 次/分钟（共 {{count}} 次）',
  load: (src, rule) => src.browserExceptions(rule.window),
  evaluate(rule, rows, _now, env) {
    const minutes = rule.window / 60_000;
    return rows
      .filter((r) => (!rule.apps || rule.apps.includes(r.app)) && r.count / minutes > rule.perMinute)
      .map((r) => instance(rule, this.defaultSummary, env, { extra: { app: r.app } },
        { app: r.app, value: Math.round((r.count / minutes) * 100) / 100, threshold: rule.perMinute, window: formatSpanZh(rule.window), count: r.count }, r.count / minutes));
  },
};

const UNIT: Record<string, string> = { lcp: ' ms', inp: ' ms', fcp: ' ms', ttfb: ' ms', cls: '' };

/** A web vital's p75 (LCP, INP, CLS, ...) per app above a threshold. */
export const webVital: RuleType<VitalRule, WebVitalQuantile[]> = {
  type: 'web_vital',
  defaultSummary: '前端应用 {{app}} 的 {{metric}} p{{q}} 为 {{value}}{{unit}}，超过阈值 {{threshold}}{{unit}}（近{{window}}，{{n}} 个样本）',
  load: (src, rule) => src.webVital(rule.metric, rule.quantile, rule.window),
  evaluate(rule, rows, _now, env) {
    return rows
      .filter((r) => (!rule.apps || rule.apps.includes(r.app)) && r.n >= rule.minSamples && r.value > rule.threshold)
      .map((r) => instance(rule, this.defaultSummary, env, { extra: { app: r.app, metric: rule.metric } },
        { app: r.app, metric: rule.metric.toUpperCase(), q: Math.round(rule.quantile * 100), value: r.value, threshold: rule.threshold,
          unit: UNIT[rule.metric] ?? '', window: formatSpanZh(rule.window), n: r.n }, r.value));
  },
};
