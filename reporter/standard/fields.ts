/**
 * Field readers for the validator: each reads one field of the raw input, normalises it, records an error naming
 * the field when it breaks a rule, and stores the normalised value in `data`. Messages are Chinese, say what is
 * wrong and how to fix it, and never contain a full ID number.
 */
import { maskIdNumber, maskIdNumbers } from '../../core/mask';
import { CODE_TABLES, CODE_TABLE_NAMES_ZH, describeTable, fieldLabel, type CodeTableName } from './codes';
import { checkIdNumber } from './idno';
import { parseDate, parseDateTime } from './dates';
import { parseYuan } from './money';
import { code, hasControlChars, multi, text, upperCode } from './normalise';
import { checkUscc } from './uscc';
import type { DataType, ErrorCode, ValidationError } from './types';

export class FieldReader {
  readonly errors: ValidationError[] = [];
  readonly warnings: ValidationError[] = [];
  readonly data: Record<string, unknown> = {};
  recordId = '';

  constructor(
    readonly input: Record<string, unknown>,
    /** Today in UTC+8, yyyy-MM-dd. */
    readonly today: string,
    /** The record's type: messages name a field by its header in this type. */
    readonly dataType?: DataType,
  ) {}

  error(field: string, code: ErrorCode, message: string) {
    this.errors.push({ recordId: this.recordId, field, code, message: maskIdNumbers(`${fieldLabel(field, this.dataType)}：${message}`), severity: 'error' });
  }

  warn(field: string, message: string) {
    this.warnings.push({ recordId: this.recordId, field, code: 'W_OFFICER', message: maskIdNumbers(`${fieldLabel(field, this.dataType)}：${message}`), severity: 'warning' });
  }

  /** Has this field already an error? (Cross-field rules skip fields that are already wrong.) */
  failed(field: string): boolean {
    for (const e of this.errors) if (e.field === field) return true;
    return false;
  }

  private required(field: string, what: string) {
    this.error(field, 'E_REQUIRED', `必填，请填写${what}`);
  }

  /** Free text: trimmed, no control characters, length in [min, max] characters. */
  text(field: string, opts: { min?: number; max?: number; required?: boolean; multiline?: boolean; what?: string }): string | undefined {
    const raw = this.input[field];
    if (raw !== undefined && raw !== null && typeof raw === 'object') {
      this.error(field, 'E_FORMAT', '应为文字，不能是列表或对象');
      return undefined;
    }
    const s = text(raw);
    if (s === undefined) {
      if (opts.required !== false) this.required(field, opts.what ?? '');
      return undefined;
    }
    this.data[field] = s;
    if (hasControlChars(s, opts.multiline)) {
      this.error(field, 'E_FORMAT', '含有不可见的控制字符，请删除后重新提交（常见于从其他系统复制的文字）');
      return undefined;
    }
    const min = opts.min ?? 1;
    if (s.length > (opts.max ?? Infinity) || s.length < min) {
      const n = [...s].length;
      if (opts.max !== undefined && n > opts.max) {
        this.error(field, 'E_RANGE', `长度为 ${n} 个字，超过上限 ${opts.max} 个字，请精简`);
        return undefined;
      }
      if (n < min) {
        this.error(field, 'E_RANGE', `长度为 ${n} 个字，至少应为 ${min} 个字`);
        return undefined;
      }
    }
    return s;
  }

  /** A code that must match a pattern (after full-width → half-width). */
  pattern(field: string, re: RegExp, rule: string, opts: { required?: boolean; upper?: boolean } = {}): string | undefined {
    const raw = this.input[field];
    const s = opts.upper ? upperCode(raw) : code(raw);
    if (s === undefined) {
      if (opts.required !== false) this.required(field, `（${rule}）`);
      return undefined;
    }
    this.data[field] = s;
    if (!re.test(s)) {
      this.error(field, 'E_FORMAT', `"${clip(s)}" 格式不正确，应为${rule}`);
      return undefined;
    }
    return s;
  }

  /** A value of a code table. */
  codeOf(field: string, table: CodeTableName, opts: { required?: boolean } = {}): string | undefined {
    const s = code(this.input[field]);
    if (s === undefined) {
      if (opts.required !== false) this.required(field, `代码（${describeTable(table)}）`);
      return undefined;
    }
    this.data[field] = s;
    if (!Object.prototype.hasOwnProperty.call(CODE_TABLES[table], s)) {
      this.error(field, 'E_CODE_TABLE', `"${clip(s)}" 不在代码表 ${table}（${CODE_TABLE_NAMES_ZH[table]}）中，可选值：${describeTable(table)}`);
      return undefined;
    }
    return s;
  }

  /** A list of values (array, or a string split on ; or ；). */
  list(field: string, opts: { required?: boolean; what?: string } = {}): string[] | undefined {
    const v = multi(this.input[field]);
    if (v === undefined) {
      if (opts.required) this.required(field, opts.what ?? '');
      return undefined;
    }
    this.data[field] = v;
    return v;
  }

