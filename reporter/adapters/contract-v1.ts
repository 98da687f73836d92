import { z } from 'zod';
import { provinceCommon, type AdapterType, type BatchMeta, type CityRecord, type DataType, type HttpRequestSpec, type ProvinceAdapter, type Receipt, type Verdict } from './types';
import { signRequest } from '../signing';
import { fenToYuan, wanToFen, yuanToWan as stdYuanToWan } from '../standard/money';
import { parseRetryAfter } from '../../core/retry';

/**
 * Contract v1 (province-api.md): JSON batches at POST /api/v1/batches, receipts at GET /api/v1/batches/{id},
 * counts at GET /api/v1/records/{type}/count, HMAC-SM3/SHA256 signing, money in 万元 with six decimals.
 */
export const MONEY_FIELDS: [yuan: string, wan: string][] = [
  ['fineAmount', 'fineAmountWan'],
  ['confiscatedAmount', 'confiscatedAmountWan'],
];

/** "1234.56" yuan → "0.123456" 万元 (the standard's money module: exact, in integer fen). */
export const yuanToWan = stdYuanToWan;

/** "0.123456" 万元 → "1234.56" yuan; undefined when the text is not exactly six decimals. */
export function wanToYuan(wan: unknown): string | undefined {
  if (typeof wan !== 'string') return undefined;
  const fen = wanToFen(wan);
  return fen === undefined ? undefined : fenToYuan(fen);
}

/** The record's `data` as it travels: money in 万元, everything else as the city holds it. */
export function toWireData(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...data };
  for (const [yuan, wan] of MONEY_FIELDS) {
    const v = out[yuan];
    delete out[yuan];
    if (v !== undefined && v !== null && v !== '') out[wan] = yuanToWan(String(v));
  }
  return out;
}

const ENDPOINT = '/api/v1/batches';

/** `reporter.province` for contract v1: the common keys and the signature's algorithm. */
export const contractV1Schema = z
  .object({
    adapter: z.literal('contract-v1'),
    ...provinceCommon,
    signMethod: z.enum(['HMAC-SM3', 'HMAC-SHA256']).default('HMAC-SM3'),
  })
  .strict();

export interface ContractV1Settings {
  appKey: string;
  appSecret: string;
  signMethod: 'HMAC-SM3' | 'HMAC-SHA256';
}

/** The registry entry (adapters/index.ts). */
export const contractV1: AdapterType<typeof contractV1Schema> = {
  name: 'contract-v1',
  schema: contractV1Schema,
  create: (cfg, appSecret) => createContractV1({ appKey: cfg.appKey, appSecret, signMethod: cfg.signMethod }),
};

export function createContractV1(s: ContractV1Settings): ProvinceAdapter {
  return {
    name: 'contract-v1',
    limits: { maxRecords: 1000, maxBytes: 5 * 1024 * 1024 },
    batchId(regionCode, day, seq) {
      return `${regionCode}-${day}-${String(seq).padStart(6, '0')}`;
    },
    encodeRecord(rec: CityRecord) {
      // A DELETE carries no data: the province needs only the id to withdraw the record.
      return JSON.stringify(rec.op === 'DELETE' ? { recordId: rec.recordId, op: 'DELETE' } : { recordId: rec.recordId, op: 'UPSERT', data: toWireData(rec.data) });
    },
    encodeBatch(meta: BatchMeta, encoded: string[]) {
      return `{"batchId":${JSON.stringify(meta.batchId)},"dataType":${JSON.stringify(meta.dataType)},"regionCode":${JSON.stringify(meta.regionCode)},"records":[${encoded.join(',')}]}`;
    },
    envelopeBytes(meta, n) {
      return Buffer.byteLength(this.encodeBatch(meta, [])) + Math.max(0, n - 1);
    },
    uploadRequest(_batchId, body): HttpRequestSpec {
      return { method: 'POST', pathWithQuery: ENDPOINT, body };
    },
    receiptRequest(batchId): HttpRequestSpec {
      return { method: 'GET', pathWithQuery: `${ENDPOINT}/${encodeURIComponent(batchId)}`, body: '' };
    },
    countRequest(dataType: DataType, regionCode, fromIso, toIso): HttpRequestSpec {
      const q = new URLSearchParams({ regionCode, from: fromIso, to: toIso });
      return { method: 'GET', pathWithQuery: `/api/v1/records/${dataType}/count?${q}`, body: '' };
    },
    headers(req, nowMs, requestId) {
      const signed = signRequest({ appKey: s.appKey, appSecret: s.appSecret, signMethod: s.signMethod, method: req.method, pathWithQuery: req.pathWithQuery, body: req.body, nowMs, requestId });
      return { ...signed, ...(req.method === 'POST' ? { 'Content-Type': 'application/json; charset=utf-8' } : {}), Accept: 'application/json' };
    },
    interpretBatchAnswer(status, headers, body, nowMs): Verdict {
      let json: Record<string, unknown> | undefined;
      try {
        json = body ? (JSON.parse(body) as Record<string, unknown>) : undefined;
      } catch {
        json = undefined;
      }
      const msg = (json?.message as string | undefined) ?? body.slice(0, 200);
      if (status === 200 && json && json.code === 0) return { kind: 'receipt', receipt: parseReceipt(json) };
      if (status === 200) return { kind: 'transient', reason: `200 without a receipt: ${body.slice(0, 200)}` };
      if (status === 429) return { kind: 'transient', reason: `429 rate limited: ${msg}`, retryAfterMs: parseRetryAfter(headers['retry-after'], nowMs) };
      if (status >= 500 || status === 408) return { kind: 'transient', reason: `${status}: ${msg}` };
      // 40102 (clock skew) and 40103 (nonce replay) heal with a fresh signature: a retry signs anew.
      if (status === 401 && (json?.code === 40102 || json?.code === 40103)) return { kind: 'transient', reason: `401 ${json.code}: ${msg}` };
      return { kind: 'permanent', reason: `${status} ${json?.code ?? ''}: ${msg}`.trim(), code: (json?.code as number | undefined) ?? status };
    },
    parseCount(status, body) {
      const json = safeJson(body);
      if (status !== 200 || !json || json.code !== 0 || typeof json.count !== 'number') throw new Error(`count request failed: HTTP ${status} ${body.slice(0, 200)}`);
      return json.count;
    },
  };
}

function safeJson(body: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(body) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function parseReceipt(j: Record<string, unknown>): Receipt {
  const status = j.status === 'PROCESSING' ? 'PROCESSING' : 'ACCEPTED';
  const rejected = Array.isArray(j.rejected) ? (j.rejected as Receipt['rejected']) : [];
  return {
    batchId: String(j.batchId ?? ''),
    receiptId: j.receiptId === undefined ? undefined : String(j.receiptId),
    status,
    duplicate: j.duplicate === true,
    accepted: typeof j.accepted === 'number' ? j.accepted : 0,
    rejected: rejected.map((r) => ({ recordId: String(r.recordId), errors: Array.isArray(r.errors) ? r.errors : [] })),
  };
}
