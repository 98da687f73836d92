import { api, ApiError } from '../api';
import type { CataloguePreview, ConfigObject, ConfigVersion, ObjectData } from '../api/config';
import { act, card, fmtJson, fmtTime, h, table, toast } from '../ui';
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
  const id = ctx.route.arg;
  // The list is a page from the server (GET …/targets?q=&module=&department=&enabled=&managed=&limit=&offset=): at
  // 10,000 targets the browser holds 50; the chosen target is read on its own.
  const [first, modules, chosen] = await Promise.all([
    api.config.page('target', { limit: 50, offset: 0 }),
    api.config.list('module'),
    id ? api.config.get('target', id) : Promise.resolve(null),
  ]);
  const mayWrite = ctx.can('targets:write');
  const moduleIds = (modules?.items ?? []).map((m) => String(m.data.id));
  const open = (arg?: string, params: Record<string, string> = {}) => (location.hash = buildHash({ page: 'config', arg, params }));

  const str = (o: ConfigObject, k: string) => String(((o.data.tags ?? {}) as Record<string, unknown>)[k] ?? '');
  const departments = first?.departments ?? [];
  // Search, filters and paging are the server's; the selection is switched on or off in one request (POST …/targets/bulk).
  const list = card(
    `监测对象（共 ${first?.total ?? 0} 个）`,
    mayWrite ? h('div.actions', h('button.add-target', { type: 'button', onclick: () => open(undefined, { new: '1' }) }, '新增接口')) : null,
    listTable<ConfigObject>({
      cls: 'config-targets',
      pageSize: 50,
      search: '搜索编号、名称、地址或接口编码',
      filters: [
        { name: 'module', label: '模块', options: moduleIds.map((m): [string, string] => [m, m]) },
        { name: 'department', label: '部门', options: departments.map((d): [string, string] => [d, d]) },
        { name: 'enabled', label: '状态', options: [['on', '启用'], ['off', '已停用']] },
        { name: 'managed', label: '管理方式', options: [['ui', '界面 / 导入'], ['file', '配置文件']] },
      ],
      initial: first,
      load: (q) => api.config.page('target', q),
      select: mayWrite ? {
        key: (o) => o.id,
        can: (o) => o.managedBy === 'ui',
        actions: [true, false].map((on) => ({
          label: on ? '批量启用' : '批量停用', cls: on ? 'bulk-enable' : 'bulk-disable',
          run: async (sel: ConfigObject[]) => {
            try {
              const r = await api.config.setEnabledMany('target', sel.map((o) => o.id), on);
              toast(`${on ? '已启用' : '已停用'} ${r.changed.length} 个${r.unchanged.length ? `，${r.unchanged.length} 个无需改动` : ''}${r.refused.length ? `；${r.refused.length} 个未改：${r.refused[0].message}` : ''}`, r.refused.length ? 'error' : 'ok');
            } catch (err) {
              toast(`未保存：${(err as Error).message}`, 'error');
            }
            ctx.rerender();
          },
        })),
      } : undefined,
      cols: [
        { title: '编号', cell: (o) => h('a', { href: buildHash({ page: 'config', arg: o.id, params: {} }) }, o.id) },
        { title: '名称', cell: (o) => String(o.data.name ?? '') },
        { title: '类型', cell: (o) => String(o.data.type ?? '') },
        { title: '模块', cell: (o) => String(o.data.module ?? '') },
        { title: '部门', cell: (o) => str(o, 'department') || '—' },
        { title: '标签', cell: (o) => [str(o, 'sensitive') === 'true' ? h('span.badge.s-down', '涉敏') : null, str(o, 'catalogue') ? h('span.tag', `目录 ${str(o, 'catalogue')}`) : null] },
        { title: '状态', cell: (o) => (o.data.enabled === false ? h('span.badge.s-unknown', '已停用') : h('span.badge.s-up', '启用')) },
        { title: '管理方式', cell: (o) => (o.managedBy === 'file' ? h('span.managed-file', '配置文件（只读）') : h('span.managed-ui', `界面 · 版本 ${o.version}`)) },
        { title: '最后修改', cell: (o) => (o.updatedAt ? `${fmtTime(o.updatedAt)} ${o.updatedBy ?? ''}` : '—') },
      ],
      empty: '还没有监测对象',
    }),
  );

  const parts: HTMLElement[] = [list];
  if (mayWrite && !id && ctx.route.params.new !== '1') parts.unshift(catalogueCard(ctx));
  if (ctx.route.params.new === '1' && mayWrite) parts.unshift(targetForm(ctx, null, moduleIds, (saved) => open(saved)));
  else if (chosen) {
    parts.unshift(
      chosen.managedBy === 'file' || !mayWrite ? readOnly(chosen) : targetForm(ctx, chosen, moduleIds, () => ctx.rerender()),
      await historyCard(ctx, chosen),
    );
  } else if (id) parts.unshift(card('没有这个监测对象', h('p', `没有编号为 ${id} 的监测对象（或已归档）。`)));
  return h('div.page.config', ...parts);
}

