import { createHash, randomUUID } from 'node:crypto';
import { validateRecord } from '../../reporter/standard/validate';
import { DATA_TYPES, type DataType, type ReferenceLookup } from '../../reporter/standard/types';
import { wanToYuan, MONEY_FIELDS } from '../../reporter/adapters/contract-v1';
import { recordDate, type SimBatch, type SimStore } from './store';

/** The gateway's batch and count logic (province-api.md), independent of HTTP. */
export type GatewayAnswer = { status: number; body: Record<string, unknown>; headers?: Record<string, string> };

export const MAX_RECORDS = 1000;
export const MAX_BYTES = 5 * 1024 * 1024;

export function receiptBody(b: SimBatch, now: number, duplicate: boolean) {
  const ready = now >= b.readyAt;
  return {
    code: 0,
    batchId: b.batchId,
    receiptId: b.receiptId,
    status: ready ? 'ACCEPTED' : 'PROCESSING',
    duplicate,
    accepted: ready ? b.accepted : 0,
    rejected: ready ? b.rejected : [],
  };
}

type WireError = { field?: string; code: string; message: string };

/** Wire data back to the city's form for the shared validator: 万元 → yuan; any other money form is E_FORMAT. */
function fromWire(data: Record<string, unknown>): { data: Record<string, unknown>; errors: WireError[] } {
  const out = { ...data };
  const errors: WireError[] = [];
  for (const [yuan, wan] of MONEY_FIELDS) {
    if (yuan in out) {
      errors.push({ field: yuan, code: 'E_FORMAT', message: `金额须以万元上报（字段 ${wan}，六位小数），不接受 ${yuan}` });
      delete out[yuan];
    }
    if (wan in out) {
      const y = wanToYuan(out[wan]);
      if (y === undefined) errors.push({ field: wan, code: 'E_FORMAT', message: `${wan} 须为六位小数的万元金额字符串，如 "0.123456"` });
      else out[yuan] = y;
      delete out[wan];
    }
  }
  return { data: out, errors };
}

