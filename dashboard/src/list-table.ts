import type { Page } from '../../contract/common';
import type { TargetSummary } from '../../contract/collector';
import { api } from './api';
import { empty, failed, h, loading, stateLabel } from './ui';
import { t } from './i18n';

type Child = Node | string | number | null | undefined | false | Child[];

export interface ListColumn<T> {
  title: string;
  cell(r: T): Child;
  /** The server's sort key for this column (the header toggles ascending / descending). */
  sort?: string;
}

export interface ListFilter {
  name: string;
  label: string;
  options: [string, string][];
  value?: string;
}

export interface ListTableOptions<T> {
  /** A class on the table's box, for styles and tests. */
  cls: string;
  /** One page from the server: the query has limit, offset, q, sort and the filters (empty ones left out). */
  load(query: Record<string, string | number>): Promise<Page<T> | null>;
  cols: ListColumn<T>[];
  filters?: ListFilter[];
  /** The search box's placeholder; no box without it. */
  search?: string;
  sort?: string;
  pageSize?: number;
  empty?: string;
  /** The first page, already loaded (the page renders with its rows; later pages come from `load`). */
  initial?: Page<T> | null;
  /** Row selection with bulk actions on the selected rows. */
  select?: {
    key(r: T): string | number;
    can?(r: T): boolean;
    actions: { label: string; cls: string; run(rows: T[]): Promise<unknown> }[];
  };
}

interface ListState {
  q: string;
  sort: string;
  offset: number;
  filters: Record<string, string>;
}
const remembered = new Map<string, ListState>();

/**
 * The one table of the dashboard's lists (issue #13): a search box, filters, sortable headers and a pager with
 * 共 N 条 — every one of them a server-side parameter (the lists hold 10,000 rows; the browser gets one page).
 */
export function listTable<T>(o: ListTableOptions<T>): HTMLElement & { reload(): Promise<void> } {
  const size = o.pageSize ?? 20;
  const fresh: ListState = {
    q: '',
    sort: o.sort ?? '',
    offset: 0,
    filters: Object.fromEntries((o.filters ?? []).map((f) => [f.name, f.value ?? ''])) as Record<string, string>,
  };
  // A re-render (a live event, 刷新) keeps what the user searched, filtered, sorted and paged to.
  const kept = remembered.get(o.cls);
  const state: ListState = kept
    ? { ...kept, filters: Object.fromEntries(Object.keys(fresh.filters).map((k) => [k, kept.filters[k] ?? fresh.filters[k]])) }
    : fresh;
  remembered.set(o.cls, state);
  const changed = JSON.stringify(state) !== JSON.stringify(fresh);
  const selected = new Map<string | number, T>();
  const body = h('div.list-body');
  const count = h('span.list-total');
  const bulk = h('span.list-bulk');
  let seq = 0;

  const reload = async () => {
    const mine = ++seq;
    const query: Record<string, string | number> = { limit: size, offset: state.offset };
    if (state.q) query.q = state.q;
    if (state.sort) query.sort = state.sort;
    for (const [k, v] of Object.entries(state.filters)) if (v) query[k] = v;
    let page: Page<T> | null;
    try {
      page = await o.load(query);
    } catch (err) {
      if (mine === seq) body.replaceChildren(failed(t('list.what'), err, () => void reload()));
      return;
    }
    if (mine !== seq) return; // a newer query answered first
    draw(page ?? { items: [], total: 0, limit: size, offset: 0 });
  };

  const drawBulk = () => {
    if (!o.select) return;
    const rows = [...selected.values()];
    bulk.replaceChildren(
      h('span.list-selected', rows.length ? t('list.selected', { n: rows.length }) : ''),
      ...o.select.actions.map((a) =>
        h(`button.small.${a.cls}`, { type: 'button', disabled: rows.length === 0, onclick: async () => {
          await a.run(rows);
          selected.clear();
          await reload();
        } }, a.label)),
    );
  };

  const draw = (page: Page<T>) => {
    count.textContent = t('list.total', { n: page.total });
    const pages = Math.max(1, Math.ceil(page.total / size));
    const at = Math.floor(state.offset / size) + 1;
    const head = o.cols.map((c) => {
      if (!c.sort) return h('th', c.title);
      const asc = state.sort === c.sort;
      const desc = state.sort === '-' + c.sort;
      const toggle = () => {
        state.sort = asc ? '-' + c.sort : c.sort!;
        state.offset = 0;
        void reload();
      };
      // A header that sorts is a button for the keyboard too (Tab to it, Enter or Space).
      return h('th.sortable', {
        'data-sort': c.sort,
        'aria-sort': asc ? 'ascending' : desc ? 'descending' : 'none',
        tabindex: 0,
        role: 'button',
        title: t('list.sortHint'),
        onclick: toggle,
        onkeydown: (e: KeyboardEvent) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            toggle();
          }
        },
      }, c.title, asc ? ' ▲' : desc ? ' ▼' : ' ↕');
    });
    const sel = o.select;
    const checkbox = (r: T) => {
      if (!sel || (sel.can && !sel.can(r))) return h('td', '');
      const k = sel.key(r);
      return h('td', h('input.row-select', { type: 'checkbox', checked: selected.has(k), 'data-key': k, onchange: (e: Event) => {
        if ((e.target as HTMLInputElement).checked) selected.set(k, r);
        else selected.delete(k);
        drawBulk();
      } }));
    };
    const selectAll = sel
      ? h('th', h('input.select-all', { type: 'checkbox', title: t('list.selectAll'), 'aria-label': t('list.selectAll'), onchange: (e: Event) => {
        const on = (e.target as HTMLInputElement).checked;
        for (const r of page.items) if (!sel.can || sel.can(r)) on ? selected.set(sel.key(r), r) : selected.delete(sel.key(r));
        body.querySelectorAll<HTMLInputElement>('input.row-select').forEach((c) => (c.checked = on));
        drawBulk();
      } }))
      : null;
    body.replaceChildren(
      page.items.length
        ? h('div.tablewrap', h('table', h('thead', h('tr', selectAll, head)),
          h('tbody', page.items.map((r) => h('tr', sel ? checkbox(r) : null, o.cols.map((c) => h('td', c.cell(r))))))))
        : empty(o.empty),
      h('div.pager',
        h('span.list-total', t('list.total', { n: page.total })),
        h('button.small.secondary.prev', { type: 'button', disabled: state.offset === 0, onclick: () => {
          state.offset = Math.max(0, state.offset - size);
          void reload();
        } }, t('list.prev')),
        h('span.page-no', t('list.pageNo', { at, pages })),
        h('button.small.secondary.next', { type: 'button', disabled: state.offset + size >= page.total, onclick: () => {
          state.offset += size;
          void reload();
        } }, t('list.next'))),
    );
    drawBulk();
  };

  let timer: ReturnType<typeof setTimeout> | undefined;
  const search = o.search
    ? h('input.list-search', { type: 'search', placeholder: o.search, 'aria-label': o.search, value: state.q, oninput: (e: Event) => {
      clearTimeout(timer);
      const v = (e.target as HTMLInputElement).value.trim();
      timer = setTimeout(() => {
        state.q = v;
        state.offset = 0;
        void reload();
      }, 250);
    } })
    : null;
  const filters = (o.filters ?? []).map((f) =>
    h('label.list-filter', h('span', f.label), h('select', { name: f.name, onchange: (e: Event) => {
      state.filters[f.name] = (e.target as HTMLSelectElement).value;
      state.offset = 0;
      void reload();
    } }, h('option', { value: '' }, t('common.all')), f.options.map(([v, l]) => h('option', { value: v, selected: v === state.filters[f.name] }, l)))));
  const el = h(`div.list-table.${o.cls}`, h('div.list-tools', search, filters, count, bulk), body) as HTMLElement & { reload(): Promise<void> };
  el.reload = reload;
  if (o.initial !== undefined && !changed) draw(o.initial ?? { items: [], total: 0, limit: size, offset: 0 });
  else {
    body.append(loading());
    void reload();
  }
  return el;
}

