/**
 * 数据直报 → 导入: a file (CSV in UTF-8 or GBK, Excel .xlsx, JSON Lines) uploaded to POST /api/reporter/imports with the upload's
 * progress, the result (accepted / rejected / waiting / warnings) and the report in three parts to download; and the
 * recent imports with the same links. The server does the import (the same pipeline as app/cli/import.ts).
 */
import { api } from '../api';
import type { DataType, ImportFindingKind, ImportRecord } from '../../../contract/reporter';
import type { Page } from '../../../contract/common';
import { card, fmtBytes, fmtNum, fmtTime, h, table } from '../ui';
import type { PageCtx } from '../page-ctx';

const TYPES: [DataType, string][] = [['ITEM', '监管事项（ITEM）'], ['OFFICER', '执法人员（OFFICER）'], ['INSPECTION', '行政检查行为（INSPECTION）'], ['PENALTY', '行政处罚行为（PENALTY）'], ['COERCION', '行政强制行为（COERCION）']];
const TYPE_ZH: Record<string, string> = { ITEM: '监管事项', INSPECTION: '检查行为', PENALTY: '处罚行为', COERCION: '强制行为', OFFICER: '执法人员' };
const PARTS: [ImportFindingKind, string][] = [['error', '待更正的错误'], ['waiting', '等待关联记录'], ['warning', '警告']];
const STATUS_ZH: Record<string, string> = { running: '导入中', done: '完成', failed: '失败' };

/** The last upload's answer (or error), shown again after the page re-renders with the new import in the list. */
let last: { rec?: ImportRecord; error?: string } | null = null;

/** The three report parts of an import as download links, each with its line count. */
function reportLinks(r: ImportRecord): HTMLElement {
  return h('span.import-links', PARTS.map(([k, zh]) =>
    r.findings[k] > 0
      ? h('a.button.small.secondary', { class: `dl-${k}`, href: api.reporter.importReportUrl(r.id, k), download: `导入${r.id}-${zh}.csv` }, `${zh} ${fmtNum(r.findings[k])} 条（CSV）`)
      : h('span.muted', { class: `dl-${k}` }, `${zh} 0 条 `)),
    r.findings.error + r.findings.waiting + r.findings.warning > 0
      ? [' ', h('a.button.small.secondary.dl-xlsx', { href: api.reporter.importReportXlsxUrl(r.id), download: `导入${r.id}-错误报告.xlsx` }, '三部分（Excel）')]
      : null);
}

/** The whole correction queue's report: the three parts as CSV each, or one workbook. */
export function queueReportLinks(): HTMLElement {
  return h('p.queue-links', '下载整个更正队列的报告：',
    PARTS.map(([k, zh]) => [h('a.button.small.secondary', { class: `qdl-${k}`, href: api.reporter.queueReportUrl(k), download: `更正队列-${zh}.csv` }, `${zh}（CSV）`), ' ']),
    h('a.button.small.secondary.qdl-xlsx', { href: api.reporter.queueReportUrl(), download: '更正队列-错误报告.xlsx' }, '三部分（Excel）'));
}

function resultView(r: ImportRecord): HTMLElement {
  return h('div.import-result', { 'data-import-id': String(r.id) },
    h('p',
      h('strong', `导入 #${r.id} ${TYPE_ZH[r.dataType] ?? r.dataType} ${STATUS_ZH[r.status] ?? r.status}：`),
      `${fmtNum(r.rows)} 行；`,
      h('span.n-accepted', `接受 ${fmtNum(r.accepted)}`), '，',
      h('span.n-rejected', `拒绝 ${fmtNum(r.rejected)}`), '，',
      h('span.n-waiting', `等待关联记录 ${fmtNum(r.heldReference)}`), '，',
      h('span.n-warned', `带警告 ${fmtNum(r.warned)}`), '，',
      `未变化 ${fmtNum(r.unchanged)}`,
      r.encoding ? (r.encoding === 'xlsx' ? '（Excel 工作簿）' : `（${r.encoding === 'gb18030' ? 'GBK' : 'UTF-8'} 编码）`) : ''),
    r.error ? h('p.err', r.error) : null,
    r.unknownColumns.length ? h('p.muted', `未识别的列（已忽略）：${r.unknownColumns.join('、')}`) : null,
    h('p', reportLinks(r)));
}

