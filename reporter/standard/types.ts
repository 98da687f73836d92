/**
 * The record types of data-standard.md (contract v1.1), the validation error shape and the validator's signatures.
 * The delivery side reads these; the intake side produces them.
 *
 * Normalised form (what `reporter_records.data` holds for a valid record):
 * - text trimmed; codes half-width and upper-case where the standard says so;
 * - dates `yyyy-MM-dd`; updatedAt ISO 8601 with `+08:00` (e.g. `2026-11-24T10:00:00+08:00`);
 * - money as a yuan decimal string with exactly two decimals (`"1234.56"`); money.ts turns it into fen or 万元;
 * - multi-value fields as arrays of strings.
 */

export const DATA_TYPES = ['ITEM', 'INSPECTION', 'PENALTY', 'COERCION', 'OFFICER'] as const;
export type DataType = (typeof DATA_TYPES)[number];

export function isDataType(v: unknown): v is DataType {
  return typeof v === 'string' && (DATA_TYPES as readonly string[]).includes(v);
}

export interface CommonFields {
  recordId: string;
  regionCode: string;
  deptCode: string;
  deptName: string;
  updatedAt: string;
}

export interface PartyFields {
  partyName: string;
  partyNature: '1' | '2' | '3';
  partyCertType: '001' | '111' | '112';
  partyCertNo: string;
  legalRep?: string;
}

export interface ItemRecord extends CommonFields {
  implCode: string;
  catalogCode: string;
  itemName: string;
  category: '01' | '02' | '03' | '04';
  legalBasis: string;
}

export interface InspectionRecord extends CommonFields, PartyFields {
  actionName: string;
  implCode: string;
  checkForm: '01' | '02';
  planId?: string;
  checkDate: string;
  result: '1' | '2' | '3' | '4';
  inspectors: string[];
  certNos?: string[];
}

export interface PenaltyRecord extends CommonFields, PartyFields {
  actionName: string;
  decisionNo: string;
  implCode: string;
  caseSource: '01' | '02' | '03' | '04' | '05';
  inspectionRef?: string;
  procedure: '1' | '2';
  illegalType: string;
  facts: string;
  basis: string;
  content: string;
  penaltyTypes: string[];
  /** Yuan, two decimals ("1234.56"); absent when not fined. */
  fineAmount?: string;
  confiscatedAmount?: string;
  licenceInfo?: string;
  decisionDate: string;
  publicUntil?: string;
}

/** 行政强制行为 (contract v1.1, 行政强制法 2011). */
export interface CoercionRecord extends CommonFields, PartyFields {
  actionName: string;
  implCode: string;
  /** The INSPECTION it came from (required). */
  inspectionRef: string;
  decisionNo: string;
  facts: string;
  basis: string;
  /** COERCION_KIND: 1 行政强制措施, 2 行政强制执行. */
  kind: '1' | '2';
  /** COERCION_MEASURE (Art. 9); only with kind 1. */
  measureType?: '01' | '02' | '03' | '04' | '99';
  /** COERCION_EXECUTION (Art. 12); only with kind 2. */
  executionType?: '01' | '02' | '03' | '04' | '05' | '99';
  startDate: string;
  /** Days the 30-day limit of Art. 25 was extended by (1-30); only for 查封/扣押. A number in the normalised form. */
  extendedDays?: number;
  endDate?: string;
  result: string;
}

export interface OfficerRecord extends CommonFields {
  certNo: string;
  name: string;
  field?: string;
  validUntil: string;
  status: '1' | '2' | '3';
  idNo?: string;
}

export type RecordOf<T extends DataType> = T extends 'ITEM'
  ? ItemRecord
  : T extends 'INSPECTION'
    ? InspectionRecord
    : T extends 'PENALTY'
      ? PenaltyRecord
      : T extends 'COERCION'
        ? CoercionRecord
        : OfficerRecord;
export type AnyRecord = ItemRecord | InspectionRecord | PenaltyRecord | CoercionRecord | OfficerRecord;

export const ERROR_CODES = [
  'E_REQUIRED',
  'E_FORMAT',
  'E_CHECKSUM',
  'E_CODE_TABLE',
  'E_DATE',
  'E_RANGE',
  'E_REFERENCE',
  'E_DUPLICATE',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
export type WarningCode = 'W_OFFICER';

/** One finding about one field of one record. Messages are Chinese, name the field, and never hold a full ID number. */
export interface ValidationError {
  recordId: string;
  field: string;
  code: ErrorCode | WarningCode;
  message: string;
  severity: 'error' | 'warning';
}

export type RecordStatus = 'pending' | 'valid' | 'invalid' | 'held_reference' | 'withdrawn';
export type RecordSource = 'api' | 'import' | 'staging';
export type RecordOp = 'UPSERT' | 'DELETE';

/**
 * What the validator may ask about other records. Synchronous so that validation stays fast: the intake loads the
 * references a batch needs in one query (intake/references.ts) and answers from memory.
 */
export interface ReferenceLookup {
  /** Is there a valid (live) ITEM with this implCode? */
  itemExists(implCode: string): boolean;
  /** Is there a valid (live) INSPECTION with this recordId? */
  inspectionExists(recordId: string): boolean;
  /**
   * Is certNo a valid OFFICER certificate on `date` (yyyy-MM-dd): known, status 有效, validUntil ≥ date?
   * Return undefined when the officer register is not available: no W_OFFICER is raised then.
   */
  officerCertValid?(certNo: string, date: string): boolean | undefined;
  /**
   * The city's own OFFICER records with this certNo that are not valid (rejected, held or withdrawn), so a W_OFFICER
   * can say that the officer's record itself is what needs correcting. Optional.
   */
  officerRecordsNotValid?(certNo: string): { recordId: string; status: string }[];
}

export interface ValidateOptions {
  /** Now, in ms since the epoch ("not in the future" is judged against the date in UTC+8). */
  now: number;
  /** References; when absent, E_REFERENCE checks are skipped (e.g. a format-only pre-check). */
  refs?: ReferenceLookup;
}

export interface ValidationResult<T extends DataType = DataType> {
  dataType: T;
  /** The recordId as normalised ('' when none could be read). */
  recordId: string;
  /** The normalised record; for an invalid record, every field that could be read, normalised where possible. */
  data: Record<string, unknown>;
  /** Typed view of `data`, present only when there is no error. */
  record?: RecordOf<T>;
  errors: ValidationError[];
  warnings: ValidationError[];
  /** valid, invalid, or held_reference (only E_REFERENCE errors). */
  status: 'valid' | 'invalid' | 'held_reference';
}

/** Signatures of reporter/standard/validate.ts. */
export type ValidateRecord = <T extends DataType>(dataType: T, input: unknown, opts: ValidateOptions) => ValidationResult<T>;
