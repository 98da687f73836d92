import { z } from 'zod';
import type { AreaContext } from '../core/area';
import cron from 'node-cron';
import { duration, labels, secret, severity } from '../core/config/common';

/**
 * The `alerts:` section: rules, receivers (channels), the routing tree, inhibition. Owned by the alerts area.
 * Names follow Alertmanager's (groupBy = group_by, groupWait = group_wait, ...) in the project's camelCase.
 */

const team = z.enum(['ops', 'security']);
const ids = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).transform((v) => (Array.isArray(v) ? v : [v]));

/** A label matcher in Alertmanager's text form: name="value", name!="value", name=~"regex", name!~"regex". */
export const MATCHER_RE = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*$/;
const matcherText = z.string().superRefine((v, ctx) => {
  const m = MATCHER_RE.exec(v);
  if (!m) {
    ctx.addIssue({ code: 'custom', message: 'expected a matcher such as team="ops", severity!="info", module=~"share-.*"' });
    return;
  }
  if (m[2] === '=~' || m[2] === '!~') {
    try {
      new RegExp(`^(?:${m[3]})$`);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `the regular expression does not compile: ${(err as Error).message}` });
    }
  }
});

/** Which targets / modules a rule looks at (all when absent). */
const selector = {
  modules: ids.optional(),
  targets: ids.optional(),
};

const common = {
  name: z.string().min(1).max(120),
  severity: severity.default('warning'),
  team: team.default('ops'),
  /** Pending until the condition held this long, then firing. */
  for: duration().prefault('0s'),
  labels: labels.default({}),
  /** Chinese summary with {{placeholders}}: target, module, value, threshold, since, window, and the rule's own. */
  summary: z.string().min(1).optional(),
  description: z.string().optional(),
  enabled: z.boolean().default(true),
};

const certThreshold = z.object({ days: z.number().positive(), severity }).strict();

export const ruleSchema = z.discriminatedUnion('type', [
  z.object({ ...common, ...selector, type: z.literal('target_down'),
    /** Consecutive failed probes (default: the target's own failure threshold, i.e. target_state says down). */
    failures: z.number().int().min(1).optional(),
    /** Or: failing for at least this long (target_state.since). */
    downFor: duration().optional(),
  }).strict(),
  z.object({ ...common, ...selector, type: z.literal('module_down'),
    /** Share of the module's active targets that must be down (1 = all). */
    ratio: z.number().gt(0).max(1).default(1),
  }).strict(),
  z.object({ ...common, ...selector, type: z.literal('availability'),
    window: duration({ min: '1m', max: '31d' }).prefault('1h'),
    /** Percent; default each module's SLO (modules.slo). */
    objective: z.number().gt(0).max(100).optional(),
    by: z.enum(['module', 'target']).default('module'),
    minSamples: z.number().int().min(1).default(10),
  }).strict(),
  z.object({ ...common, ...selector, type: z.literal('latency'),
    window: duration({ min: '1m', max: '1h' }).prefault('5m'),
    /** p95 of probe duration above this many ms. */
    thresholdMs: z.number().positive(),
    quantile: z.number().gt(0).lt(1).default(0.95),
    minSamples: z.number().int().min(1).default(3),
  }).strict(),
  z.object({ ...common, ...selector, type: z.literal('cert_expiry'),
    /** e.g. [{days: 30, severity: warning}, {days: 7, severity: critical}]: the tightest threshold met wins. */
    thresholds: z.array(certThreshold).min(1).default([{ days: 30, severity: 'warning' }, { days: 14, severity: 'warning' }, { days: 7, severity: 'critical' }]),
    team: team.default('security'),
  }).strict(),
  z.object({ ...common, ...selector, type: z.literal('content'),
    /** changed: the page differs from its approved baseline; forbidden: a forbidden word appeared. */
    on: z.array(z.enum(['changed', 'forbidden'])).min(1).default(['changed', 'forbidden']),
    team: team.default('security'),
    severity: severity.default('critical'),
  }).strict(),
  z.object({ ...common, ...selector, type: z.literal('dns_changed'), team: team.default('security') }).strict(),
  z.object({ ...common, ...selector, type: z.literal('heartbeat'),
    /** Missing when nothing arrived for the target's interval plus this grace. */
    grace: duration().prefault('1m'),
  }).strict(),
  z.object({ ...common, type: z.literal('browser_errors'),
    apps: ids.optional(),
    window: duration({ min: '1m', max: '1h' }).prefault('5m'),
    /** Exceptions per minute, averaged over the window. */
    perMinute: z.number().positive(),
  }).strict(),
  z.object({ ...common, type: z.literal('web_vital'),
    apps: ids.optional(),
    metric: z.enum(['lcp', 'inp', 'cls', 'fcp', 'ttfb']),
    window: duration({ min: '1m', max: '1d' }).prefault('15m'),
    /** p75 above this (ms; CLS unitless). */
    threshold: z.number().positive(),
    quantile: z.number().gt(0).lt(1).default(0.75),
    minSamples: z.number().int().min(1).default(5),
  }).strict(),
  z.object({ ...common, type: z.literal('event_count'),
    /** system_events kind, e.g. batch_failed, records_overdue, reconciliation_mismatch. */
    kind: z.string().min(1),
    source: z.string().optional(),
    window: duration({ min: '1m' }).prefault('1h'),
    /** Fires when at least this many events arrived in the window. */
    count: z.number().int().min(1).default(1),
    /** Event labels that tell instances apart (one alert per distinct value set). */
    by: z.array(z.string()).default([]),
  }).strict(),
  z.object({ ...common, type: z.literal('event_value'),
    /** system_events kind carrying a value, e.g. buffer_size, journal_bytes, scheduler_lag_ms. */
    kind: z.string().min(1),
    source: z.string().optional(),
    window: duration({ min: '1m' }).prefault('5m'),
    /** above: the latest value > threshold; growing: latest - earliest in the window > threshold. */
    op: z.enum(['above', 'growing']).default('above'),
    threshold: z.number(),
    by: z.array(z.string()).default([]),
  }).strict(),
  z.object({ ...common, type: z.literal('self_health'),
    /** A column of the collector's collector_stats, per collector instance. */
    metric: z.enum(['buffer_depth', 'journal_bytes', 'lag_p50_ms', 'lag_p99_ms', 'write_errors']),
    window: duration({ min: '1m' }).prefault('5m'),
    /** above: the latest value > threshold; growing: latest - earliest in the window > threshold. */
    op: z.enum(['above', 'growing']).default('above'),
    threshold: z.number(),
  }).strict(),
  z.object({ ...common, type: z.literal('database_unreachable'), severity: severity.default('critical') }).strict(),
]);
export type RuleConfig = z.output<typeof ruleSchema>;
export type RuleTypeName = RuleConfig['type'];