/** The last preview (and its file) survive a re-render, so 确认导入 applies what was previewed. */
let lastPreview: { file: File; archiveMissing: boolean; preview: CataloguePreview } | null = null;

const OP_ZH = { create: '新增', update: '修改' } as const;

/** 导入接口目录: choose a file, 预览 (a dry run: what would change, every bad row), then 确认导入 applies it. */
function catalogueCard(ctx: PageCtx): HTMLElement {
  const input = h('input.catalogue-file', { type: 'file', accept: '.csv,.json,.yaml,.yml,text/csv,application/json' }) as HTMLInputElement;
  const archive = h('input.catalogue-archive', { type: 'checkbox', checked: lastPreview?.archiveMissing ?? false }) as HTMLInputElement;
  const out = h('div.catalogue-result');
  const show = (p: CataloguePreview, file: File) => {
    const n = p.counts;
    out.replaceChildren(h('div.catalogue-preview-body',
      h('p.catalogue-summary', `${p.applied ? '已导入' : '预览'}「${file.name}」（${p.format === 'openapi' ? 'OpenAPI' : `CSV，${p.encoding === 'gb18030' ? 'GBK' : 'UTF-8'}`}）：共 ${n.rows} ${p.format === 'openapi' ? '个操作' : '行'}，`,
        h('b.c-create', `新增 ${n.create}`), '，', h('b.c-update', `修改 ${n.update}`), `，未变 ${n.unchanged}，`, h('b.c-missing', `目录中缺少 ${n.missing}${n.archived ? `（${p.applied ? '已' : '将'}归档 ${n.archived}）` : ''}`), '，',
        h('b.c-errors', `出错 ${n.errors} 行`), n.skipped ? `，跳过 ${n.skipped} 个（非 GET/HEAD 且未标 x-probe）` : '', `；新建模块 ${n.modulesCreated}`),
      p.errors.length ? h('div', h('h4', '出错的行（不会导入；改正后重新导入即可）'), table(p.errors.slice(0, 500), [
        ['行', (e) => String(e.row)], ['列', (e) => e.column], ['接口编码', (e) => e.interfaceCode ?? '—'], ['代码', (e) => e.code], ['问题', (e) => h('span.err', e.message)],
      ], { cls: 'catalogue-errors' })) : null,
      p.changes.length ? h('div', h('h4', `将${p.applied ? '已' : ''}写入的变化${p.changes.length > 500 ? `（前 500 / ${p.changes.length}）` : ''}`), table(p.changes.slice(0, 500), [
        ['操作', (c) => OP_ZH[c.op]], ['行', (c) => String(c.row)], ['接口编码', (c) => c.interfaceCode], ['编号', (c) => c.id], ['名称', (c) => c.name], ['模块', (c) => c.module],
        ['变化', (c) => (c.diff.length ? h('ul.diff', c.diff.map((d) => h('li', `${d.path}：${d.before === undefined ? '（无）' : JSON.stringify(d.before)} → ${d.after === undefined ? '（无）' : JSON.stringify(d.after)}`))) : '—')],
      ], { cls: 'catalogue-changes' })) : null,
      p.missing.length ? h('div', h('h4', '目录中已没有的接口'), table(p.missing.slice(0, 500), [
        ['接口编码', (m) => m.interfaceCode], ['编号', (m) => m.id], ['名称', (m) => m.name], ['处理', (m) => (m.archived ? (p.applied ? '已归档' : '将归档') : '保留（勾选"归档"则归档）')],
      ], { cls: 'catalogue-missing' })) : null,
      !p.applied && (n.create || n.update || n.archived)
        ? h('div.actions', h('button.catalogue-apply', { type: 'button', onclick: async () => {
          try {
            const done = await api.config.catalogue(file, { name: file.name, dryRun: false, archiveMissing: lastPreview?.archiveMissing });
            lastPreview = { file, archiveMissing: !!lastPreview?.archiveMissing, preview: done };
            toast(`接口目录已导入：新增 ${done.counts.create}，修改 ${done.counts.update}${done.counts.archived ? `，归档 ${done.counts.archived}` : ''}；已生效`);
            ctx.rerender();
          } catch (err) {
            toast(`导入失败：${(err as Error).message}`, 'error');
          }
        } }, '确认导入'))
        : p.applied ? null : h('p.hint', '没有要写入的变化'),
    ));
  };
  if (lastPreview) show(lastPreview.preview, lastPreview.file);
  const preview = async () => {
    const file = input.files?.[0] ?? lastPreview?.file;
    if (!file) return toast('请先选择目录文件（CSV 或 OpenAPI）', 'error');
    try {
      const p = await api.config.catalogue(file, { name: file.name, dryRun: true, archiveMissing: archive.checked });
      lastPreview = { file, archiveMissing: archive.checked, preview: p };
      show(p, file);
    } catch (err) {
      out.replaceChildren(h('p.err.catalogue-refused', `无法导入：${(err as Error).message}`));
    }
  };
  return card('导入接口目录',
    h('p.hint', 'CSV（UTF-8 或 GBK）列：接口编码、接口名称、接口地址、请求方式、所属系统、提供部门、重要程度、是否涉敏，可选 期望状态码、断言（如 $.code == 0）、检测间隔；或 OpenAPI 3 文档（JSON / YAML）。按接口编码重复导入：有变化的更新，未变的不动。先预览，再确认导入。'),
    h('div.actions', input, h('label', archive, ' 归档目录中已没有的接口'), h('button.secondary.catalogue-preview', { type: 'button', onclick: preview }, '预览')),
    out);
}

