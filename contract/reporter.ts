/**
 * The answers of /api/reporter/* (reporter/intake/routes.ts and reporter/delivery/routes.ts build them from the
 * reporter's stores, dashboard/src/api/reporter.ts reads them). Lists are Page<T>; instants are ISO strings; calendar
 * days (record dates, deadlines, periods) are "yyyy-MM-dd" in UTC+8. Status and outcome values stay the snake_case
 * words of the database and the province contract (`held_reference`, `not_found`, `city_invalid`): values, not keys.
 */
import type { CalendarDay, Instant, Page } from './common';

export type DataType = 'ITEM' | 'INSPECTION' | 'PENALTY' | 'COERCION' | 'OFFICER';
export type RecordStatus = 'pending' | 'valid' | 'invalid' | 'held_reference' | 'withdrawn';
export type RecordSource = 'api' | 'import' | 'staging';
export type RecordOp = 'UPSERT' | 'DELETE';
export type Outcome = 'accepted' | 'held_reference' | 'rejected' | 'unchanged' | 'withdrawn' | 'not_found';

/** An error or warning of the city's validation (data-standard.md codes: E_FORMAT, E_REFERENCE, W_OFFICER, ...). */
export interface Finding {
  recordId: string;
  field: string;
  code: string;
  message: string;
  severity: 'error' | 'warning';
}

/** An error the province gave for one record. */
export interface GatewayError {
  field?: string;
  code: string;
  message: string;
}

// ---- intake ----

/** How many records of a submission ended how. */
export interface OutcomeCounts {
  accepted: number;
  heldReference: number;
  rejected: number;
  unchanged: number;
}

/** POST /records/:dataType: the counts and one result per input, in order. */
export interface IngestAnswer extends OutcomeCounts {
  dataType: DataType;
  results: { index: number; recordId: string; outcome: Outcome; status?: RecordStatus; version?: number; errors: Finding[]; warnings: Finding[] }[];
}

/** A record as the city holds it (GET /records items, GET /records/:dataType/:recordId `record`). */
export interface ReporterRecord {
  dataType: DataType;
  recordId: string;
  version: number;
  op: RecordOp;
  status: RecordStatus;
  source: RecordSource;
  firstArrivedAt: Instant;
  lastArrivedAt: Instant;
  /** Only in the single record's answer. */
  validatedAt?: Instant | null;
  recordDate: CalendarDay | null;
  deadline: CalendarDay | null;
  deptCode: string | null;
  errors: Finding[];
  warnings: Finding[];
  /** The normalised fields (GET /records with ?withData=1, and the single record); ID numbers masked for readers. */
  data?: Record<string, unknown>;
}

/** One version of a record (GET /records/:dataType/:recordId `history`, newest first). */
export interface RecordVersion {
  version: number;
  op: RecordOp;
  source: RecordSource;
  arrivedAt: Instant;
  receivedBy: string;
  status: RecordStatus;
  errors: Finding[];
  warnings: Finding[];
  data: Record<string, unknown> | null;
}

/** GET /records/:dataType/:recordId: the record and one page of its history. */
export interface RecordDetail {
  record: ReporterRecord;
  /** The type's fields in the standard's order with their Chinese column headers (the correction form). */
  fields?: {
    key: string;
    label: string;
    multi: boolean;
    /** The code table a code field takes its values from (data-standard.md), with its entries and their Chinese labels. */
    codeTable?: { name: string; label: string; options: { value: string; label: string }[] };
  }[];
  history: RecordVersion[];
  limit: number;
  offset: number;
}

/** POST /records/:dataType/check: the verdict one record would get now; nothing stored. */
export interface RecordCheck {
  dataType: DataType;
  recordId: string;
  status: 'valid' | 'held_reference' | 'invalid';
  errors: Finding[];
  warnings: Finding[];
}

/** GET /records/stats: per type, per status. */
export interface RecordStats {
  counts: Record<DataType, Record<RecordStatus, number>>;
}

/** GET /rejects (items): input that could not be keyed, kept as it came. */
export interface IntakeReject {
  id: number;
  dataType: string;
  source: RecordSource;
  arrivedAt: Instant;
  receivedBy: string;
  row: number | null;
  errors: Finding[];
  payload: unknown;
}

