/**
 * 数据直报 → 更正: a record of the correction queue opened in a form — every field of the standard with its Chinese
 * column header, the record's errors beside the fields they concern, checked again by the server's validator as the
 * clerk types (POST /records/:type/check, nothing stored); 保存 sends it as a new version (POST /records/:type, audited),
 * which the next delivery run sends. 撤回 withdraws a record with a reason (audited).
 */
import { api } from '../api';
import type { DataType, Finding, RecordDetail } from '../../../contract/reporter';
import { h, promptForm, toast } from '../ui';
import { hasKey, t as tr } from '../i18n';
import type { PageCtx } from '../page-ctx';

/** A record's validation state in words, the code itself when the catalogue has none. */
const statusName = (s: string) => {
  const k = `reporting.correct.status.${s}`;
  return hasKey(k) ? tr(k) : s;
};

export async function openCorrection(ctx: PageCtx, dataType: DataType, recordId: string): Promise<void> {
  const detail = await api.reporter.record(dataType, recordId).catch((err) => {
    toast(tr('reporting.correct.readFailed', { msg: (err as Error).message }), 'error');
    return null;
  });
  if (!detail) return;
  const data = (detail.record.data ?? {}) as Record<string, unknown>;
  const fields: NonNullable<RecordDetail['fields']> = detail.fields ?? Object.keys(data).map((key) => ({ key, label: key, multi: Array.isArray(data[key]) }));
  const inputs = new Map<string, HTMLInputElement | HTMLTextAreaElement>();
  const notes = new Map<string, HTMLElement>();
  const summary = h('p.correct-summary');
  const other = h('p.err.correct-other');

  const show = (status: string, errors: Finding[], warnings: Finding[]) => {
    for (const [k, el] of notes) {
      const mine = [...errors, ...warnings].filter((e) => e.field === k);
      el.textContent = mine.map((e) => `${e.code} ${e.message}`).join(tr('reporting.correct.sep'));
      el.className = mine.length ? (mine.some((e) => e.severity === 'error') ? 'err field-note' : 'muted field-note') : 'field-note';
      inputs.get(k)?.classList.toggle('invalid', mine.some((e) => e.severity === 'error'));
    }
    const rest = errors.filter((e) => !notes.has(e.field));
    other.textContent = rest.map((e) => `${e.code} ${e.message}`).join(tr('reporting.correct.sep'));
    summary.textContent = tr('reporting.correct.summary', { status: statusName(status), errors: errors.length, warnings: warnings.length });
    summary.className = `correct-summary ${errors.length ? 'err' : ''}`;
  };

  const record = (): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const f of fields) {
      const v = inputs.get(f.key)!.value.trim();
      if (v !== '') out[f.key] = v; // multi-value fields as "a;b": the validator splits them
    }
    return out;
  };

  let timer: ReturnType<typeof setTimeout> | undefined;
  let seq = 0;
  const recheck = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const mine = ++seq;
      try {
        const v = await api.reporter.check(dataType, record());
        if (mine === seq) show(v.status, v.errors, v.warnings);
      } catch (err) {
        if (mine === seq) summary.textContent = tr('reporting.correct.checkFailed', { msg: (err as Error).message });
      }
    }, 300);
  };

  const close = () => {
    clearTimeout(timer);
    overlay.remove();
  };
  const save = async (e: Event) => {
    e.preventDefault();
    try {
      const a = await api.reporter.save(dataType, record());
      const r = a.results[0];
      if (r.outcome === 'rejected') {
        show('invalid', r.errors, r.warnings);
        toast(tr('reporting.correct.savedInvalid', { v: r.version ?? '—' }), 'error');
        return;
      }
      toast(r.outcome === 'unchanged' ? tr('reporting.correct.unchanged') : tr('reporting.correct.saved', { v: r.version ?? '—', next: r.outcome === 'held_reference' ? tr('reporting.correct.held') : tr('reporting.correct.nextRun') }));
      close();
      ctx.rerender();
    } catch (err) {
      toast(tr('reporting.correct.saveFailed', { msg: (err as Error).message }), 'error');
    }
  };

  const form = h('form.modal.correct-form', { onsubmit: save },
    h('h3', tr('reporting.correct.title', { type: dataType, id: recordId, v: detail.record.version })),
    summary,
    other,
    fields.map((f) => {
      const v = data[f.key];
      const text = v === undefined || v === null ? '' : Array.isArray(v) ? v.join(';') : String(v);
      const long = !f.codeTable && (text.length > 60 || ['facts', 'basis', 'content', 'legalBasis', 'result'].includes(f.key));
      // A code field offers its table's entries (a datalist: the clerk may still type, and sees a wrong value as it is).
      const listId = f.codeTable ? `codes-${f.key}` : undefined;
      const input = (long ? h('textarea', { name: f.key, rows: '3' }, text) : h('input', { name: f.key, value: text, readonly: f.key === 'recordId', ...(listId ? { list: listId } : {}) })) as HTMLInputElement | HTMLTextAreaElement;
      input.addEventListener('input', recheck);
      inputs.set(f.key, input);
      const note = h('span.field-note');
      notes.set(f.key, note);
      const codes = f.codeTable
        ? [h('datalist', { id: listId! }, f.codeTable.options.map((o) => h('option', { value: o.value }, `${o.value} ${o.label}`))),
          h('span.muted.field-codes', tr('reporting.correct.codes', { table: f.codeTable.label, list: f.codeTable.options.map((o) => `${o.value} ${o.label}`).join(tr('reporting.correct.listSep')) }))]
        : null;
      return h('label', { 'data-field': f.key }, h('span', `${f.label}${f.multi ? tr('reporting.correct.multi') : ''}`), input, codes, note);
    }),
    h('div.actions',
      h('button', { type: 'button', class: 'secondary', onclick: close }, tr('common.cancel')),
      h('button.correct-save', { type: 'submit' }, tr('reporting.correct.save'))));
  Object.assign(form.style, { width: '640px', maxHeight: '90vh', overflowY: 'auto' });
  const overlay = h('div.overlay', form);
  document.body.append(overlay);
  show(detail.record.status, detail.record.errors, detail.record.warnings);
}

