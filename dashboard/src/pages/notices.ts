import type { Notice, NoticeDetail, NoticeLevel, NoticeSource, NoticeStats, NoticeStatus } from '../../../contract/notices';
import { chinaDate } from '../../../core/china-time';
import { api } from '../api';
import type { AttachmentBody } from '../api/notices';
import { act, card, failed, fmtPct, fmtTime, got, h, promptForm, table, toast } from '../ui';
import { hasKey, t as tr, type Key } from '../i18n';
import { setParams } from '../router';
import type { PageCtx } from '../page-ctx';

const TABS: [string, Key, Record<string, string | boolean>][] = [
  ['open', 'notices.tab.open', { status: 'issued,acknowledged,submitted,returned' }],
  ['overdue', 'notices.tab.overdue', { overdue: true }],
  ['closed', 'notices.tab.closed', { status: 'closed' }],
  ['all', 'notices.tab.all', {}],
];
const PAGE = 50;
const LEVELS: NoticeLevel[] = ['critical', 'high', 'medium', 'low'];
const SOURCES: NoticeSource[] = ['cac', 'police', 'cncert', 'vendor', 'other'];
/** The catalogue's word for a code (`prefix.code`), the code itself when it has none. */
const word = (prefix: string, code: string) => (hasKey(`${prefix}.${code}`) ? tr(`${prefix}.${code}` as Key) : code);
const levelName = (l: NoticeLevel) => word('notices.level', l);
const sourceName = (s: NoticeSource) => word('notices.source', s);
const statusName = (s: NoticeStatus) => word('notices.status', s);

const status = (n: Notice) => h(`span.badge.n-${n.status}${n.overdue ? '.n-overdue' : ''}`, statusName(n.status) + (n.overdue ? tr('notices.overdueSuffix') : ''));
const level = (l: NoticeLevel) => h(`span.sev.lv-${l}`, levelName(l));

/** A security user's form for a notice entered by hand (网信办, 公安, CNCERT, a vendor). */
export async function issueNoticeForm(ctx: PageCtx, from?: { alertId: number; title: string }) {
  const v = await promptForm(from ? tr('notices.fromAlert', { title: from.title }) : tr('notices.external'), [
    ...(from ? [] : [
      { name: 'source', label: tr('notices.f.source'), value: 'cac', options: SOURCES.map((k): [string, string] => [k, sourceName(k)]) },
      { name: 'sourceRef', label: tr('notices.f.sourceRef') },
      { name: 'title', label: tr('notices.f.title') },
      { name: 'department', label: tr('notices.f.department') },
      { name: 'affectedSystems', label: tr('notices.f.systems') },
      { name: 'description', label: tr('notices.f.description'), type: 'textarea' },
    ]),
    ...(from ? [{ name: 'department', label: tr('notices.f.departmentAuto') }] : []),
    { name: 'level', label: tr('notices.f.level'), value: 'medium', options: LEVELS.map((k): [string, string] => [k, levelName(k)]) },
    { name: 'requirement', label: tr('notices.f.requirement'), type: 'textarea' },
  ]);
  if (!v) return;
  try {
    const n = await api.notices.issue({
      ...(from ? { alertId: from.alertId } : { source: v.source as NoticeSource, sourceRef: v.sourceRef, title: v.title, description: v.description,
        // Systems separated by the Chinese enumeration comma, a comma (either width) or spaces.
        affectedSystems: v.affectedSystems.split(/[\u3001,\uff0c\s]+/).map((x) => x.trim()).filter(Boolean) }),
      ...(v.department.trim() ? { department: v.department.trim() } : {}),
      level: v.level as NoticeLevel, requirement: v.requirement,
    });
    toast(tr('notices.issued', { number: n.number }));
    location.hash = `#/notices/${n.id}`;
  } catch (err) {
    toast(tr('notices.issueFailed', { msg: (err as Error).message }), 'error');
  }
}

function readFile(f: File): Promise<AttachmentBody> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve({ filename: f.name, contentType: f.type || 'application/octet-stream', data: String(r.result).replace(/^data:[^,]*,/, '') });
    r.onerror = () => reject(r.error ?? new Error(tr('notices.readFailed', { name: f.name })));
    r.readAsDataURL(f);
  });
}

