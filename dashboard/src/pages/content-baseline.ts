import { api } from '../api';
import { ApiError } from '../api';
import type { Baseline, BaselineDiffLine, ForbiddenFound } from '../../../contract/collector';
import { card, fmtTime, h, toast } from '../ui';
import type { PageCtx } from '../page-ctx';

/**
 * The content baseline of a 网页防篡改 target on its page: the state (一致 / 已变化 / 待批准 / 未确认基线 / 无基线), the
 * pending change as a diff of the normalised texts (added lines green, removed red, forbidden words marked), and the
 * approval: a first dialog shows the diff; a page with forbidden words needs a second dialog naming them, with a reason.
 */
export type BaselineStatus = '一致' | '已变化' | '待批准' | '未确认基线' | '无基线';

export function baselineStatus(b: Baseline): BaselineStatus {
  if (b.change && (b.approved || b.provisional)) return '已变化';
  if (b.provisional) return '未确认基线';
  if (!b.approved) return b.candidate ? '待批准' : '无基线';
  return '一致';
}

/** The tile's colour for a state: changed is red, an unconfirmed first baseline amber. */
export function baselineTone(status: BaselineStatus | null): string {
  return status === '已变化' ? 's-down' : status === '未确认基线' ? 's-degraded' : '';
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
    truncated ? h('div.diff-line.hunk', '……差异过长，仅显示前 2000 行') : null);
}

/** A whole text (a provisional baseline to confirm) as context rows with its forbidden words marked. */
function textView(text: string, forbidden: ForbiddenFound[]): HTMLElement {
  return diffView(text.split('\n').map((t, i) => ({ op: 'ctx', text: t, oldLine: i + 1, newLine: i + 1 })), forbidden);
}

const wordsText = (found: { word: string; count: number }[]) => found.map((f) => `“${f.word}”×${f.count}`).join('、');

/** A modal dialog (the page's `form.modal`) with a body and optional fields; resolves to the fields, or null on 取消. */
function dialog(title: string, body: (Node | string | null)[], fields: { name: string; label: string; required?: boolean }[] = [], submit = '确定'): Promise<Record<string, string> | null> {
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
    h('div.actions', h('button', { type: 'button', class: 'secondary', onclick: () => close(null) }, '取消'), h('button', { type: 'submit' }, submit)));
    const overlay = h('div.overlay', form);
    document.body.append(overlay);
  });
}

/**
 * The second confirmation: names the forbidden words; a reason is required. Returns the reason, or null (cancelled).
 */
async function confirmForbidden(words: string): Promise<string | null> {
  const v = await dialog('再次确认：页面含违禁词', [
    h('p.forbidden-warning', `待批准的页面含违禁词 ${words}。被篡改的页面一旦成为基线，之后将不再告警。`),
    h('p.muted', '仅在确认这些词是正常内容（如安全通告引用）时批准；理由与违禁词将写入审计日志。'),
  ], [{ name: 'reason', label: '批准理由（必填）', required: true }], '确认批准');
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
  if (status === '未确认基线' && b.provisional) {
    const p = b.provisional;
    return h('button.small.confirm-baseline', { onclick: async () => {
      const ok = await dialog('确认首次采集的基线', [
        h('p', `${fmtTime(p.capturedAt)} 首次采集的页面（规范化文本）。确认后作为正式基线。`), textView(p.text, p.forbidden)]);
      if (!ok) return;
      try {
        if (await send((extra) => api.collector.confirmBaseline(id, p.hash, extra), p.forbidden)) {
          toast('已确认基线');
          ctx.rerender();
        }
      } catch (err) {
        toast(`确认失败：${(err as Error).message}`, 'error');
      }
    } }, '确认基线');
  }
  if (!cand || status === '一致') return null;
  return h('button.small.approve', { onclick: async () => {
    const c = b.change;
    const against = c?.against === 'provisional' ? '未确认基线' : c?.against === 'approved' ? '当前基线' : '空白（尚无基线）';
    const ok = await dialog('批准新的内容基线', [
      h('p', `以 ${fmtTime(cand.ts)} 的页面快照作为新基线。对比${against}：新增 ${c?.added ?? 0} 行，删除 ${c?.removed ?? 0} 行。`),
      cand.forbidden.length ? h('p.forbidden-warning', `含违禁词：${wordsText(cand.forbidden)}`) : null,
      c ? diffView(c.lines, cand.forbidden, c.truncated) : textView(cand.text, cand.forbidden),
    ], [], '批准');
    if (!ok) return;
    try {
      if (await send((extra) => api.collector.approveBaseline(id, cand.resultId, extra), cand.forbidden)) {
        toast('已批准新基线');
        ctx.rerender();
      }
    } catch (err) {
      toast(`批准失败：${(err as Error).message}`, 'error');
    }
  } }, '批准新基线');
}

/** The card under the stats: the pending change as a diff, or the provisional baseline to confirm. */
export function baselineCard(b: Baseline): HTMLElement | null {
  const status = baselineStatus(b);
  const cand = b.candidate;
  if (b.change && cand) {
    const c = b.change;
    const title = `内容变化（${status}）：新增 ${c.added} 行，删除 ${c.removed} 行${cand.forbidden.length ? `，违禁词 ${wordsText(cand.forbidden)}` : ''}`;
    return card(title, h('p.muted', `${fmtTime(cand.ts)} 的页面对比${c.against === 'provisional' ? '未确认基线（首次采集，尚未经人确认）' : c.against === 'approved' ? '已批准基线' : '空白（尚无基线）'}；规范化文本，绿色为新增，红色为删除，黄色标出违禁词。`),
      diffView(c.lines, cand.forbidden, c.truncated));
  }
  if (status === '未确认基线' && b.provisional) {
    return card('未确认基线（首次采集）', h('p.muted', `${fmtTime(b.provisional.capturedAt)} 首次采集的页面已作为临时基线：之后的变化照常检测和告警；请安全或运维人员核对后确认。`));
  }
  return null;
}