function readOnly(o: ConfigObject): HTMLElement {
  return card(`${o.id}（${String(o.data.name ?? '')}）`,
    h('p.hint', o.managedBy === 'file'
      ? '此监测对象由配置文件管理，界面中只读：请修改配置文件（文件保存后自动重新加载），或将其从文件移出后用 config import 导入到配置库。'
      : '您的角色只能查看。'),
    h('pre.config-json', JSON.stringify(o.data, null, 2)));
}

/** The form of one http interface; the fields it does not show are kept as they are. */
function targetForm(ctx: PageCtx, o: ConfigObject | null, moduleIds: string[], done: (id: string) => void): HTMLElement {
  const d: ObjectData = o ? structuredClone(o.data) : { type: 'http', interval: '30s', spec: {} };
  const spec = (d.spec ?? {}) as Record<string, unknown>;
  const json = ((spec.json as Record<string, unknown>[] | undefined) ?? [])[0] ?? {};
  const field = (name: string, label: string, input: HTMLElement, hint?: string) =>
    h('label.field', { 'data-field': name }, h('span', label), input, hint ? h('small.hint', hint) : null, h('div.field-error', { role: 'alert' }));
  const text = (name: string, value: unknown, attrs: Record<string, unknown> = {}) => h('input', { name, value: value === undefined || value === null ? '' : String(value), ...attrs });
  const inputs = {
    id: text('id', d.id, o ? { readonly: true } : { placeholder: '如 share-api-query' }),
    name: text('name', d.name, { placeholder: '如 共享交换平台查询接口' }),
    module: h('select', { name: 'module' }, (moduleIds.length ? moduleIds : ['']).map((m) => h('option', { value: m, selected: m === d.module }, m))),
    interval: text('interval', d.interval ?? '30s'),
    url: text('url', spec.url, { placeholder: 'https://…' }),
    expectStatus: text('expectStatus', ((spec.expectStatus as unknown[] | undefined) ?? ['2xx']).join(', ')),
    jsonPath: text('jsonPath', json.path, { placeholder: '如 $.code（可不填）' }),
    jsonEquals: text('jsonEquals', json.equals === undefined ? '' : JSON.stringify(json.equals), { placeholder: '如 0 或 "ok"' }),
    enabled: h('input', { name: 'enabled', type: 'checkbox', checked: d.enabled !== false }),
    reason: text('reason', '', { placeholder: '为什么改（记入版本历史）' }),
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
      const statuses = v('expectStatus').split(/[,，\s]+/).filter(Boolean).map((x) => (/^\d+$/.test(x) ? Number(x) : x));
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
        toast(r.version ? `已保存：${r.object.id} 版本 ${r.object.version}，已生效` : '没有变化');
        done(r.object.id);
      } catch (err) {
        showProblems(form, general, err);
      }
    },
  },
  h('h3', o ? `编辑 ${o.id}` : '新增接口（HTTP）'),
  field('id', '编号', inputs.id, '小写字母、数字、_ . -，不超过 64 个字符'),
  field('name', '名称', inputs.name),
  field('module', '所属模块', inputs.module),
  field('interval', '探测间隔', inputs.interval, '如 30s、1m、5m'),
  field('spec.url', '接口地址', inputs.url),
  field('spec.expectStatus', '期望状态码', inputs.expectStatus, '逗号分隔，如 200 或 2xx、200-299'),
  field('spec.json', 'JSON 断言：路径', inputs.jsonPath),
  field('spec.json.equals', 'JSON 断言：应等于', inputs.jsonEquals, 'JSON 值：数字、"文字"、true'),
  field('enabled', '启用', inputs.enabled),
  field('reason', '修改说明', inputs.reason),
  general,
  h('div.actions',
    h('button.save', { type: 'submit' }, '保存'),
    o ? h('button.secondary.toggle', { type: 'button', onclick: () => act(() => api.config.setEnabled('target', o.id, o.data.enabled === false), o.data.enabled === false ? '已启用' : '已停用', ctx) }, o.data.enabled === false ? '启用' : '停用') : null,
    o ? h('button.secondary.clone', { type: 'button', onclick: async () => {
      const newId = prompt('新监测对象的编号', `${o.id}-copy`);
      if (newId) await act(() => api.config.clone('target', o.id, newId), `已复制为 ${newId}`, ctx);
    } }, '复制') : null,
    o ? h('button.secondary.danger.archive', { type: 'button', onclick: async () => {
      if (confirm(`归档 ${o.id}？它将停止探测，历史数据与版本记录保留。`)) await act(() => api.config.archive('target', o.id), '已归档', { rerender: () => (location.hash = buildHash({ page: 'config', params: {} })) });
    } }, '归档') : null));
  return card(o ? '编辑监测对象' : '新增监测对象', form);
}