function detailView(n: NoticeDetail, ctx: PageCtx): HTMLElement {
  const isDept = ctx.user.role === 'department' || ctx.user.role === 'admin';
  const isSec = ctx.can('notices:issue');
  const actions: HTMLElement[] = [];
  if (isDept && n.status === 'issued') {
    actions.push(h('button.ack-notice', { onclick: () => act(() => api.notices.acknowledge(n.id, tr('notices.ackComment')), tr('notices.acked'), ctx) }, tr('notices.ack')));
  }
  if (isDept && (n.status === 'acknowledged' || n.status === 'returned')) {
    const text = h('textarea', { name: 'feedback', placeholder: tr('notices.feedbackPlaceholder'), rows: 4 }) as HTMLTextAreaElement;
    const files = h('input', { type: 'file', name: 'attachments', multiple: true }) as HTMLInputElement;
    actions.push(h('form.feedback', { onsubmit: async (e: Event) => {
      e.preventDefault();
      if (!text.value.trim()) return toast(tr('notices.needFeedback'), 'error');
      const att = await Promise.all([...(files.files ?? [])].map(readFile));
      await act(() => api.notices.feedback(n.id, text.value.trim(), att), tr('notices.feedbackSent'), ctx);
    } }, h('label', h('span', tr('notices.feedback')), text), h('label', h('span', tr('notices.attachments')), files), h('button', { type: 'submit' }, tr('notices.submitFeedback'))));
  }
  if (isSec && n.status === 'submitted') {
    actions.push(
      h('button.close-notice', { onclick: async () => {
        const v = await promptForm(tr('notices.closeTitle'), [{ name: 'comment', label: tr('notices.closeComment'), type: 'textarea', value: tr('notices.closeDefault') }]);
        if (v) await act(() => api.notices.close(n.id, v.comment), tr('notices.closed'), ctx);
      } }, tr('notices.close')),
      h('button.secondary.return-notice', { onclick: async () => {
        const v = await promptForm(tr('notices.returnTitle'), [{ name: 'comment', label: tr('notices.returnReason'), type: 'textarea' }]);
        if (v && v.comment.trim()) await act(() => api.notices.sendBack(n.id, v.comment.trim()), tr('notices.returned'), ctx);
        else if (v) toast(tr('notices.needReturnReason'), 'error');
      } }, tr('notices.return')),
    );
  }
  return h('div.page.notice-detail',
    h('p', h('a', { href: '#/notices' }, tr('notices.back'))),
    card(tr('notices.cardTitle', { number: n.number }),
      h('h2.notice-title', n.title),
      h('dl.kv',
        h('dt', tr('notices.k.level')), h('dd', level(n.level)),
        h('dt', tr('notices.k.status')), h('dd', status(n)),
        h('dt', tr('notices.k.department')), h('dd', n.department),
        h('dt', tr('notices.k.source')), h('dd', sourceName(n.source) + (n.sourceRef ? tr('notices.sourceRef', { ref: n.sourceRef }) : '') + (n.alertId ? tr('notices.fromAlertNo', { id: n.alertId }) : '')),
        h('dt', tr('notices.k.systems')), h('dd', n.affectedSystems.join(tr('notices.listSep')) || n.moduleId || '—'),
        h('dt', tr('notices.k.issued')), h('dd', tr('notices.issuedBy', { at: fmtTime(n.issuedAt), by: n.issuedBy })),
        h('dt', tr('notices.k.deadline')), h('dd', fmtTime(n.deadline))),
      h('h4', tr('notices.description')), h('p.wrap.notice-description', n.description),
      n.requirement ? [h('h4', tr('notices.requirement')), h('p.wrap', n.requirement)] : null,
      h('div.actions', actions, h('a.button.secondary', { href: api.notices.printUrl(n.id), target: '_blank', rel: 'noopener' }, tr('notices.print')))),
    card(tr('notices.events'), table(n.events, [
      [tr('notices.col.time'), (e) => fmtTime(e.at, true)],
      [tr('notices.col.action'), (e) => word('notices.action', e.action)],
      [tr('notices.col.actor'), (e) => e.actor],
      [tr('notices.col.comment'), (e) => h('span.wrap', e.comment || '—')],
      [tr('notices.col.attachments'), (e) => (e.attachments.length ? e.attachments.map((a) => h('a.attachment', { href: api.notices.attachmentUrl(n.id, a.id) }, a.filename)) : '—')],
    ])));
}

