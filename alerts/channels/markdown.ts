import type { Notification } from '../notify/message';
import { severityZh, teamZh, titleOf } from '../notify/message';
import { formatTime } from '../template';

/** The Chinese markdown body DingTalk and WeCom robots show: title, then one line per alert with its facts. */
export function markdownOf(n: Notification, opts: { color?: boolean; maxAlerts?: number } = {}): { title: string; text: string } {
  const title = titleOf(n);
  const max = opts.maxAlerts ?? 20;
  const lines: string[] = [`### ${title}`];
  const sev = n.commonLabels.severity;
  const meta = [sev && `**级别**：${severityZh(sev)}`, n.commonLabels.team && `**团队**：${teamZh(n.commonLabels.team)}`].filter(Boolean).join('  ');
  if (meta) lines.push(meta);
  for (const a of n.alerts.slice(0, max)) {
    const status = a.status === 'firing' ? '告警' : '已恢复';
    const statusText = opts.color ? `<font color="${a.status === 'firing' ? 'warning' : 'info'}">${status}</font>` : `**${status}**`;
    const when = a.status === 'firing' ? `开始 ${formatTime(a.startsAt, n.timezone)}` : `恢复 ${formatTime(a.endsAt ?? a.startsAt, n.timezone)}`;
    lines.push(`- ${statusText} ${a.annotations.summary ?? a.labels.alertname}（${when}）`);
  }
  if (n.alerts.length > max) lines.push(`- ……另有 ${n.alerts.length - max} 条`);
  lines.push(`[查看告警](${n.externalURL.replace(/\/$/, '')}/#/alerts)`);
  return { title, text: lines.join('\n\n') };
}

/** Plain text for e-mail and SMS. */
export function plainTextOf(n: Notification): string {
  const lines = [titleOf(n)];
  for (const a of n.alerts) {
    const when = a.status === 'firing' ? `开始 ${formatTime(a.startsAt, n.timezone)}` : `恢复 ${formatTime(a.endsAt ?? a.startsAt, n.timezone)}`;
    lines.push(`[${a.status === 'firing' ? '告警' : '恢复'}][${severityZh(a.labels.severity)}] ${a.annotations.summary ?? a.labels.alertname}（${when}）`);
  }
  return lines.join('\n');
}