/**
 * A target picker with search (instead of one <select> of every target): typing asks the server for the first 20
 * matches of id, name or address; choosing one calls `onPick`.
 */
export function targetPicker(o: { value?: string; placeholder?: string; onPick(t: TargetSummary): void; module?: () => string | undefined; input?: HTMLInputElement; cls?: string }): HTMLElement {
  const list = h('div.picker-list');
  const input = o.input ?? (h(`input.picker-input${o.cls ? '.' + o.cls : ''}`, { type: 'search', value: o.value ?? '', autocomplete: 'off' }) as HTMLInputElement);
  input.placeholder = o.placeholder ?? t('picker.placeholder');
  if (!input.getAttribute('aria-label')) input.setAttribute('aria-label', input.placeholder);
  input.autocomplete = 'off';
  let seq = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const find = async () => {
    const mine = ++seq;
    const page = await api.collector.targets({ q: input.value.trim() || undefined, module: o.module?.() || undefined, limit: 20, sort: 'state' }).catch(() => null);
    if (mine !== seq) return;
    const items = page?.items ?? [];
    list.replaceChildren(h('div.picker-items',
      items.map((it) => {
        const pick = () => {
          input.value = it.id;
          list.replaceChildren();
          o.onPick(it);
        };
        // Mouse: on mousedown, before the input's blur hides the list; keyboard: Tab or ↓ to an item, Enter.
        return h('button.picker-item', { type: 'button', 'data-id': it.id, onmousedown: (e: Event) => {
          e.preventDefault();
          pick();
        }, onclick: pick }, t('picker.item', { module: it.moduleName ?? it.module, name: it.name, id: it.id, state: stateLabel(it.state) }));
      }),
      page && page.total > items.length ? h('div.picker-more', t('picker.more', { n: page.total })) : null,
      items.length ? null : h('div.picker-more', t('picker.none'))));
  };
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => void find(), 200);
  });
  input.addEventListener('focus', () => void find());
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') {
      const first = list.querySelector<HTMLElement>('.picker-item');
      if (first) {
        e.preventDefault();
        first.focus();
      }
    } else if (e.key === 'Escape') list.replaceChildren();
  });
  list.addEventListener('keydown', (e) => {
    const items = [...list.querySelectorAll<HTMLElement>('.picker-item')];
    const at = items.indexOf(document.activeElement as HTMLElement);
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = at + (e.key === 'ArrowDown' ? 1 : -1);
      if (next < 0) input.focus();
      else items[Math.min(next, items.length - 1)]?.focus();
    } else if (e.key === 'Escape') {
      list.replaceChildren();
      input.focus();
    }
  });
  // The list closes when the focus leaves both the box and the list (not when it moves from one to the other).
  const maybeClose = () => setTimeout(() => {
    if (document.activeElement !== input && !list.contains(document.activeElement)) list.replaceChildren();
  }, 150);
  input.addEventListener('blur', maybeClose);
  list.addEventListener('focusout', maybeClose);
  if (o.input) {
    o.input.after(list);
    return list;
  }
  return h('div.picker', input, list);
}
