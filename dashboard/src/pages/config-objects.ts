import { api } from '../api';
import type { ConfigKindName, ConfigObject, ObjectData } from '../api/config';
import { act, card, failed, fmtTime, got, h, loaded, toast } from '../ui';
import { t as tr, type Key } from '../i18n';
import { listTable } from '../list-table';
import { buildHash } from '../router';
import type { PageCtx } from '../page-ctx';
import { bulkEnableActions, field, getPath, historyCard, kindTabs, mask, readOnly, setPath, showProblems } from './config-form';

/**
 * 配置 → 模块 / 告警规则 / 接收者 (README: 统一配置): the other kinds of the configuration store beside the targets
 * (pages/config.ts). A list searched and paged by the server, a form with the common keys as fields and every other
 * key in a JSON text area, 保存 / 停用 / 复制 / 归档, and the version history with 回滚到此版本. Objects of the file
 * and objects the role may not write are shown read-only (the server says which: `mayWrite`); a receiver's secrets
 * are shown as *** and kept as stored when saved unchanged. #/config/<id>?kind=rule opens one.
 */
export const CONFIG_KINDS = ['target', 'module', 'rule', 'receiver'] as const;
export type ObjKind = Exclude<(typeof CONFIG_KINDS)[number], 'target'>;

/** One field of a form: where it is in the object, how it is typed in. */
interface FieldSpec {
  path: string;
  label: Key;
  hint?: Key;
  input: 'text' | 'number' | 'list' | 'bool' | 'json' | { options: [string, Key | null][] } | { suggest: string[] };
}
const TEAM_OPTIONS: [string, Key | null][] = [['', 'cfgobj.teamDefault'], ['ops', 'role.ops'], ['security', 'role.security'], ['regulator', 'role.regulator']];
const RULE_TYPES = ['target_down', 'module_down', 'availability', 'latency', 'cert_expiry', 'content', 'dns_changed', 'heartbeat', 'database_unreachable', 'self_health',
  'event_count', 'event_value', 'browser_errors', 'web_vital', 'call_error_rate', 'call_latency', 'call_off_hours_bulk', 'call_volume_baseline', 'call_first_caller', 'call_records_per_call', 'notice_overdue'];

