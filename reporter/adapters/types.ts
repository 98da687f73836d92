/**
 * One province's wire format behind one type: how a city record travels, how a request is signed, where the
 * endpoints are and what the answers mean. The outbox, retries, receipts and the delivery log live once, above the
 * adapter (reporter/delivery); another province's variant is a new file beside contract-v1.ts and one line in index.ts.
 */
import { z } from 'zod';
import { duration, secret } from '../../core/config/common';
import type { DataType } from '../standard/types';
export type { DataType };
/** Send order: a behaviour record's references must already be live at the province. */
export const SEND_ORDER: DataType[] = ['ITEM', 'OFFICER', 'INSPECTION', 'PENALTY', 'COERCION'];

export type Op = 'UPSERT' | 'DELETE';

/** A record as the city holds it (reporter_records): normalised fields of data-standard.md, money in yuan strings. */
export interface CityRecord {
  dataType: DataType;
  recordId: string;
  version: number;
  op: Op;
  data: Record<string, unknown>;
}

export interface GatewayError {
  field?: string;
  code: string;
  message: string;
}

/** A receipt, normalised from the gateway's answer. */
export interface Receipt {
  batchId: string;
  receiptId?: string;
  status: 'ACCEPTED' | 'PROCESSING';
  duplicate: boolean;
  accepted: number;
  rejected: { recordId: string; errors: GatewayError[] }[];
}

export interface BatchMeta {
  batchId: string;
  dataType: DataType;
  regionCode: string;
}

export interface HttpRequestSpec {
  method: 'GET' | 'POST';
  pathWithQuery: string;
  body: string; // '' for none
}

/** What an HTTP answer means for the sender. */
export type Verdict =
  | { kind: 'receipt'; receipt: Receipt }
  | { kind: 'transient'; reason: string; retryAfterMs?: number }
  | { kind: 'permanent'; reason: string; code?: string | number };

export interface ProvinceAdapter {
  readonly name: string;
  readonly limits: { maxRecords: number; maxBytes: number };
  /** The city's own batch id, unique per city. `day` is yyyyMMdd in the province's time zone. */
  batchId(regionCode: string, day: string, seq: number): string;
  /** One record as its JSON text in a batch body (so the batcher can measure a batch before it exists). */
  encodeRecord(rec: CityRecord): string;
  /** The exact batch body from records already encoded by encodeRecord. */
  encodeBatch(meta: BatchMeta, encodedRecords: string[]): string;
  /** Bytes of a batch body around its records (envelope + separators), for the size limit. */
  envelopeBytes(meta: BatchMeta, recordCount: number): number;
  uploadRequest(batchId: string, body: string): HttpRequestSpec;
  receiptRequest(batchId: string): HttpRequestSpec;
  countRequest(dataType: DataType, regionCode: string, fromIso: string, toIso: string): HttpRequestSpec;
  /** Headers for one request (signing, request id, content type). */
  headers(req: HttpRequestSpec, nowMs: number, requestId: string): Record<string, string>;
  /** Interprets an HTTP answer to an upload or a receipt poll. */
  interpretBatchAnswer(status: number, headers: Record<string, string | string[] | undefined>, body: string, nowMs: number): Verdict;
  /** Interprets a count answer; throws with a readable message otherwise. */
  parseCount(status: number, body: string): number;
}

/**
 * The keys of `reporter.province` every adapter has, whatever its wire format: spread into each adapter's schema
 * beside its `adapter` literal (as alerts' `channelCommon`).
 */
export const provinceCommon = {
  url: z.string().url().optional(),
  /** The city's 6-digit region code: the batch ids and the reconciliation queries carry it. */
  regionCode: z.string().regex(/^\d{6}$/, 'a 6-digit GB/T 2260 code, e.g. "370700"').default('370700'),
  /** The city's application key at the provincial gateway. */
  appKey: z.string().min(1).default('city-370700'),
  /** The app secret: { env: NAME } or { file: path } in production; never logged. */
  secret: secret.optional(),
  /** One request's timeout. */
  timeout: duration({ min: '100ms', max: '10m' }).prefault('30s'),
};

/** `reporter.province` as far as every adapter shares it. */
export type ProvinceBase = z.output<z.ZodObject<typeof provinceCommon>> & { adapter: string };

/**
 * One province's wire format = one file: its config schema (`reporter.province` with `adapter: <name>`) and the
 * factory. The registry (adapters/index.ts) lists them; reporter/config.ts makes `province` the union of their schemas.
 */
export interface AdapterType<S extends z.ZodType<ProvinceBase> = z.ZodType<ProvinceBase>> {
  /** The config's `adapter`: the literal in `schema`. */
  name: z.output<S>['adapter'];
  /** `{ adapter: z.literal(...), ...provinceCommon, ...its own keys }`, strict. */
  schema: S;
  /** The adapter for this configuration; `appSecret` is `secret` resolved (or the demo's). */
  create(cfg: z.output<S>, appSecret: string): ProvinceAdapter;
}
