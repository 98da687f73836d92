import { createHash } from 'node:crypto';

export type Labels = Record<string, string>;
export type Severity = 'info' | 'warning' | 'critical';
export type AlertStateName = 'pending' | 'firing' | 'resolved';

/** What a rule says is true right now: one instance per distinct label set. */
export interface ActiveInstance {
  labels: Labels;
  annotations: Record<string, string>;
  value?: number;
}

/** An alert occurrence as stored (alerts table). Times are ms since the epoch. */
export interface AlertRecord {
  id?: number;
  fingerprint: string;
  rule: string;
  ruleType: string;
  labels: Labels;
  annotations: Record<string, string>;
  severity: Severity;
  team: string;
  moduleId: string | null;
  targetId: string | null;
  state: AlertStateName;
  value: number | null;
  activeAt: number;
  startsAt: number | null;
  endsAt: number | null;
  lastEval: number;
  ackBy?: string | null;
  ackAt?: number | null;
  ackComment?: string | null;
}

/** Stable identity of an alert: a hash of its sorted labels (Alertmanager's fingerprint idea). */
export function fingerprint(labels: Labels): string {
  const h = createHash('sha256');
  for (const k of Object.keys(labels).sort()) h.update(k).update('\0').update(labels[k]).update('\0');
  return h.digest('hex').slice(0, 16);
}
