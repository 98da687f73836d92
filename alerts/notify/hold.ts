import type { TargetView } from '../sources';

/**
 * Storms: when a module's targets fail together, the module's notice must go out, not one per target. The built-in
 * inhibition (module_down inhibits its targets) only helps once module_down fires, and module_down can only be
 * decided when every target of the module has been probed since the outage began (a target probed every 60 s learns
 * of it a minute after one probed every 10 s). Until then the module is *undecided* and its targets' alerts are
 * held back (not sent, not dropped); once it is decided, either module_down fires and inhibits them, or the module is
 * not down and they go out. A target not being probed is not waited for. A hold never lasts longer than `maxHoldMs` from the module's first down target.
 */

export interface ModuleDownRuleView {
  ratio: number;
  /** Modules the rule looks at; undefined = all. */
  modules?: string[];
  targets?: string[];
}

/**
 * The modules whose state is still undecided at `now` (see above). `moduleDown` is the module_down alerts' state per
 * module (pending: its `for` has not passed yet — also held; firing: decided, inhibition takes over).
 */
export function undecidedModules(
  targets: TargetView[],
  rules: ModuleDownRuleView[],
  moduleDown: Map<string, 'pending' | 'firing'>,
  now: number,
  maxHoldMs: number,
): Set<string> {
  const out = new Set<string>();
  if (rules.length === 0) return out;
  const byModule = new Map<string, TargetView[]>();
  for (const t of targets) {
    if (t.type === 'heartbeat') continue;
    const list = byModule.get(t.moduleId) ?? [];
    list.push(t);
    byModule.set(t.moduleId, list);
  }
  for (const [moduleId, all] of byModule) {
    const state = moduleDown.get(moduleId);
    if (state === 'firing') continue;
    const down = all.filter((t) => t.state === 'down');
    if (down.length === 0) continue;
    const outageStart = Math.min(...down.map((t) => t.since ?? now));
    if (now - outageStart >= maxHoldMs) continue;
    if (state === 'pending') {
      out.add(moduleId);
      continue;
    }
    for (const rule of rules) {
      const list = all.filter((t) => (!rule.modules || rule.modules.includes(moduleId)) && (!rule.targets || rule.targets.includes(t.id)));
      if (list.length === 0) continue;
      const nDown = list.filter((t) => t.state === 'down').length;
      // Up and probed cleanly since the outage began: decided. Anything else (failing below its threshold, or not
      // probed since) may still go down.
      // A target that is not being probed (no result for two intervals: paused, or its collector is behind) tells
      // nothing soon: it is not waited for.
      const probed = (t: TargetView) => t.lastTs !== null && now - t.lastTs <= 2 * t.intervalMs + 5_000;
      const open = list.filter((t) => t.state !== 'down' && probed(t) && !(t.state === 'up' && t.consecutiveFailures === 0 && (t.lastTs ?? 0) >= outageStart)).length;
      const decidedDown = nDown / list.length >= rule.ratio;
      const decidedNotDown = (nDown + open) / list.length < rule.ratio;
      // decidedDown: module_down fires at its next evaluation (the rule runs in the same round): hold until it does.
      if (decidedDown || !decidedNotDown) {
        out.add(moduleId);
        break;
      }
    }
  }
  return out;
}

/** How long a module may stay undecided: its slowest target's time to be declared down, plus a margin, within the cap. */
export function maxHoldFor(targets: TargetView[], capMs: number): number {
  let longest = 0;
  for (const t of targets) if (t.type !== 'heartbeat') longest = Math.max(longest, t.intervalMs * (t.failureThreshold + 1));
  return Math.min(capMs, longest + 15_000);
}
