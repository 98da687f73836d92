import { z } from 'zod';
import { duration } from '../../core/config/common';
import type { BrowserExceptionRate, WebVitalQuantile } from '../sources';
import { formatSpanZh } from '../template';
import { ruleCommon, ids, instance, type RuleType } from './types';

export const browserErrorsSchema = z.object({ ...ruleCommon, type: z.literal('browser_errors'),
  apps: ids.optional(),
  window: duration({ min: '1m', max: '1h' }).prefault('5m'),
  /** Exceptions per minute, averaged over the window. */
  perMinute: z.number().positive(),
}).strict();
type ErrRule = z.output<typeof browserErrorsSchema>;
export const webVitalSchema = z.object({ ...ruleCommon, type: z.literal('web_vital'),
  apps: ids.optional(),
  metric: z.enum(['lcp', 'inp', 'cls', 'fcp', 'ttfb']),
  window: duration({ min: '1m', max: '1d' }).prefault('15m'),
  /** The `quantile` (p75 by default) above this (ms; CLS unitless). */
  threshold: z.number().positive(),
  quantile: z.number().gt(0).lt(1).default(0.75),
  minSamples: z.number().int().min(1).default(5),
}).strict();
type VitalRule = z.output<typeof webVitalSchema>;

/** Browser JS exceptions per minute (Faro) per app above a threshold. */
export const browserErrors: RuleType<typeof browserErrorsSchema, BrowserExceptionRate[]> = {
  type: 'browser_errors',
  schema: browserErrorsSchema,
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
export const webVital: RuleType<typeof webVitalSchema, WebVitalQuantile[]> = {
  type: 'web_vital',
  schema: webVitalSchema,
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
