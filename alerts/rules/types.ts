import { TEAMS } from '../../contract/alerts';
import { z } from 'zod';
import { duration, labels, severity } from '../../core/config/common';
import type { ActiveInstance, Labels } from '../model';
import type { Sources, TargetView } from '../sources';
import { renderTemplate, formatTime } from '../template';

export const team = z.enum(TEAMS);
/** One id or a list of them. */
export const ids = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).transform((v) => (Array.isArray(v) ? v : [v]));

/** Which targets / modules a rule looks at (all when absent): spread into the schema of rules over targets. */
export const targetSelector = {
  modules: ids.optional(),
  targets: ids.optional(),
};

/** The keys every rule has, whatever its type: spread into each rule type's schema beside its `type` literal. */
export const ruleCommon = {
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

/** A rule's config as far as every rule type shares it. */
export type RuleBase = z.output<z.ZodObject<typeof ruleCommon>> & { type: string };

/**
 * One rule type = one small module: its config schema, `load` that reads its input through the shared Sources (the
 * only IO), and `evaluate`, a pure function of (rule, input, now) → the alert instances that hold now. The registry
 * (rules/index.ts) lists them; alerts/config.ts makes the `rules[]` union of their schemas.
 */
export interface RuleType<S extends z.ZodType<RuleBase> = z.ZodType<RuleBase>, I = unknown> {
  /** The config's `type`: the literal in `schema`. */
  type: z.output<S>['type'];
  /** `{ ...ruleCommon, type: z.literal(...), ...its own keys }`, strict. */
  schema: S;
  defaultSummary: string;
  load(src: Sources, rule: z.output<S>): Promise<I>;
  evaluate(rule: z.output<S>, input: I, now: number, env: EvalEnv): ActiveInstance[];
}

export interface EvalEnv {
  timezone: string;
}

/** Facts a summary may use: target, targetId, module, moduleId, value, threshold, since, window, ... */
export type Facts = Record<string, string | number | null | undefined>;

/** Builds an instance: the standard labels, the rule's labels, and the rendered Chinese summary. */
export function instance(
  rule: RuleBase,
  defaultSummary: string,
  env: EvalEnv,
  scope: { module?: string; target?: string; extra?: Labels },
  facts: Facts,
  value?: number,
  severityOverride?: string,
): ActiveInstance {
  const labels: Labels = {
    alertname: rule.name,
    kind: rule.type,
    severity: severityOverride ?? rule.severity,
    team: rule.team,
    ...(scope.module ? { module: scope.module } : {}),
    ...(scope.target ? { target: scope.target } : {}),
    ...scope.extra,
    ...rule.labels,
  };
  const f: Facts = { ...facts };
  if (typeof f.since === 'number') f.since = formatTime(f.since, env.timezone);
  const annotations: Record<string, string> = { summary: renderTemplate(rule.summary ?? defaultSummary, f) };
  if (rule.description) annotations.description = renderTemplate(rule.description, f);
  return { labels, annotations, value };
}

export function selectTargets(rule: { modules?: string[]; targets?: string[] }, targets: TargetView[]): TargetView[] {
  return targets.filter((t) => (!rule.modules || rule.modules.includes(t.moduleId)) && (!rule.targets || rule.targets.includes(t.id)));
}

export const targetFacts = (t: TargetView): Facts => ({ target: t.name, targetId: t.id, module: t.moduleName, moduleId: t.moduleId });