const retryable = {
  sendResolved: z.boolean().default(true),
  timeout: duration({ min: '100ms', max: '2m' }).prefault('10s'),
};
export const channelSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('webhook'), ...retryable, url: z.url(), headers: z.record(z.string(), z.string()).default({}),
    /** Alertmanager's max_alerts: 0 = all. */
    maxAlerts: z.number().int().min(0).default(0) }).strict(),
  z.object({ type: z.literal('dingtalk'), ...retryable,
    url: z.url().default('https://oapi.dingtalk.com/robot/send'), accessToken: secret, secret: secret.optional(),
    atMobiles: z.array(z.string()).default([]), atAll: z.boolean().default(false) }).strict(),
  z.object({ type: z.literal('wecom'), ...retryable,
    url: z.url().default('https://qyapi.weixin.qq.com/cgi-bin/webhook/send'), key: secret,
    mentionedMobiles: z.array(z.string()).default([]) }).strict(),
  z.object({ type: z.literal('email'), ...retryable,
    host: z.string().min(1), port: z.number().int().min(1).max(65535).default(25), secure: z.boolean().default(false),
    requireTls: z.boolean().default(false), user: z.string().optional(), password: secret.optional(),
    from: z.string().min(3), to: z.array(z.string().min(3)).min(1), tlsRejectUnauthorized: z.boolean().default(true) }).strict(),
  z.object({ type: z.literal('sms'), ...retryable, url: z.url(), method: z.enum(['POST', 'GET']).default('POST'),
    headers: z.record(z.string(), z.string()).default({}), phones: z.array(z.string().min(3)).min(1),
    /** JSON body template: {{phones}} (JSON array), {{phonesCsv}}, {{message}} (JSON-escaped string content). */
    bodyTemplate: z.string().default('{"phones": {{phones}}, "content": "{{message}}"}'),
    maxLength: z.number().int().min(20).default(300) }).strict(),
  /** Writes notifications to the process log (demo; last resort). */
  z.object({ type: z.literal('log'), ...retryable }).strict(),
]);
export type ChannelConfig = z.output<typeof channelSchema>;

export const receiverSchema = z.object({ name: z.string().min(1).max(64), channels: z.array(channelSchema).default([]) }).strict();
export type ReceiverConfig = z.output<typeof receiverSchema>;

