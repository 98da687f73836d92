import type { RuleConfig } from './config';
import { fingerprint, type ActiveInstance, type AlertRecord, type AlertStateName, type Severity } from './model';

export interface Transition {
  alert: AlertRecord;
  from: AlertStateName | null;
  /** 'inactive' = a pending alert whose condition stopped before it fired (dropped, as Prometheus does). */
  to: AlertStateName | 'inactive';
}

export interface StepResult {
  /** Open alerts after this step (new, still pending/firing) and those that just resolved: all to be written. */
  changed: AlertRecord[];
  /** Pending alerts that cleared before firing: to be removed. */
  dropped: AlertRecord[];
  /** Held alerts with nothing new but their last evaluation time (written in one cheap statement). */
  touched: AlertRecord[];
  transitions: Transition[];
}

/**
 * The alert state machine, a pure function of (the rule's open alerts, what holds now, now):
 * absent → pending (→ firing once it held `for`; at once when `for` is 0); firing → resolved when it stops
 * holding; pending → dropped when it stops holding before `for`. A held alert refreshes value and annotations.
 */
export function step(rule: Pick<RuleConfig, 'name' | 'type' | 'for'>, open: AlertRecord[], active: ActiveInstance[], now: number): StepResult {
  const byFp = new Map(open.map((a) => [a.fingerprint, a]));
  const seen = new Set<string>();
  const changed: AlertRecord[] = [];
  const dropped: AlertRecord[] = [];
  const touched: AlertRecord[] = [];
  const transitions: Transition[] = [];

  for (const inst of active) {
    const fp = fingerprint(inst.labels);
    if (seen.has(fp)) continue; // two instances with the same labels are one alert
    seen.add(fp);
    const prev = byFp.get(fp);
    if (!prev) {
      const a: AlertRecord = {
        fingerprint: fp,
        rule: rule.name,
        ruleType: rule.type,
        labels: inst.labels,
        annotations: inst.annotations,
        severity: (inst.labels.severity as Severity) ?? 'warning',
        team: inst.labels.team ?? 'ops',
        moduleId: inst.labels.module ?? null,
        targetId: inst.labels.target ?? null,
        state: 'pending',
        value: inst.value ?? null,
        activeAt: now,
        startsAt: null,
        endsAt: null,
        lastEval: now,
      };
      transitions.push({ alert: a, from: null, to: 'pending' });
      if (rule.for <= 0) {
        a.state = 'firing';
        a.startsAt = now;
        transitions.push({ alert: a, from: 'pending', to: 'firing' });
      }
      changed.push(a);
      continue;
    }
    const a: AlertRecord = { ...prev, annotations: inst.annotations, value: inst.value ?? null, lastEval: now };
    if (a.state === 'pending' && now - a.activeAt >= rule.for) {
      a.state = 'firing';
      a.startsAt = now;
      transitions.push({ alert: a, from: 'pending', to: 'firing' });
      changed.push(a);
    } else if (a.value === prev.value && sameRecord(a.annotations, prev.annotations)) touched.push(a);
    else changed.push(a);
  }

  for (const prev of open) {
    if (seen.has(prev.fingerprint)) continue;
    if (prev.state === 'pending') {
      dropped.push(prev);
      transitions.push({ alert: prev, from: 'pending', to: 'inactive' });
    } else if (prev.state === 'firing') {
      const a: AlertRecord = { ...prev, state: 'resolved', endsAt: now, lastEval: now };
      changed.push(a);
      transitions.push({ alert: a, from: 'firing', to: 'resolved' });
    }
  }
  return { changed, dropped, touched, transitions };
}

/** Every open alert of a rule that no longer exists in the configuration resolves (or drops, if pending). */
export function retire(open: AlertRecord[], now: number): StepResult {
  return step({ name: '', type: 'target_down', for: 0 }, open, [], now);
}

function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}
