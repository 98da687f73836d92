import { z } from 'zod';
import type { TargetView } from '../sources';
import { ruleCommon, targetSelector, instance, selectTargets, type RuleType } from './types';

export const moduleDownSchema = z.object({ ...ruleCommon, ...targetSelector, type: z.literal('module_down'),
  /** Share of the module's active targets that must be down (1 = all). */
  ratio: z.number().gt(0).max(1).default(1),
}).strict();
type Rule = z.output<typeof moduleDownSchema>;

/** A module is down when at least `ratio` of its active targets are down (the source of the built-in inhibition). */
export const moduleDown: RuleType<typeof moduleDownSchema, TargetView[]> = {
  type: 'module_down',
  schema: moduleDownSchema,
  defaultSummary: '模块 {{module}} 不可用：{{down}}/{{total}} 个监测目标故障，自 {{since}} 起',
  load: (src) => src.targets(),
  evaluate(rule, targets, _now, env) {
    const byModule = new Map<string, TargetView[]>();
    for (const t of selectTargets(rule, targets)) {
      if (t.type === 'heartbeat') continue;
      const list = byModule.get(t.moduleId) ?? [];
      list.push(t);
      byModule.set(t.moduleId, list);
    }
    const out = [];
    for (const [moduleId, list] of byModule) {
      const down = list.filter((t) => t.state === 'down');
      if (down.length === 0 || down.length / list.length < rule.ratio) continue;
      const since = Math.max(...down.map((t) => t.since ?? 0));
      out.push(instance(rule, this.defaultSummary, env, { module: moduleId },
        { module: list[0].moduleName, moduleId, down: down.length, total: list.length, value: down.length / list.length, threshold: rule.ratio, since }, down.length / list.length));
    }
    return out;
  },
};
