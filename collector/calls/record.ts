import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * One call record as every way in delivers it (NDJSON line, JSONL line, CSV row mapped by its Chinese header,
 * staging row): the wire contract of the README's 接口调用 section. `time` is ISO 8601 with an offset or epoch ms.
 */
export const callRecordSchema = z
  .object({
    time: z.union([z.string().datetime({ offset: true }), z.number().int().positive()]),
    interface: z.string().trim().min(1, 'interface（接口编码）不能为空').max(128),
    callerDept: z.string().trim().min(1, 'callerDept（调用部门）不能为空').max(128),
    callerSystem: z.string().trim().max(128).default(''),
    callerId: z.string().trim().max(128).nullish(),
    /** Absent: derived from the status (0 or ≥ 400 is a failure). */
    success: z.boolean().optional(),
    status: z.number().int().min(0).max(99_999).default(0),
    latencyMs: z.number().min(0).max(86_400_000),
    records: z.number().int().min(0).max(2_000_000_000).default(0),
    bytes: z.number().int().min(0).default(0),
    /** The sender's unique id of this call (its log id): a resend is recognised by it. */
    id: z.string().min(1).max(200).optional(),
  })
  .strip();

export type CallRecordInput = z.input<typeof callRecordSchema>;

/** A validated record, ready for call_records. */
export interface CallRow {
  ts: number;
  interfaceCode: string;
  callerDept: string;
  callerSystem: string;
  callerId: string | null;
  success: boolean;
  status: number;
  latencyMs: number;
  records: number;
  bytes: number;
  dedupeKey: string;
}

export type LineResult = { ok: true; row: CallRow } | { ok: false; message: string };

const FIELD_ZH: Record<string, string> = {
  time: '时间', interface: '接口编码', callerDept: '调用部门', callerSystem: '调用系统', callerId: '调用方标识', success: '是否成功',
  status: '状态码', latencyMs: '耗时(毫秒)', records: '返回记录数', bytes: '字节数', id: '记录编号',
};

function describe(err: z.ZodError): string {
  return err.issues
    .map((i) => {
      const f = String(i.path[0] ?? '');
      const name = f ? `${f}（${FIELD_ZH[f] ?? f}）` : '记录';
      if (i.code === 'invalid_type' && /received undefined/.test(i.message)) return `${name}: 缺少此字段 (missing)`;
      return `${name}: ${i.message}`;
    })
    .join('; ');
}

/** Validates one parsed record; never throws. */
export function toCallRow(value: unknown): LineResult {
  // The hot path: a record the schema's rules plainly accept is taken without zod; anything else (a bad field, a
  // type zod might coerce or reject) goes through the schema, which also words the error.
  const quick = quickRow(value);
  if (quick) return quick;
  const r = callRecordSchema.safeParse(value);
  if (!r.success) return { ok: false, message: describe(r.error) };
  const v = r.data;
  const ts = typeof v.time === 'number' ? v.time : Date.parse(v.time);
  if (!Number.isFinite(ts)) return { ok: false, message: `time: 无法识别的时间 ${String(v.time)}` };
  return rowOf(ts, v.interface, v.callerDept, v.callerSystem, v.callerId ?? null, v.success, v.status, v.latencyMs, v.records, v.bytes, v.id);
}

function rowOf(ts: number, interfaceCode: string, callerDept: string, callerSystem: string, callerId: string | null, ok: boolean | undefined, status: number, latencyMs: number, records: number, bytes: number, id: string | undefined): LineResult {
  const success = ok ?? (status > 0 && status < 400);
  const row: CallRow = { ts, interfaceCode, callerDept, callerSystem, callerId, success, status, latencyMs, records, bytes, dedupeKey: '' };
  row.dedupeKey = id ? 'id:' + callerDept + ':' + id : fieldsKey(row);
  return { ok: true, row };
}

/** The same pattern as `z.string().datetime({ offset: true })` in the schema (record.test.ts checks they agree). */
export const DATETIME_OFFSET = z.regexes.datetime({ offset: true, local: false, precision: null });

/** A trimmed string of `min`–128 characters, or undefined when `v` is not one. */
function text(v: unknown, min: number): string | undefined {
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return t.length >= min && t.length <= 128 ? t : undefined;
}

const int = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max;

/**
 * The schema's rules written out for the common case, accepting a subset of what callRecordSchema accepts and
 * giving the same row (record.test.ts compares the two over many records); null means "ask the schema".
 */
