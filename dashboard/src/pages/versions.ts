import { api, ApiError } from '../api';
import type { ConfigObject, ConfigVersion, FieldChange, RecordVersion } from '../../../contract/config';
import { act, card, fmtJson, fmtTime, h, table, toast } from '../ui';
import { hasKey, t as tr, type Key } from '../i18n';
import type { PageCtx } from '../page-ctx';

/**
 * Version history in the alerts page (README: unified configuration): the history dialog of a silence or a maintenance window, each
 * version with who, when, why and the field diff, and a rollback to any earlier one (a new version with its content); and
 * the routing tree's section — the tree, its editor (JSON, validated by the server with field-level messages) and
 * its history.
 */

type AnyVersion = RecordVersion | ConfigVersion;

const actionWord = (a: string) => (hasKey(`versions.action.${a}`) ? tr(`versions.action.${a}` as Key) : hasKey(`config.action.${a}`) ? tr(`config.action.${a}` as Key) : a);
const val = (x: unknown) => (x === undefined ? tr('config.diffNone') : fmtJson(x));
const diffList = (d: FieldChange[]) => h('ul.diff', d.map((c) => h('li', tr('config.diff', { path: c.path, before: val(c.before), after: val(c.after) }))));

/** The versions as a table, newest first; rollback on every version but the current one (when the user may write). */
function versionTable(items: AnyVersion[], mayWrite: boolean, rollback: (v: number) => void): HTMLElement {
  const current = items[0]?.version;
  return table(items, [
    [tr('config.h.version'), (v) => String(v.version)],
    [tr('config.cat.col.op'), (v) => actionWord(v.action)],
    [tr('config.h.actor'), (v) => v.actor],
    [tr('config.h.time'), (v) => fmtTime(v.ts, true)],
    [tr('config.h.reason'), (v) => v.reason || '—'],
    [tr('config.cat.col.diff'), (v) => diffList(v.diff)],
    ['', (v) => (mayWrite && v.version !== current && v.after
      ? h('button.small.secondary.rollback', { type: 'button', 'data-version': v.version, onclick: () => rollback(v.version) }, tr('versions.rollback'))
      : null)],
  ], { empty: tr('config.noVersions'), cls: 'version-history' });
}

/** A dialog with an object's history; a rollback closes it and re-renders the page. */
export async function showHistory(ctx: PageCtx, title: string, load: () => Promise<{ items: AnyVersion[] } | null>, mayWrite: boolean, rollback: (v: number) => Promise<unknown>) {
  let list: { items: AnyVersion[] } | null;
  try {
    list = await load();
  } catch (err) {
    return toast(tr('common.actionFailed', { msg: (err as Error).message }), 'error');
  }
  const close = () => overlay.remove();
  const dialog = h('form.modal.wide.history-dialog', { role: 'dialog', 'aria-modal': 'true', onsubmit: (e: Event) => e.preventDefault() },
    h('h3', title),
    versionTable(list?.items ?? [], mayWrite, (v) => {
      close();
      void act(() => rollback(v), tr('config.rolledBack', { v }), ctx);
    }),
    h('div.actions', h('button.secondary.close', { type: 'button', onclick: close }, tr('versions.close'))));
  dialog.addEventListener('keydown', (e) => e.key === 'Escape' && close());
  const overlay = h('div.overlay', dialog);
  document.body.append(overlay);
  (dialog.querySelector('button') as HTMLElement | null)?.focus();
}

/** One node of the tree in words: which alerts (matchers), to which receiver, and the children under it. */
function routeNode(r: Record<string, unknown>, root: boolean): HTMLElement {
  const matchers = Array.isArray(r.matchers) && r.matchers.length ? (r.matchers as string[]).join(', ') : tr(root ? 'versions.route.all' : 'versions.route.inherit');
  const children = Array.isArray(r.routes) ? (r.routes as Record<string, unknown>[]) : [];
  return h('li',
    h('span.route-matchers', matchers), ' → ', h('b.route-receiver', typeof r.receiver === 'string' ? r.receiver : tr('versions.route.parentReceiver')),
    r.continue === true ? h('span.muted', tr('versions.route.continue')) : null,
    children.length ? h('ul', children.map((c) => routeNode(c, false))) : null);
}

/** The JSON editor of the tree: the server validates it; its problems are shown by field, the dialog stays open. */
function editRoute(ctx: PageCtx, current: ConfigObject | null) {
  const text = h('textarea.route-json', { name: 'route', rows: 16, spellcheck: 'false' }, JSON.stringify(current?.data ?? { receiver: '', routes: [] }, null, 2)) as HTMLTextAreaElement;
  const reason = h('input', { name: 'reason', type: 'text' }) as HTMLInputElement;
  const problems = h('ul.problems.route-problems', { role: 'alert' });
  const close = () => overlay.remove();
  const form = h('form.modal.wide.route-editor', { role: 'dialog', 'aria-modal': 'true', onsubmit: async (e: Event) => {
    e.preventDefault();
    problems.replaceChildren();
    let data: unknown;
    try {
      data = JSON.parse(text.value);
    } catch (err) {
      problems.append(h('li', tr('versions.route.badJson', { msg: (err as Error).message })));
      return;
    }
    if (!data || typeof data !== 'object' || Array.isArray(data)) return void problems.append(h('li', tr('versions.route.notObject')));
    try {
      await api.alerts.putRoute(data as Record<string, unknown>, reason.value.trim() || undefined);
      close();
      toast(tr('versions.route.saved'));
      ctx.rerender();
    } catch (err) {
      const ps = err instanceof ApiError ? err.problems : [];
      if (!ps.length) problems.append(h('li', (err as Error).message));
      for (const p of ps) problems.append(h('li', { 'data-field': p.field }, tr('config.problem', { field: p.field || tr('config.whole'), msg: p.message })));
    }
  } },
  h('h3', tr('versions.route.edit')),
  h('p.hint', tr('versions.route.editHint')),
  h('label', h('span', tr('versions.route.json')), text),
  h('label', h('span', tr('versions.reason')), reason),
  problems,
  h('div.actions', h('button.secondary', { type: 'button', onclick: close }, tr('common.cancel')), h('button.save-route', { type: 'submit' }, tr('versions.save'))));
  const overlay = h('div.overlay', form);
  document.body.append(overlay);
  text.focus();
}

/** The routing tree section: the tree as it runs, who manages it, edit (admin, not file-managed), history with rollback. */
export async function routeCard(ctx: PageCtx): Promise<HTMLElement> {
  let route: ConfigObject | null = null;
  try {
    route = await api.alerts.route();
  } catch (err) {
    return card(tr('versions.route.title'), h('p.err', (err as Error).message));
  }
  const mayWrite = ctx.user.role === 'admin';
  const fromFile = route?.managedBy === 'file';
  const buttons = h('div.toolbar',
    mayWrite && !fromFile ? h('button.small.edit-route', { type: 'button', onclick: () => editRoute(ctx, route) }, tr(route ? 'versions.route.edit' : 'versions.route.set')) : null,
    route && !fromFile ? h('button.small.secondary.route-history', { type: 'button', onclick: () => showHistory(ctx, tr('versions.route.historyTitle'), () => api.alerts.routeHistory(), mayWrite, (v) => api.alerts.rollbackRoute(v)) }, tr('versions.history')) : null);
  return card(tr('versions.route.title'),
    h('p.hint', route ? tr(fromFile ? 'versions.route.fromFile' : 'versions.route.fromUi', { v: route.version, by: route.updatedBy ?? '—' }) : tr('versions.route.none')),
    buttons,
    route ? h('ul.route-tree', routeNode(route.data, true)) : null);
}
