import { z } from 'zod';
import { TEAMS, type Team } from '../contract/alerts';
import type { AreaContext } from '../core/area';
import cron from 'node-cron';
import { duration, timeZone } from '../core/config/common';
import { channelSchemas } from './channels';
import { ruleSchemas, type RuleTypeName } from './rules';

/**
 * The `alerts:` section: rules, receivers (channels), the routing tree, inhibition. Owned by the alerts area.
 * Names follow Alertmanager's (groupBy = group_by, groupWait = group_wait, ...) in the project's camelCase.
 */

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

/** `rules[]`: each rule type's schema lives beside its code (alerts/rules/<type>.ts), listed in alerts/rules/index.ts. */
export const ruleSchema = z.discriminatedUnion('type', ruleSchemas);
export type RuleConfig = z.output<typeof ruleSchema>;
export type { RuleTypeName };

/** `channels[]`: each channel type's schema lives beside its code (alerts/channels/<type>.ts), listed in alerts/channels/index.ts. */
export const channelSchema = z.discriminatedUnion('type', channelSchemas);
export type ChannelConfig = z.output<typeof channelSchema>;

export const receiverSchema = z
  .object({
    name: z.string().min(1).max(64),
    /** The team that owns the receiver (may send it a test message); default: the name when it is ops or security. */
    team: z.enum(TEAMS).optional(),
    channels: z.array(channelSchema).default([]),
  })
  .strict();

/** The team a receiver belongs to, or undefined for a shared one (either team may test it). */
export function receiverTeam(rc: ReceiverConfig): Team | undefined {
  return rc.team ?? ((TEAMS as readonly string[]).includes(rc.name) ? (rc.name as Team) : undefined);
}
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

/** `notices:` numbering, deadlines by level, attachment limits of 通报 (alerts/notices). */
const noticesConfig = z
  .object({
    /** The number of a notice: {year} (UTC+8) and {seq} (per year, from 1), e.g. 〔{year}〕{seq}号 → 〔2026〕12号. */
    numberPattern: z.string().min(1).max(60).default('〔{year}〕{seq}号')
      .refine((p) => p.includes('{seq}'), { message: 'numberPattern must contain {seq} (the running number), e.g. 〔{year}〕{seq}号' }),
    /** Rectification deadline from issue, by level (特别重大 critical, 重大 high, 较大 medium, 一般 low). */
    deadlines: z
      .object({
        critical: duration({ min: '1h', max: '90d' }).prefault('1d'),
        high: duration({ min: '1h', max: '90d' }).prefault('3d'),
        medium: duration({ min: '1h', max: '90d' }).prefault('7d'),
        low: duration({ min: '1h', max: '90d' }).prefault('15d'),
      })
      .strict()
      .prefault({}),
    /** Attachments of one feedback (整改反馈): how many files and how large each may be. */
    attachments: z
      .object({
        maxFiles: z.number().int().min(0).max(20).default(5),
        maxBytes: z.number().int().min(1024).max(10 * 1024 * 1024).default(2 * 1024 * 1024),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});
export type NoticesConfig = z.output<typeof noticesConfig>;

export const alertsConfig = z
  .object({
    enabled: z.boolean().default(true),
    /** How often rules are evaluated. */
    evaluationInterval: duration({ min: '100ms', max: '10m' }).prefault('15s'),
    /** How often the notifier looks at groups (group_wait/group_interval resolution). */
    notifyTick: duration({ min: '50ms', max: '30s' }).prefault('1s'),
    /** Time zone for messages and recurring maintenance windows. */
    timezone: timeZone.default('Asia/Shanghai'),
    /** Base URL of this system, put into notifications (Alertmanager externalURL). */
    externalUrl: z.string().default('http://127.0.0.1:8080'),
    /** How many failed attempts to a channel before giving up until the next group interval. */
    retry: z.object({ attempts: z.number().int().min(1).max(20).default(4), initialBackoff: duration().prefault('500ms'), maxBackoff: duration().prefault('30s') }).strict().prefault({}),
    rules: z.array(ruleSchema).default([]),
    receivers: z.array(receiverSchema).default([]),
    route: routeSchema.optional(),
    /** The built-in "a module that is down inhibits its own targets' alerts" plus these. */
    moduleDownInhibits: z.boolean().default(true),
    /**
     * While a module's state is undecided (some of its targets are down, others not probed since), its targets' alerts
     * are held back so that a module-wide outage sends one module notice (alerts/notify/hold.ts); at most this long.
     */
    moduleHoldMax: duration({ max: '1h' }).prefault('5m'),
    /** An inhibition outlasts its source by this much, so a recovery does not announce alerts that were muted. */
    inhibitRelease: duration({ max: '1h' }).prefault('5m'),
    /** Built in: tampering, a DNS change or a certificate problem of a target inhibits that target's down/availability/latency alerts. */
    securityInhibits: z.boolean().default(true),
    inhibitRules: z.array(inhibitSchema).default([]),
    /** 通报 (notices to departments): alerts/notices, docs/alerts.md "通报". */
    notices: noticesConfig,
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
    // Receivers without a route are allowed: the routing tree may live in the configuration store (managed in the UI,
    // README: 统一配置) rather than in the file; without either, nothing is sent and the engine says so in the log.
    if (v.route) {
      if (!v.route.receiver) ctx.addIssue({ code: 'custom', path: ['route', 'receiver'], message: 'the root route needs a receiver (the default for alerts no child route matches)' });
      const walk = (r: RouteConfig, path: (string | number)[]) => {
        if (r.receiver && !receivers.has(r.receiver)) ctx.addIssue({ code: 'custom', path: [...path, 'receiver'], message: `no receiver named "${r.receiver}"; defined: ${[...receivers].join(', ') || 'none'}` });
        r.routes.forEach((c, i) => walk(c, [...path, 'routes', i]));
      };
      walk(v.route, ['route']);
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
