import { api } from '../api';
import { ApiError } from '../api';
import type { Baseline, BaselineDiffLine, ForbiddenFound } from '../../../contract/collector';
import { card, fmtTime, h, toast } from '../ui';
import { t as tr } from '../i18n';
import type { PageCtx } from '../page-ctx';

/**
 * The content baseline of a 网页防篡改 target on its page: the state (一致 / 已变化 / 待批准 / 未确认基线 / 无基线), the
 * pending change as a diff of the normalised texts (added lines green, removed red, forbidden words marked), and the
 * approval: a first dialog shows the diff; a page with forbidden words needs a second dialog naming them, with a reason.
 */
export type BaselineStatus = 'match' | 'changed' | 'pending' | 'provisional' | 'none';

export function baselineStatus(b: Baseline): BaselineStatus {
  if (b.change && (b.approved || b.provisional)) return 'changed';
  if (b.provisional) return 'provisional';
  if (!b.approved) return b.candidate ? 'pending' : 'none';
  return 'match';
}

/** A state in words (一致, 已变化, 待批准, 未确认基线, 无基线 in zh-CN). */
export const baselineStatusLabel = (status: BaselineStatus) => tr(`baseline.status.${status}`);

/** The tile's colour for a state: changed is red, an unconfirmed first baseline amber. */
export function baselineTone(status: BaselineStatus | null): string {
  return status === 'changed' ? 's-down' : status === 'provisional' ? 's-degraded' : '';
}

/** `text` with the given [start, end) ranges wrapped in <mark class="forbidden">. */
function marked(text: string, ranges: { start: number; end: number }[]): (Node | string)[] {
  const rs = [...ranges].sort((a, b) => a.start - b.start);
  const out: (Node | string)[] = [];
  let pos = 0;
  for (const r of rs) {
    if (r.start < pos) continue;
    if (r.start > pos) out.push(text.slice(pos, r.start));
    out.push(h('mark.forbidden', text.slice(r.start, r.end)));
    pos = r.end;
  }
  if (pos < text.length) out.push(text.slice(pos));
  return out;
}

const byLine = (found: ForbiddenFound[]) => {
  const m = new Map<number, { start: number; end: number }[]>();
  for (const f of found) for (const p of f.positions) m.set(p.line, [...(m.get(p.line) ?? []), p]);
  return m;
};

/** The diff as rows: line numbers (baseline, candidate), sign, text; forbidden words of the candidate marked. */
export function diffView(lines: BaselineDiffLine[], forbidden: ForbiddenFound[], truncated = false): HTMLElement {
  const marks = byLine(forbidden);
  return h('div.diff',
    lines.map((l) => l.op === 'hunk'
      ? h('div.diff-line.hunk', l.text)
      : h(`div.diff-line.${l.op}`,
        h('span.ln', l.oldLine ?? ''), h('span.ln', l.newLine ?? ''), h('span.sign', l.op === 'add' ? '+' : l.op === 'del' ? '-' : ' '),
        h('span.tx', l.newLine !== null && l.op !== 'del' ? marked(l.text, marks.get(l.newLine) ?? []) : l.text))),
    truncated ? h('div.diff-line.hunk', tr('baseline.truncated')) : null);
}

/** A whole text (a provisional baseline to confirm) as context rows with its forbidden words marked. */
function textView(text: string, forbidden: ForbiddenFound[]): HTMLElement {
  return diffView(text.split('\n').map((t, i) => ({ op: 'ctx', text: t, oldLine: i + 1, newLine: i + 1 })), forbidden);
}

const wordsText = (found: { word: string; count: number }[]) => found.map((f) => tr('baseline.word', { word: f.word, n: f.count })).join(tr('baseline.wordSep'));

/** A modal dialog (the page's `form.modal`) with a body and optional fields; resolves to the fields, or null on 取消. */
function dialog(title: string, body: (Node | string | null)[], fields: { name: string; label: string; required?: boolean }[] = [], submit = tr('common.ok')): Promise<Record<string, string> | null> {
  return new Promise((resolve) => {
    const inputs = new Map<string, HTMLTextAreaElement>();
    const close = (v: Record<string, string> | null) => {
      overlay.remove();
      resolve(v);
    };
    const form = h('form.modal.wide', { onsubmit: (e: Event) => {
      e.preventDefault();
      const v = Object.fromEntries([...inputs].map(([k, el]) => [k, el.value.trim()]));
      if (fields.some((f) => f.required && !v[f.name])) return; // the browser's `required` says what is missing
      close(v);
    } },
    h('h3', title), ...body,
    fields.map((f) => {
      const el = h('textarea', { name: f.name, required: f.required === true }) as HTMLTextAreaElement;
      inputs.set(f.name, el);
      return h('label', h('span', f.label), el);
    }),
    h('div.actions', h('button', { type: 'button', class: 'secondary', onclick: () => close(null) }, tr('common.cancel')), h('button', { type: 'submit' }, submit)));
    const overlay = h('div.overlay', form);
    document.body.append(overlay);
  });
}

