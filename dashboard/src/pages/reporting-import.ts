/**
 * 数据直报 → 导入: a file (CSV in UTF-8 or GBK, Excel .xlsx, JSON Lines) uploaded to POST /api/reporter/imports with the upload's
 * progress, the result (accepted / rejected / waiting / warnings) and the report in three parts to download; and the
 * recent imports with the same links. The server does the import (the same pipeline as app/cli/import.ts).
 */
import { api } from '../api';
import type { DataType, ImportFindingKind, ImportRecord } from '../../../contract/reporter';
import type { Page } from '../../../contract/common';
import { card, failed, fmtBytes, fmtNum, fmtTime, h, table } from '../ui';
import { hasKey, t as tr, type Key } from '../i18n';
import type { PageCtx } from '../page-ctx';

const TYPES: DataType[] = ['ITEM', 'OFFICER', 'INSPECTION', 'PENALTY', 'COERCION'];
const PARTS: ImportFindingKind[] = ['error', 'waiting', 'warning'];
/** The catalogue's word for a code (`prefix.code`), the code itself when it has none. */
const word = (prefix: string, code: string) => (hasKey(`${prefix}.${code}`) ? tr(`${prefix}.${code}` as Key) : code);
const typeName = (t: string) => word('reporting.type', t);
const statusName = (s: string) => word('reporting.import.status', s);
const partName = (k: ImportFindingKind) => tr(`reporting.import.part.${k}`);

/** The last upload's answer (or error), shown again after the page re-renders with the new import in the list. */
let last: { rec?: ImportRecord; error?: string } | null = null;

/** The three report parts of an import as download links, each with its line count. */
function reportLinks(r: ImportRecord): HTMLElement {
  return h('span.import-links', PARTS.map((k) =>
    r.findings[k] > 0
      ? h('a.button.small.secondary', { class: `dl-${k}`, href: api.reporter.importReportUrl(r.id, k), download: tr('reporting.import.partFile', { id: r.id, part: partName(k) }) }, tr('reporting.import.partLink', { part: partName(k), n: fmtNum(r.findings[k]) }))
      : h('span.muted', { class: `dl-${k}` }, tr('reporting.import.partNone', { part: partName(k) }))),
    r.findings.error + r.findings.waiting + r.findings.warning > 0
      ? [' ', h('a.button.small.secondary.dl-xlsx', { href: api.reporter.importReportXlsxUrl(r.id), download: tr('reporting.import.xlsxFile', { id: r.id }) }, tr('reporting.import.xlsx'))]
      : null);
}

/** The whole correction queue's report: the three parts as CSV each, or one workbook. */
export function queueReportLinks(): HTMLElement {
  return h('p.queue-links', tr('reporting.import.queueLinks'),
    PARTS.map((k) => [h('a.button.small.secondary', { class: `qdl-${k}`, href: api.reporter.queueReportUrl(k), download: tr('reporting.import.queueFile', { part: partName(k) }) }, tr('reporting.import.queueLink', { part: partName(k) })), ' ']),
    h('a.button.small.secondary.qdl-xlsx', { href: api.reporter.queueReportUrl(), download: tr('reporting.import.queueXlsxFile') }, tr('reporting.import.xlsx')));
}

function resultView(r: ImportRecord): HTMLElement {
  return h('div.import-result', { 'data-import-id': String(r.id) },
    h('p',
      h('strong', tr('reporting.import.resultHead', { id: r.id, type: typeName(r.dataType), status: statusName(r.status) })),
      tr('reporting.import.rows', { n: fmtNum(r.rows) }),
      h('span.n-accepted', tr('reporting.import.accepted', { n: fmtNum(r.accepted) })), tr('reporting.import.sep'),
      h('span.n-rejected', tr('reporting.import.rejected', { n: fmtNum(r.rejected) })), tr('reporting.import.sep'),
      h('span.n-waiting', tr('reporting.import.waiting', { n: fmtNum(r.heldReference) })), tr('reporting.import.sep'),
      h('span.n-warned', tr('reporting.import.warned', { n: fmtNum(r.warned) })), tr('reporting.import.sep'),
      tr('reporting.import.unchanged', { n: fmtNum(r.unchanged) }),
      r.encoding ? (r.encoding === 'xlsx' ? tr('reporting.import.xlsxBook') : tr('reporting.import.encoding', { enc: r.encoding === 'gb18030' ? 'GBK' : 'UTF-8' })) : ''),
    r.error ? h('p.err', r.error) : null,
    r.unknownColumns.length ? h('p.muted', tr('reporting.import.unknownCols', { list: r.unknownColumns.join(tr('reporting.import.listSep')) })) : null,
    h('p', reportLinks(r)));
}

