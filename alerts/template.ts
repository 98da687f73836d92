/** Fills {{name}} placeholders; unknown names stay visible so a typo in the config shows in the message. */
export function renderTemplate(tpl: string, facts: Record<string, unknown>): string {
  return tpl.replace(/\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g, (all, k: string) => {
    const v = facts[k];
    if (v === undefined || v === null) return all;
    if (typeof v === 'number') return formatNumber(v);
    return String(v);
  });
}

export function formatNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  if (Math.abs(v) >= 1000) return v.toFixed(0);
  return String(Math.abs(v) >= 1 ? Number(v.toFixed(3)) : Number(v.toPrecision(3)));
}

/** "2026-11-25 14:03:05" in the given time zone (the operators read Beijing time). */
export function formatTime(ms: number, timeZone = 'Asia/Shanghai'): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date(ms));
  const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

/** 90000 → "1分30秒", for "持续 ..." in messages. */
export function formatSpanZh(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  const out = [d && `${d}天`, h && `${h}小时`, m && `${m}分`, sec && !d && `${sec}秒`].filter(Boolean).join('');
  return out || '0秒';
}
