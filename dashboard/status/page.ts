import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { chinaWallClock } from '../../core/china-time';
import type { PublicState, StatusSnapshot } from './snapshot';

const STATE_ZH: Record<PublicState, string> = { up: '正常', degraded: '访问缓慢', down: '服务中断', maintenance: '维护中', unknown: '暂无数据' };
const DEFAULT_MAINTENANCE_NOTE = '计划维护，期间相关服务可能暂时无法访问，给您带来不便，敬请谅解。';
const INCIDENT_NOTE = '部分功能暂时无法正常使用，技术人员正在处理。';

const pct = (r: number | null) => (r === null ? '—' : `${(Math.floor(r * 10_000) / 100).toFixed(2)}%`);
/** A day's bar: green from 99.5 %, amber from 95 %, red below, grey without data. */
const barClass = (r: number | null) => (r === null ? 'nodata' : r >= 0.995 ? 'ok' : r >= 0.95 ? 'warn' : 'bad');

/** The whole service's line at the top: the worst state among the public modules. */
function overall(s: StatusSnapshot): { cls: PublicState; text: string } {
  const states = new Set(s.modules.map((m) => m.state));
  if (states.has('down')) return { cls: 'down', text: '部分服务中断' };
  if (states.has('degraded')) return { cls: 'degraded', text: '部分服务访问缓慢' };
  if (states.has('maintenance')) return { cls: 'maintenance', text: '部分服务维护中' };
  if (states.has('up')) return { cls: 'up', text: '所有服务运行正常' };
  return { cls: 'unknown', text: '暂无运行数据' };
}

const CSS = `
*{box-sizing:border-box}body{margin:0;font:15px/1.6 -apple-system,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;color:#1f2933;background:#f4f6f9}
main{max-width:960px;margin:0 auto;padding:24px 16px 48px}h1{font-size:24px;margin:0 0 16px}h2{font-size:18px;margin:28px 0 10px}
.banner{padding:14px 18px;border-radius:8px;color:#fff;font-size:17px;font-weight:600}.banner.up{background:#1a7f37}.banner.degraded{background:#b7791f}
.banner.down{background:#c53030}.banner.maintenance{background:#2b6cb0}.banner.unknown{background:#718096}
.card{background:#fff;border-radius:8px;padding:14px 18px;margin:10px 0;box-shadow:0 1px 2px rgba(0,0,0,.06)}
.row{display:flex;justify-content:space-between;gap:12px;align-items:baseline;flex-wrap:wrap}.name{font-weight:600}.desc{color:#52606d;font-size:13px}
.state{font-size:14px;font-weight:600;white-space:nowrap}.state.up{color:#1a7f37}.state.degraded{color:#b7791f}.state.down{color:#c53030}.state.maintenance{color:#2b6cb0}.state.unknown{color:#718096}
.bars{display:flex;gap:2px;margin:10px 0 4px;height:30px}.bars span{flex:1;border-radius:2px;min-width:0}
@media (max-width:520px){.bars{gap:1px}.bars span{border-radius:1px}.card,ul.events li{padding:12px}main{padding:16px 10px 32px}}
.ok{background:#38a169}.warn{background:#d69e2e}.bad{background:#e53e3e}.nodata{background:#d5dbe3}
.scale{display:flex;justify-content:space-between;color:#7b8794;font-size:12px}.muted{color:#7b8794;font-size:13px}
ul.events{list-style:none;padding:0;margin:0}ul.events li{background:#fff;border-radius:8px;padding:12px 18px;margin:8px 0;box-shadow:0 1px 2px rgba(0,0,0,.06)}
footer{margin-top:32px;color:#7b8794;font-size:13px}.stale{color:#b7791f}
`;

/** The public status page: plain server-rendered HTML, every value escaped by hono/html, its own CSS, no script. */
export function statusHtml(title: string, s: StatusSnapshot, stale: boolean): HtmlEscapedString | Promise<HtmlEscapedString> {
  const o = overall(s);
  const first = s.modules[0]?.days[0]?.day;
  return html`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<style>${raw(CSS)}</style>
</head>
<body>
<main>
<h1>${title}</h1>
<div class="banner ${o.cls}">${o.text}</div>
${s.incidents.length
    ? html`<h2>当前故障</h2><ul class="events">${s.incidents.map((i) => html`<li><div class="row"><span class="name">${i.name}</span><span class="state down">服务中断</span></div><div>${INCIDENT_NOTE}</div><div class="muted">开始于 ${chinaWallClock(i.since)}</div></li>`)}</ul>`
    : ''}
${s.maintenance.length
    ? html`<h2>维护计划</h2><ul class="events">${s.maintenance.map((m) => html`<li><div class="row"><span class="name">${m.names.join('、')}</span><span class="state maintenance">${m.ongoing ? '维护中' : '计划维护'}</span></div><div>${m.note || DEFAULT_MAINTENANCE_NOTE}</div><div class="muted">${chinaWallClock(m.startsAt)} 至 ${chinaWallClock(m.endsAt)}</div></li>`)}</ul>`
    : ''}
<h2>各项服务</h2>
${s.modules.map((m) => html`<section class="card">
<div class="row"><span><span class="name">${m.name}</span>${m.description ? html` <span class="desc">${m.description}</span>` : ''}</span><span class="state ${m.state}">${STATE_ZH[m.state]}</span></div>
<div class="bars" role="img" aria-label="${m.name}近${m.days.length}天每日可用率">${m.days.map((d) => html`<span class="${barClass(d.ratio)}" title="${d.day} ${d.ratio === null ? '无数据' : `可用率 ${pct(d.ratio)}`}"></span>`)}</div>
<div class="scale"><span>${first ?? ''}</span><span>近${m.days.length}天可用率 ${pct(m.uptime)}</span><span>今天</span></div>
</section>`)}
<footer>
<div class="${stale ? 'stale' : ''}">数据更新于 ${chinaWallClock(s.at, true)}（北京时间）${stale ? '。暂时无法获取最新状态，显示的是最近一次的数据。' : ''}</div>
<div>每日可用率按北京时间自然日统计；灰色表示当日无监测数据。</div>
</footer>
</main>
</body>
</html>`;
}

/** Before the first snapshot could be read (the database away since the start). */
export function unavailableHtml(title: string): HtmlEscapedString | Promise<HtmlEscapedString> {
  return html`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title><style>${raw(CSS)}</style></head>
<body><main><h1>${title}</h1><div class="banner unknown">状态信息暂时无法获取，请稍后再试。</div></main></body></html>`;
}