/** The import form and the recent imports; `error` is the recent list's failed request (shown with 重试). */
export function importCard(ctx: PageCtx, recent: Page<ImportRecord> | null, error?: unknown): HTMLElement {
  const canImport = ctx.can('reporter:ingest');
  const type = h('select.import-type', { name: 'type' }, TYPES.map((v) => h('option', { value: v }, tr(`reporting.import.typeOpt.${v}`)))) as HTMLSelectElement;
  const file = h('input.import-file', { type: 'file', name: 'file', accept: '.csv,.txt,.jsonl,.ndjson,.xlsx' }) as HTMLInputElement;
  const encoding = h('select.import-encoding', { name: 'encoding' },
    h('option', { value: 'auto' }, tr('reporting.import.autoEncoding')), h('option', { value: 'utf-8' }, 'UTF-8'), h('option', { value: 'gbk' }, 'GBK')) as HTMLSelectElement;
  const progress = h('progress.import-progress', { max: '100', value: '0', hidden: true }) as HTMLProgressElement;
  const state = h('span.import-state.muted');
  const out = h('div.import-out', last?.rec ? resultView(last.rec) : last?.error ? h('p.err.import-error', last.error) : null);
  const button = h('button.small.import-go', { type: 'submit' }, tr('reporting.import.go')) as HTMLButtonElement;

  const submit = async (e: Event) => {
    e.preventDefault();
    const f = file.files?.[0];
    if (!f) {
      state.textContent = tr('reporting.import.pickFile');
      return;
    }
    button.disabled = true;
    progress.hidden = false;
    progress.value = 0;
    state.textContent = tr('reporting.import.uploading', { name: f.name });
    out.replaceChildren();
    try {
      const rec = await api.reporter.upload(type.value as DataType, f, {
        encoding: encoding.value,
        onProgress: (sent, total) => {
          progress.value = total ? Math.round((100 * sent) / total) : 0;
          state.textContent = sent >= total ? tr('reporting.import.checking') : tr('reporting.import.uploaded', { sent: fmtBytes(sent), total: fmtBytes(total) });
        },
      });
      last = { rec };
    } catch (err) {
      last = { error: tr('reporting.import.failed', { msg: (err as Error).message }) };
    }
    ctx.rerender();
  };

  const form = canImport
    ? h('form.import-form', { onsubmit: submit },
        h('label', tr('reporting.import.type'), type), ' ', h('label', tr('reporting.import.file'), file), ' ', h('label', tr('reporting.import.enc'), encoding), ' ', button, ' ', progress, ' ', state,
        h('p.muted', tr('reporting.import.help')))
    : h('p.muted', tr('reporting.import.noPermission'));

  return card(tr('reporting.import.card'),
    form,
    out,
    h('h4', tr('reporting.import.recent')),
    error ? failed(tr('reporting.what.imports'), error, () => ctx.rerender()) : table(recent?.items ?? [], [
      [tr('reporting.import.col.id'), (r) => `#${r.id}`],
      [tr('reporting.import.col.time'), (r) => fmtTime(r.startedAt)],
      [tr('reporting.import.col.type'), (r) => typeName(r.dataType)],
      [tr('reporting.import.col.file'), (r) => r.fileName ?? '—'],
      [tr('reporting.import.col.via'), (r) => (r.via === 'api' ? tr('reporting.import.viaApi') : tr('reporting.import.viaCli'))],
      [tr('reporting.import.col.status'), (r) => h(`span.badge.${r.status === 'done' ? 's-up' : r.status === 'running' ? 's-pending' : 's-down'}`, statusName(r.status))],
      [tr('reporting.import.col.counts'), (r) => `${fmtNum(r.rows)} / ${fmtNum(r.accepted)} / ${fmtNum(r.rejected)} / ${fmtNum(r.heldReference)} / ${fmtNum(r.warned)}`],
      [tr('reporting.import.col.report'), (r) => (r.error ? h('span.err', r.error) : reportLinks(r))],
    ], { empty: tr('reporting.import.none'), cls: 'imports' }));
}
