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

/**
 * `s` cut to at most `maxBytes` of UTF-8, at a character boundary (never inside a multi-byte character or a surrogate
 * pair), ending in `tail` when cut. The robots count bytes, not characters: 4,096 bytes are ~1,365 Chinese characters.
 */
export function cutUtf8(s: string, maxBytes: number, tail = '…'): string {
  if (Buffer.byteLength(s) <= maxBytes) return s;
  const room = maxBytes - Buffer.byteLength(tail);
  if (room <= 0) return '';
  const buf = Buffer.from(s, 'utf8');
  let end = room;
  while (end > 0 && (buf[end] & 0xc0) === 0x80) end--; // back to the first byte of the character at the cut
  return buf.subarray(0, end).toString('utf8') + tail;
}

/** Page text inside a robot's markdown: no markup, links or HTML of its own (a defaced page's text is hostile). */
export function escapeMarkdown(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/([\\`*_[\]()#|~])/g, '\\$1');
}

/**
 * The `details` annotation of a firing alert (e.g. the content rule's diff summary: counts, words, first changed
 * lines) as quoted lines within `maxBytes`: whole lines while they fit, then the next one cut at a character boundary
 * (inside its colour tag, which stays closed); lines starting "+ " / "- " are the diff, coloured on WeCom (green
 * added, red removed). '' when not even a cut line fits.
 */
function detailsBlock(details: string, color: boolean, maxBytes: number): string {
  const out: string[] = [];
  let used = 0;
  for (const l of details.split('\n').filter((x) => x !== '')) {
    const [open, close] = color && l.startsWith('+ ') ? ['<font color="info">', '</font>'] : color && l.startsWith('- ') ? ['<font color="warning">', '</font>'] : ['', ''];
    const e = escapeMarkdown(l);
    const frame = Buffer.byteLength(`> ${open}${close}`) + (out.length ? 1 : 0);
    const line = `> ${open}${e}${close}`;
    if (used + frame + Buffer.byteLength(e) <= maxBytes) {
      out.push(line);
      used += frame + Buffer.byteLength(e);
      continue;
    }
    const room = maxBytes - used - frame;
    // A cut must not end inside an escape or entity: cut the raw line, then escape what is left (shorter or equal).
    if (room >= 24) {
      let raw = cutUtf8(l, room);
      while (raw && Buffer.byteLength(escapeMarkdown(raw)) > room) raw = cutUtf8(raw, Buffer.byteLength(raw) - 8);
      if (raw) out.push(`> ${open}${escapeMarkdown(raw)}${close}`);
    }
    break;
  }
  return out.join('\n');
}

/**
 * The Chinese markdown body DingTalk and WeCom robots show: title, then one line per alert with its facts, and under
 * a firing alert its `details` while they fit in `maxBytes` (the robot's limit). The alert lines come first; when
 * they alone would not leave room for the first alert's details, fewer alerts are listed ("……另有 N 条"), so the
 * message keeps its link and at least one diff. A details block that does not fit whole is cut at a line, then at a
 * character boundary; later ones are left out.
 */
export function markdownOf(n: Notification, opts: { color?: boolean; maxAlerts?: number; maxBytes?: number } = {}): { title: string; text: string } {
  const title = titleOf(n);
  const maxBytes = opts.maxBytes ?? Infinity;
  const SEP = 2; // '\n\n'
  const render = (max: number) => {
    const lines: string[] = [`### ${title}`];
    const meta = metaOf(n);
    if (meta) lines.push(meta);
    const details: { after: number; text: string }[] = []; // the raw annotation, rendered once the room is known
    for (const a of n.alerts.slice(0, max)) {
      const status = a.status === 'firing' ? '告警' : '已恢复';
      const statusText = opts.color ? `<font color="${a.status === 'firing' ? 'warning' : 'info'}">${status}</font>` : `**${status}**`;
      lines.push(`- ${statusText} ${a.annotations.summary ?? a.labels.alertname}（${whenOf(a, n.timezone)}）`);
      if (a.status === 'firing' && a.annotations.details) details.push({ after: lines.length - 1, text: a.annotations.details });
    }
    if (n.alerts.length > max) lines.push(`- ……另有 ${n.alerts.length - max} 条`);
    lines.push(`[查看告警](${n.externalURL.replace(/\/$/, '')}/#/alerts)`);
    return { lines, details, bytes: Buffer.byteLength(lines.join('\n\n')) };
  };
  let max = Math.min(opts.maxAlerts ?? 20, n.alerts.length);
  let r = render(max);
  if (maxBytes !== Infinity) {
    // Room for the first details block (or ~600 bytes of it) beside the alert lines, else list fewer alerts.
    const want = (x: ReturnType<typeof render>) => (x.details[0] ? Math.min(Buffer.byteLength(x.details[0].text) + 200, 800) : 0);
    while (max > 1 && r.bytes + want(r) > maxBytes) r = render(--max);
  }
  let room = maxBytes - r.bytes;
  const insert = new Map<number, string>();
  for (const d of r.details) {
    if (room - SEP < 24) break;
    const block = detailsBlock(d.text, opts.color === true, room - SEP);
    if (!block) break;
    insert.set(d.after, block);
    room -= Buffer.byteLength(block) + SEP;
  }
  const out: string[] = [];
  r.lines.forEach((l, i) => {
    out.push(l);
    const d = insert.get(i);
    if (d) out.push(d);
  });
  return { title, text: out.join('\n\n') };
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
