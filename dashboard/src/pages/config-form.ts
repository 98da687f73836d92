import { api, ApiError } from '../api';
import type { ConfigKindName, ConfigObject, ConfigVersion, ObjectData } from '../api/config';
import { REDACTED, SECRET_KEY } from '../../../contract/config';
import { act, card, fmtJson, fmtTime, got, h, loaded, table, toast } from '../ui';
import { hasKey, t as tr, type Key } from '../i18n';
import type { PageCtx } from '../page-ctx';
import { buildHash } from '../router';

/**
 * The building blocks of the 配置 page's forms (pages/config.ts: targets; pages/config-objects.ts: modules, alert
 * rules, receivers): a labelled field with its problem under it, the server's problems placed under their fields,
 * the read-only view, the version history with 回滚到此版本.
 */

/** A diff's value: （无） when absent. */
export const val = (x: unknown, f: (x: unknown) => string = (y) => JSON.stringify(y)) => (x === undefined ? tr('config.diffNone') : f(x));

/** A labelled input with the place for its problem; `name` is the object's field path the server names ("spec.url"). */
export const field = (name: string, label: string, input: HTMLElement, hint?: string) =>
  h('label.field', { 'data-field': name }, h('span', label), input, hint ? h('small.hint', hint) : null, h('div.field-error', { role: 'alert' }));

/** The values of secret-like keys as the API shows them to a reader (***); a save that sends *** back keeps the stored value. */
export function mask(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(mask);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, SECRET_KEY.test(k) ? REDACTED : mask(x)]));
  return v;
}

/**
 * The server's problems, each under its field ("spec.expectStatus[0]" goes to spec.expectStatus; a key the form has
 * no field for goes to the field named "*", the text area of the other keys, when there is one); the rest above
 * the buttons. A problem of another object (a module still used by targets) is named with that object.
 */
export function showProblems(form: HTMLElement, general: HTMLElement, err: unknown, kind: ConfigKindName = 'target') {
  form.querySelectorAll('.field-error').forEach((x) => (x.textContent = ''));
  const problems = err instanceof ApiError ? err.problems : [];
  const fields = [...form.querySelectorAll<HTMLElement>('[data-field]')].map((el) => el.dataset.field!).filter((f) => f !== '*').sort((a, b) => b.length - a.length);
  const other = form.querySelector<HTMLElement>('[data-field="*"] .field-error');
  const rest: string[] = [];
  for (const p of problems) {
    const mine = !p.object || p.object.kind === kind;
    const f = mine ? fields.find((x) => p.field === x || p.field.startsWith(x + '.') || p.field.startsWith(x + '[')) : undefined;
    const el = f ? form.querySelector<HTMLElement>(`[data-field="${f}"] .field-error`) : mine && p.field && other ? other : null;
    const text = f || !p.field ? p.message : tr('config.problem', { field: p.field, msg: p.message });
    if (el) el.textContent = (el.textContent ? el.textContent + tr('config.problemSep') : '') + text;
    else rest.push(p.object && !mine ? tr('config.problemOf', { kind: hasKey(`cfgobj.kind.${p.object.kind}`) ? tr(`cfgobj.kind.${p.object.kind}` as Key) : p.object.kind, id: p.object.id, field: p.field || tr('config.whole'), msg: p.message }) : tr('config.problem', { field: p.field || tr('config.whole'), msg: p.message }));
  }
  general.textContent = problems.length ? (rest.length ? rest.join('\n') : tr('config.fixFields')) : tr('config.saveFailed', { msg: (err as Error).message });
  toast(tr('config.notSaved', { msg: (err as Error).message }), 'error');
}

/** An object the caller may not edit here: managed by the file, or not its role's; secrets shown masked. */
export function readOnly(o: ConfigObject, title: string): HTMLElement {
  return card(title,
    h('p.hint', tr(o.managedBy === 'file' ? (o.kind === 'target' ? 'config.fileHint' : 'config.fileHintObj') : 'config.viewOnly')),
    h('pre.config-json', JSON.stringify(mask(o.data), null, 2)));
}

