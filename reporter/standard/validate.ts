import type { DataType, ValidateOptions, ValidationResult } from './types';

/** Stub: the real validator follows. */
export function validateRecord<T extends DataType>(dataType: T, input: unknown, opts: ValidateOptions): ValidationResult<T> {
  void opts;
  return { dataType, recordId: String((input as { recordId?: unknown })?.recordId ?? ''), data: {}, errors: [], warnings: [], status: 'valid' };
}

export function validateBatch<T extends DataType>(dataType: T, inputs: unknown[], opts: ValidateOptions): ValidationResult<T>[] {
  return inputs.map((i) => validateRecord(dataType, i, opts));
}
