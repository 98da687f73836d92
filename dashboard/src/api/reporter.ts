import type { ErrorBody, Page } from '../../../contract/common';
import { t } from '../i18n';
import type { Batch, Correction, DataType, IngestAnswer, RecordCheck, RecordDetail, ResendAnswer, RunStarted, WithdrawAnswer, DeliveryStatus, ImportFindingKind, ImportRecord, Indicators, OverdueRecord, Reconciliation, ReporterRecord, Run } from '../../../contract/reporter';
import { ApiError, get, post, unauthenticated } from './http';

export interface CorrectionQuery {
  dataType?: string;
  code?: string;
  dept?: string;
  foundBy?: string;
  q?: string;
  limit?: number;
  offset?: number;
}

/** The answers are contract/reporter.ts's; a GET gives null when the endpoint is not there (404/501). */
export const reporter = {
  /** Indicators for a period of record dates [from, to) as yyyy-MM-dd (the province's periods are months). */
  indicators: (from: string, to: string): Promise<Indicators | null> => get('/api/reporter/indicators', { from, to, limit: 1000 }),
  status: (): Promise<DeliveryStatus | null> => get('/api/reporter/delivery/status'),
  batches: (): Promise<Page<Batch> | null> => get('/api/reporter/batches', { limit: 1000 }),
  /** The batch log, one page searched, filtered and sorted on the server (status, dataType, q, sort). */
  batchPage: (q: Record<string, string | number>): Promise<Page<Batch> | null> => get('/api/reporter/batches', q),
  /** The records held, one page searched, filtered and sorted on the server (dataType, status, deptCode, q, sort). */
  recordPage: (q: Record<string, string | number>): Promise<Page<ReporterRecord> | null> => get('/api/reporter/records', q),
  /** The correction queue, filtered and paged on the server (type, reason code, department, who found it, text). */
  corrections: (f: CorrectionQuery = {}): Promise<Page<Correction> | null> => get('/api/reporter/corrections', { limit: 200, ...f }),
  /** Records past their deadline that the province has not accepted, oldest deadline first. */
  overdue: (): Promise<Page<OverdueRecord> | null> => get('/api/reporter/overdue', { limit: 100 }),
  reconciliations: (): Promise<Page<Reconciliation> | null> => get('/api/reporter/reconciliations', { limit: 200 }),
  runs: (limit = 20): Promise<Page<Run> | null> => get('/api/reporter/runs', { limit }),
  record: (dataType: DataType, recordId: string): Promise<RecordDetail | null> => get(`/api/reporter/records/${dataType}/${encodeURIComponent(recordId)}`, { limit: 5 }),
  /** The verdict the record would get now (the server's validator, nothing stored). */
  check: (dataType: DataType, record: Record<string, unknown>): Promise<RecordCheck> => post(`/api/reporter/records/${dataType}/check`, record),
  /** Saves a corrected record: a new version when its data changed (audited as reporter.records.ingest). */
  save: (dataType: DataType, record: Record<string, unknown>): Promise<IngestAnswer> => post(`/api/reporter/records/${dataType}`, record),
  withdraw: (dataType: DataType, recordId: string, reason: string): Promise<WithdrawAnswer> =>
    post(`/api/reporter/records/${dataType}/${encodeURIComponent(recordId)}/withdraw`, { reason }),
  /** Makes a record due again in its current version (sent by the next run). */
  resend: (dataType: DataType, recordId: string): Promise<ResendAnswer> => post(`/api/reporter/records/${dataType}/${encodeURIComponent(recordId)}/resend`, {}),
  /** Starts a delivery run now (what is due goes: corrected records, resumed batches). */
  runNow: (kind: 'incremental' | 'full' = 'incremental'): Promise<RunStarted> => post('/api/reporter/runs', { kind }),
  imports: (limit = 10): Promise<Page<ImportRecord> | null> => get('/api/reporter/imports', { limit }),
  /** Where one part of an import's report downloads as CSV (UTF-8 with BOM, Chinese headers). */
  importReportUrl: (id: number, part: ImportFindingKind) => `/api/reporter/imports/${id}/report.csv?part=${part}`,
  /** The three parts of an import's report as one .xlsx workbook (a worksheet per part). */
  importReportXlsxUrl: (id: number) => `/api/reporter/imports/${id}/report.xlsx`,
  /** The whole correction queue's report: one part as CSV, or (no part) the three parts as .xlsx. */
  queueReportUrl: (part?: ImportFindingKind) => (part ? `/api/reporter/corrections/report.csv?part=${part}` : '/api/reporter/corrections/report.xlsx'),
  /**
   * Uploads a file to POST /api/reporter/imports as the request body (the server reads it as it arrives). XHR, not
   * fetch, for the upload's progress; `onProgress(sent, total)`. Resolves with the finished import.
   */
  upload(dataType: DataType, file: File, opts: { encoding?: string; onProgress?(sent: number, total: number): void } = {}): Promise<ImportRecord> {
    const format = /\.(jsonl?|ndjson)$/i.test(file.name) ? 'jsonl' : /\.xlsx?$/i.test(file.name) ? 'xlsx' : 'csv';
    const q = new URLSearchParams({ type: dataType, format, name: file.name, encoding: opts.encoding ?? 'auto' });
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', `/api/reporter/imports?${q}`);
      xhr.withCredentials = true;
      xhr.setRequestHeader('content-type', 'application/octet-stream');
      xhr.upload.onprogress = (e) => opts.onProgress?.(e.loaded, e.lengthComputable ? e.total : file.size);
      xhr.onerror = () => reject(new ApiError(0, 'network', t('api.uploadNetwork')));
      xhr.onload = () => {
        let data: (ImportRecord & Partial<ErrorBody>) | null = null;
        try {
          data = xhr.responseText ? JSON.parse(xhr.responseText) : null;
        } catch {
          data = null;
        }
        if (xhr.status === 401) unauthenticated();
        if (xhr.status >= 200 && xhr.status < 300 && data) resolve(data as ImportRecord);
        else reject(new ApiError(xhr.status, data?.error?.code ?? 'http_' + xhr.status, data?.error?.message ?? `${xhr.status} ${xhr.statusText}`));
      };
      xhr.send(file);
    });
  },
};