export interface RouteConfig {
  receiver?: string;
  matchers: string[];
  groupBy?: string[];
  groupWait?: number;
  groupInterval?: number;
  repeatInterval?: number;
  continue: boolean;
  routes: RouteConfig[];
}
const routeSchema: z.ZodType<RouteConfig, unknown> = z.lazy(() =>
  z.object({
    receiver: z.string().optional(),
    matchers: z.array(matcherText).default([]),
    groupBy: z.array(z.string()).optional(),
    groupWait: duration().optional(),
    groupInterval: duration({ min: '1s' }).optional(),
    repeatInterval: duration({ min: '1s' }).optional(),
    continue: z.boolean().default(false),
    routes: z.array(routeSchema).default([]),
  }).strict(),
) as z.ZodType<RouteConfig, unknown>;

const inhibitSchema = z.object({
  sourceMatchers: z.array(matcherText).min(1),
  targetMatchers: z.array(matcherText).min(1),
  equal: z.array(z.string()).default([]),
}).strict();
export type InhibitConfig = z.output<typeof inhibitSchema>;

export const alertsConfig = z
  .object({
    enabled: z.boolean().default(true),
    /** How often rules are evaluated. */
    evaluationInterval: duration({ min: '100ms', max: '10m' }).prefault('15s'),
    /** How often the notifier looks at groups (group_wait/group_interval resolution). */
    notifyTick: duration({ min: '50ms', max: '30s' }).prefault('1s'),
    /** Time zone for messages and recurring maintenance windows. */
    timezone: z.string().default('Asia/Shanghai'),
    /** Base URL of this system, put into notifications (Alertmanager externalURL). */
    externalUrl: z.string().default('http://127.0.0.1:8080'),
    /** How many failed attempts to a channel before giving up until the next group interval. */
    retry: z.object({ attempts: z.number().int().min(1).max(20).default(4), initialBackoff: duration().prefault('500ms'), maxBackoff: duration().prefault('30s') }).strict().prefault({}),
    rules: z.array(ruleSchema).default([]),
    receivers: z.array(receiverSchema).default([]),
    route: routeSchema.optional(),
    /** The built-in "a module that is down inhibits its own targets' alerts" plus these. */
    moduleDownInhibits: z.boolean().default(true),
    inhibitRules: z.array(inhibitSchema).default([]),
  })
  .strict()
  .superRefine((v, ctx) => {
    const seen = new Map<string, number>();
    v.rules.forEach((r, i) => {
      if (seen.has(r.name)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'name'], message: `rule name "${r.name}" is also used by rules[${seen.get(r.name)}]; names identify alerts, make them unique` });
      seen.set(r.name, i);
    });
    const receivers = new Set<string>();
    v.receivers.forEach((r, i) => {
      if (receivers.has(r.name)) ctx.addIssue({ code: 'custom', path: ['receivers', i, 'name'], message: `receiver "${r.name}" is defined twice` });
      receivers.add(r.name);
    });
    if (v.receivers.length > 0 && !v.route) ctx.addIssue({ code: 'custom', path: ['route'], message: 'receivers are defined but there is no route; add route: { receiver: <name> }' });
    if (v.route) {
      if (!v.route.receiver) ctx.addIssue({ code: 'custom', path: ['route', 'receiver'], message: 'the root route needs a receiver (the default for alerts no child route matches)' });
      const walk = (r: RouteConfig, path: (string | number)[]) => {
        if (r.receiver && !receivers.has(r.receiver)) ctx.addIssue({ code: 'custom', path: [...path, 'receiver'], message: `no receiver named "${r.receiver}"; defined: ${[...receivers].join(', ') || 'none'}` });
        r.routes.forEach((c, i) => walk(c, [...path, 'routes', i]));
      };
      walk(v.route, ['route']);
    }
    try {
      new Intl.DateTimeFormat('en', { timeZone: v.timezone });
    } catch {
      ctx.addIssue({ code: 'custom', path: ['timezone'], message: `unknown time zone "${v.timezone}"; use an IANA name such as Asia/Shanghai` });
    }
  })
  .prefault({});
export type AlertsConfig = z.output<typeof alertsConfig>;

/** A recurrence is a cron expression (node-cron's syntax, 5 or 6 fields); returns the problem or null. */
export function cronProblem(expr: string): string | null {
  const r = cron.validateDetailed(expr);
  return r.valid ? null : r.errors.map((e) => `${e.field}: ${e.message}`).join('; ') || 'not a cron expression';
}

/** What the alerts area's parts get from the composition root. */
export type AlertsContext = AreaContext<{ alerts: AlertsConfig }>;