export async function withdrawRecord(ctx: PageCtx, dataType: DataType, recordId: string): Promise<void> {
  const v = await promptForm(tr('reporting.correct.withdrawTitle', { type: dataType, id: recordId }), [{ name: 'reason', label: tr('reporting.correct.withdrawReason'), type: 'textarea' }]);
  if (!v) return;
  if (!v.reason.trim()) return toast(tr('reporting.correct.needReason'), 'error');
  try {
    const a = await api.reporter.withdraw(dataType, recordId, v.reason.trim());
    toast(tr('reporting.correct.withdrawn', { v: a.version ?? '—' }));
    ctx.rerender();
  } catch (err) {
    toast(tr('reporting.correct.withdrawFailed', { msg: (err as Error).message }), 'error');
  }
}

export async function runNow(ctx: PageCtx): Promise<void> {
  try {
    const r = await api.reporter.runNow('incremental');
    toast(tr('reporting.correct.runStarted', { id: r.runId }));
    setTimeout(() => ctx.rerender(), 1500);
  } catch (err) {
    toast(tr('reporting.correct.runFailed', { msg: (err as Error).message }), 'error');
  }
}

export async function resendRecord(ctx: PageCtx, dataType: DataType, recordId: string): Promise<void> {
  try {
    const r = await api.reporter.resend(dataType, recordId);
    toast(r.marked ? tr('reporting.correct.marked') : r.inOpenBatch ? tr('reporting.correct.inOpenBatch') : tr('reporting.correct.alreadyQueued'));
    ctx.rerender();
  } catch (err) {
    toast(tr('reporting.correct.resendFailed', { msg: (err as Error).message }), 'error');
  }
}
