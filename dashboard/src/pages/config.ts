import { api } from '../api';
import type { CataloguePreview, ConfigObject, ObjectData } from '../api/config';
import { act, card, failed, fmtTime, got, h, loaded, table, toast } from '../ui';
import { t as tr, type Key } from '../i18n';
import { bulkEnableActions, field, historyCard, kindTabs, readOnly, showProblems, val } from './config-form';
import { CONFIG_KINDS, renderConfigObjects, type ObjKind } from './config-objects';
import { listTable } from '../list-table';
import { buildHash } from '../router';
import type { PageCtx } from '../page-ctx';

/**
 * 配置: the monitored interfaces (targets) as the configuration store holds them (README: 统一配置). An operator adds an
 * http interface in a form, edits its assertion, switches it on and off, reads its version history and rolls back.
 * Objects of the configuration file are shown read-only (管理方式：配置文件). #/config/<id> opens one target.
 * 导入接口目录: the exchange platform's catalogue (CSV or OpenAPI) uploaded, previewed, then applied (README: 接口目录导入).
 */
export async function renderConfig(ctx: PageCtx): Promise<HTMLElement> {
  const kind = ctx.route.params.kind;
  if (kind && kind !== 'target' && (CONFIG_KINDS as readonly string[]).includes(kind)) return renderConfigObjects(ctx, kind as ObjKind);
  const id = ctx.route.arg;
  // The list is a page from the server (GET …/targets?q=&module=&department=&enabled=&managed=&limit=&offset=): at
  // 10,000 targets the browser holds 50; the chosen target is read on its own.
  // A failed request shows what failed with 重试 where its data would be (the list, the module choice), not 暂无数据.
  const [targetsG, modulesG, chosenG] = await Promise.all([
    got(api.config.page('target', { limit: 50, offset: 0 })),
    got(api.config.list('module')),
    got(id ? api.config.get('target', id) : Promise.resolve(null)),
  ]);
  const [first, modules, chosen] = [targetsG.v, modulesG.v, chosenG.v];
  const mayWrite = ctx.can('targets:write');
  const moduleIds = (modules?.items ?? []).map((m) => String(m.data.id));
  const open = (arg?: string, params: Record<string, string> = {}) => (location.hash = buildHash({ page: 'config', arg, params }));

  const str = (o: ConfigObject, k: string) => String(((o.data.tags ?? {}) as Record<string, unknown>)[k] ?? '');
  const departments = first?.departments ?? [];
  // Search, filters and paging are the server's; the selection is switched on or off in one request (POST …/targets/bulk).
  const list = card(
    tr('config.targets', { n: first?.total ?? 0 }),
    mayWrite ? h('div.actions', h('button.add-target', { type: 'button', onclick: () => open(undefined, { new: '1' }) }, tr('config.add'))) : null,
    modulesG.error ? failed(tr('config.what.modules'), modulesG.error, () => ctx.rerender()) : null,
    loaded(targetsG, tr('config.what.targets'), ctx, () => listTable<ConfigObject>({
      cls: 'config-targets',
      pageSize: 50,
      search: tr('config.search'),
      filters: [
        { name: 'module', label: tr('config.col.module'), options: moduleIds.map((m): [string, string] => [m, m]) },
        { name: 'department', label: tr('config.col.department'), options: departments.map((d): [string, string] => [d, d]) },
        { name: 'enabled', label: tr('config.col.state'), options: [['on', tr('config.on')], ['off', tr('config.off')]] },
        { name: 'managed', label: tr('config.col.managed'), options: [['ui', tr('config.managed.ui')], ['file', tr('config.managed.file')]] },
      ],
      initial: first,
      load: (q) => api.config.page('target', q),
      select: mayWrite ? {
        key: (o) => o.id,
        can: (o) => o.managedBy === 'ui',
        actions: bulkEnableActions(ctx, 'target'),
      } : undefined,
      cols: [
        { title: tr('config.col.id'), cell: (o) => h('a', { href: buildHash({ page: 'config', arg: o.id, params: {} }) }, o.id) },
        { title: tr('config.col.name'), cell: (o) => String(o.data.name ?? '') },
        { title: tr('config.col.type'), cell: (o) => String(o.data.type ?? '') },
        { title: tr('config.col.module'), cell: (o) => String(o.data.module ?? '') },
        { title: tr('config.col.department'), cell: (o) => str(o, 'department') || '—' },
        { title: tr('config.col.tags'), cell: (o) => [str(o, 'sensitive') === 'true' ? h('span.badge.s-down', tr('config.sensitive')) : null, str(o, 'catalogue') ? h('span.tag', tr('config.catalogueTag', { code: str(o, 'catalogue') })) : null] },
        { title: tr('config.col.state'), cell: (o) => (o.data.enabled === false ? h('span.badge.s-unknown', tr('config.off')) : h('span.badge.s-up', tr('config.on'))) },
        { title: tr('config.col.managed'), cell: (o) => (o.managedBy === 'file' ? h('span.managed-file', tr('config.fileReadOnly')) : h('span.managed-ui', tr('config.uiVersion', { v: o.version }))) },
        { title: tr('config.col.updated'), cell: (o) => (o.updatedAt ? `${fmtTime(o.updatedAt)} ${o.updatedBy ?? ''}` : '—') },
      ],
      empty: tr('config.none'),
    })),
  );

  const parts: HTMLElement[] = [list];
  if (mayWrite && !id && ctx.route.params.new !== '1') parts.unshift(catalogueCard(ctx));
  if (ctx.route.params.new === '1' && mayWrite) parts.unshift(targetForm(ctx, null, moduleIds, (saved) => open(saved)));
  else if (chosen) {
    const may = mayWrite && chosen.managedBy === 'ui' && chosen.mayWrite !== false;
    parts.unshift(
      may ? targetForm(ctx, chosen, moduleIds, () => ctx.rerender()) : readOnly(chosen, tr('config.idName', { id: chosen.id, name: String(chosen.data.name ?? '') })),
      await historyCard(ctx, 'target', chosen, may),
    );
  } else if (id && chosenG.error) parts.unshift(failed(tr('config.what.targets'), chosenG.error, () => ctx.rerender()));
  else if (id && !targetsG.error) parts.unshift(card(tr('config.missing'), h('p', tr('config.missingText', { id }))));
  return h('div.page.config', kindTabs('target'), ...parts);
}

