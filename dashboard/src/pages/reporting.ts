import { api, list, pick } from '../api';
import { card, chart, fmtNum, fmtTime, gauge, h, table, timeAxisOption } from '../ui';
import type { PageCtx } from '../main';

/** The four indicators of the province's assessment, with the names the regulatory office uses. */
const INDICATORS: [string, string[]][] = [
  ['及时率', ['timeliness', 'timelyRate', 'timely_rate', 'timely']],
  ['完整率', ['completeness', 'completenessRate', 'complete_rate', 'complete']],
  ['准确率', ['accuracy', 'accuracyRate', 'accuracy_rate', 'accepted_rate']],
  ['一致率', ['consistency', 'consistencyRate', 'consistency_rate', 'reconciled_rate']],
];

function pct(v: unknown): number | null {
  if (v === undefined || v === null) return null;
  const n = Number(typeof v === 'object' ? pick(v, 'value', 'current', 'rate') : v);
  if (!Number.isFinite(n)) return null;
  return n <= 1 ? n * 100 : n;
}

/** 数据直报: last and next run, batches over time, the four indicators, overdue, corrections, reconciliation. */
export async function renderReporting(ctx: PageCtx): Promise<HTMLElement> {
  const [ind, batches, corrections, recon, runs, overdue] = await Promise.all([
    api.reporter.indicators(ctx.range).catch(() => null),
    api.reporter.batches(ctx.range).catch(() => null),
    api.reporter.corrections().catch(() => null),
    api.reporter.reconciliation().catch(() => null),
    api.reporter.runs().catch(() => null),
    api.reporter.overdue().catch(() => null),
  ]);
  const indSrc = pick(ind, 'indicators', 'current') ?? ind ?? {};
  const trend = list(ind, 'trend', 'history', 'series');
  const runList = list(runs, 'runs');
  const last = runList[0];
  const next = pick(runs, 'next', 'nextRun', 'next_run') ?? pick(ind, 'nextRun', 'next_run');
  const b = list(batches, 'batches');
  const bt = (x: any) => new Date(pick(x, 'sent_at', 'sentAt', 'created_at', 'createdAt', 'ts', 'bucket')).getTime();
  const series = ['sent', 'accepted', 'rejected'].map((k, i) => ({
    name: ['发送', '接收', '拒收'][i], type: 'bar', stack: k === 'sent' ? undefined : 'result',
    data: b.map((x) => [bt(x), Number(pick(x, k, `${k}_count`, `${k}Count`, k === 'sent' ? 'records' : '') ?? 0)] as [number, number]),
  }));
  const trendSeries = INDICATORS.map(([name, keys]) => ({ name, data: trend.map((p) => [new Date(pick(p, 'day', 'date', 'bucket', 'ts')).getTime(), pct(pick(p, ...keys))] as [number, number | null]) }));

  return h('div.page.reporting',
    h('div.stats.small',
      h('div.stat', h('div.stat-num', fmtTime(pick(last, 'started_at', 'startedAt', 'at', 'ts'))), h('div.stat-label', `上次运行 · ${pick(last, 'status', 'state') ?? '—'}`)),
      h('div.stat', h('div.stat-num', fmtTime(next)), h('div.stat-label', '下次运行')),
      h('div.stat', h('div.stat-num', fmtNum(pick(overdue, 'total', 'count') ?? list(overdue, 'records').length)), h('div.stat-label', '逾期未报')),
      h('div.stat', h('div.stat-num', fmtNum(pick(corrections, 'total', 'count') ?? list(corrections, 'corrections').length)), h('div.stat-label', '待更正'))),
    h('div.gauges', INDICATORS.map(([name, keys]) => h('div.gauge-box', gauge(name, pct(pick(indSrc, ...keys)))))),
    card('四项指标趋势', chart(timeAxisOption(trendSeries, { yName: '%' }), { height: 220, hasData: trend.length > 0 })),
    card('批次（发送 / 接收 / 拒收）', chart({ ...timeAxisOption(series, { yName: '条' }) }, { height: 240, hasData: b.length > 0 })),
    h('div.grid2',
      card('更正队列', table(list(corrections, 'corrections').slice(0, 50), [
        ['记录', (r) => pick(r, 'record_id', 'recordId', 'id') ?? '—'],
        ['类型', (r) => pick(r, 'record_type', 'recordType', 'type') ?? '—'],
        ['原因', (r) => h('span.err', pick(r, 'reason', 'message', 'error') ?? '—')],
        ['时间', (r) => fmtTime(pick(r, 'created_at', 'createdAt', 'ts'))],
      ], { empty: '没有待更正记录' })),
      card('对账（按类型）', table(list(recon, 'reconciliation', 'types'), [
        ['类型', (r) => pick(r, 'record_type', 'recordType', 'type') ?? '—'],
        ['本地', (r) => fmtNum(pick(r, 'local', 'ours', 'local_count'))],
        ['省平台', (r) => fmtNum(pick(r, 'remote', 'province', 'theirs', 'remote_count'))],
        ['差异', (r) => fmtNum(pick(r, 'diff', 'mismatch', 'missing'))],
        ['时间', (r) => fmtTime(pick(r, 'at', 'ts', 'checked_at', 'checkedAt'))],
      ], { empty: '暂无对账结果' }))),
    card('逾期记录', table(list(overdue, 'records').slice(0, 50), [
      ['记录', (r) => pick(r, 'record_id', 'recordId', 'id') ?? '—'],
      ['类型', (r) => pick(r, 'record_type', 'recordType', 'type') ?? '—'],
      ['应报时间', (r) => fmtTime(pick(r, 'due_at', 'dueAt', 'deadline'))],
      ['逾期', (r) => pick(r, 'late', 'overdue_by', 'overdueBy') ?? '—'],
    ], { empty: '没有逾期记录' })));
}
