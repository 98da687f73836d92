import type { ImportCounts } from '../../contract/reporter';
/**
 * The import log (sql/032_reporter_imports.sql): one row per imported file, updated after every batch (so a page can
 * show how far it is), and what the clerk must act on in three parts — `error` (rejected rows: correct them),
 * `waiting` (rows held only for a referenced record the city does not hold yet, naming it), `warning` (stored and
 * sent, e.g. W_OFFICER). `findingsCsv` turns one part into the clerk's CSV (UTF-8 with BOM, Chinese headers, the
 * file's own row numbers). Typed reads return contract/reporter.ts shapes.
 */
import type { Db, Queryable } from '../../core/db';
import type { ImportFinding, ImportFindingKind, ImportRecord } from '../../contract/reporter';
import type { DataType, ValidationError } from '../standard/types';
import { labelOf } from '../standard/codes';
import { maskIdNumbers } from '../../core/mask';
import { importLines, reportCsv } from './reports';

export type { ImportCounts };

export interface NewFinding {
  kind: ImportFindingKind;
  rowNo: number;
  recordId: string;
  field: string;
  code: string;
  message: string;
  ref?: string;
}

export async function createImport(
  q: Queryable,
  m: { dataType: DataType; format: 'csv' | 'jsonl' | 'xlsx'; fileName?: string; via: 'api' | 'cli'; actor: string; now: number },
): Promise<number> {
  const res = await q.query<{ id: string }>(
    `INSERT INTO reporter_imports (data_type, format, file_name, via, actor, started_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [m.dataType, m.format, m.fileName ?? null, m.via, m.actor, new Date(m.now)],
  );
  return Number(res.rows[0].id);
}

/** After a batch: its findings and the counts so far, in one statement (so the counts match the parts). */
export async function recordProgress(q: Queryable, id: number, c: ImportCounts, findings: NewFinding[], extra: { encoding?: string } = {}) {
  await q.query(
    `WITH f AS (
       INSERT INTO reporter_import_findings (import_id, kind, row_no, record_id, field, code, message, ref)
       SELECT $1, * FROM unnest($10::text[], $11::int[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[])
     )
     UPDATE reporter_imports SET bytes = $2, rows = $3, accepted = $4, held_reference = $5, rejected = $6, unchanged = $7, warned = $8,
            encoding = coalesce($9, encoding) WHERE id = $1`,
    [
      id, c.bytes, c.rows, c.accepted, c.heldReference, c.rejected, c.unchanged, c.warned, extra.encoding ?? null,
      findings.map((f) => f.kind),
      findings.map((f) => f.rowNo),
      findings.map((f) => f.recordId || null),
      findings.map((f) => f.field),
      findings.map((f) => f.code),
      findings.map((f) => maskIdNumbers(f.message)),
      findings.map((f) => f.ref ?? null),
    ],
  );
}

export async function finishImport(
  q: Queryable,
  id: number,
  m: { now: number; status: 'done' | 'failed'; error?: string; unknownColumns?: string[]; missingColumns?: string[] },
) {
  await q.query(
    `UPDATE reporter_imports SET status = $2, finished_at = $3, error = $4, unknown_columns = $5::jsonb, missing_columns = $6::jsonb WHERE id = $1`,
    [id, m.status, new Date(m.now), m.error ? maskIdNumbers(m.error).slice(0, 2000) : null, JSON.stringify(m.unknownColumns ?? []), JSON.stringify(m.missingColumns ?? [])],
  );
}

interface ImportRow {
  id: string;
  data_type: DataType;
  format: 'csv' | 'jsonl' | 'xlsx';
  encoding: string | null;
  file_name: string | null;
  via: 'api' | 'cli';
  actor: string;
  status: ImportRecord['status'];
  started_at: Date | string;
  finished_at: Date | string | null;
  bytes: string | number;
  rows: number;
  accepted: number;
  held_reference: number;
  rejected: number;
  unchanged: number;
  warned: number;
  unknown_columns: string[];
  missing_columns: string[];
  error: string | null;
  errors_n?: string;
  waiting_n?: string;
  warnings_n?: string;
}

const iso = (v: Date | string) => (v instanceof Date ? v.toISOString() : new Date(v).toISOString());

function toImport(r: ImportRow): ImportRecord {
  return {
    id: Number(r.id), dataType: r.data_type, format: r.format, encoding: r.encoding, fileName: r.file_name, via: r.via, actor: r.actor,
    status: r.status, startedAt: iso(r.started_at), finishedAt: r.finished_at ? iso(r.finished_at) : null, bytes: Number(r.bytes),
    rows: r.rows, accepted: r.accepted, heldReference: r.held_reference, rejected: r.rejected, unchanged: r.unchanged, warned: r.warned,
    unknownColumns: r.unknown_columns ?? [], missingColumns: r.missing_columns ?? [], error: r.error,
    findings: { error: Number(r.errors_n ?? 0), waiting: Number(r.waiting_n ?? 0), warning: Number(r.warnings_n ?? 0) },
  };
}

const SELECT = `SELECT i.*,
    (SELECT count(*) FROM reporter_import_findings f WHERE f.import_id = i.id AND f.kind = 'error') AS errors_n,
    (SELECT count(*) FROM reporter_import_findings f WHERE f.import_id = i.id AND f.kind = 'waiting') AS waiting_n,
    (SELECT count(*) FROM reporter_import_findings f WHERE f.import_id = i.id AND f.kind = 'warning') AS warnings_n
  FROM reporter_imports i`;

export async function getImport(q: Queryable, id: number): Promise<ImportRecord | null> {
  const res = await q.query<ImportRow>(`${SELECT} WHERE i.id = $1`, [id]);
  return res.rows[0] ? toImport(res.rows[0]) : null;
}

export async function listImports(q: Queryable, p: { limit: number; offset: number }): Promise<{ total: number; items: ImportRecord[] }> {
  const [n, res] = await Promise.all([
    q.query<{ n: string }>(`SELECT count(*) AS n FROM reporter_imports`),
    q.query<ImportRow>(`${SELECT} ORDER BY i.id DESC LIMIT $1 OFFSET $2`, [p.limit, p.offset]),
  ]);
  return { total: Number(n.rows[0].n), items: res.rows.map(toImport) };
}

export async function importFindings(q: Queryable, id: number, kind: ImportFindingKind, p: { limit: number; offset: number }): Promise<{ total: number; items: ImportFinding[] }> {
  const [n, res] = await Promise.all([
    q.query<{ n: string }>(`SELECT count(*) AS n FROM reporter_import_findings WHERE import_id = $1 AND kind = $2`, [id, kind]),
    q.query<{ row_no: number; record_id: string | null; field: string; code: string; message: string; ref: string | null; data_type: DataType }>(
      `SELECT f.row_no, f.record_id, f.field, f.code, f.message, f.ref, i.data_type
         FROM reporter_import_findings f JOIN reporter_imports i ON i.id = f.import_id WHERE f.import_id = $1 AND f.kind = $2
        ORDER BY f.row_no, f.field, f.code LIMIT $3 OFFSET $4`,
      [id, kind, p.limit, p.offset],
    ),
  ]);
  return {
    total: Number(n.rows[0].n),
    items: res.rows.map((r) => ({ kind, rowNo: r.row_no, recordId: r.record_id ?? '', field: r.field, fieldZh: labelOf(r.data_type, r.field) ?? r.field, code: r.code, message: r.message, ref: r.ref })),
  };
}

/** The three parts' Chinese names (file names and headings). */
export const FINDING_PART_ZH: Record<ImportFindingKind, string> = { error: '待更正的错误', waiting: '等待关联记录', warning: '警告' };

/** One part of an import's report as CSV text (reports.ts: UTF-8 BOM, CRLF, formula-guarded cells, Chinese headers). */
export async function findingsCsv(q: Queryable, id: number, kind: ImportFindingKind, reveal = false): Promise<string> {
  return reportCsv(importLines(q, id, kind), kind, false, reveal);
}

/**
 * Sorts one row's outcome into the parts: a row rejected for anything else than a missing reference is an `error`
 * (all its errors); a row held only for a reference is `waiting`, naming the referenced record; warnings are `warning`.
 */
export function classify(rowNo: number, o: { errors: ValidationError[]; warnings: ValidationError[] }, data: Record<string, unknown>): NewFinding[] {
  const out: NewFinding[] = [];
  const onlyRefs = o.errors.length > 0 && o.errors.every((e) => e.code === 'E_REFERENCE');
  for (const e of o.errors) {
    const ref = e.code === 'E_REFERENCE' && typeof data[e.field] === 'string' ? (data[e.field] as string) : undefined;
    out.push({ kind: onlyRefs ? 'waiting' : 'error', rowNo, recordId: e.recordId, field: e.field, code: e.code, message: e.message, ref });
  }
  for (const w of o.warnings) out.push({ kind: 'warning', rowNo, recordId: w.recordId, field: w.field, code: w.code, message: w.message });
  return out;
}