const KINDS: Record<ObjKind, { idKey: string; fields: FieldSpec[]; blank: ObjectData; enabled?: boolean; cols: { title: Key; cell(o: ConfigObject): string | HTMLElement }[] }> = {
  module: {
    idKey: 'id', blank: {},
    fields: [
      { path: 'id', label: 'config.col.id', hint: 'config.hint.id', input: 'text' },
      { path: 'name', label: 'config.col.name', input: 'text' },
      { path: 'description', label: 'cfgobj.f.description', input: 'text' },
      { path: 'slo', label: 'cfgobj.f.slo', hint: 'cfgobj.hint.slo', input: 'number' },
      { path: 'tags.department', label: 'config.col.department', input: 'text' },
      { path: 'tags.criticality', label: 'cfgobj.f.criticality', input: { options: [['', 'cfgobj.defaultMedium'], ['low', 'cfgobj.crit.low'], ['medium', 'cfgobj.crit.medium'], ['high', 'cfgobj.crit.high'], ['critical', 'cfgobj.crit.critical']] } },
      { path: 'tags.dependsOn', label: 'cfgobj.f.dependsOn', hint: 'cfgobj.hint.list', input: 'list' },
    ],
    cols: [
      { title: 'config.col.id', cell: (o) => String(o.data.id ?? o.id) },
      { title: 'config.col.name', cell: (o) => String(o.data.name ?? '') },
      { title: 'config.col.department', cell: (o) => String(getPath(o.data, 'tags.department') ?? '') || '—' },
      { title: 'cfgobj.f.criticality', cell: (o) => String(getPath(o.data, 'tags.criticality') ?? '') || '—' },
      { title: 'cfgobj.f.slo', cell: (o) => (o.data.slo === undefined ? '—' : `${o.data.slo}%`) },
    ],
  },
  rule: {
    idKey: 'name', blank: { type: 'target_down' }, enabled: true,
    fields: [
      { path: 'name', label: 'cfgobj.f.ruleName', hint: 'cfgobj.hint.ruleName', input: 'text' },
      { path: 'type', label: 'config.col.type', hint: 'cfgobj.hint.ruleType', input: { suggest: RULE_TYPES } },
      { path: 'severity', label: 'cfgobj.f.severity', input: { options: [['', 'cfgobj.defaultWarning'], ['info', 'cfgobj.sev.info'], ['warning', 'cfgobj.sev.warning'], ['critical', 'cfgobj.sev.critical']] } },
      { path: 'team', label: 'cfgobj.f.team', hint: 'cfgobj.hint.team', input: { options: TEAM_OPTIONS } },
      { path: 'for', label: 'cfgobj.f.for', hint: 'cfgobj.hint.for', input: 'text' },
      { path: 'modules', label: 'cfgobj.f.modules', hint: 'cfgobj.hint.list', input: 'list' },
      { path: 'targets', label: 'cfgobj.f.targets', hint: 'cfgobj.hint.list', input: 'list' },
      { path: 'summary', label: 'cfgobj.f.summary', hint: 'cfgobj.hint.summary', input: 'text' },
      { path: 'enabled', label: 'config.on', input: 'bool' },
    ],
    cols: [
      { title: 'cfgobj.f.ruleName', cell: (o) => o.id },
      { title: 'config.col.type', cell: (o) => String(o.data.type ?? '') },
      { title: 'cfgobj.f.severity', cell: (o) => String(o.data.severity ?? 'warning') },
      { title: 'cfgobj.f.team', cell: (o) => String(o.data.team ?? '') || tr('cfgobj.teamDefault') },
      { title: 'config.col.state', cell: (o) => (o.data.enabled === false ? h('span.badge.s-unknown', tr('config.off')) : h('span.badge.s-up', tr('config.on'))) },
    ],
  },
  receiver: {
    idKey: 'name', blank: { channels: [] },
    fields: [
      { path: 'name', label: 'cfgobj.f.receiverName', input: 'text' },
      { path: 'team', label: 'cfgobj.f.team', hint: 'cfgobj.hint.receiverTeam', input: { options: [['', 'cfgobj.teamShared'], ...TEAM_OPTIONS.slice(1)] } },
      { path: 'channels', label: 'cfgobj.f.channels', hint: 'cfgobj.hint.channels', input: 'json' },
    ],
    cols: [
      { title: 'cfgobj.f.receiverName', cell: (o) => o.id },
      { title: 'cfgobj.f.team', cell: (o) => String(o.data.team ?? '') || tr('cfgobj.teamShared') },
      { title: 'cfgobj.f.channels', cell: (o) => (Array.isArray(o.data.channels) ? o.data.channels.map((c) => String((c as Record<string, unknown>)?.type ?? '?')).join(', ') : '') || '—' },
    ],
  },
};

/** May this role create an object of the kind at all (the server decides per object: a rule by its team)? */
const mayCreate = (ctx: PageCtx, kind: ObjKind) =>
  kind === 'module' ? ctx.can('targets:write') : ctx.can('alerts:ops:write') || ctx.can('alerts:security:write') || ctx.can('alerts:regulator:write');

