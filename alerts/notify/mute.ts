import { matchesAll, type Matcher } from '../matchers';
import type { Labels } from '../model';

export interface Silence {
  id: string;
  team: string;
  matchers: Matcher[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
}

export interface MaintenanceWindow {
  id: number;
  name: string;
  moduleId: string | null;
  targetId: string | null;
  startsAt: number;
  endsAt: number;
  recurrence: string | null;
}

export function silencedBy(silences: Silence[], labels: Labels, now: number): Silence | undefined {
  return silences.find((s) => s.startsAt <= now && now < s.endsAt && matchesAll(s.matchers, labels));
}

/** A window for a module covers the module's own alerts and its targets'; one for a target covers that target. */
export function inMaintenance(windows: MaintenanceWindow[], labels: Labels, now: number): MaintenanceWindow | undefined {
  return windows.find(
    (w) =>
      w.startsAt <= now && now < w.endsAt &&
      (w.targetId ? labels.target === w.targetId && (!w.moduleId || labels.module === w.moduleId) : !!w.moduleId && labels.module === w.moduleId),
  );
}