/** Takes one batch: validates every record against what the province holds live, applies it, keeps the receipt. */
export function takeBatch(store: SimStore, raw: Buffer, now: number, processingMs: number): GatewayAnswer {
  if (raw.length > MAX_BYTES) return { status: 413, body: { code: 41301, message: `batch body is ${raw.length} bytes; at most ${MAX_BYTES}` } };
  let j: { batchId?: unknown; dataType?: unknown; regionCode?: unknown; records?: unknown };
  try {
    j = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    return { status: 400, body: { code: 40001, message: `malformed JSON: ${(err as Error).message}` } };
  }
  if (!j || typeof j !== 'object') return { status: 400, body: { code: 40001, message: 'body must be a JSON object' } };
  if (typeof j.batchId !== 'string' || !/^[0-9A-Za-z_-]{1,64}$/.test(j.batchId)) return { status: 400, body: { code: 40001, message: 'batchId missing or malformed' } };
  const prior = store.batches.get(j.batchId);
  if (prior) {
    store.stats.duplicateBatches++;
    return { status: 200, body: receiptBody(prior, now, true) };
  }
  if (typeof j.dataType !== 'string' || !(DATA_TYPES as readonly string[]).includes(j.dataType)) return { status: 400, body: { code: 40001, message: `unknown dataType ${JSON.stringify(j.dataType)}` } };
  if (typeof j.regionCode !== 'string' || !/^\d{6}$/.test(j.regionCode)) return { status: 400, body: { code: 40001, message: 'regionCode must be 6 digits' } };
  if (!Array.isArray(j.records)) return { status: 400, body: { code: 40001, message: 'records must be an array' } };
  if (j.records.length > MAX_RECORDS) return { status: 413, body: { code: 41301, message: `${j.records.length} records; at most ${MAX_RECORDS} per batch` } };
  const dataType = j.dataType as DataType;
  const regionCode = j.regionCode;
  if (dataType === 'ITEM') store.itemsChanged();
  const liveImpl = store.liveImplCodes();
  const refs: ReferenceLookup = {
    itemExists: (implCode) => liveImpl.has(implCode),
    inspectionExists: (id) => store.isLive('INSPECTION', id),
  };

  let accepted = 0;
  const rejected: SimBatch['rejected'] = [];
  for (const rec of j.records as unknown[]) {
    const r = rec as { recordId?: unknown; op?: unknown; data?: unknown };
    const recordId = typeof r?.recordId === 'string' ? r.recordId : '';
    if (!/^[A-Za-z0-9_-]{1,50}$/.test(recordId)) {
      rejected.push({ recordId, errors: [{ field: 'recordId', code: 'E_FORMAT', message: '记录编码须为 1–50 位字母、数字、_ 或 -' }] });
      continue;
    }
    if (r.op === 'DELETE') {
      // Withdrawing what the province does not hold is a no-op, so a resent DELETE never fails.
      const cur = store.get(dataType, recordId);
      if (cur) {
        cur.live = false;
        cur.deletes++;
        cur.lastBatchId = j.batchId;
      }
      accepted++;
      continue;
    }
    if (r.op !== 'UPSERT') {
      rejected.push({ recordId, errors: [{ field: 'op', code: 'E_FORMAT', message: 'op 须为 UPSERT 或 DELETE' }] });
      continue;
    }
    if (!r.data || typeof r.data !== 'object' || Array.isArray(r.data)) {
      rejected.push({ recordId, errors: [{ field: 'data', code: 'E_REQUIRED', message: '缺少 data' }] });
      continue;
    }
    const wire = fromWire(r.data as Record<string, unknown>);
    const v = validateRecord(dataType, { ...wire.data, recordId }, { now, refs, cityRegionCode: regionCode });
    const errors: WireError[] = [...wire.errors, ...v.errors.map((e) => ({ field: e.field, code: e.code, message: e.message }))];
    if (errors.length) {
      rejected.push({ recordId, errors });
      continue;
    }
    const key = store.key(dataType, recordId);
    const cur = store.records.get(key);
    const data = r.data as Record<string, unknown>;
    if (cur) Object.assign(cur, { data, live: true, upserts: cur.upserts + 1, lastBatchId: j.batchId, cityRegion: regionCode });
    else store.records.set(key, { dataType, recordId, cityRegion: regionCode, data, live: true, upserts: 1, deletes: 0, lastBatchId: j.batchId });
    accepted++;
  }
  if (dataType === 'ITEM') store.itemsChanged(); // rebuilt on the next reference check
  const b: SimBatch = {
    batchId: j.batchId, dataType, regionCode, takenAt: now, readyAt: now + processingMs, receiptId: `R-${randomUUID()}`,
    accepted, rejected, recordCount: j.records.length, bodyHash: createHash('sha256').update(raw).digest('hex'),
  };
  store.batches.set(b.batchId, b);
  store.stats.batchesTaken++;
  store.stats.recordsApplied += accepted;
  store.stats.recordsRejected += rejected.length;
  return { status: 200, body: receiptBody(b, now, false) };
}

export function countRecords(store: SimStore, dataType: string, q: URLSearchParams): GatewayAnswer {
  if (!(DATA_TYPES as readonly string[]).includes(dataType)) return { status: 400, body: { code: 40001, message: `unknown dataType ${dataType}` } };
  const region = q.get('regionCode');
  const from = q.get('from')?.slice(0, 10);
  const to = q.get('to')?.slice(0, 10);
  let count = 0;
  for (const r of store.records.values()) {
    if (!r.live || r.dataType !== dataType || (region && r.cityRegion !== region)) continue;
    const d = recordDate(dataType, r.data);
    if (from && d < from) continue;
    if (to && d >= to) continue;
    count++;
  }
  return { status: 200, body: { code: 0, count } };
}