export function quickRow(value: unknown): LineResult | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const o = value as Record<string, unknown>;
  const time = o.time;
  let ts: number;
  if (typeof time === 'string') {
    if (!DATETIME_OFFSET.test(time)) return null;
    ts = Date.parse(time);
    if (!Number.isFinite(ts)) return null;
  } else if (int(time, 1, Number.MAX_SAFE_INTEGER)) ts = time;
  else return null;
  const iface = text(o.interface, 1);
  const dept = text(o.callerDept, 1);
  const system = o.callerSystem === undefined ? '' : text(o.callerSystem, 0);
  const callerId = o.callerId == null ? null : text(o.callerId, 0);
  if (iface === undefined || dept === undefined || system === undefined || callerId === undefined) return null;
  const success = o.success;
  if (success !== undefined && typeof success !== 'boolean') return null;
  const status = o.status === undefined ? 0 : o.status;
  const records = o.records === undefined ? 0 : o.records;
  const bytes = o.bytes === undefined ? 0 : o.bytes;
  const latency = o.latencyMs;
  if (!int(status, 0, 99_999) || !int(records, 0, 2_000_000_000) || !int(bytes, 0, Number.MAX_SAFE_INTEGER)) return null;
  if (typeof latency !== 'number' || !Number.isFinite(latency) || latency < 0 || latency > 86_400_000) return null;
  const id = o.id;
  if (id !== undefined && (typeof id !== 'string' || id.length < 1 || id.length > 200)) return null;
  return rowOf(ts, iface, dept, system, callerId, success, status, latency, records, bytes, id);
}

// Without an id, the same call is the same fields: two identical calls in the same millisecond count once.
function fieldsKey(r: CallRow): string {
  return 'h:' + createHash('sha1').update(`${r.ts}|${r.interfaceCode}|${r.callerDept}|${r.callerSystem}|${r.callerId ?? ''}|${r.success}|${r.status}|${r.latencyMs}|${r.records}|${r.bytes}`).digest('base64url');
}

/** Parses one NDJSON / JSONL line (1-based `line` for messages); blank lines are skipped by the caller. */
export function parseJsonLine(text: string): LineResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, message: `不是合法的 JSON：${(err as Error).message.slice(0, 120)}` };
  }
  return toCallRow(value);
}

/** The platform's export headers (Chinese) → the record's field names; English field names are accepted as they are. */
export const CSV_HEADERS: Record<string, keyof CallRecordInput> = {
  时间: 'time', 调用时间: 'time',
  接口编码: 'interface', 接口代码: 'interface',
  调用部门: 'callerDept', 调用单位: 'callerDept',
  调用系统: 'callerSystem',
  调用方标识: 'callerId', 调用账号: 'callerId',
  是否成功: 'success',
  状态码: 'status',
  '耗时(毫秒)': 'latencyMs', '耗时（毫秒）': 'latencyMs', 耗时: 'latencyMs',
  返回记录数: 'records',
  字节数: 'bytes', 返回字节数: 'bytes',
  记录编号: 'id', 日志编号: 'id',
};

const NUMERIC = new Set(['status', 'latencyMs', 'records', 'bytes']);
const TRUE = new Set(['是', '成功', 'true', '1', 'y', 'yes']);
const FALSE = new Set(['否', '失败', 'false', '0', 'n', 'no']);

/** A CSV row (header → cell) as a record: the Chinese header names mapped, numbers and 是/否 converted. */
export function csvRowToRecord(row: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [h, raw] of Object.entries(row)) {
    const key = CSV_HEADERS[h.trim()] ?? h.trim();
    const cell = (raw ?? '').trim();
    if (cell === '') continue;
    if (NUMERIC.has(key)) out[key] = Number(cell);
    else if (key === 'success') out[key] = TRUE.has(cell.toLowerCase()) ? true : FALSE.has(cell.toLowerCase()) ? false : cell;
    else if (key === 'time') out[key] = /^\d{10,}$/.test(cell) ? Number(cell) : normaliseTime(cell);
    else out[key] = cell;
  }
  return out;
}

// The platform exports wall-clock times without an offset ("2026-11-24 09:15:02"): they are Beijing time.
function normaliseTime(s: string): string {
  const m = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?$/.exec(s);
  if (!m) return s;
  const p = (x: string | undefined) => (x ?? '0').padStart(2, '0');
  return `${m[1]}-${p(m[2])}-${p(m[3])}T${p(m[4])}:${m[5]}:${p(m[6])}${m[7] ?? ''}+08:00`;
}
