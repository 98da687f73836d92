/**
 * The one validator of data-standard.md: the intake pipeline runs it for every way in (API, import, staging) and its
 * re-check of held records runs it again. Pure and synchronous: references come from a lookup the caller loads
 * beforehand (intake/references.ts).
 */
import { FieldReader } from './fields';

import { code } from './normalise';
import { validateItem, validateInspection, validatePenalty, validateOfficer } from './rules';
import { validateCoercion } from './coercion';
import type { DataType, ValidateOptions, ValidationResult, ValidationError, RecordOf } from './types';

export { RECORD_ID_PATTERN as RECORD_ID_RE } from './patterns';
import { RECORD_ID_PATTERN as RECORD_ID_RE } from './patterns';
import { chinaDate } from '../../core/china-time';

export interface ValidatorSettings {
  /** The city's region code (reporter.intake.cityRegionCode), default 370700. */
  cityRegionCode?: string;
}

export interface FullValidateOptions extends ValidateOptions, ValidatorSettings {}

const BY_TYPE = {
  ITEM: validateItem,
  INSPECTION: validateInspection,
  PENALTY: validatePenalty,
  COERCION: validateCoercion,
  OFFICER: validateOfficer,
} as const;

/** Validates and normalises one record. */
export function validateRecord<T extends DataType>(dataType: T, input: unknown, opts: FullValidateOptions): ValidationResult<T> {
  const today = chinaDate(opts.now);
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    const r = new FieldReader({}, today, dataType);
    r.error('record', 'E_FORMAT', '每条记录应为一个 JSON 对象（字段名见数据标准）');
    return finish(dataType, r);
  }
  const r = new FieldReader(input as Record<string, unknown>, today, dataType);
  const rawId = code(r.input.recordId);
  r.recordId = rawId ?? '';
  common(r, opts.cityRegionCode ?? '370700');
  BY_TYPE[dataType](r, opts.refs);
  return finish(dataType, r);
}

function common(r: FieldReader, city: string) {
  r.pattern('recordId', RECORD_ID_RE, ' 1-50 位字母、数字、下划线或短横线');
  const region = r.pattern('regionCode', /^\d{6}$/, ' 6 位数字的行政区划代码（GB/T 2260）');
  if (region && region.slice(0, 4) !== city.slice(0, 4)) {
    r.error('regionCode', 'E_RANGE', `${region} 不是本市的行政区划代码，应为 ${city.slice(0, 4)} 开头的 6 位代码（如 ${city}）`);
  }
  r.uscc('deptCode');
  r.text('deptName', { min: 2, max: 100, what: '实施机构名称' });
  r.dateTime('updatedAt');
}

function finish<T extends DataType>(dataType: T, r: FieldReader): ValidationResult<T> {
  let onlyRefs = r.errors.length > 0;
  for (const e of r.errors) if (e.code !== 'E_REFERENCE') onlyRefs = false;
  const status = r.errors.length === 0 ? 'valid' : onlyRefs ? 'held_reference' : 'invalid';
  return {
    dataType,
    recordId: r.recordId,
    data: r.data,
    record: status === 'valid' ? (r.data as unknown as RecordOf<T>) : undefined,
    errors: r.errors,
    warnings: r.warnings,
    status,
  };
}