/** Every version of a stored object, newest first, with its field diff and 回滚到此版本 for one who may write it. */
export async function historyCard(ctx: PageCtx, kind: ConfigKindName, o: ConfigObject, mayWrite: boolean): Promise<HTMLElement> {
  if (o.managedBy === 'file') return card(tr('config.history'), h('p.hint', tr('config.historyFile')));
  const histG = await got(api.config.history(kind, o.id));
  const hist = histG.v?.items ?? [];
  // The action codes the store writes, in words (the code itself for one the catalogue does not know).
  const action = (a: string) => (hasKey(`config.action.${a}`) ? tr(`config.action.${a}` as Key) : a);
  return card(tr('config.history'), loaded(histG, tr('config.what.history'), ctx, () => table(hist, [
    [tr('config.h.version'), (v: ConfigVersion) => String(v.version)],
    [tr('config.cat.col.op'), (v) => action(v.action)],
    [tr('config.h.actor'), (v) => v.actor],
    [tr('config.h.time'), (v) => fmtTime(v.ts, true)],
    [tr('config.h.reason'), (v) => v.reason || '—'],
    [tr('config.cat.col.diff'), (v) => h('ul.diff', v.diff.map((c) => h('li', tr('config.diff', { path: c.path, before: val(c.before, fmtJson), after: val(c.after, fmtJson) }))))],
    ['', (v) => (mayWrite && v.version !== o.version && v.after
      ? h('button.small.secondary.rollback', { type: 'button', 'data-version': v.version, onclick: () => act(() => api.config.rollback(kind, o.id, v.version), tr('config.rolledBack', { v: v.version }), ctx) }, tr('config.rollback'))
      : null)],
  ], { empty: tr('config.noVersions'), cls: 'config-history' })));
}

/** Sets a dotted path ("tags.department") in an object, or removes it when the value is undefined (and empty parents). */
export function setPath(o: ObjectData, path: string, v: unknown) {
  const keys = path.split('.');
  const parents: Record<string, unknown>[] = [o];
  let cur = o as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) {
    if (!cur[k] || typeof cur[k] !== 'object' || Array.isArray(cur[k])) {
      if (v === undefined) return;
      cur[k] = {};
    }
    cur = cur[k] as Record<string, unknown>;
    parents.push(cur);
  }
  const last = keys[keys.length - 1];
  if (v === undefined) delete cur[last];
  else cur[last] = v;
  for (let i = parents.length - 1; i > 0; i--) if (!Object.keys(parents[i]).length) delete parents[i - 1][keys[i - 1]];
}

export function getPath(o: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((c, k) => (c && typeof c === 'object' ? (c as Record<string, unknown>)[k] : undefined), o);
}

/** The kinds of the 配置 page as tabs: 监测对象 (pages/config.ts), 模块, 告警规则, 接收者 (pages/config-objects.ts). */
export function kindTabs(current: ConfigKindName): HTMLElement {
  const kinds: ConfigKindName[] = ['target', 'module', 'rule', 'receiver'];
  return h('div.tabs.config-kinds', kinds.map((k) => h('a.tab', {
    class: k === current ? 'active' : '', 'data-kind': k,
    href: buildHash({ page: 'config', params: k === 'target' ? {} : { kind: k } }),
  }, tr(`cfgobj.kind.${k}` as Key))));
}

/**
 * The list's bulk actions 批量启用 / 批量停用 for a kind (POST …/bulk): the result as one toast (changed, unchanged,
 * refused with the first reason), then the page re-rendered. Shared by 监测对象 (pages/config.ts) and the other kinds.
 */
export function bulkEnableActions(ctx: PageCtx, kind: ConfigKindName) {
  return [true, false].map((on) => ({
    label: on ? tr('config.bulkEnable') : tr('config.bulkDisable'), cls: on ? 'bulk-enable' : 'bulk-disable',
    run: async (sel: ConfigObject[]) => {
      try {
        const r = await api.config.setEnabledMany(kind, sel.map((o) => o.id), on);
        toast(tr('config.bulkDone', { state: on ? tr('config.enabled') : tr('config.disabled'), n: r.changed.length })
          + (r.unchanged.length ? tr('config.bulkUnchanged', { n: r.unchanged.length }) : '')
          + (r.refused.length ? tr('config.bulkRefused', { n: r.refused.length, msg: r.refused[0].message }) : ''), r.refused.length ? 'error' : 'ok');
      } catch (err) {
        toast(tr('config.notSaved', { msg: (err as Error).message }), 'error');
      }
      ctx.rerender();
    },
  }));
}