/**
 * The second confirmation: names the forbidden words; a reason is required. Returns the reason, or null (cancelled).
 */
async function confirmForbidden(words: string): Promise<string | null> {
  const v = await dialog(tr('baseline.forbiddenTitle'), [
    h('p.forbidden-warning', tr('baseline.forbiddenWarning', { words })),
    h('p.muted', tr('baseline.forbiddenNote')),
  ], [{ name: 'reason', label: tr('baseline.reason'), required: true }], tr('baseline.confirmApprove'));
  return v ? v.reason : null;
}

/** Sends an approval; a 409 forbidden_words_present (words the page showed meanwhile) asks the second confirmation. */
async function send(call: (extra: { confirmForbidden?: true; reason?: string }) => Promise<unknown>, words: { word: string; count: number }[]): Promise<boolean> {
  let extra: { confirmForbidden?: true; reason?: string } = {};
  if (words.length) {
    const reason = await confirmForbidden(wordsText(words));
    if (reason === null) return false;
    extra = { confirmForbidden: true, reason };
  }
  try {
    await call(extra);
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.code === 'forbidden_words_present' && !extra.confirmForbidden) {
      const reason = await confirmForbidden(err.message);
      if (reason === null) return false;
      await call({ confirmForbidden: true, reason });
      return true;
    }
    throw err;
  }
}

/** The approve / confirm button for the stat tile, or null when there is nothing to approve or no permission. */
export function baselineAction(ctx: PageCtx, id: string, b: Baseline): HTMLElement | null {
  if (!ctx.can('baseline:approve')) return null;
  const status = baselineStatus(b);
  const cand = b.candidate;
  if (status === 'provisional' && b.provisional) {
    const p = b.provisional;
    return h('button.small.confirm-baseline', { onclick: async () => {
      const ok = await dialog(tr('baseline.confirmTitle'), [
        h('p', tr('baseline.confirmText', { at: fmtTime(p.capturedAt) })), textView(p.text, p.forbidden)]);
      if (!ok) return;
      try {
        if (await send((extra) => api.collector.confirmBaseline(id, p.hash, extra), p.forbidden)) {
          toast(tr('baseline.confirmed'));
          ctx.rerender();
        }
      } catch (err) {
        toast(tr('baseline.confirmFailed', { msg: (err as Error).message }), 'error');
      }
    } }, tr('baseline.confirm'));
  }
  if (!cand || status === 'match') return null;
  return h('button.small.approve', { onclick: async () => {
    const c = b.change;
    const against = tr(c?.against === 'provisional' ? 'baseline.vs.provisional' : c?.against === 'approved' ? 'baseline.vs.approved' : 'baseline.vs.none');
    const ok = await dialog(tr('baseline.approveTitle'), [
      h('p', tr('baseline.approveText', { at: fmtTime(cand.ts), against, added: c?.added ?? 0, removed: c?.removed ?? 0 })),
      cand.forbidden.length ? h('p.forbidden-warning', tr('baseline.hasForbidden', { words: wordsText(cand.forbidden) })) : null,
      c ? diffView(c.lines, cand.forbidden, c.truncated) : textView(cand.text, cand.forbidden),
    ], [], tr('baseline.approveBtn'));
    if (!ok) return;
    try {
      if (await send((extra) => api.collector.approveBaseline(id, cand.resultId, extra), cand.forbidden)) {
        toast(tr('baseline.approved'));
        ctx.rerender();
      }
    } catch (err) {
      toast(tr('baseline.approveFailed', { msg: (err as Error).message }), 'error');
    }
  } }, tr('baseline.approve'));
}

/** The card under the stats: the pending change as a diff, or the provisional baseline to confirm. */
export function baselineCard(b: Baseline): HTMLElement | null {
  const status = baselineStatus(b);
  const cand = b.candidate;
  if (b.change && cand) {
    const c = b.change;
    const title = tr('baseline.changeTitle', { status: baselineStatusLabel(status), added: c.added, removed: c.removed, forbidden: cand.forbidden.length ? tr('baseline.changeForbidden', { words: wordsText(cand.forbidden) }) : '' });
    const against = tr(c.against === 'provisional' ? 'baseline.vsLong.provisional' : c.against === 'approved' ? 'baseline.vsLong.approved' : 'baseline.vs.none');
    return card(title, h('p.muted', tr('baseline.changeNote', { at: fmtTime(cand.ts), against })),
      diffView(c.lines, cand.forbidden, c.truncated));
  }
  if (status === 'provisional' && b.provisional) {
    return card(tr('baseline.provisionalTitle'), h('p.muted', tr('baseline.provisionalNote', { at: fmtTime(b.provisional.capturedAt) })));
  }
  return null;
}
