import { NOTICE_LEVEL_ZH, NOTICE_SOURCE_ZH, NOTICE_STATUS_ZH, type Notice, type NoticeDetail, type NoticeLevel, type NoticeSource, type NoticeStats } from '../../../contract/notices';
import { chinaDate } from '../../../core/china-time';
import { api } from '../api';
import type { AttachmentBody } from '../api/notices';
import { act, card, fmtPct, fmtTime, h, promptForm, table, toast } from '../ui';
import { setParams } from '../router';
import type { PageCtx } from '../page-ctx';

const TABS: [string, string, Record<string, string | boolean>][] = [
  ['open', '待办', { status: 'issued,acknowledged,submitted,returned' }],
  ['overdue', '已逾期', { overdue: true }],
  ['closed', '已办结', { status: 'closed' }],
  ['all', '全部', {}],
];
const PAGE = 50;
const LEVEL_OPTIONS = Object.entries(NOTICE_LEVEL_ZH) as [NoticeLevel, string][];
const SOURCE_OPTIONS = (Object.entries(NOTICE_SOURCE_ZH) as [NoticeSource, string][]).filter(([k]) => k !== 'alert');
const ACTION_ZH: Record<string, string> = { issued: '下发', acknowledged: '签收', feedback: '整改反馈', returned: '退回', closed: '办结' };


const status = (n: Notice) => h(`span.badge.n-${n.status}${n.overdue ? '.n-overdue' : ''}`, NOTICE_STATUS_ZH[n.status] + (n.overdue ? ' · 已逾期' : ''));
const level = (l: NoticeLevel) => h(`span.sev.lv-${l}`, NOTICE_LEVEL_ZH[l]);

/** A security user's form for a notice entered by hand (网信办, 公安, CNCERT, a vendor). */
export async function issueNoticeForm(ctx: PageCtx, from?: { alertId: number; title: string }) {
  const v = await promptForm(from ? `转为通报：${from.title}` : '录入外部预警并下发通报', [
    ...(from ? [] : [
      { name: 'source', label: '来源', value: 'cac', options: SOURCE_OPTIONS },
      { name: 'sourceRef', label: '来源文号（可选）' },
      { name: 'title', label: '标题' },
      { name: 'department', label: '责任部门' },
      { name: 'affectedSystems', label: '涉及系统（用顿号或逗号分隔）' },
      { name: 'description', label: '通报内容', type: 'textarea' },
    ]),
    ...(from ? [{ name: 'department', label: '责任部门（留空则按模块的部门）' }] : []),
    { name: 'level', label: '级别', value: 'medium', options: LEVEL_OPTIONS },
    { name: 'requirement', label: '整改要求', type: 'textarea' },
  ]);
  if (!v) return;
  try {
    const n = await api.notices.issue({
      ...(from ? { alertId: from.alertId } : { source: v.source as NoticeSource, sourceRef: v.sourceRef, title: v.title, description: v.description,
        affectedSystems: v.affectedSystems.split(/[、,，\s]+/).map((x) => x.trim()).filter(Boolean) }),
      ...(v.department.trim() ? { department: v.department.trim() } : {}),
      level: v.level as NoticeLevel, requirement: v.requirement,
    });
    toast(`通报 ${n.number} 已下发`);
    location.hash = `#/notices/${n.id}`;
  } catch (err) {
    toast(`下发失败：${(err as Error).message}`, 'error');
  }
}

function readFile(f: File): Promise<AttachmentBody> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve({ filename: f.name, contentType: f.type || 'application/octet-stream', data: String(r.result).replace(/^data:[^,]*,/, '') });
    r.onerror = () => reject(r.error ?? new Error(`无法读取 ${f.name}`));
    r.readAsDataURL(f);
  });
}

function detailView(n: NoticeDetail, ctx: PageCtx): HTMLElement {
  const isDept = ctx.user.role === 'department' || ctx.user.role === 'admin';
  const isSec = ctx.can('notices:issue');
  const actions: HTMLElement[] = [];
  if (isDept && n.status === 'issued') {
    actions.push(h('button.ack-notice', { onclick: () => act(() => api.notices.acknowledge(n.id, '已签收'), '已签收', ctx) }, '签收'));
  }
  if (isDept && (n.status === 'acknowledged' || n.status === 'returned')) {
    const text = h('textarea', { name: 'feedback', placeholder: '整改措施与结果', rows: 4 }) as HTMLTextAreaElement;
    const files = h('input', { type: 'file', name: 'attachments', multiple: true }) as HTMLInputElement;
    actions.push(h('form.feedback', { onsubmit: async (e: Event) => {
      e.preventDefault();
      if (!text.value.trim()) return toast('请填写整改情况', 'error');
      const att = await Promise.all([...(files.files ?? [])].map(readFile));
      await act(() => api.notices.feedback(n.id, text.value.trim(), att), '整改反馈已提交', ctx);
    } }, h('label', h('span', '整改反馈'), text), h('label', h('span', '附件'), files), h('button', { type: 'submit' }, '提交整改反馈')));
  }
  if (isSec && n.status === 'submitted') {
    actions.push(
      h('button.close-notice', { onclick: async () => {
        const v = await promptForm('办结通报', [{ name: 'comment', label: '审核意见', type: 'textarea', value: '整改到位，同意办结' }]);
        if (v) await act(() => api.notices.close(n.id, v.comment), '已办结', ctx);
      } }, '审核通过并办结'),
      h('button.secondary.return-notice', { onclick: async () => {
        const v = await promptForm('退回整改', [{ name: 'comment', label: '退回原因（必填）', type: 'textarea' }]);
        if (v && v.comment.trim()) await act(() => api.notices.sendBack(n.id, v.comment.trim()), '已退回', ctx);
        else if (v) toast('请填写退回原因', 'error');
      } }, '退回'),
    );
  }
  return h('div.page.notice-detail',
    h('p', h('a', { href: '#/notices' }, '← 返回通报列表')),
    card(`通报 ${n.number}`,
      h('h2.notice-title', n.title),
      h('dl.kv',
        h('dt', '级别'), h('dd', level(n.level)),
        h('dt', '状态'), h('dd', status(n)),
        h('dt', '责任部门'), h('dd', n.department),
        h('dt', '来源'), h('dd', NOTICE_SOURCE_ZH[n.source] + (n.sourceRef ? `（${n.sourceRef}）` : '') + (n.alertId ? ` · 告警 #${n.alertId}` : '')),
        h('dt', '涉及系统'), h('dd', n.affectedSystems.join('、') || n.moduleId || '—'),
        h('dt', '下发'), h('dd', `${fmtTime(n.issuedAt)}（${n.issuedBy}）`),
        h('dt', '整改期限'), h('dd', fmtTime(n.deadline))),
      h('h4', '通报内容'), h('p.wrap.notice-description', n.description),
      n.requirement ? [h('h4', '整改要求'), h('p.wrap', n.requirement)] : null,
      h('div.actions', actions, h('a.button.secondary', { href: api.notices.printUrl(n.id), target: '_blank', rel: 'noopener' }, '打印 / 导出 PDF'))),
    card('办理记录', table(n.events, [
      ['时间', (e) => fmtTime(e.at, true)],
      ['操作', (e) => ACTION_ZH[e.action] ?? e.action],
      ['人员', (e) => e.actor],
      ['说明', (e) => h('span.wrap', e.comment || '—')],
      ['附件', (e) => (e.attachments.length ? e.attachments.map((a) => h('a.attachment', { href: api.notices.attachmentUrl(n.id, a.id) }, a.filename)) : '—')],
    ])));
}

