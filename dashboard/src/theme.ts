/**
 * 配色 (跟随系统 / 浅色 / 深色), kept in localStorage ('theme'). The page's <head> runs /theme.js (dashboard/page.ts)
 * before the first paint, which sets <html data-theme> the same way; this module keeps it right afterwards (the
 * header's control, the system's setting changing while 跟随系统) and tells the charts to redraw.
 */
export type ThemePref = 'system' | 'light' | 'dark';
export type Theme = 'light' | 'dark';
export const THEME_PREFS: ThemePref[] = ['system', 'light', 'dark'];

const media = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;
const listeners = new Set<(t: Theme) => void>();

export function themePref(): ThemePref {
  try {
    const v = localStorage.getItem('theme');
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

export const theme = (): Theme => (document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light');

function apply() {
  const pref = themePref();
  const next: Theme = pref === 'system' ? (media?.matches ? 'dark' : 'light') : pref;
  if (next === theme() && document.documentElement.dataset.theme) return;
  document.documentElement.dataset.theme = next;
  for (const f of listeners) f(next);
}

export function setThemePref(p: ThemePref) {
  try {
    if (p === 'system') localStorage.removeItem('theme');
    else localStorage.setItem('theme', p);
  } catch { /* private mode: this page only */ }
  apply();
}

export function onThemeChange(f: (t: Theme) => void) {
  listeners.add(f);
}

media?.addEventListener('change', apply);
apply();
