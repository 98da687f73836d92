import type { NotifyAlert } from './message';
import type { Route } from './routing';

export interface NflogEntry {
  firing: string[];
  resolved: string[];
  sentAt: number;
}

/**
 * Alertmanager's needsUpdate, per receiver channel and group: send when a firing alert is new to the last
 * notification, when an alert that was announced firing has resolved, or when the repeat interval passed (unless
 * every firing alert is acknowledged). Resolved alerts never announced as firing are left out.
 */
export interface Decision {
  /** Send a notification carrying `alerts`. */
  send: boolean;
  /** Write the log entry (also when nothing is sent because the channel does not send resolved alerts). */
  record: boolean;
  alerts: NotifyAlert[];
  firing: string[];
  resolved: string[];
}

export function decide(entry: NflogEntry | undefined, alerts: NotifyAlert[], opts: { repeatInterval: number; sendResolved: boolean }, now: number): Decision {
  const prevFiring = new Set(entry?.firing ?? []);
  const prevResolved = new Set(entry?.resolved ?? []);
  const firing = alerts.filter((a) => a.status === 'firing');
  const resolved = alerts.filter((a) => a.status === 'resolved' && prevFiring.has(a.fingerprint));
  const base = { firing: firing.map((a) => a.fingerprint), resolved: resolved.map((a) => a.fingerprint) };
  const message = opts.sendResolved ? [...firing, ...resolved] : firing;
  const go = (): Decision => ({ send: message.length > 0, record: true, alerts: message, ...base });
  if (firing.length === 0 && resolved.length === 0) return { send: false, record: false, alerts: [], ...base };
  if (firing.some((a) => !prevFiring.has(a.fingerprint))) return go();
  if (resolved.some((a) => !prevResolved.has(a.fingerprint))) return go();
  if (firing.length > 0 && entry && now - entry.sentAt >= opts.repeatInterval && !firing.every((a) => a.acked)) return go();
  return { send: false, record: false, alerts: [], ...base };
}

export interface GroupInput {
  route: Route;
  groupKey: string;
  groupLabels: Record<string, string>;
  alerts: NotifyAlert[];
}

/**
 * Group timing (group_wait before a new group's first flush, then every group_interval), held in memory: after a
 * restart or a change of leader a group waits group_wait again and the notification log prevents a second send.
 */
export class GroupTimers {
  private next = new Map<string, number>();

  /** The groups due now; a group's timer starts when it first has alerts and is forgotten when it has none. */
  due(now: number, groups: Map<string, GroupInput>): GroupInput[] {
    for (const key of this.next.keys()) if (!groups.has(key)) this.next.delete(key);
    const out: GroupInput[] = [];
    for (const [key, g] of groups) {
      let at = this.next.get(key);
      if (at === undefined) {
        at = now + g.route.groupWait;
        this.next.set(key, at);
      }
      if (now >= at) {
        out.push(g);
        this.next.set(key, now + g.route.groupInterval);
      }
    }
    return out;
  }

  clear() {
    this.next.clear();
  }
}