  /** 统一社会信用代码. */
  uscc(field: string, opts: { required?: boolean } = {}): string | undefined {
    const s = upperCode(this.input[field]);
    if (s === undefined) {
      if (opts.required !== false) this.required(field, '18 位统一社会信用代码');
      return undefined;
    }
    this.data[field] = s;
    const r = checkUscc(s);
    if (r === 'format') {
      this.error(field, 'E_FORMAT', `"${clip(s)}" 不是 18 位统一社会信用代码（只含数字和除 I、O、S、V、Z 外的大写字母，第 3-8 位为行政区划代码），请核对`);
      return undefined;
    }
    if (r === 'checksum') {
      this.error(field, 'E_CHECKSUM', `"${s}" 校验位不正确（最后一位应由前 17 位计算得出），请核对是否抄错`);
      return undefined;
    }
    return s;
  }

  /** 居民身份证号码; messages show it masked. */
  idNumber(field: string, opts: { required?: boolean } = {}): string | undefined {
    const s = upperCode(this.input[field]);
    if (s === undefined) {
      if (opts.required !== false) this.required(field, '18 位居民身份证号码');
      return undefined;
    }
    this.data[field] = s;
    return this.checkId(field, s) ? s : undefined;
  }

  checkId(field: string, s: string): boolean {
    const r = checkIdNumber(s, this.today);
    const shown = maskIdNumber(s);
    if (r === 'format') this.error(field, 'E_FORMAT', `"${shown}" 不是 18 位居民身份证号码（17 位数字加 1 位数字或 X），请核对`);
    else if (r === 'date') this.error(field, 'E_DATE', `"${shown}" 中的出生日期不存在或晚于今天，请核对`);
    else if (r === 'checksum') this.error(field, 'E_CHECKSUM', `"${shown}" 校验位不正确，请核对是否抄错`);
    return r === 'ok';
  }

  /** A calendar day, normalised to yyyy-MM-dd; `notFuture` refuses a day after today (UTC+8). */
  date(field: string, opts: { required?: boolean; notFuture?: boolean } = {}): string | undefined {
    const s = text(this.input[field]);
    if (s === undefined) {
      if (opts.required !== false) this.required(field, '日期（yyyy-MM-dd）');
      return undefined;
    }
    this.data[field] = s;
    const p = parseDate(code(s)!);
    if (!p.ok) {
      this.error(field, 'E_DATE', p.reason === 'calendar' ? `"${clip(s)}" 不是真实存在的日期，请核对` : `"${clip(s)}" 不是日期，请写成 yyyy-MM-dd，例如 2026-11-24`);
      return undefined;
    }
    this.data[field] = p.value;
    if (opts.notFuture && p.value > this.today) {
      this.error(field, 'E_DATE', `${p.value} 晚于今天（${this.today}），不能是将来的日期，请核对`);
      return undefined;
    }
    return p.value;
  }

  /** A timestamp: ISO 8601 with offset, or "yyyy-MM-dd HH:mm:ss" as UTC+8; normalised to ISO with +08:00. */
  dateTime(field: string): string | undefined {
    const s = text(this.input[field]);
    if (s === undefined) {
      this.required(field, '时间（如 2026-11-24 10:00:00 或 2026-11-24T10:00:00+08:00）');
      return undefined;
    }
    this.data[field] = s;
    const p = parseDateTime(code(s)!);
    if (!p.ok) {
      const why =
        p.reason === 'offset'
          ? '缺少时区，请写成 2026-11-24T10:00:00+08:00 或 2026-11-24 10:00:00'
          : p.reason === 'calendar'
            ? '不是真实存在的时间，请核对'
            : '格式不正确，请写成 2026-11-24 10:00:00 或 2026-11-24T10:00:00+08:00';
      this.error(field, 'E_DATE', `"${clip(s)}" ${why}`);
      return undefined;
    }
    this.data[field] = p.iso;
    return p.iso;
  }

  /** Yuan with at most two decimals, ≥ 0; returns fen; `data` holds "1234.56". */
  money(field: string): number | undefined {
    const raw = this.input[field];
    if (raw === undefined || raw === null || raw === '') return undefined;
    const src = typeof raw === 'number' ? raw : typeof raw === 'string' ? code(raw) : undefined;
    if (src === undefined) {
      if (typeof raw === 'string') return undefined; // only blanks
      this.error(field, 'E_FORMAT', '应为金额（元），如 1234.56');
      return undefined;
    }
    this.data[field] = src;
    const p = parseYuan(src);
    if (!p.ok) {
      if (p.reason === 'negative') this.error(field, 'E_RANGE', `${src} 为负数，金额不能小于 0`);
      else if (p.reason === 'decimals') this.error(field, 'E_FORMAT', `${src} 超过两位小数，金额以元为单位、最多精确到分`);
      else this.error(field, 'E_FORMAT', `"${clip(String(src))}" 不是金额，请只填数字（单位：元，最多两位小数，不带千分位和货币符号），如 1234.56`);
      return undefined;
    }
    this.data[field] = `${Math.floor(p.fen / 100)}.${String(p.fen % 100).padStart(2, '0')}`;
    return p.fen;
  }
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
