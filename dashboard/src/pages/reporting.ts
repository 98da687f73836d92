import { api } from '../api';
import type { Correction, Finding, GatewayError, Reconciliation, RunKind, RunStatus } from '../../../contract/reporter';
import { card, chart, fmtDate, fmtNum, fmtPct, fmtTime, gauge, h, table, timeAxisOption } from '../ui';
import { addMonths, chinaDate, chinaDayStart } from '../../../core/china-time';
import type { PageCtx } from '../page-ctx';
import { setParams } from '../router';
import { importCard, queueReportLinks } from './reporting-import';
import { overall } from './reporting-indicators';
import { openCorrection, resendRecord, runNow, withdrawRecord } from './reporting-correct';

const TYPE_ZH: Record<string, string> = { ITEM: '监管事项', INSPECTION: '检查行为', PENALTY: '处罚行为', COERCION: '强制行为', OFFICER: '执法人员' };
const RUN_ZH: Record<RunStatus, string> = { ok: '成功', partial: '部分成功', failed: '失败', running: '运行中' };
const KIND_ZH: Record<RunKind | 'dry-run', string> = { incremental: '增量上报', full: '全量上报', reconcile: '对账', 'dry-run': '试运行' };

/** The province's periods are calendar months in UTC+8; the last six make the trend. */
function months(n: number): { from: string; to: string; label: string }[] {
  const first = addMonths(chinaDate(Date.now()), 0);
  return Array.from({ length: n }, (_, i) => {
    const from = addMonths(first, i - n + 1);
    return { from, to: addMonths(from, 1), label: from.slice(0, 7) };
  });
}

const OVERDUE_ZH: Record<string, string> = {
  city_invalid: '本市校验未通过',
  province_rejected: '省平台拒收',
  not_sent: '尚未上报',
  awaiting_verdict: '等待省平台回执',
};

/** Rows per page of the correction queue. */
const CPAGE = 200;

/** The queue's filter: type, reason code, department, who found it, text; applied on the server (GET /corrections). */
function queueFilter(cf: Record<string, string | undefined>): HTMLElement {
  const sel = (name: string, value: string | undefined, opts: [string, string][]) =>
    h(`select.${name}`, { name }, opts.map(([v, zh]) => h('option', { value: v, selected: v === (value ?? '') }, zh)));
  const type = sel('qf-type', cf.dataType, [['', '全部类型'], ...Object.entries(TYPE_ZH)]) as HTMLSelectElement;
  const found = sel('qf-found', cf.foundBy, [['', '全部发现方'], ['city', '本市校验'], ['province', '省平台拒收']]) as HTMLSelectElement;
  const code = h('input.qf-code', { name: 'qf-code', placeholder: '原因代码，如 E_CHECKSUM', value: cf.code ?? '', size: 18 }) as HTMLInputElement;
  const dept = h('input.qf-dept', { name: 'qf-dept', placeholder: '实施机构代码', value: cf.dept ?? '', size: 20 }) as HTMLInputElement;
  const text = h('input.qf-text', { name: 'qf-text', type: 'search', placeholder: '记录编码、原因或内容中的文字', value: cf.q ?? '', size: 24 }) as HTMLInputElement;
  const apply = (e: Event) => {
    e.preventDefault();
    setParams({ cq: text.value.trim() || undefined, ctype: type.value || undefined, ccode: code.value.trim().toUpperCase() || undefined, cdept: dept.value.trim() || undefined, cfound: found.value || undefined, coff: undefined });
  };
  return h('form.queue-filter', { onsubmit: apply }, type, ' ', found, ' ', code, ' ', dept, ' ', text, ' ',
    h('button.small.qf-go', { type: 'submit' }, '筛选'), ' ',
    h('button.small.secondary.qf-clear', { type: 'button', onclick: () => setParams({ cq: undefined, ctype: undefined, ccode: undefined, cdept: undefined, cfound: undefined, coff: undefined }) }, '清除'));
}