function statsCard(ctx: PageCtx, stats: NoticeStats | null, error: unknown, month: string): HTMLElement {
  const pick = h('input', { type: 'month', value: month, onchange: (e: Event) => setParams({ month: (e.target as HTMLInputElement).value || undefined }) });
  return card(tr('notices.stats', { month }),
    h('div.toolbar', pick, h('a.button.secondary.small', { href: api.notices.exportUrl(month) }, tr('notices.exportCsv'))),
    error ? failed(tr('notices.statsWhat'), error, () => ctx.rerender()) : table(stats?.departments ?? [], [
      [tr('notices.col.department'), (r) => r.department],
      [tr('notices.col.issued'), (r) => r.issued],
      [tr('notices.col.closed'), (r) => r.closed],
      [tr('notices.col.onTime'), (r) => r.closedOnTime],
      [tr('notices.col.open'), (r) => r.open],
      [tr('notices.col.overdue'), (r) => (r.overdue ? h('span.err', String(r.overdue)) : 0)],
      [tr('notices.col.onTimeRate'), (r) => (r.onTimeRate === null ? '—' : fmtPct(r.onTimeRate * 100, 1))],
    ], { empty: stats ? tr('notices.noneThisMonth') : tr('notices.statsUnavailable') }));
}

/** 通报: the list (tabs, search, pages), one notice with its actions by role, the monthly statistics. */
export async function renderNotices(ctx: PageCtx): Promise<HTMLElement> {
  if (ctx.route.arg && /^\d+$/.test(ctx.route.arg)) {
    const n = await got(api.notices.get(Number(ctx.route.arg)));
    if (n.error) return h('div.page.notice-detail', failed(tr('notices.what'), n.error, () => ctx.rerender()));
    return n.v ? detailView(n.v, ctx) : h('div.empty', tr('notices.missing'));
  }
  const tab = TABS.find(([k]) => k === ctx.route.params.tab) ?? TABS[0];
  const offset = Math.max(0, Number(ctx.route.params.offset) || 0);
  const q = ctx.route.params.q ?? '';
  const month = /^\d{4}-\d{2}$/.test(ctx.route.params.month ?? '') ? ctx.route.params.month! : chinaDate(Date.now()).slice(0, 7);
  const [listG, statsG] = await Promise.all([
    got(api.notices.list({ ...tab[2], q: q || undefined, limit: PAGE, offset })),
    got(api.notices.stats(month)),
  ]);
  const list = listG.v;
  const rows = list?.items ?? [];
  const total = list?.total ?? 0;
  const search = h('input.search', { type: 'search', placeholder: tr('notices.search'), value: q, onchange: (e: Event) => setParams({ q: (e.target as HTMLInputElement).value.trim() || undefined, offset: undefined }) });
  const pager = h('div.pager',
    h('button.small.secondary', { disabled: offset === 0, onclick: () => setParams({ offset: String(Math.max(0, offset - PAGE)) }) }, tr('notices.prev')),
    h('span', total ? tr('notices.range', { from: offset + 1, to: Math.min(total, offset + PAGE), n: total }) : tr('notices.none')),
    h('button.small.secondary', { disabled: offset + PAGE >= total, onclick: () => setParams({ offset: String(offset + PAGE) }) }, tr('notices.next')));
  return h('div.page.notices',
    h('div.tabs', TABS.map(([k, label]) => h('button.tab', { class: k === tab[0] ? 'active' : '', onclick: () => setParams({ tab: k, offset: undefined }) }, tr(label)))),
    card(tr('notices.tabTitle', { tab: tr(tab[1]), n: total }),
      h('div.toolbar', search, ctx.can('notices:issue') ? h('button.small.new-notice', { onclick: () => issueNoticeForm(ctx) }, tr('notices.newExternal')) : null),
      listG.error ? failed(tr('notices.listWhat'), listG.error, () => ctx.rerender()) : table<Notice>(rows, [
        [tr('notices.col.number'), (n) => h('a.notice-link', { href: `#/notices/${n.id}` }, n.number)],
        [tr('notices.col.level'), (n) => level(n.level)],
        [tr('notices.col.title'), (n) => h('span.wrap', n.title)],
        [tr('notices.col.department'), (n) => n.department],
        [tr('notices.col.status'), (n) => status(n)],
        [tr('notices.col.issued'), (n) => fmtTime(n.issuedAt)],
        [tr('notices.col.deadline'), (n) => fmtTime(n.deadline)],
      ], { empty: list ? (ctx.user.role === 'department' ? tr('notices.noneDept') : tr('notices.empty')) : tr('notices.unavailable') }),
      pager),
    statsCard(ctx, statsG.v, statsG.error, month));
}