/** POST /records/:dataType/:recordId/withdraw. */
export interface WithdrawAnswer {
  dataType: DataType;
  recordId: string;
  outcome: Outcome;
  status?: RecordStatus;
  version?: number;
}

/** POST /staging/run (and the pick-up before each delivery run). */
export interface StagingRun extends OutcomeCounts {
  picked: number;
  withdrawn: number;
  notFound: number;
  /** Another pick-up was running. */
  skipped?: boolean;
}

// ---- imports (POST /imports, GET /imports, GET /imports/:id, GET /imports/:id/findings, GET /imports/:id/report.csv) ----

/** The three parts of an import's report: rows to correct, rows waiting for a referenced record, warnings. */
export type ImportFindingKind = 'error' | 'waiting' | 'warning';

/** What an import counted: bytes and rows read, and the rows' outcomes. */
export interface ImportCounts {
  bytes: number;
  rows: number;
  accepted: number;
  /** Held for a referenced record the city does not hold yet (the `waiting` part names it). */
  heldReference: number;
  rejected: number;
  unchanged: number;
  /** Rows with a warning (stored and sent). */
  warned: number;
}

/** One imported file (the API's upload or the command), with its counts so far. */
export interface ImportRecord extends ImportCounts {
  id: number;
  dataType: DataType;
  format: 'csv' | 'jsonl' | 'xlsx';
  /** How the bytes were read: `utf-8` or `gb18030` (GBK). */
  encoding: string | null;
  fileName: string | null;
  via: 'api' | 'cli';
  actor: string;
  status: 'running' | 'done' | 'failed';
  startedAt: Instant;
  finishedAt: Instant | null;
  unknownColumns: string[];
  missingColumns: string[];
  /** Why a failed import stopped. */
  error: string | null;
  /** Lines in each part of the report. */
  findings: Record<ImportFindingKind, number>;
}

/** One line of an import's report (GET /imports/:id/findings?kind=). */
export interface ImportFinding {
  kind: ImportFindingKind;
  /** The file's own row: CSV as a spreadsheet counts (header = 1), JSONL the line. */
  rowNo: number;
  recordId: string;
  field: string;
  /** The field's Chinese column header (中文列名). */
  fieldZh: string;
  code: string;
  message: string;
  /** `waiting`: the referenced record's code (ITEM implCode / INSPECTION recordId). */
  ref: string | null;
}

// ---- delivery ----

export type RunKind = 'incremental' | 'full' | 'reconcile';
export type RunStatus = 'running' | 'ok' | 'partial' | 'failed';

/** A delivery run (GET /runs items, `lastRuns` of the status). */
export interface Run {
  id: number;
  kind: RunKind;
  trigger: 'schedule' | 'api' | 'cli' | 'start' | string;
  actor: string | null;
  startedAt: Instant;
  finishedAt: Instant | null;
  status: RunStatus;
  /** The run's counts (batches, records, accepted, rejected, ...), or the reconciliation's summary. */
  stats: Record<string, unknown> | null;
  error: string | null;
}

/** GET /delivery/status. */
export interface DeliveryStatus {
  enabled: boolean;
  province: { url: string; adapter: string } | null;
  /** This process sends (reporter role, leader lock held). */
  sender: boolean;
  running: { kind: RunKind; runId: number | null; since: Instant } | null;
  /** The latest run of each kind. */
  lastRuns: Run[];
  nextRuns: { kind: RunKind; next: Instant | null }[];
  /** Batches not finished, by status (pending, processing). */
  openBatches: Record<string, number>;
}

/** POST /runs: a run was started. */
/** POST /records/:type/:id/resend, POST /batches/:id/resend: records made due again; those still in an open batch. */
export interface ResendAnswer {
  marked: number;
  inOpenBatch: number;
}

export interface RunStarted {
  runId: number;
  kind: RunKind;
  status: 'running';
}

/** POST /runs with kind dry-run: what would be sent. */
export interface DryRun {
  kind: 'incremental' | 'full';
  due: { dataType: DataType; op: RecordOp; n: number }[];
  openBatches: { batchId: string; dataType: DataType; status: string; records: number }[];
  batches: { dataType: DataType; records: number; bytes: number; first: string; last: string }[];
  sample: { dataType: DataType; recordId: string; version: number; op: RecordOp; wire: unknown }[];
}