function statsCard(stats: NoticeStats | null, month: string): HTMLElement {
  const pick = h('input', { type: 'month', value: month, onchange: (e: Event) => setParams({ month: (e.target as HTMLInputElement).value || undefined }) });
  return card(`月度统计（${month}，按下发时间）`,
    h('div.toolbar', pick, h('a.button.secondary.small', { href: api.notices.exportUrl(month) }, '导出 CSV')),
    table(stats?.departments ?? [], [
      ['部门', (r) => r.department],
      ['下发', (r) => r.issued],
      ['已办结', (r) => r.closed],
      ['按期整改', (r) => r.closedOnTime],
      ['未办结', (r) => r.open],
      ['逾期', (r) => (r.overdue ? h('span.err', String(r.overdue)) : 0)],
      ['按期整改率', (r) => (r.onTimeRate === null ? '—' : fmtPct(r.onTimeRate * 100, 1))],
    ], { empty: stats ? '本月没有通报' : '统计暂不可用' }));
}

/** 通报: the list (tabs, search, pages), one notice with its actions by role, the monthly statistics. */
export async function renderNotices(ctx: PageCtx): Promise<HTMLElement> {
  if (ctx.route.arg && /^\d+$/.test(ctx.route.arg)) {
    const n = await api.notices.get(Number(ctx.route.arg));
    return n ? detailView(n, ctx) : h('div.empty', '没有这份通报，或无权查看');
  }
  const tab = TABS.find(([k]) => k === ctx.route.params.tab) ?? TABS[0];
  const offset = Math.max(0, Number(ctx.route.params.offset) || 0);
  const q = ctx.route.params.q ?? '';
  const month = /^\d{4}-\d{2}$/.test(ctx.route.params.month ?? '') ? ctx.route.params.month! : chinaDate(Date.now()).slice(0, 7);
  const [list, stats] = await Promise.all([
    api.notices.list({ ...tab[2], q: q || undefined, limit: PAGE, offset }),
    api.notices.stats(month),
  ]);
  const rows = list?.items ?? [];
  const total = list?.total ?? 0;
  const search = h('input.search', { type: 'search', placeholder: '搜索编号、标题、内容、系统', value: q, onchange: (e: Event) => setParams({ q: (e.target as HTMLInputElement).value.trim() || undefined, offset: undefined }) });
  const pager = h('div.pager',
    h('button.small.secondary', { disabled: offset === 0, onclick: () => setParams({ offset: String(Math.max(0, offset - PAGE)) }) }, '上一页'),
    h('span', total ? `第 ${offset + 1}–${Math.min(total, offset + PAGE)} 条，共 ${total} 条` : '共 0 条'),
    h('button.small.secondary', { disabled: offset + PAGE >= total, onclick: () => setParams({ offset: String(offset + PAGE) }) }, '下一页'));
  return h('div.page.notices',
    h('div.tabs', TABS.map(([k, label]) => h('button.tab', { class: k === tab[0] ? 'active' : '', onclick: () => setParams({ tab: k, offset: undefined }) }, label))),
    card(`${tab[1]}（${total}）`,
      h('div.toolbar', search, ctx.can('notices:issue') ? h('button.small.new-notice', { onclick: () => issueNoticeForm(ctx) }, '录入外部预警') : null),
      table<Notice>(rows, [
        ['编号', (n) => h('a.notice-link', { href: `#/notices/${n.id}` }, n.number)],
        ['级别', (n) => level(n.level)],
        ['标题', (n) => h('span.wrap', n.title)],
        ['责任部门', (n) => n.department],
        ['状态', (n) => status(n)],
        ['下发', (n) => fmtTime(n.issuedAt)],
        ['整改期限', (n) => fmtTime(n.deadline)],
      ], { empty: list ? (ctx.user.role === 'department' ? '本部门暂无通报' : '暂无通报') : '通报暂不可用' }),
      pager),
    statsCard(stats, month));
}