/** 数据直报: last and next run, batches over time, the four indicators, overdue, corrections, reconciliation. */
export async function renderReporting(ctx: PageCtx): Promise<HTMLElement> {
  const periods = months(6);
  // The queue's filter and page live in the address (cq text, ctype, ccode, cdept, cfound, coff), so that a refresh keeps them.
  const P = ctx.route.params;
  const cf = { q: P.cq, dataType: P.ctype, code: P.ccode, dept: P.cdept, foundBy: P.cfound };
  const filtered = Object.values(cf).some(Boolean);
  const coff = Math.max(0, Number(P.coff) || 0);
  const [imports, status, batches, corrections, queueAll, recon, runs, overdueList, ...inds] = await Promise.all([
    api.reporter.imports().catch(() => null),
    api.reporter.status().catch(() => null),
    api.reporter.batches().catch(() => null),
    api.reporter.corrections({ ...cf, limit: CPAGE, offset: coff }).catch(() => null),
    filtered ? api.reporter.corrections({ limit: 1 }).catch(() => null) : null,
    api.reporter.reconciliations().catch(() => null),
    api.reporter.runs().catch(() => null),
    api.reporter.overdue().catch(() => null),
    ...periods.map((p) => api.reporter.indicators(p.from, p.to).catch(() => null)),
  ]);
  const cur = overall(inds[inds.length - 1]);
  const trend = periods.map((p, i) => ({ t: chinaDayStart(p.from), ...overall(inds[i]) }));
  const INDS: [string, 'timeliness' | 'accuracy' | 'completeness' | 'coverage'][] = [['及时率', 'timeliness'], ['准确率（数据合规率）', 'accuracy'], ['完整率', 'completeness'], ['覆盖率', 'coverage']];

  const last = runs?.items[0];
  const next = (status?.nextRuns ?? []).flatMap((n) => (n.next ? [{ kind: n.kind, next: n.next }] : [])).sort((a, b) => Date.parse(a.next) - Date.parse(b.next))[0];
  // Batches in the selected range, summed per bucket (hour for ≤ 2 days, else day).
  const bucket = ctx.range.to - ctx.range.from <= 2 * 86_400_000 ? 3_600_000 : 86_400_000;
  const per = new Map<number, { sent: number; accepted: number; rejected: number }>();
  for (const b of batches?.items ?? []) {
    const t = Date.parse(b.createdAt);
    if (!(t >= ctx.range.from && t < ctx.range.to)) continue;
    const k = Math.floor(t / bucket) * bucket;
    const v = per.get(k) ?? { sent: 0, accepted: 0, rejected: 0 };
    v.sent += b.recordCount;
    v.accepted += b.accepted ?? 0;
    v.rejected += b.rejected ?? 0;
    per.set(k, v);
  }
  const keys = [...per.keys()].sort((a, b) => a - b);
  const batchSeries = (['sent', 'accepted', 'rejected'] as const).map((k, i) => ({
    name: ['发送', '接收', '拒收'][i], type: 'bar', data: keys.map((t) => [t, per.get(t)![k]] as [number, number]),
  }));
  const latestRecon = new Map<string, Reconciliation>();
  for (const r of recon?.items ?? []) if (!latestRecon.has(r.dataType)) latestRecon.set(r.dataType, r);
  // One number, one meaning: each tile is the count of the table it names (the API's total), not a sum from elsewhere.
  const overdueTotal = overdueList?.total ?? 0;
  const corr = corrections?.items ?? [];
  // The tile is the whole queue; the table's heading says how many the filter leaves.
  const shownTotal = corrections?.total ?? corr.length;
  const corrTotal = filtered ? (queueAll?.total ?? 0) : shownTotal;
  // A record's reasons once each (one row per record in the queue, all its reasons in it).
  const reasons = (errs: (Finding | GatewayError)[] | null) =>
    errs?.length ? [...new Set(errs.map((e) => `${e.code ?? ''} ${e.message ?? e.field ?? ''}`.trim()))].join('；') : '—';
  const shown = (n: number, total: number) => (total > n ? `，显示前 ${fmtNum(n)} 条` : '');

  return h('div.page.reporting',
    h('div.stats.small',
      h('div.stat', { class: last?.status === 'failed' ? 's-down' : last?.status === 'ok' ? 's-up' : '' },
        h('div.stat-num', fmtTime(last?.startedAt)), h('div.stat-label', `上次运行 · ${last ? KIND_ZH[last.kind] ?? last.kind : '—'} · ${last ? RUN_ZH[last.status] ?? last.status : '—'}`)),
      h('div.stat', h('div.stat-num', fmtTime(next?.next)), h('div.stat-label', `下次运行${next?.kind ? ' · ' + (KIND_ZH[next.kind] ?? next.kind) : ''}`)),
      h('div.stat.tile-overdue', { class: overdueTotal ? 's-down' : '' }, h('div.stat-num', fmtNum(overdueTotal)), h('div.stat-label', '逾期未被接收')),
      h('div.stat.tile-corrections', h('div.stat-num', fmtNum(corrTotal)), h('div.stat-label', '更正队列')),
      h('div.stat', h('div.stat-num', fmtNum(Object.values(status?.openBatches ?? {}).reduce((a, b) => a + b, 0))), h('div.stat-label', '未完成批次'))),
    h('div.gauges', INDS.map(([name, k]) => h('div.gauge-box', gauge(`本月${name}`, cur[k] as number | null, { reason: k === 'completeness' ? cur.completenessReason : cur.rows.length ? '本期没有可计算的记录' : '本期没有记录' })))),
    h('div.grid2',
      card('四项指标趋势（按月）', chart(timeAxisOption(INDS.map(([name, k]) => ({ name, data: trend.map((p) => [p.t, p[k] as number | null] as [number, number | null]) })), { yName: '%' }), { height: 240, hasData: trend.some((p) => INDS.some(([, k]) => p[k] !== null)), cls: 'ind-trend' })),
      card('批次记录数（发送 / 接收 / 拒收）', chart(timeAxisOption(batchSeries, { yName: '条', range: ctx.range }), { height: 240, hasData: keys.length > 0, cls: 'batches' }))),
    h('div.grid2',
      card('各类型本月指标与逾期', table(cur.rows, [
        ['类型', (r) => TYPE_ZH[r.dataType] ?? r.dataType],
        ['接收', (r) => fmtNum(r.received)],
        ['已报', (r) => fmtNum(r.sent)],
        ['被接收', (r) => fmtNum(r.accepted)],
        ['被拒收', (r) => fmtNum(r.rejected)],
        ['逾期', (r) => h(r.overdue ? 'strong.err-num' : 'span', fmtNum(r.overdue))],
        ['及时率', (r) => fmtPct(r.timelinessRate === null ? null : r.timelinessRate * 100, 1)],
        ['准确率', (r) => fmtPct(r.accuracyRate === null ? null : r.accuracyRate * 100, 1)],
      ], { empty: '本月暂无记录' })),
      card('对账（各类型最近一次）', table([...latestRecon.values()], [
        ['类型', (r) => TYPE_ZH[r.dataType] ?? r.dataType],
        ['期间', (r) => `${fmtDate(r.periodFrom)} ~ ${fmtDate(r.periodTo)}`],
        ['本市', (r) => fmtNum(r.cityCount)],
        ['省平台', (r) => fmtNum(r.provinceCount)],
        ['结果', (r) => h(`span.badge.${r.match ? 's-up' : 's-down'}`, r.match ? '一致' : r.error ? '失败' : '不一致')],
        ['时间', (r) => fmtTime(r.checkedAt)],
      ], { empty: '暂无对账结果' }))),
    ctx.can('reporter:ingest') || (imports?.items.length ?? 0) > 0 ? importCard(ctx, imports) : null,
    card(`逾期未被接收的记录（共 ${fmtNum(overdueTotal)} 条${shown(overdueList?.items.length ?? 0, overdueTotal)}，按应报日期）`, table(overdueList?.items ?? [], [
      ['类型', (r) => TYPE_ZH[r.dataType] ?? r.dataType],
      ['记录', (r) => h('code', r.recordId)],
      ['应报日期', (r) => fmtDate(r.deadline)],
      ['逾期天数', (r) => h('strong.err-num', fmtNum(r.daysOverdue))],
      ['原因', (r) => OVERDUE_ZH[r.reason] ?? r.reason],
      ['说明', (r) => h('span.err', r.errors ? reasons(r.errors) : '')],
    ], { empty: '没有逾期记录', cls: 'overdue' })),
    card(`更正队列（${filtered ? `筛选出 ${fmtNum(shownTotal)} 条，全部 ${fmtNum(corrTotal)} 条` : `共 ${fmtNum(corrTotal)} 条记录`}${corr.length < shownTotal ? `，第 ${fmtNum(coff + 1)}–${fmtNum(coff + corr.length)} 条` : ''}，每条一行，含全部原因）`,
      queueFilter(cf),
      table(corr, [
      ['类型', (r) => TYPE_ZH[r.dataType] ?? r.dataType],
      ['记录', (r) => h('code', r.recordId)],
      ['版本', (r) => String(r.version)],
      ['发现方', (r) => (r.foundBy === 'province' ? '省平台拒收' : '本市校验')],
      ['应报日期', (r) => fmtDate(r.deadline)],
      ['原因', (r) => h('span.err', reasons(r.errors))],
      ...(ctx.can('reporter:ingest') ? [['操作', (r: Correction) => h('span.row-actions',
        h('button.small.correct', { 'data-record': `${r.dataType}/${r.recordId}`, onclick: () => openCorrection(ctx, r.dataType, r.recordId) }, '更正'), ' ',
        h('button.small.secondary.withdraw', { onclick: () => withdrawRecord(ctx, r.dataType, r.recordId) }, '撤回'),
        r.foundBy === 'province' && ctx.can('reporter:write') ? [' ', h('button.small.secondary.resend', { onclick: () => resendRecord(ctx, r.dataType, r.recordId) }, '重新上报')] : null)] as [string, (r: Correction) => HTMLElement]] : []),
    ], { empty: filtered ? '没有符合条件的待更正记录' : '没有待更正记录', cls: 'corrections' }),
      shownTotal > CPAGE ? h('p.queue-pager',
        h('button.small.secondary.queue-prev', { disabled: coff === 0, onclick: () => setParams({ coff: String(Math.max(0, coff - CPAGE)) }) }, '上一页'), ' ',
        h('span.muted', `第 ${fmtNum(Math.floor(coff / CPAGE) + 1)} / ${fmtNum(Math.ceil(shownTotal / CPAGE))} 页`), ' ',
        h('button.small.secondary.queue-next', { disabled: coff + CPAGE >= shownTotal, onclick: () => setParams({ coff: String(coff + CPAGE) }) }, '下一页')) : null,
      corrTotal > 0 ? queueReportLinks() : null,
      ctx.can('reporter:write') ? h('p', h('button.small.run-now', { onclick: () => runNow(ctx) }, '立即上报（增量）'), h('span.muted', ' 更正保存后的新版本在下次上报时发送；也可立即上报。')) : null),
    card('最近运行', table(runs?.items ?? [], [
      ['开始', (r) => fmtTime(r.startedAt, true)],
      ['类型', (r) => KIND_ZH[r.kind] ?? r.kind],
      ['触发', (r) => ({ schedule: '定时', api: '手动', cli: '命令行', start: '启动' } as Record<string, string>)[r.trigger] ?? r.trigger],
      ['状态', (r) => h(`span.badge.${r.status === 'ok' ? 's-up' : r.status === 'running' ? 's-pending' : 's-down'}`, RUN_ZH[r.status] ?? r.status)],
      ['批次', (r) => fmtNum(r.stats?.batches)],
      ['记录', (r) => fmtNum(r.stats?.records)],
      ['接收 / 拒收', (r) => `${fmtNum(r.stats?.accepted)} / ${fmtNum(r.stats?.rejected)}`],
      ['错误', (r) => h('span.err', r.error ?? '')],
    ], { empty: '暂无运行记录' })));
}