/** The last preview (and its file) survive a re-render, so 确认导入 applies what was previewed. */
let lastPreview: { file: File; archiveMissing: boolean; preview: CataloguePreview } | null = null;

const OP: Record<'create' | 'update', Key> = { create: 'config.op.create', update: 'config.op.update' };

/** 导入接口目录: choose a file, 预览 (a dry run: what would change, every bad row), then 确认导入 applies it. */
function catalogueCard(ctx: PageCtx): HTMLElement {
  const input = h('input.catalogue-file', { type: 'file', accept: '.csv,.json,.yaml,.yml,text/csv,application/json' }) as HTMLInputElement;
  const archive = h('input.catalogue-archive', { type: 'checkbox', checked: lastPreview?.archiveMissing ?? false }) as HTMLInputElement;
  const out = h('div.catalogue-result');
  const show = (p: CataloguePreview, file: File) => {
    const n = p.counts;
    out.replaceChildren(h('div.catalogue-preview-body',
      h('p.catalogue-summary', tr('config.cat.head', {
        what: tr(p.applied ? 'config.cat.applied' : 'config.cat.previewed'), file: file.name,
        format: p.format === 'openapi' ? 'OpenAPI' : tr('config.cat.csv', { enc: p.encoding === 'gb18030' ? 'GBK' : 'UTF-8' }),
        n: n.rows, unit: tr(p.format === 'openapi' ? 'config.cat.unitOps' : 'config.cat.unitRows'),
      }),
      h('b.c-create', tr('config.cat.create', { n: n.create })), tr('config.cat.sep'), h('b.c-update', tr('config.cat.update', { n: n.update })), tr('config.cat.unchanged', { n: n.unchanged }),
      h('b.c-missing', tr('config.cat.missing', { n: n.missing }) + (n.archived ? tr(p.applied ? 'config.cat.archivedDone' : 'config.cat.archivedWill', { n: n.archived }) : '')), tr('config.cat.sep'),
      h('b.c-errors', tr('config.cat.errors', { n: n.errors })), n.skipped ? tr('config.cat.skipped', { n: n.skipped }) : '', tr('config.cat.modules', { n: n.modulesCreated })),
      p.errors.length ? h('div', h('h4', tr('config.cat.errorRows')), table(p.errors.slice(0, 500), [
        [tr('config.cat.col.row'), (e) => String(e.row)], [tr('config.cat.col.column'), (e) => e.column], [tr('config.cat.col.code'), (e) => e.interfaceCode ?? '—'], [tr('config.cat.col.errCode'), (e) => e.code], [tr('config.cat.col.problem'), (e) => h('span.err', e.message)],
      ], { cls: 'catalogue-errors' })) : null,
      p.changes.length ? h('div', h('h4', tr(p.applied ? 'config.cat.changesDone' : 'config.cat.changesWill') + (p.changes.length > 500 ? tr('config.cat.first500', { n: p.changes.length }) : '')), table(p.changes.slice(0, 500), [
        [tr('config.cat.col.op'), (c) => tr(OP[c.op])], [tr('config.cat.col.row'), (c) => String(c.row)], [tr('config.cat.col.code'), (c) => c.interfaceCode], [tr('config.col.id'), (c) => c.id], [tr('config.col.name'), (c) => c.name], [tr('config.col.module'), (c) => c.module],
        [tr('config.cat.col.diff'), (c) => (c.diff.length ? h('ul.diff', c.diff.map((d) => h('li', tr('config.diff', { path: d.path, before: val(d.before), after: val(d.after) })))) : '—')],
      ], { cls: 'catalogue-changes' })) : null,
      p.missing.length ? h('div', h('h4', tr('config.cat.missingTitle')), table(p.missing.slice(0, 500), [
        [tr('config.cat.col.code'), (m) => m.interfaceCode], [tr('config.col.id'), (m) => m.id], [tr('config.col.name'), (m) => m.name], [tr('config.cat.col.handling'), (m) => (m.archived ? tr(p.applied ? 'config.cat.archived' : 'config.cat.willArchive') : tr('config.cat.keep'))],
      ], { cls: 'catalogue-missing' })) : null,
      !p.applied && (n.create || n.update || n.archived)
        ? h('div.actions', h('button.catalogue-apply', { type: 'button', onclick: async () => {
          try {
            const done = await api.config.catalogue(file, { name: file.name, dryRun: false, archiveMissing: lastPreview?.archiveMissing });
            lastPreview = { file, archiveMissing: !!lastPreview?.archiveMissing, preview: done };
            toast(tr('config.cat.done', { create: done.counts.create, update: done.counts.update, archived: done.counts.archived ? tr('config.cat.doneArchived', { n: done.counts.archived }) : '' }));
            ctx.rerender();
          } catch (err) {
            toast(tr('config.cat.failed', { msg: (err as Error).message }), 'error');
          }
        } }, tr('config.cat.apply')))
        : p.applied ? null : h('p.hint', tr('config.cat.nothing')),
    ));
  };
  if (lastPreview) show(lastPreview.preview, lastPreview.file);
  const preview = async () => {
    const file = input.files?.[0] ?? lastPreview?.file;
    if (!file) return toast(tr('config.cat.pickFile'), 'error');
    try {
      const p = await api.config.catalogue(file, { name: file.name, dryRun: true, archiveMissing: archive.checked });
      lastPreview = { file, archiveMissing: archive.checked, preview: p };
      show(p, file);
    } catch (err) {
      out.replaceChildren(h('p.err.catalogue-refused', tr('config.cat.refused', { msg: (err as Error).message })));
    }
  };
  return card(tr('config.cat.card'),
    h('p.hint', tr('config.cat.help')),
    h('div.actions', input, h('label', archive, tr('config.cat.archive')), h('button.secondary.catalogue-preview', { type: 'button', onclick: preview }, tr('config.cat.preview'))),
    out);
}

