import type { DnsBaselineView } from '../../../contract/collector';
import { api } from '../api';
import type { PageCtx } from '../page-ctx';
import { card, fmtTime, h, promptForm, table, toast } from '../ui';
import { t } from '../i18n';

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
  const status = !v.current ? t('dns.noAnswer') : v.current.matches === null ? t('dns.noBaseline') : v.current.matches ? t('dns.match') : t('dns.mismatch');
  const mayApprove = !v.pinned && (ctx.user.role === 'security' || ctx.user.role === 'admin') && v.current
    && (v.current.matches === false || v.approved?.firstSeen === true);
  const current = v.current;
  const approve = mayApprove && current
    ? h('button.small.approve', { onclick: async () => {
        const f = await promptForm(t('dns.confirmTitle'), [
          { name: 'answers', label: t('dns.answersLabel', { at: fmtTime(current.ts) }), value: current.answers.join(', ') },
          { name: 'reason', label: t('dns.reasonLabel'), type: 'textarea' },
        ]);
        if (!f) return;
        try {
          await api.collector.approveDnsBaseline(id, f.reason ?? '', current.answers);
          toast(t('dns.approved'));
          ctx.rerender();
        } catch (err) {
          toast(t('dns.approveFailed', { msg: (err as Error).message }), 'error');
        }
      } }, v.current?.matches === false ? t('dns.approveNew') : t('dns.confirmFirst'))
    : null;
  return card(t('dns.what'),
    h('div.stats.small',
      h('div.stat', { class: v.current?.matches === false ? 's-down' : v.current?.matches ? 's-up' : '' }, h('div.stat-num', status),
        h('div.stat-label', t('dns.current', { answers: list(v.current?.answers) }) + (v.current ? ` · ${fmtTime(v.current.ts)}` : ''))),
      h('div.stat', h('div.stat-num', list(reference)),
        h('div.stat-label', v.pinned ? t('dns.pinned', { type: v.recordType }) : v.approved
          ? t('dns.withType', { text: v.approved.firstSeen ? t('dns.firstSeen') : t('dns.approvedBy', { by: v.approved.approvedBy, at: fmtTime(v.approved.approvedAt), reason: v.approved.reason }), type: v.recordType })
          : t('dns.noBaselineYet')), approve)),
    v.history.length ? table(v.history, [
      [t('dns.col.time'), (r) => fmtTime(r.approvedAt)],
      [t('dns.col.baseline'), (r) => list(r.answers)],
      [t('dns.col.replaced'), (r) => list(r.previous)],
      [t('dns.col.by'), (r) => (r.firstSeen ? t('dns.firstAnswer') : r.approvedBy)],
      [t('dns.col.reason'), (r) => r.reason],
    ]) : null);
}
