/**
 * 数据直报 → 更正: a record of the correction queue opened in a form — every field of the standard with its Chinese
 * column header, the record's errors beside the fields they concern, checked again by the server's validator as the
 * clerk types (POST /records/:type/check, nothing stored); 保存 sends it as a new version (POST /records/:type, audited),
 * which the next delivery run sends. 撤回 withdraws a record with a reason (audited).
 */
import { api } from '../api';
import type { DataType, Finding, RecordDetail } from '../../../contract/reporter';
import { h, promptForm, toast } from '../ui';
import type { PageCtx } from '../page-ctx';

const STATUS_ZH: Record<string, string> = { valid: '校验通过', invalid: '校验未通过', held_reference: '等待关联记录' };

export async function openCorrection(ctx: PageCtx, dataType: DataType, recordId: string): Promise<void> {
  const detail = await api.reporter.record(dataType, recordId).catch((err) => {
    toast(`读取记录失败：${(err as Error).message}`, 'error');
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
      el.textContent = mine.map((e) => `${e.code} ${e.message}`).join('；');
      el.className = mine.length ? (mine.some((e) => e.severity === 'error') ? 'err field-note' : 'muted field-note') : 'field-note';
      inputs.get(k)?.classList.toggle('invalid', mine.some((e) => e.severity === 'error'));
    }
    const rest = errors.filter((e) => !notes.has(e.field));
    other.textContent = rest.map((e) => `${e.code} ${e.message}`).join('；');
    summary.textContent = `${STATUS_ZH[status] ?? status}：${errors.length} 个错误，${warnings.length} 个警告`;
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
        if (mine === seq) summary.textContent = `校验请求失败：${(err as Error).message}`;
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
        toast(`已保存为第 ${r.version} 版，但仍有错误，不会上报`, 'error');
        return;
      }
      toast(r.outcome === 'unchanged' ? '内容未变化' : `已保存为第 ${r.version} 版（${r.outcome === 'held_reference' ? '等待关联记录' : '将在下次上报时发送'}）`);
      close();
      ctx.rerender();
    } catch (err) {
      toast(`保存失败：${(err as Error).message}`, 'error');
    }
  };

  const form = h('form.modal.correct-form', { onsubmit: save },
    h('h3', `更正 ${dataType} ${recordId}（第 ${detail.record.version} 版）`),
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
          h('span.muted.field-codes', `${f.codeTable.label}：${f.codeTable.options.map((o) => `${o.value} ${o.label}`).join('、')}`)]
        : null;
      return h('label', { 'data-field': f.key }, h('span', `${f.label}${f.multi ? '（多个用 ; 分隔）' : ''}`), input, codes, note);
    }),
    h('div.actions',
      h('button', { type: 'button', class: 'secondary', onclick: close }, '取消'),
      h('button.correct-save', { type: 'submit' }, '保存为新版本')));
  Object.assign(form.style, { width: '640px', maxHeight: '90vh', overflowY: 'auto' });
  const overlay = h('div.overlay', form);
  document.body.append(overlay);
  show(detail.record.status, detail.record.errors, detail.record.warnings);
}

export async function withdrawRecord(ctx: PageCtx, dataType: DataType, recordId: string): Promise<void> {
  const v = await promptForm(`撤回 ${dataType} ${recordId}`, [{ name: 'reason', label: '撤回原因（记入审计日志）', type: 'textarea' }]);
  if (!v) return;
  if (!v.reason.trim()) return toast('请填写撤回原因', 'error');
  try {
    const a = await api.reporter.withdraw(dataType, recordId, v.reason.trim());
    toast(`已撤回（第 ${a.version} 版）；如省平台已有该记录，下次上报时发送删除`);
    ctx.rerender();
  } catch (err) {
    toast(`撤回失败：${(err as Error).message}`, 'error');
  }
}

export async function runNow(ctx: PageCtx): Promise<void> {
  try {
    const r = await api.reporter.runNow('incremental');
    toast(`已开始增量上报（运行 #${r.runId}）`);
    setTimeout(() => ctx.rerender(), 1500);
  } catch (err) {
    toast(`上报未开始：${(err as Error).message}`, 'error');
  }
}

export async function resendRecord(ctx: PageCtx, dataType: DataType, recordId: string): Promise<void> {
  try {
    const r = await api.reporter.resend(dataType, recordId);
    toast(r.marked ? '已标记为重新上报，下次运行（或"立即上报"）发送' : r.inOpenBatch ? '该记录在未完成的批次中，下次运行续传' : '该记录已在待上报之列（或不是校验通过的当前版本）');
    ctx.rerender();
  } catch (err) {
    toast(`重新上报失败：${(err as Error).message}`, 'error');
  }
}
