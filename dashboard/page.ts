export interface ClientSettings {
  title: string;
  refreshSeconds: number;
  faro: { url: string; apiKey: string; app: string } | null;
}

/** A small monitor-pulse icon in the dashboard's blue. */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#1f5fbf"/><path d="M4 17h6l3-7 5 13 3-6h7" fill="none" stroke="#fff" stroke-width="2.6" stroke-linecap="round" stroke-linejoin="round"/></svg>`;

/**
 * Runs in <head> before the first paint (a file, not inline: the CSP runs no inline script): the chosen 配色 and
 * language from localStorage onto <html>, so a dark page never flashes light. dashboard/src/theme.ts takes over.
 */
export const BOOT_JS = `(function () {
  var d = document.documentElement, t = null, l = null;
  try { t = localStorage.getItem('theme'); l = localStorage.getItem('lang'); } catch (e) {}
  if (t !== 'light' && t !== 'dark') t = window.matchMedia && matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  d.setAttribute('data-theme', t);
  if (l === 'en') d.setAttribute('lang', 'en');
})();
`;

const esc = (s: string) => s.replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch]!);

/**
 * The only HTML page; the settings travel as JSON in a data block (escaped for a script tag, and never executed: the
 * Content-Security-Policy allows no inline script). `version`: the bundle's content hash.
 */
export function indexHtml(s: ClientSettings, version: string): string {
  const json = JSON.stringify(s).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(s.title)}</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<script src="/theme.js"></script>
<link rel="stylesheet" href="/assets/app.${version}.css">
</head>
<body>
<div id="app"><div class="boot">正在加载…</div></div>
<script type="application/json" id="settings">${json}</script>
<script src="/assets/app.${version}.js"></script>
</body>
</html>`;
}
