import { html, raw } from 'hono/html';
import { NOTICE_LEVEL_ZH, NOTICE_SOURCE_ZH, NOTICE_STATUS_ZH, type NoticeDetail } from '../../contract/notices';
import { formatTime } from '../template';

const ACTION_ZH: Record<string, string> = { issued: '下发', acknowledged: '签收', feedback: '整改反馈', returned: '退回', closed: '办结' };

/**
 * The printable 通报: an A4 page in the layout of a paper notice (number, addressee, level, content, requirement,
 * deadline) and its history. No script (the page's CSP forbids inline scripts anyway); the browser's print dialog
 * makes the PDF. hono/html escapes every interpolated value.
 */
export function printView(n: NoticeDetail, timezone: string) {
  const t = (v: string | null) => (v ? formatTime(new Date(v).getTime(), timezone) : '—');
  const lines = (s: string) => s.split('\n').map((l) => html`<p>${l}</p>`);
  return html`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>网络安全通报 ${n.number}</title>
<style>
  @page { size: A4; margin: 25mm 20mm; }
  body { font-family: "SimSun", "Songti SC", serif; color: #000; max-width: 170mm; margin: 0 auto; line-height: 1.8; }
  h1 { text-align: center; color: #c00; font-size: 26pt; letter-spacing: 4pt; margin: 0 0 4mm; }
  .no { text-align: center; margin-bottom: 2mm; }
  hr { border: 0; border-top: 2px solid #c00; margin: 0 0 8mm; }
  h2 { text-align: center; font-size: 16pt; }
  table { width: 100%; border-collapse: collapse; margin: 6mm 0; font-size: 10.5pt; }
  td, th { border: 1px solid #000; padding: 2mm; text-align: left; vertical-align: top; }
  .meta td:first-child { width: 28mm; }
  .foot { margin-top: 12mm; text-align: right; }
  @media screen { body { padding: 10mm; } }
</style>
</head>
<body>
<h1>网络安全通报</h1>
<div class="no">${n.number}</div>
<hr>
<h2>${n.title}</h2>
<p><strong>${n.department}</strong>：</p>
${lines(n.description)}
${n.requirement ? html`<p><strong>整改要求：</strong></p>${lines(n.requirement)}` : ''}
<p>请于 <strong>${t(n.deadline)}</strong> 前完成整改并反馈。</p>
<table class="meta">
  <tr><td>级别</td><td>${NOTICE_LEVEL_ZH[n.level]}</td><td>来源</td><td>${NOTICE_SOURCE_ZH[n.source]}${n.sourceRef ? ` （${n.sourceRef}）` : ''}</td></tr>
  <tr><td>涉及系统</td><td colspan="3">${n.affectedSystems.join('、') || '—'}</td></tr>
  <tr><td>状态</td><td>${NOTICE_STATUS_ZH[n.status]}${n.overdue ? '（已逾期）' : ''}</td><td>下发</td><td>${t(n.issuedAt)}（${n.issuedBy}）</td></tr>
</table>
<table>
  <tr><th>时间</th><th>操作</th><th>人员</th><th>说明</th></tr>
  ${n.events.map((e) => html`<tr><td>${t(e.at)}</td><td>${ACTION_ZH[e.action] ?? e.action}</td><td>${e.actor}</td><td>${e.comment}${e.attachments.length ? html`<br>附件：${e.attachments.map((a) => a.filename).join('、')}` : ''}</td></tr>`)}
</table>
<div class="foot">${raw('&nbsp;')}<br>${t(n.issuedAt).slice(0, 10)}</div>
</body>
</html>`;
}
