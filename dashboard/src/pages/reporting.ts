import { api } from '../api';
import type { Batch, Correction, ReporterRecord, Finding, GatewayError, Reconciliation, RunKind, RunStatus } from '../../../contract/reporter';
import { card, chart, failed, fmtDate, fmtNum, fmtPct, fmtTime, gauge, got, h, loaded, table, timeAxisOption } from '../ui';
import { hasKey, t as tr, type Key } from '../i18n';
import { addMonths, chinaDate, chinaDayStart } from '../../../core/china-time';
import type { PageCtx } from '../page-ctx';
import { setParams } from '../router';
import { importCard, queueReportLinks } from './reporting-import';
import { overall } from './reporting-indicators';
import { openCorrection, resendRecord, runNow, withdrawRecord } from './reporting-correct';
import { listTable } from '../list-table';

/** The catalogue's word for a code (`prefix.code`), the code itself when it has none. */
const word = (prefix: string, code: string) => (hasKey(`${prefix}.${code}`) ? tr(`${prefix}.${code}` as Key) : code);
const TYPES = ['ITEM', 'INSPECTION', 'PENALTY', 'COERCION', 'OFFICER'];
const typeName = (t: string) => word('reporting.type', t);
const runName = (s: RunStatus) => word('ov.run', s);
const kindName = (k: RunKind | 'dry-run') => word('reporting.kind', k);

/** The province's periods are calendar months in UTC+8; the last six make the trend. */
function months(n: number): { from: string; to: string; label: string }[] {
  const first = addMonths(chinaDate(Date.now()), 0);
  return Array.from({ length: n }, (_, i) => {
    const from = addMonths(first, i - n + 1);
    return { from, to: addMonths(from, 1), label: from.slice(0, 7) };
  });
}


/** Rows per page of the correction queue. */
const CPAGE = 200;

/** The queue's filter: type, reason code, department, who found it, text; applied on the server (GET /corrections). */
function queueFilter(cf: Record<string, string | undefined>): HTMLElement {
  const sel = (name: string, value: string | undefined, opts: [string, string][]) =>
    h(`select.${name}`, { name }, opts.map(([v, label]) => h('option', { value: v, selected: v === (value ?? '') }, label)));
  const type = sel('qf-type', cf.dataType, [['', tr('reporting.qf.allTypes')], ...TYPES.map((k): [string, string] => [k, typeName(k)])]) as HTMLSelectElement;
  const found = sel('qf-found', cf.foundBy, [['', tr('reporting.qf.allFound')], ['city', tr('reporting.found.city')], ['province', tr('reporting.found.province')]]) as HTMLSelectElement;
  const code = h('input.qf-code', { name: 'qf-code', placeholder: tr('reporting.qf.code'), value: cf.code ?? '', size: 18 }) as HTMLInputElement;
  const dept = h('input.qf-dept', { name: 'qf-dept', placeholder: tr('reporting.qf.dept'), value: cf.dept ?? '', size: 20 }) as HTMLInputElement;
  const text = h('input.qf-text', { name: 'qf-text', type: 'search', placeholder: tr('reporting.qf.text'), value: cf.q ?? '', size: 24 }) as HTMLInputElement;
  const apply = (e: Event) => {
    e.preventDefault();
    setParams({ cq: text.value.trim() || undefined, ctype: type.value || undefined, ccode: code.value.trim().toUpperCase() || undefined, cdept: dept.value.trim() || undefined, cfound: found.value || undefined, coff: undefined });
  };
  return h('form.queue-filter', { onsubmit: apply }, type, ' ', found, ' ', code, ' ', dept, ' ', text, ' ',
    h('button.small.qf-go', { type: 'submit' }, tr('reporting.qf.go')), ' ',
    h('button.small.secondary.qf-clear', { type: 'button', onclick: () => setParams({ cq: undefined, ctype: undefined, ccode: undefined, cdept: undefined, cfound: undefined, coff: undefined }) }, tr('reporting.qf.clear')));
}