export function importCard(ctx: PageCtx, recent: Page<ImportRecord> | null): HTMLElement {
  const canImport = ctx.can('reporter:ingest');
  const type = h('select.import-type', { name: 'type' }, TYPES.map(([v, zh]) => h('option', { value: v }, zh))) as HTMLSelectElement;
  const file = h('input.import-file', { type: 'file', name: 'file', accept: '.csv,.txt,.jsonl,.ndjson,.xlsx' }) as HTMLInputElement;
  const encoding = h('select.import-encoding', { name: 'encoding' },
    h('option', { value: 'auto' }, '自动识别编码'), h('option', { value: 'utf-8' }, 'UTF-8'), h('option', { value: 'gbk' }, 'GBK')) as HTMLSelectElement;
  const progress = h('progress.import-progress', { max: '100', value: '0', hidden: true }) as HTMLProgressElement;
  const state = h('span.import-state.muted');
  const out = h('div.import-out', last?.rec ? resultView(last.rec) : last?.error ? h('p.err.import-error', last.error) : null);
  const button = h('button.small.import-go', { type: 'submit' }, '导入') as HTMLButtonElement;

  const submit = async (e: Event) => {
    e.preventDefault();
    const f = file.files?.[0];
    if (!f) {
      state.textContent = '请选择要导入的文件';
      return;
    }
    button.disabled = true;
    progress.hidden = false;
    progress.value = 0;
    state.textContent = `上传 ${f.name}…`;
    out.replaceChildren();
    try {
      const rec = await api.reporter.upload(type.value as DataType, f, {
        encoding: encoding.value,
        onProgress: (sent, total) => {
          progress.value = total ? Math.round((100 * sent) / total) : 0;
          state.textContent = sent >= total ? '服务器校验、入库中…' : `已上传 ${fmtBytes(sent)} / ${fmtBytes(total)}`;
        },
      });
      last = { rec };
    } catch (err) {
      last = { error: `导入失败：${(err as Error).message}` };
    }
    ctx.rerender();
  };

  const form = canImport
    ? h('form.import-form', { onsubmit: submit },
        h('label', '类型 ', type), ' ', h('label', '文件 ', file), ' ', h('label', '编码 ', encoding), ' ', button, ' ', progress, ' ', state,
        h('p.muted', 'CSV（首行为数据标准的中文列名，UTF-8 或 GBK 均可）、Excel 工作簿 .xlsx（第一个工作表，首行为同样的列名；以 0 开头的代码请设为文本格式）或 JSON Lines（每行一条记录）。'
          + '导入在服务器上进行，不影响监测和上报；被拒绝的行也会保存，改正后重新导入即可。'))
    : h('p.muted', '导入需要"数据录入"权限（regulator）。');

  return card('导入文件',
    form,
    out,
    h('h4', '最近导入'),
    table(recent?.items ?? [], [
      ['编号', (r) => `#${r.id}`],
      ['时间', (r) => fmtTime(r.startedAt)],
      ['类型', (r) => TYPE_ZH[r.dataType] ?? r.dataType],
      ['文件', (r) => r.fileName ?? '—'],
      ['方式', (r) => (r.via === 'api' ? '页面/接口' : '命令行')],
      ['状态', (r) => h(`span.badge.${r.status === 'done' ? 's-up' : r.status === 'running' ? 's-pending' : 's-down'}`, STATUS_ZH[r.status] ?? r.status)],
      ['行 / 接受 / 拒绝 / 等待 / 警告', (r) => `${fmtNum(r.rows)} / ${fmtNum(r.accepted)} / ${fmtNum(r.rejected)} / ${fmtNum(r.heldReference)} / ${fmtNum(r.warned)}`],
      ['报告', (r) => (r.error ? h('span.err', r.error) : reportLinks(r))],
    ], { empty: '暂无导入', cls: 'imports' }));
}
