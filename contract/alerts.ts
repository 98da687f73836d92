/**
 * The answers of /api/alerts/* (alerts/api/*.ts builds them, dashboard/src/api/alerts.ts reads them). Lists are
 * Page<T>; instants are ISO strings; ids of modules and targets are the collector's ids.
 */
import type { Instant } from './common';

export type Severity = 'info' | 'warning' | 'critical';
/** The teams alerts belong to: ops, security, and the regulatory office (reporting alerts). */
export const TEAMS = ['ops', 'security', 'regulator'] as const;
export type Team = (typeof TEAMS)[number];
export type AlertState = 'pending' | 'firing' | 'resolved';
export type Labels = Record<string, string>;

/** Why a firing or pending alert is left out of notifications (it still shows here). */
export type MutedBy = { silence: string } | { maintenance: number; name: string } | { inhibitedBy: string };

/** GET /alerts (items), POST /alerts/:id/ack. */
export interface Alert {
  id: number;
  fingerprint: string;
  /** The rule's name (also the `alertname` label). */
  rule: string;
  ruleType: string;
  state: AlertState;
  severity: Severity;
  team: string;
  /** Module id, or null (a rule not about a module). */
  module: string | null;
  /** Target id, or null. */
  target: string | null;
  labels: Labels;
  annotations: Record<string, string>;
  summary: string;
  value: number | null;
  /** The condition first held (pending since). */
  activeAt: Instant;
  /** Firing since; null while pending. */
  startsAt: Instant | null;
  /** Resolved at. */
  endsAt: Instant | null;
  lastEval: Instant;
  ack: { by: string | null; at: Instant; comment: string } | null;
  mutedBy: MutedBy | null;
}

/** A transition or acknowledgement: pending, firing, resolved, inactive (a pending alert that cleared), acknowledged. */
export interface AlertEvent {
  ts: Instant;
  from: string | null;
  to: string;
  value: number | null;
  actor: string | null;
  message: string;
}

/** GET /alerts/:id. */
export interface AlertDetail extends Alert {
  events: AlertEvent[];
}

/** GET /history (items). */
export interface HistoryEvent extends AlertEvent {
  alertId: number | null;
  fingerprint: string;
  rule: string;
}

export type DeliveryStatus = 'sent' | 'failed' | 'gave_up';

/** GET /deliveries (items): one attempt to send one notification through one channel. */
export interface Delivery {
  ts: Instant;
  receiver: string;
  /** "webhook#0": the receiver's channel. */
  channel: string;
  groupKey: string;
  status: DeliveryStatus;
  attempt: number;
  /** How many alerts the notification carried. */
  alerts: number;
  /** A firing notification (false: resolved only). */
  firing: boolean;
  durationMs: number | null;
  error: string | null;
  /** Sent by POST /receivers/:name/test. */
  test: boolean;
}

export type MatchOp = '=' | '!=' | '=~' | '!~';
export interface Matcher {
  name: string;
  value: string;
  op: MatchOp;
}

export type SilenceState = 'active' | 'pending' | 'expired';

/** GET /silences (items), GET /silences/:id, POST /silences, POST /silences/:id/expire. */
export interface Silence {
  id: string;
  team: Team;
  matchers: Matcher[];
  /** The matchers in Alertmanager's text form: team="ops", target=~"portal-.*". */
  matchersText: string[];
  startsAt: Instant;
  endsAt: Instant;
  createdBy: string;
  comment: string;
  createdAt: Instant;
  expiredBy: string | null;
  state: SilenceState;
}

/** POST /silences. A matcher is text (`target="portal-home"`) or {name, value, op} / {name, value, isRegex, isEqual}. */
export interface NewSilence {
  team: Team;
  matchers: (string | { name: string; value: string; op?: MatchOp; isRegex?: boolean; isEqual?: boolean })[];
  /** Default: now. */
  startsAt?: Instant;
  endsAt: Instant;
  comment: string;
}

export type MaintenanceWindowState = 'active' | 'upcoming' | 'expired';

/** GET /maintenance (items), POST /maintenance, POST /maintenance/:id/expire. */
export interface MaintenanceWindow {
  id: number;
  name: string;
  moduleId: string | null;
  targetId: string | null;
  /** The window, or for a recurring one its current or next occurrence. */
  startsAt: Instant;
  endsAt: Instant;
  /** Cron expression of a recurring window, else null. */
  recurrence: string | null;
  durationMs: number | null;
  timezone: string;
  createdBy: string;
  comment: string;
  /** Shown on the public status page (/status) for a module-wide window; '' = the page's standard sentence. */
  publicNote: string;
  createdAt: Instant;
  expiredAt: Instant | null;
  expiredBy: string | null;
  state: MaintenanceWindowState;
}

/** POST /maintenance: one-off ({startsAt, endsAt}) or recurring ({recurrence, duration: "2h"}); moduleId or targetId. */
export interface NewMaintenanceWindow {
  name: string;
  moduleId?: string;
  targetId?: string;
  startsAt?: Instant;
  endsAt?: Instant;
  recurrence?: string;
  duration?: string;
  timezone?: string;
  comment?: string;
  /** A short note for citizens on the public status page, at most 200 characters. */
  publicNote?: string;
}

/** GET /rules (items): a rule as configured, with its current state and last evaluation. */
export interface RuleStatus {
  name: string;
  type: string;
  severity: Severity;
  team: Team;
  labels: Labels;
  enabled: boolean;
  summary: string;
  description: string | null;
  /** The type's own keys (durations in ms) and `for`. */
  params: Record<string, unknown>;
  state: 'inactive' | 'pending' | 'firing';
  pending: number;
  firing: number;
  lastEval: Instant | null;
  evalMs: number | null;
  error: string | null;
}

/** GET /receivers (items): what is safe to show of a receiver. */
export interface Receiver {
  name: string;
  channels: { name: string; type: string; sendResolved: boolean; to?: string | string[] }[];
}

/** POST /receivers/:name/test (200 when every channel took it, else 502). */
export interface ReceiverTest {
  receiver: string;
  ok: boolean;
  results: { channel: string; type: string; ok: boolean; error: string | null }[];
}