/** 数据直报: last and next run, batches over time, the four indicators, overdue, corrections, reconciliation. */
export async function renderReporting(ctx: PageCtx): Promise<HTMLElement> {
  const periods = months(6);
  // The queue's filter and page live in the address (cq text, ctype, ccode, cdept, cfound, coff), so that a refresh keeps them.
  const P = ctx.route.params;
  const cf = { q: P.cq, dataType: P.ctype, code: P.ccode, dept: P.cdept, foundBy: P.cfound };
  const filtered = Object.values(cf).some(Boolean);
  const coff = Math.max(0, Number(P.coff) || 0);
  // Each request's answer or error: a failed one shows what failed with 重试 where its data would be, not 暂无数据.
  const [importsG, statusG, batchesG, correctionsG, queueAll, reconG, runsG, overdueG, ...indsG] = await Promise.all([
    got(api.reporter.imports()),
    got(api.reporter.status()),
    got(api.reporter.batches()),
    got(api.reporter.corrections({ ...cf, limit: CPAGE, offset: coff })),
    filtered ? api.reporter.corrections({ limit: 1 }).catch(() => null) : null,
    got(api.reporter.reconciliations()),
    got(api.reporter.runs()),
    got(api.reporter.overdue()),
    ...periods.map((p) => got(api.reporter.indicators(p.from, p.to))),
  ]);
  const [imports, status, batches, corrections, recon, runs, overdueList] = [importsG.v, statusG.v, batchesG.v, correctionsG.v, reconG.v, runsG.v, overdueG.v];
  const inds = indsG.map((g) => g.v);
  const indError = indsG.find((g) => g.error)?.error;
  const retry = () => ctx.rerender();
  const cur = overall(inds[inds.length - 1]);
  const trend = periods.map((p, i) => ({ t: chinaDayStart(p.from), ...overall(inds[i]) }));
  const INDS = (['timeliness', 'accuracy', 'completeness', 'coverage'] as const).map((k) => [tr(`reporting.ind.${k}`), k] as const);

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
  const batchSeries = (['sent', 'accepted', 'rejected'] as const).map((k) => ({
    name: tr(`reporting.s.${k}`), type: 'bar', data: keys.map((t) => [t, per.get(t)![k]] as [number, number]),
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
    errs?.length ? [...new Set(errs.map((e) => `${e.code ?? ''} ${e.message ?? e.field ?? ''}`.trim()))].join(tr('reporting.sep')) : '—';
  const shown = (n: number, total: number) => (total > n ? tr('reporting.shownFirst', { n: fmtNum(n) }) : '');

  return h('div.page.reporting',
    statusG.error ? failed(tr('reporting.what.status'), statusG.error, retry) : null,
    indError ? failed(tr('reporting.what.indicators'), indError, retry) : null,
    h('div.stats.small',
      h('div.stat', { class: last?.status === 'failed' ? 's-down' : last?.status === 'ok' ? 's-up' : '' },
        h('div.stat-num', fmtTime(last?.startedAt)), h('div.stat-label', tr('reporting.lastRun', { kind: last ? kindName(last.kind) : '—', status: last ? runName(last.status) : '—' }))),
      h('div.stat', h('div.stat-num', fmtTime(next?.next)), h('div.stat-label', next?.kind ? tr('reporting.nextRunKind', { kind: kindName(next.kind) }) : tr('reporting.nextRun'))),
      h('div.stat.tile-overdue', { class: overdueTotal ? 's-down' : '' }, h('div.stat-num', fmtNum(overdueTotal)), h('div.stat-label', tr('reporting.tile.overdue'))),
      h('div.stat.tile-corrections', h('div.stat-num', fmtNum(corrTotal)), h('div.stat-label', tr('reporting.tile.corrections'))),
      h('div.stat', h('div.stat-num', fmtNum(Object.values(status?.openBatches ?? {}).reduce((a, b) => a + b, 0))), h('div.stat-label', tr('reporting.tile.openBatches')))),
    h('div.gauges', INDS.map(([name, k]) => h('div.gauge-box', gauge(tr('reporting.thisMonth', { name }), cur[k] as number | null, { reason: k === 'completeness' ? cur.completenessReason : cur.rows.length ? tr('reporting.noComputable') : tr('reporting.noRecords') })))),
    h('div.grid2',
      card(tr('reporting.indTrend'), chart(timeAxisOption(INDS.map(([name, k]) => ({ name, data: trend.map((p) => [p.t, p[k] as number | null] as [number, number | null]) })), { yName: '%' }), { height: 240, hasData: trend.some((p) => INDS.some(([, k]) => p[k] !== null)), cls: 'ind-trend' })),
      card(tr('reporting.batches'), batchesG.error ? failed(tr('reporting.what.batches'), batchesG.error, retry) : chart(timeAxisOption(batchSeries, { yName: tr('reporting.unitRows'), range: ctx.range }), { height: 240, hasData: keys.length > 0, cls: 'batches' }))),
    h('div.grid2',
      card(tr('reporting.byType'), table(cur.rows, [
        [tr('reporting.col.type'), (r) => typeName(r.dataType)],
        [tr('reporting.col.received'), (r) => fmtNum(r.received)],
        [tr('reporting.col.sent'), (r) => fmtNum(r.sent)],
        [tr('reporting.col.accepted'), (r) => fmtNum(r.accepted)],
        [tr('reporting.col.rejected'), (r) => fmtNum(r.rejected)],
        [tr('reporting.col.overdue'), (r) => h(r.overdue ? 'strong.err-num' : 'span', fmtNum(r.overdue))],
        [tr('reporting.col.timeliness'), (r) => fmtPct(r.timelinessRate === null ? null : r.timelinessRate * 100, 1)],
        [tr('reporting.col.accuracy'), (r) => fmtPct(r.accuracyRate === null ? null : r.accuracyRate * 100, 1)],
      ], { empty: tr('reporting.noneThisMonth') })),
      card(tr('reporting.recon'), loaded(reconG, tr('reporting.what.recon'), ctx, () => table([...latestRecon.values()], [
        [tr('reporting.col.type'), (r) => typeName(r.dataType)],
        [tr('reporting.col.period'), (r) => tr('reporting.periodRange', { from: fmtDate(r.periodFrom), to: fmtDate(r.periodTo) })],
        [tr('reporting.col.city'), (r) => fmtNum(r.cityCount)],
        [tr('reporting.col.province'), (r) => fmtNum(r.provinceCount)],
        [tr('reporting.col.result'), (r) => h(`span.badge.${r.match ? 's-up' : 's-down'}`, r.match ? tr('reporting.match') : r.error ? tr('reporting.reconFailed') : tr('reporting.mismatch'))],
        [tr('reporting.col.time'), (r) => fmtTime(r.checkedAt)],
      ], { empty: tr('reporting.noRecon') })))),
    ctx.can('reporter:ingest') || (imports?.items.length ?? 0) > 0 || importsG.error ? importCard(ctx, imports, importsG.error) : null,
    card(tr('reporting.overdueCard', { n: fmtNum(overdueTotal), shown: shown(overdueList?.items.length ?? 0, overdueTotal) }), loaded(overdueG, tr('reporting.what.overdue'), ctx, () => table(overdueList?.items ?? [], [
      [tr('reporting.col.type'), (r) => typeName(r.dataType)],
      [tr('reporting.col.record'), (r) => h('code', r.recordId)],
      [tr('reporting.col.deadline'), (r) => fmtDate(r.deadline)],
      [tr('reporting.col.daysOverdue'), (r) => h('strong.err-num', fmtNum(r.daysOverdue))],
      [tr('reporting.col.reason'), (r) => word('reporting.overdue', r.reason)],
      [tr('reporting.col.note'), (r) => h('span.err', r.errors ? reasons(r.errors) : '')],
    ], { empty: tr('reporting.noOverdue'), cls: 'overdue' }))),
    card(tr('reporting.queueTitle', {
      count: filtered ? tr('reporting.queueFiltered', { n: fmtNum(shownTotal), all: fmtNum(corrTotal) }) : tr('reporting.queueAll', { all: fmtNum(corrTotal) }),
      range: corr.length < shownTotal ? tr('reporting.queueRange', { from: fmtNum(coff + 1), to: fmtNum(coff + corr.length) }) : '',
    }),
      queueFilter(cf),
      correctionsG.error ? failed(tr('reporting.what.corrections'), correctionsG.error, retry) : table(corr, [
      [tr('reporting.col.type'), (r) => typeName(r.dataType)],
      [tr('reporting.col.record'), (r) => h('code', r.recordId)],
      [tr('reporting.col.version'), (r) => String(r.version)],
      [tr('reporting.col.foundBy'), (r) => (r.foundBy === 'province' ? tr('reporting.found.province') : tr('reporting.found.city'))],
      [tr('reporting.col.deadline'), (r) => fmtDate(r.deadline)],
      [tr('reporting.col.reason'), (r) => h('span.err', reasons(r.errors))],
      ...(ctx.can('reporter:ingest') ? [[tr('reporting.col.actions'), (r: Correction) => h('span.row-actions',
        h('button.small.correct', { 'data-record': `${r.dataType}/${r.recordId}`, onclick: () => openCorrection(ctx, r.dataType, r.recordId) }, tr('reporting.correct')), ' ',
        h('button.small.secondary.withdraw', { onclick: () => withdrawRecord(ctx, r.dataType, r.recordId) }, tr('reporting.withdraw')),
        r.foundBy === 'province' && ctx.can('reporter:write') ? [' ', h('button.small.secondary.resend', { onclick: () => resendRecord(ctx, r.dataType, r.recordId) }, tr('reporting.resend'))] : null)] as [string, (r: Correction) => HTMLElement]] : []),
    ], { empty: filtered ? tr('reporting.noFiltered') : tr('reporting.noCorrections'), cls: 'corrections' }),
      shownTotal > CPAGE ? h('p.queue-pager',
        h('button.small.secondary.queue-prev', { disabled: coff === 0, onclick: () => setParams({ coff: String(Math.max(0, coff - CPAGE)) }) }, tr('reporting.prev')), ' ',
        h('span.muted', tr('reporting.pageNo', { at: fmtNum(Math.floor(coff / CPAGE) + 1), pages: fmtNum(Math.ceil(shownTotal / CPAGE)) })), ' ',
        h('button.small.secondary.queue-next', { disabled: coff + CPAGE >= shownTotal, onclick: () => setParams({ coff: String(coff + CPAGE) }) }, tr('reporting.next'))) : null,
      corrTotal > 0 ? queueReportLinks() : null,
      ctx.can('reporter:write') ? h('p', h('button.small.run-now', { onclick: () => runNow(ctx) }, tr('reporting.runNow')), h('span.muted', tr('reporting.runNowNote'))) : null),
    card(tr('reporting.batchLog'), listTable<Batch>({
      cls: 'batch-log',
      pageSize: 20,
      load: (q) => api.reporter.batchPage(q),
      search: tr('reporting.batchSearch'),
      sort: '-createdAt',
      filters: [
        { name: 'status', label: tr('reporting.f.status'), options: (['pending', 'processing', 'done', 'failed'] as const).map((k): [string, string] => [k, word('reporting.batch', k)]) },
        { name: 'dataType', label: tr('reporting.f.type'), options: TYPES.map((k): [string, string] => [k, typeName(k)]) },
      ],
      cols: [
        { title: tr('reporting.col.created'), sort: 'createdAt', cell: (r) => fmtTime(r.createdAt, true) },
        { title: tr('reporting.col.batch'), cell: (r) => h('code', r.batchId) },
        { title: tr('reporting.col.type'), cell: (r) => typeName(r.dataType) },
        { title: tr('reporting.col.status'), sort: 'status', cell: (r) => h(`span.badge.${r.status === 'done' ? 's-up' : r.status === 'failed' ? 's-down' : 's-pending'}`, word('reporting.batch', r.status)) },
        { title: tr('reporting.col.recordCount'), sort: 'recordCount', cell: (r) => fmtNum(r.recordCount) },
        { title: tr('reporting.col.acceptReject'), cell: (r) => `${fmtNum(r.accepted)} / ${fmtNum(r.rejected)}` },
        { title: tr('reporting.col.attempts'), cell: (r) => fmtNum(r.attempts) },
        { title: tr('reporting.col.receipt'), cell: (r) => r.receiptId ?? '—' },
        { title: tr('reporting.col.error'), cell: (r) => h('span.err', r.lastError ?? '') },
      ],
      empty: tr('reporting.noBatches'),
    })),
    card(tr('reporting.recordList'), listTable<ReporterRecord>({
      cls: 'record-list',
      pageSize: 20,
      load: (q) => api.reporter.recordPage(q),
      search: tr('reporting.recordSearch'),
      sort: '-lastArrivedAt',
      filters: [
        { name: 'dataType', label: tr('reporting.f.type'), options: TYPES.map((k): [string, string] => [k, typeName(k)]) },
        { name: 'status', label: tr('reporting.f.status'), options: (['pending', 'valid', 'invalid', 'held_reference', 'withdrawn'] as const).map((k): [string, string] => [k, word('reporting.rec', k)]) },
        { name: 'deptCode', label: tr('reporting.f.dept'), placeholder: tr('reporting.f.dept') },
      ],
      cols: [
        { title: tr('reporting.col.type'), cell: (r) => typeName(r.dataType) },
        { title: tr('reporting.col.record'), sort: 'recordId', cell: (r) => h('code', r.recordId) },
        { title: tr('reporting.col.version'), cell: (r) => String(r.version) },
        { title: tr('reporting.col.status'), cell: (r) => h(`span.badge.${r.status === 'valid' ? 's-up' : r.status === 'invalid' ? 's-down' : 's-pending'}`, word('reporting.rec', r.status)) },
        { title: tr('reporting.col.dept'), cell: (r) => r.deptCode ?? '—' },
        { title: tr('reporting.col.recordDate'), sort: 'recordDate', cell: (r) => fmtDate(r.recordDate) },
        { title: tr('reporting.col.deadline'), sort: 'deadline', cell: (r) => fmtDate(r.deadline) },
        { title: tr('reporting.col.lastArrived'), sort: 'lastArrivedAt', cell: (r) => fmtTime(r.lastArrivedAt, true) },
      ],
      empty: tr('reporting.noRecordsList'),
    })),
    card(tr('reporting.runs'), loaded(runsG, tr('reporting.what.runs'), ctx, () => table(runs?.items ?? [], [
      [tr('reporting.col.start'), (r) => fmtTime(r.startedAt, true)],
      [tr('reporting.col.kind'), (r) => kindName(r.kind)],
      [tr('reporting.col.trigger'), (r) => word('reporting.trigger', r.trigger)],
      [tr('reporting.col.status'), (r) => h(`span.badge.${r.status === 'ok' ? 's-up' : r.status === 'running' ? 's-pending' : 's-down'}`, runName(r.status))],
      [tr('reporting.col.batches'), (r) => fmtNum(r.stats?.batches)],
      [tr('reporting.col.records'), (r) => fmtNum(r.stats?.records)],
      [tr('reporting.col.acceptReject'), (r) => `${fmtNum(r.stats?.accepted)} / ${fmtNum(r.stats?.rejected)}`],
      [tr('reporting.col.error'), (r) => h('span.err', r.error ?? '')],
    ], { empty: tr('reporting.noRuns') }))));
}
