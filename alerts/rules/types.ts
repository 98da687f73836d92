import type { RuleConfig } from '../config';
import type { ActiveInstance, Labels } from '../model';
import type { Sources, TargetView } from '../sources';
import { renderTemplate, formatTime } from '../template';

/**
 * One rule type = one small module: `load` reads its input through the shared Sources (the only IO), `evaluate`
 * is a pure function of (rule, input, now) → the alert instances that hold now.
 */
export interface RuleType<R extends RuleConfig = RuleConfig, I = unknown> {
  type: R['type'];
  defaultSummary: string;
  load(src: Sources, rule: R): Promise<I>;
  evaluate(rule: R, input: I, now: number, env: EvalEnv): ActiveInstance[];
}

export interface EvalEnv {
  timezone: string;
}

/** Facts a summary may use: target, targetId, module, moduleId, value, threshold, since, window, ... */
export type Facts = Record<string, string | number | null | undefined>;

/** Builds an instance: the standard labels, the rule's labels, and the rendered Chinese summary. */
export function instance(
  rule: RuleConfig & { defaultSummary?: string },
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
