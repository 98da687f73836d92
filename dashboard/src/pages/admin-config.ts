import { api, ApiError } from '../api';
import type { ConfigImportResult } from '../api/config';
import { card, fmtJson, h, table, toast } from '../ui';
import { hasKey, t as tr, type Key } from '../i18n';

/**
 * 管理 → 配置导出与导入 (README: 统一配置): 导出配置 downloads what runs as YAML (GET /api/config/export); the file is
 * edited, picked or pasted here, 预览差异 shows the exact diff against what runs (a dry run) with every problem at its
 * line and field, and 应用 applies the previewed text in one transaction (POST /api/config/import) — the same code as
 * `config export|import` on the command line.
 */
export function configExchangeCard(): HTMLElement {
  const text = h('textarea.config-yaml', { rows: 14, spellcheck: 'false', placeholder: tr('admin.cfg.paste') }) as HTMLTextAreaElement;
  const file = h('input.config-file', { type: 'file', accept: '.yaml,.yml,application/yaml,text/yaml' }) as HTMLInputElement;
  file.addEventListener('change', async () => {
    const f = file.files?.[0];
    if (f) text.value = await f.text();
  });
  const prune = h('input.config-prune', { type: 'checkbox' }) as HTMLInputElement;
  const reason = h('input.config-reason', { placeholder: tr('config.ph.reason') }) as HTMLInputElement;
  const out = h('div.config-import-result');
  // What was previewed: 应用 applies exactly that text (edited since: preview again).
  let previewed: { yaml: string; prune: boolean } | null = null;

  const kindName = (k: string) => (hasKey(`cfgobj.kind.${k}`) ? tr(`cfgobj.kind.${k}` as Key) : k);
  const OPS: Record<string, Key> = { create: 'admin.cfg.op.create', update: 'admin.cfg.op.update', delete: 'admin.cfg.op.delete', keep: 'admin.cfg.op.keep' };
  const show = (r: ConfigImportResult) => {
    const changes = r.changes.filter((c) => c.op !== 'keep');
    const kept = r.changes.length - changes.length;
    out.replaceChildren(...[
      h('p.config-import-summary', tr(r.applied ? 'admin.cfg.applied' : r.errors.length ? 'admin.cfg.hasErrors' : r.changed ? 'admin.cfg.willApply' : 'admin.cfg.noChange', {
        n: r.changed, create: r.counts.create, update: r.counts.update, delete: r.counts.delete, errors: r.errors.length,
      }) + (kept ? tr('admin.cfg.kept', { n: kept }) : '')),
      r.errors.length ? h('div', h('h4', tr('admin.cfg.errorsTitle')), table(r.errors, [
        [tr('admin.cfg.col.line'), (e) => (e.line ? String(e.line) : '—')],
        [tr('admin.cfg.col.object'), (e) => (e.object ? `${kindName(e.object.kind)} ${e.object.id}` : '—')],
        [tr('admin.cfg.col.field'), (e) => e.field || tr('config.whole')],
        [tr('config.cat.col.problem'), (e) => h('span.err', e.message)],
      ], { cls: 'config-import-errors' })) : null,
      changes.length ? h('div', h('h4', tr(r.applied ? 'admin.cfg.changesDone' : 'admin.cfg.changesWill')), table(changes, [
        [tr('config.cat.col.op'), (c) => h(`span.op-${c.op}`, tr(OPS[c.op]))],
        [tr('admin.cfg.col.kind'), (c) => kindName(c.kind)],
        [tr('config.col.id'), (c) => c.id],
        [tr('config.cat.col.diff'), (c) => h('ul.diff', c.diff.map((d) => h('li', tr('config.diff', {
          path: d.path, before: d.before === undefined ? tr('config.diffNone') : fmtJson(d.before), after: d.after === undefined ? tr('config.diffNone') : fmtJson(d.after),
        }))))],
      ], { cls: 'config-import-diff' })) : null,
      !r.applied && !r.errors.length && r.changed ? h('div.actions', h('button.config-apply', { type: 'button', onclick: apply }, tr('admin.cfg.apply'))) : null,
    ].filter((x): x is HTMLElement => !!x));
  };
  const run = async (dryRun: boolean) => {
    const yaml = dryRun ? text.value : previewed?.yaml ?? '';
    if (!yaml.trim()) return toast(tr('admin.cfg.empty'), 'error');
    try {
      const r = await api.config.importYaml(yaml, { dryRun, prune: dryRun ? prune.checked : previewed?.prune, reason: reason.value.trim() || undefined, name: file.files?.[0]?.name });
      previewed = dryRun && !r.errors.length ? { yaml, prune: prune.checked } : null;
      show(r);
      if (r.applied) toast(tr('admin.cfg.appliedToast', { n: r.changed }));
    } catch (err) {
      previewed = null;
      const problems = err instanceof ApiError ? err.problems : [];
      out.replaceChildren(h('p.err.config-import-refused', tr('admin.cfg.refused', { msg: problems[0]?.message ?? (err as Error).message })));
    }
  };
  async function apply() {
    if (!previewed || previewed.yaml !== text.value || previewed.prune !== prune.checked) return toast(tr('admin.cfg.previewAgain'), 'error');
    await run(false);
  }
  return card(tr('admin.cfg.title'),
    h('p.hint', tr('admin.cfg.help')),
    h('div.actions', h('a.button.secondary.config-export', { href: api.config.exportUrl, download: 'city-ops-config.yaml' }, tr('admin.cfg.export'))),
    h('div.actions', h('label', tr('admin.cfg.pick'), ' ', file)),
    text,
    h('div.actions', h('label', prune, tr('admin.cfg.prune')), reason,
      h('button.secondary.config-preview', { type: 'button', onclick: () => run(true) }, tr('admin.cfg.preview'))),
    out);
}
