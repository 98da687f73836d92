import type { Labels } from '../model';

/** One alert as a notification carries it. */
export interface NotifyAlert {
  id?: number;
  status: 'firing' | 'resolved';
  labels: Labels;
  annotations: Record<string, string>;
  startsAt: number;
  endsAt: number | null;
  fingerprint: string;
  generatorURL: string;
  acked?: boolean;
}

/** A group of alerts for one receiver: what every channel turns into one request. */
export interface Notification {
  receiver: string;
  groupKey: string;
  status: 'firing' | 'resolved';
  groupLabels: Labels;
  commonLabels: Labels;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: NotifyAlert[];
  timezone: string;
  /** A test message from POST /receivers/:name/test. */
  test?: boolean;
}

function common<T extends Record<string, string>>(list: T[]): Record<string, string> {
  if (list.length === 0) return {};
  const out: Record<string, string> = { ...list[0] };
  for (const x of list.slice(1)) for (const k of Object.keys(out)) if (x[k] !== out[k]) delete out[k];
  return out;
}

export function buildNotification(p: { receiver: string; groupKey: string; groupLabels: Labels; alerts: NotifyAlert[]; externalURL: string; timezone: string; test?: boolean }): Notification {
  return {
    receiver: p.receiver,
    groupKey: p.groupKey,
    status: p.alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    groupLabels: p.groupLabels,
    commonLabels: common(p.alerts.map((a) => a.labels)),
    commonAnnotations: common(p.alerts.map((a) => a.annotations)),
    externalURL: p.externalURL,
    alerts: p.alerts,
    timezone: p.timezone,
    test: p.test,
  };
}

const SEVERITY_ZH: Record<string, string> = { critical: '严重', warning: '警告', info: '提示' };
export const severityZh = (s: string | undefined) => SEVERITY_ZH[s ?? ''] ?? s ?? '';
const TEAM_ZH: Record<string, string> = { ops: '运维', security: '安全' };
export const teamZh = (t: string | undefined) => TEAM_ZH[t ?? ''] ?? t ?? '';

/** A short Chinese title: "【告警】目标不可用 (2)" / "【恢复】目标不可用". */
export function titleOf(n: Notification): string {
  const firing = n.alerts.filter((a) => a.status === 'firing').length;
  const name = n.commonLabels.alertname ?? n.groupLabels.alertname ?? n.alerts[0]?.labels.alertname ?? '告警';
  const head = n.test ? '【测试】' : n.status === 'firing' ? '【告警】' : '【恢复】';
  return `${head}${name}${firing > 1 ? ` (${firing})` : ''}`;
}