export async function renderConfigObjects(ctx: PageCtx, kind: ObjKind): Promise<HTMLElement> {
  const id = ctx.route.arg;
  const spec = KINDS[kind];
  const [firstG, chosenG] = await Promise.all([
    got(api.config.page(kind, { limit: 50, offset: 0 })),
    got(id ? api.config.get(kind, id) : Promise.resolve(null)),
  ]);
  const first = firstG.v;
  const chosen = chosenG.v;
  const canCreate = mayCreate(ctx, kind);
  const open = (arg?: string, params: Record<string, string> = {}) => (location.hash = buildHash({ page: 'config', arg, params: { kind, ...params } }));
  const list = card(
    tr(`cfgobj.list.${kind}` as Key, { n: first?.total ?? 0 }),
    canCreate ? h('div.actions', h('button.add-object', { type: 'button', onclick: () => open(undefined, { new: '1' }) }, tr(`cfgobj.add.${kind}` as Key))) : null,
    loaded(firstG, tr(`cfgobj.what.${kind}` as Key), ctx, () => listTable<ConfigObject>({
      cls: `config-objects config-${kind}s`,
      pageSize: 50,
      search: tr('cfgobj.search'),
      filters: [
        ...(spec.enabled ? [{ name: 'enabled', label: tr('config.col.state'), options: [['on', tr('config.on')], ['off', tr('config.off')]] as [string, string][] }] : []),
        { name: 'managed', label: tr('config.col.managed'), options: [['ui', tr('config.managed.ui')], ['file', tr('config.managed.file')]] },
      ],
      initial: first,
      load: (q) => api.config.page(kind, q),
      // Rules switch on and off many at once (POST …/rules/bulk); those the role may not write cannot be selected.
      select: spec.enabled && canCreate ? {
        key: (o) => o.id,
        can: (o) => o.mayWrite === true,
        actions: bulkEnableActions(ctx, kind),
      } : undefined,
      cols: [
        ...spec.cols.map((c, i) => ({ title: tr(c.title), cell: i === 0 ? (o: ConfigObject) => h('a.object-link', { href: buildHash({ page: 'config', arg: o.id, params: { kind } }) }, c.cell(o)) : c.cell })),
        { title: tr('config.col.managed'), cell: (o) => (o.managedBy === 'file' ? h('span.managed-file', tr('config.fileReadOnly')) : h('span.managed-ui', tr('config.uiVersion', { v: o.version }))) },
        { title: tr('config.col.updated'), cell: (o) => (o.updatedAt ? `${fmtTime(o.updatedAt)} ${o.updatedBy ?? ''}` : '—') },
      ],
      empty: tr('cfgobj.none'),
    })),
  );
  const parts: HTMLElement[] = [list];
  const title = (o: ConfigObject) => tr('cfgobj.title', { kind: tr(`cfgobj.kind.${kind}` as Key), id: o.id });
  if (ctx.route.params.new === '1' && canCreate) parts.unshift(objectForm(ctx, kind, null, (saved) => open(saved)));
  else if (chosen) {
    const may = chosen.managedBy === 'ui' && chosen.mayWrite === true;
    parts.unshift(may ? objectForm(ctx, kind, chosen, () => ctx.rerender()) : readOnly(chosen, title(chosen)), await historyCard(ctx, kind, chosen, may));
  } else if (id && chosenG.error) parts.unshift(failed(tr(`cfgobj.what.${kind}` as Key), chosenG.error, () => ctx.rerender()));
  else if (id && !firstG.error) parts.unshift(card(tr('config.missing'), h('p', tr('cfgobj.missing', { kind: tr(`cfgobj.kind.${kind}` as Key), id }))));
  return h('div.page.config', kindTabs(kind), ...parts);
}

