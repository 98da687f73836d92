import type { DnsBaselineView } from '../../../contract/collector';
import { api } from '../api';
import type { PageCtx } from '../page-ctx';
import { card, fmtTime, h, promptForm, table, toast } from '../ui';

const list = (xs: string[] | null | undefined) => (xs && xs.length ? xs.join(', ') : '—');

/**
 * "DNS 基线" card of a DNS target's page: the approved answers (or the pinned `expect`), the newest answers and whether
 * they match, the history, and for security (or admin) an approve button that asks for a reason. The server decides
 * who may approve (POST /api/collector/targets/:id/dns-baseline/approve: security or admin, audited).
 */
export async function dnsBaselineCard(ctx: PageCtx, id: string): Promise<HTMLElement | null> {
  const v: DnsBaselineView | null = await api.collector.dnsBaseline(id).catch(() => null);
  if (!v) return null;
  const reference = v.pinned ?? v.approved?.answers ?? null;
  const status = !v.current ? '尚无解析结果' : v.current.matches === null ? '无基线' : v.current.matches ? '一致' : '与基线不一致';
  const mayApprove = !v.pinned && (ctx.user.role === 'security' || ctx.user.role === 'admin') && v.current
    && (v.current.matches === false || v.approved?.firstSeen === true);
  const current = v.current;
  const approve = mayApprove && current
    ? h('button.small.approve', { onclick: async () => {
        const f = await promptForm('确认 DNS 解析基线', [
          { name: 'answers', label: `以 ${fmtTime(current.ts)} 的解析结果作为基线`, value: current.answers.join(', ') },
          { name: 'reason', label: '原因（必填，记入审计，例如变更单号）', type: 'textarea' },
        ]);
        if (!f) return;
        try {
          await api.collector.approveDnsBaseline(id, f.reason ?? '', current.answers);
          toast('已确认新的 DNS 基线');
          ctx.rerender();
        } catch (err) {
          toast(`确认失败：${(err as Error).message}`, 'error');
        }
      } }, v.current?.matches === false ? '批准新解析结果' : '确认首次解析结果')
    : null;
  return card('DNS 基线',
    h('div.stats.small',
      h('div.stat', { class: v.current?.matches === false ? 's-down' : v.current?.matches ? 's-up' : '' }, h('div.stat-num', status),
        h('div.stat-label', `当前解析 ${list(v.current?.answers)}${v.current ? ` · ${fmtTime(v.current.ts)}` : ''}`)),
      h('div.stat', h('div.stat-num', list(reference)),
        h('div.stat-label', v.pinned ? `配置固定 expect（${v.recordType}）` : v.approved
          ? `${v.approved.firstSeen ? '首次解析自动采用，待安全人员确认' : `${v.approved.approvedBy} 确认于 ${fmtTime(v.approved.approvedAt)}：${v.approved.reason}`}（${v.recordType}）`
          : '尚无基线'), approve)),
    v.history.length ? table(v.history, [
      ['时间', (r) => fmtTime(r.approvedAt)],
      ['基线', (r) => list(r.answers)],
      ['替换', (r) => list(r.previous)],
      ['确认人', (r) => (r.firstSeen ? '首次解析' : r.approvedBy)],
      ['原因', (r) => r.reason],
    ]) : null);
}