/** The form of one http interface; the fields it does not show are kept as they are. */
function targetForm(ctx: PageCtx, o: ConfigObject | null, moduleIds: string[], done: (id: string) => void): HTMLElement {
  const d: ObjectData = o ? structuredClone(o.data) : { type: 'http', interval: '30s', spec: {} };
  const spec = (d.spec ?? {}) as Record<string, unknown>;
  const json = ((spec.json as Record<string, unknown>[] | undefined) ?? [])[0] ?? {};
  const text = (name: string, value: unknown, attrs: Record<string, unknown> = {}) => h('input', { name, value: value === undefined || value === null ? '' : String(value), ...attrs });
  const inputs = {
    id: text('id', d.id, o ? { readonly: true } : { placeholder: tr('config.ph.id') }),
    name: text('name', d.name, { placeholder: tr('config.ph.name') }),
    module: h('select', { name: 'module' }, (moduleIds.length ? moduleIds : ['']).map((m) => h('option', { value: m, selected: m === d.module }, m))),
    interval: text('interval', d.interval ?? '30s'),
    url: text('url', spec.url, { placeholder: 'https://…' }),
    expectStatus: text('expectStatus', ((spec.expectStatus as unknown[] | undefined) ?? ['2xx']).join(', ')),
    jsonPath: text('jsonPath', json.path, { placeholder: tr('config.ph.jsonPath') }),
    jsonEquals: text('jsonEquals', json.equals === undefined ? '' : JSON.stringify(json.equals), { placeholder: tr('config.ph.jsonEquals') }),
    enabled: h('input', { name: 'enabled', type: 'checkbox', checked: d.enabled !== false }),
    reason: text('reason', '', { placeholder: tr('config.ph.reason') }),
  };
  const general = h('div.form-error', { role: 'alert' });
  const form = h('form.config-form', {
    onsubmit: async (e: Event) => {
      e.preventDefault();
      form.querySelectorAll('.field-error').forEach((x) => (x.textContent = ''));
      general.textContent = '';
      const v = (k: keyof typeof inputs) => (inputs[k] as HTMLInputElement).value.trim();
      const next: ObjectData = { ...d, id: v('id'), name: v('name'), module: v('module'), interval: v('interval') || undefined };
      if (!(inputs.enabled as HTMLInputElement).checked) next.enabled = false;
      else delete next.enabled;
      const s: Record<string, unknown> = { ...spec, url: v('url') };
      const statuses = v('expectStatus').split(/[,\uff0c\s]+/).filter(Boolean).map((x) => (/^\d+$/.test(x) ? Number(x) : x));
      if (statuses.length) s.expectStatus = statuses;
      else delete s.expectStatus;
      if (v('jsonPath')) {
        const raw = v('jsonEquals');
        let equals: unknown = raw;
        try {
          equals = raw === '' ? undefined : JSON.parse(raw);
        } catch {
          /* a bare word is a string */
        }
        s.json = [{ path: v('jsonPath'), ...(equals === undefined ? {} : { equals }) }];
      } else delete s.json;
      next.spec = s;
      for (const k of Object.keys(next)) if (next[k] === undefined) delete next[k];
      try {
        const r = o ? await api.config.update('target', o.id, next, v('reason')) : await api.config.create('target', next, v('reason'));
        toast(r.version ? tr('config.saved', { id: r.object.id, v: r.object.version }) : tr('config.noChange'));
        done(r.object.id);
      } catch (err) {
        showProblems(form, general, err);
      }
    },
  },
  h('h3', o ? tr('config.editId', { id: o.id }) : tr('config.newHttp')),
  field('id', tr('config.col.id'), inputs.id, tr('config.hint.id')),
  field('name', tr('config.col.name'), inputs.name),
  field('module', tr('config.field.module'), inputs.module),
  field('interval', tr('config.field.interval'), inputs.interval, tr('config.hint.interval')),
  field('spec.url', tr('config.field.url'), inputs.url),
  field('spec.expectStatus', tr('config.field.expectStatus'), inputs.expectStatus, tr('config.hint.expectStatus')),
  field('spec.json', tr('config.field.jsonPath'), inputs.jsonPath),
  field('spec.json.equals', tr('config.field.jsonEquals'), inputs.jsonEquals, tr('config.hint.jsonEquals')),
  field('enabled', tr('config.on'), inputs.enabled),
  field('reason', tr('config.field.reason'), inputs.reason),
  general,
  h('div.actions',
    h('button.save', { type: 'submit' }, tr('config.save')),
    o ? h('button.secondary.toggle', { type: 'button', onclick: () => act(() => api.config.setEnabled('target', o.id, o.data.enabled === false), o.data.enabled === false ? tr('config.enabled') : tr('config.disabled'), ctx) }, o.data.enabled === false ? tr('config.enable') : tr('config.disable')) : null,
    o ? h('button.secondary.clone', { type: 'button', onclick: async () => {
      const newId = prompt(tr('config.clonePrompt'), `${o.id}-copy`);
      if (newId) await act(() => api.config.clone('target', o.id, newId), tr('config.cloned', { id: newId }), ctx);
    } }, tr('config.clone')) : null,
    o ? h('button.secondary.danger.archive', { type: 'button', onclick: async () => {
      if (confirm(tr('config.archiveConfirm', { id: o.id }))) await act(() => api.config.archive('target', o.id), tr('config.archived'), { rerender: () => (location.hash = buildHash({ page: 'config', params: {} })) });
    } }, tr('config.archive')) : null));
  return card(o ? tr('config.editCard') : tr('config.newCard'), form);
}
