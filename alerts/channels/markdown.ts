import type { Notification, NotifyAlert } from '../notify/message';
import { severityZh, teamZh, titleOf } from '../notify/message';
import { formatTime } from '../template';

/** Since when, in the notification's time zone: "开始 2026-11-25 14:00:00" / "恢复 …". */
export function whenOf(a: NotifyAlert, timezone: string): string {
  return a.status === 'firing' ? `开始 ${formatTime(a.startsAt, timezone)}` : `恢复 ${formatTime(a.endsAt ?? a.startsAt, timezone)}`;
}

/** The group's level and team when all its alerts share them: "**级别**：严重  **团队**：运维" (or ''). */
export function metaOf(n: Notification): string {
  const sev = n.commonLabels.severity;
  return [sev && `**级别**：${severityZh(sev)}`, n.commonLabels.team && `**团队**：${teamZh(n.commonLabels.team)}`].filter(Boolean).join('  ');
}

/** The Chinese markdown body DingTalk and WeCom robots show: title, then one line per alert with its facts. */
export function markdownOf(n: Notification, opts: { color?: boolean; maxAlerts?: number } = {}): { title: string; text: string } {
  const title = titleOf(n);
  const max = opts.maxAlerts ?? 20;
  const lines: string[] = [`### ${title}`];
  const meta = metaOf(n);
  if (meta) lines.push(meta);
  for (const a of n.alerts.slice(0, max)) {
    const status = a.status === 'firing' ? '告警' : '已恢复';
    const statusText = opts.color ? `<font color="${a.status === 'firing' ? 'warning' : 'info'}">${status}</font>` : `**${status}**`;
    lines.push(`- ${statusText} ${a.annotations.summary ?? a.labels.alertname}（${whenOf(a, n.timezone)}）`);
  }
  if (n.alerts.length > max) lines.push(`- ……另有 ${n.alerts.length - max} 条`);
  lines.push(`[查看告警](${n.externalURL.replace(/\/$/, '')}/#/alerts)`);
  return { title, text: lines.join('\n\n') };
}

/** Plain text for e-mail, SMS and the Feishu text message; `maxAlerts` (default all) and "……另有 N 条" after them. */
export function plainTextOf(n: Notification, maxAlerts = Infinity): string {
  const lines = [titleOf(n)];
  for (const a of n.alerts.slice(0, maxAlerts)) {
    lines.push(`[${a.status === 'firing' ? '告警' : '恢复'}][${severityZh(a.labels.severity)}] ${a.annotations.summary ?? a.labels.alertname}（${whenOf(a, n.timezone)}）`);
  }
  if (n.alerts.length > maxAlerts) lines.push(`……另有 ${n.alerts.length - maxAlerts} 条`);
  return lines.join('\n');
}