export type BatchStatus = 'pending' | 'processing' | 'done' | 'failed';

/** A batch sent (or to be sent) to the province (GET /batches items). */
export interface Batch {
  batchId: string;
  dataType: DataType;
  runId: number | null;
  createdAt: Instant;
  status: BatchStatus;
  recordCount: number;
  bodyBytes: number;
  attempts: number;
  firstAnswerAt: Instant | null;
  finishedAt: Instant | null;
  receiptId: string | null;
  accepted: number | null;
  rejected: number | null;
  lastError: string | null;
}

/** One request to the gateway (GET /attempts items; `batchId` null for count queries). */
export interface Attempt {
  time: Instant;
  batchId: string | null;
  kind: 'upload' | 'receipt' | 'count';
  attempt: number;
  requestId: string;
  httpStatus: number | null;
  outcome: string;
  error: string | null;
  durationMs: number;
  receipt: { receiptId?: string; status: string; duplicate: boolean; accepted: number; rejected: number } | null;
}

/** GET /batches/:id: the batch with its receipt, and one page of its attempts. */
export interface BatchDetail {
  batch: Batch & { receipt: unknown };
  attempts: Page<Attempt>;
}

/** GET /batches/:id/items (items). */
export interface BatchItem {
  dataType: DataType;
  recordId: string;
  version: number;
  op: RecordOp;
  verdict: string | null;
}

/** GET /corrections (items): held back by the city's validation, or rejected by the province in its current version. */
export interface Correction {
  dataType: DataType;
  recordId: string;
  version: number;
  status: RecordStatus;
  deptCode: string | null;
  deadline: CalendarDay | null;
  lastArrivedAt: Instant;
  foundBy: 'city' | 'province';
  errors: (Finding | GatewayError)[];
  rejectedBatch: string | null;
  rejectedAt: Instant | null;
}

export type OverdueReason = 'city_invalid' | 'province_rejected' | 'not_sent' | 'awaiting_verdict';

/** GET /overdue (items): past the deadline and not accepted by the province, oldest deadline first. */
export interface OverdueRecord {
  dataType: DataType;
  recordId: string;
  version: number;
  status: RecordStatus;
  deptCode: string | null;
  recordDate: CalendarDay | null;
  deadline: CalendarDay;
  daysOverdue: number;
  reason: OverdueReason;
  errors: (Finding | GatewayError)[] | null;
}

/** GET /reconciliations (items): the province's count against the city's for one type and period. */
export interface Reconciliation {
  id: number;
  runId: number | null;
  checkedAt: Instant;
  dataType: DataType;
  periodFrom: CalendarDay;
  periodTo: CalendarDay;
  cityCount: number;
  provinceCount: number | null;
  match: boolean;
  error: string | null;
}

/** The indicators of data-standard.md for one type (and department; deptCode null: all of the type's). */
export interface IndicatorRow {
  dataType: string;
  deptCode: string | null;
  received: number;
  valid: number;
  sent: number;
  accepted: number;
  rejected: number;
  pending: number;
  overdue: number;
  dueInPeriod: number;
  onTime: number;
  /** 及时率 */
  timelinessRate: number | null;
  /** 迟报率 */
  lateRate: number | null;
  deliveredWithVerdict: number;
  firstAccepted: number;
  /** 准确率 (数据合规率) */
  accuracyRate: number | null;
  /** 完整率 (per type only: the province counts per type) */
  completenessRate?: number | null;
  provinceCount?: number | null;
  cityLiveValid?: number;
  /** What 完整率 rests on: the province's count for the period, or stored reconciliations that tile it. */
  completenessBasis?: { source: 'province' | 'reconciliation'; periods: number; from: CalendarDay; to: CalendarDay; checkedAt: Instant | null } | null;
  /** Why 完整率 is null (the dashboard shows this instead of an empty gauge). */
  completenessReason?: { code: string; message: string } | null;
}

/** 覆盖率 per department (deptCode null: all). */
export interface CoverageRow {
  deptCode: string | null;
  items: number;
  covered: number;
  coverageRate: number | null;
}

/** GET /indicators: one page of rows for the period [from, to), and the coverage. */
export interface Indicators extends Page<IndicatorRow> {
  period: { from: CalendarDay; to: CalendarDay };
  coverage: CoverageRow[];
}
