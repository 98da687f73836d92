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
  const r = callRecordSchema.safeParse(value);
  if (!r.success) return { ok: false, message: describe(r.error) };
  const v = r.data;
  const ts = typeof v.time === 'number' ? v.time : Date.parse(v.time);
  if (!Number.isFinite(ts)) return { ok: false, message: `time: 无法识别的时间 ${String(v.time)}` };
  const success = v.success ?? (v.status > 0 && v.status < 400);
  const row: Omit<CallRow, 'dedupeKey'> = {
    ts, interfaceCode: v.interface, callerDept: v.callerDept, callerSystem: v.callerSystem, callerId: v.callerId ?? null,
    success, status: v.status, latencyMs: v.latencyMs, records: v.records, bytes: v.bytes,
  };
  return { ok: true, row: { ...row, dedupeKey: v.id ? `id:${v.callerDept}:${v.id}` : fieldsKey(row) } };
}

// Without an id, the same call is the same fields: two identical calls in the same millisecond count once.
function fieldsKey(r: Omit<CallRow, 'dedupeKey'>): string {
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