/** The server's problems, each under its field ("spec.expectStatus[0]" goes to spec.expectStatus); the rest above the buttons. */
function showProblems(form: HTMLElement, general: HTMLElement, err: unknown) {
  const problems = err instanceof ApiError ? err.problems : [];
  const fields = [...form.querySelectorAll<HTMLElement>('[data-field]')].map((el) => el.dataset.field!).sort((a, b) => b.length - a.length);
  const rest: string[] = [];
  for (const p of problems) {
    const f = p.object && p.object.kind !== 'target' ? undefined : fields.find((x) => p.field === x || p.field.startsWith(x + '.') || p.field.startsWith(x + '['));
    const el = f ? form.querySelector<HTMLElement>(`[data-field="${f}"] .field-error`) : null;
    if (el) el.textContent = (el.textContent ? el.textContent + '；' : '') + p.message;
    else rest.push(`${p.field || '（整体）'}：${p.message}`);
  }
  general.textContent = problems.length ? (rest.length ? rest.join('\n') : '请按提示改正标红的字段') : `保存失败：${(err as Error).message}`;
  toast(`未保存：${(err as Error).message}`, 'error');
}

async function historyCard(ctx: PageCtx, o: ConfigObject): Promise<HTMLElement> {
  if (o.managedBy === 'file') return card('版本历史', h('p.hint', '由配置文件管理：历史在文件的版本库（如 Git）中。'));
  const hist = (await api.config.history('target', o.id))?.items ?? [];
  const ACTION: Record<string, string> = { create: '新建', update: '修改', enable: '启用', disable: '停用', delete: '归档', rollback: '回滚', import: '导入' };
  const mayWrite = ctx.can('targets:write');
  return card('版本历史', table(hist, [
    ['版本', (v: ConfigVersion) => String(v.version)],
    ['操作', (v) => ACTION[v.action] ?? v.action],
    ['修改人', (v) => v.actor],
    ['时间', (v) => fmtTime(v.ts, true)],
    ['说明', (v) => v.reason || '—'],
    ['变化', (v) => h('ul.diff', v.diff.map((c) => h('li', `${c.path}：${c.before === undefined ? '（无）' : fmtJson(c.before)} → ${c.after === undefined ? '（无）' : fmtJson(c.after)}`)))],
    ['', (v) => (mayWrite && v.version !== o.version && v.after
      ? h('button.small.secondary.rollback', { type: 'button', 'data-version': v.version, onclick: () => act(() => api.config.rollback('target', o.id, v.version), `已回滚到版本 ${v.version}`, ctx) }, '回滚到此版本')
      : null)],
  ], { empty: '暂无版本', cls: 'config-history' }));
}