/** The form of one object: its common keys as fields, every other key as JSON (kept as it is when not touched). */
function objectForm(ctx: PageCtx, kind: ObjKind, o: ConfigObject | null, done: (id: string) => void): HTMLElement {
  const spec = KINDS[kind];
  // A receiver's secrets are shown as *** (the server keeps the stored value when *** comes back).
  const d: ObjectData = structuredClone(o ? (kind === 'receiver' ? (mask(o.data) as ObjectData) : o.data) : spec.blank);
  const rest: ObjectData = structuredClone(d);
  for (const f of spec.fields) setPath(rest, f.path, undefined);
  const inputs = new Map<string, HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>();
  const rows = spec.fields.map((f) => {
    const v = getPath(d, f.path);
    let el: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
    if (f.input === 'bool') el = h('input', { name: f.path, type: 'checkbox', checked: v !== false }) as HTMLInputElement;
    else if (f.input === 'json') el = h('textarea.json', { name: f.path, rows: 6, spellcheck: 'false' }, v === undefined ? '' : JSON.stringify(v, null, 2)) as HTMLTextAreaElement;
    else if (typeof f.input === 'object' && 'options' in f.input) {
      el = h('select', { name: f.path }, f.input.options.map(([value, label]) => h('option', { value, selected: String(v ?? '') === value }, label ? tr(label) : value))) as HTMLSelectElement;
    } else if (typeof f.input === 'object' && 'suggest' in f.input) {
      el = h('input', { name: f.path, value: v === undefined ? '' : String(v), list: `suggest-${kind}-${f.path}` }) as HTMLInputElement;
    } else {
      const text = v === undefined || v === null ? '' : Array.isArray(v) ? v.join(', ') : String(v);
      el = h('input', { name: f.path, value: text, ...(f.input === 'number' ? { inputmode: 'decimal' } : {}), ...(o && f.path === spec.idKey ? { readonly: true } : {}) }) as HTMLInputElement;
    }
    inputs.set(f.path, el);
    const datalist = typeof f.input === 'object' && 'suggest' in f.input ? h('datalist', { id: `suggest-${kind}-${f.path}` }, f.input.suggest.map((s) => h('option', { value: s }))) : null;
    return field(f.path, tr(f.label), datalist ? h('span.with-list', el, datalist) : el, f.hint ? tr(f.hint) : undefined);
  });
  const restArea = h('textarea.json.rest', { name: 'rest', rows: 6, spellcheck: 'false' }, Object.keys(rest).length ? JSON.stringify(rest, null, 2) : '') as HTMLTextAreaElement;
  const reason = h('input', { name: 'reason', placeholder: tr('config.ph.reason') }) as HTMLInputElement;
  const general = h('div.form-error', { role: 'alert' });
  const form = h('form.config-form.object-form', {
    'data-kind': kind,
    onsubmit: async (e: Event) => {
      e.preventDefault();
      form.querySelectorAll('.field-error').forEach((x) => (x.textContent = ''));
      general.textContent = '';
      const local = (path: string, key: Key) => {
        const el = form.querySelector<HTMLElement>(`[data-field="${path}"] .field-error`);
        if (el) el.textContent = tr(key);
      };
      let next: ObjectData = {};
      let bad = false;
      const json = (text: string, path: string): unknown => {
        try {
          return text.trim() ? JSON.parse(text) : undefined;
        } catch {
          local(path, 'cfgobj.badJson');
          bad = true;
          return undefined;
        }
      };
      const r = json(restArea.value, '*');
      if (r !== undefined && (typeof r !== 'object' || Array.isArray(r) || r === null)) {
        local('*', 'cfgobj.restObject');
        bad = true;
      } else if (r) next = r as ObjectData;
      for (const f of spec.fields) {
        const el = inputs.get(f.path)!;
        const raw = el.value.trim();
        let v: unknown;
        if (f.input === 'bool') v = (el as HTMLInputElement).checked ? undefined : false;
        else if (f.input === 'json') v = json(el.value, f.path);
        else if (f.input === 'list') v = raw ? raw.split(/[,\uff0c\s]+/).filter(Boolean) : undefined;
        else if (f.input === 'number') v = raw === '' ? undefined : Number.isFinite(Number(raw)) ? Number(raw) : raw;
        else v = raw === '' ? undefined : raw;
        setPath(next, f.path, v);
      }
      if (bad) {
        general.textContent = tr('config.fixFields');
        return;
      }
      try {
        const w = o ? await api.config.update(kind, o.id, next, reason.value.trim()) : await api.config.create(kind, next, reason.value.trim());
        toast(w.version ? tr('config.saved', { id: w.object.id, v: w.object.version }) : tr('config.noChange'));
        done(w.object.id);
      } catch (err) {
        showProblems(form, general, err, kind);
      }
    },
  },
  h('h3', o ? tr('config.editId', { id: o.id }) : tr(`cfgobj.add.${kind}` as Key)),
  rows,
  field('*', tr('cfgobj.f.rest'), restArea, tr(`cfgobj.hint.rest.${kind}` as Key)),
  field('reason', tr('config.field.reason'), reason),
  general,
  h('div.actions',
    h('button.save', { type: 'submit' }, tr('config.save')),
    o && spec.enabled ? h('button.secondary.toggle', { type: 'button', onclick: () => act(() => api.config.setEnabled(kind, o.id, o.data.enabled === false), o.data.enabled === false ? tr('config.enabled') : tr('config.disabled'), ctx) }, o.data.enabled === false ? tr('config.enable') : tr('config.disable')) : null,
    o ? h('button.secondary.clone', { type: 'button', onclick: async () => {
      const newId = prompt(tr('cfgobj.clonePrompt'), `${o.id}-copy`);
      if (newId) await act(() => api.config.clone(kind, o.id, newId), tr('config.cloned', { id: newId }), { rerender: () => (location.hash = buildHash({ page: 'config', arg: newId, params: { kind } })) });
    } }, tr('config.clone')) : null,
    o ? h('button.secondary.danger.archive', { type: 'button', onclick: async () => {
      if (confirm(tr('cfgobj.archiveConfirm', { id: o.id }))) await act(() => api.config.archive(kind, o.id), tr('config.archived'), { rerender: () => (location.hash = buildHash({ page: 'config', params: { kind } })) });
    } }, tr('config.archive')) : null));
  return card(o ? tr(`cfgobj.edit.${kind}` as Key) : tr(`cfgobj.add.${kind}` as Key), form);
}
