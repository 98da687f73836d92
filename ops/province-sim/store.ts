import { readFileSync, writeFileSync, renameSync, existsSync } from 'node:fs';

/** What the simulated province holds: live records per type, and every batch it took with its receipt. */
export interface SimRecord {
  dataType: string;
  recordId: string;
  /** The city (batch regionCode) that reported it. */
  cityRegion: string;
  data: Record<string, unknown>;
  live: boolean;
  /** How many UPSERTs / DELETEs of this record the province applied (each batch id applies once). */
  upserts: number;
  deletes: number;
  lastBatchId: string;
}

export interface SimBatch {
  batchId: string;
  dataType: string;
  regionCode: string;
  takenAt: number;
  /** The receipt shows PROCESSING until this time. */
  readyAt: number;
  receiptId: string;
  accepted: number;
  rejected: { recordId: string; errors: { field?: string; code: string; message: string }[] }[];
  recordCount: number;
  /** sha256 of the body first taken: a different body under a taken id is still answered with the first receipt. */
  bodyHash: string;
}

export class SimStore {
  records = new Map<string, SimRecord>();
  batches = new Map<string, SimBatch>();
  /** implCodes of the live ITEMs, rebuilt lazily after an ITEM changes (E_REFERENCE checks). */
  private liveImpl: Set<unknown> | null = null;
  stats = { batchesTaken: 0, duplicateBatches: 0, recordsApplied: 0, recordsRejected: 0, requests: 0, faultsInjected: 0 };

  key(dataType: string, recordId: string) {
    return `${dataType}\u0000${recordId}`;
  }
  get(dataType: string, recordId: string) {
    return this.records.get(this.key(dataType, recordId));
  }
  isLive(dataType: string, recordId: string) {
    return this.get(dataType, recordId)?.live === true;
  }

  liveImplCodes(): Set<unknown> {
    if (!this.liveImpl) this.liveImpl = new Set(this.live('ITEM').map((r) => r.data.implCode));
    return this.liveImpl;
  }
  itemsChanged() {
    this.liveImpl = null;
  }

  /** Live records of a type. */
  live(dataType?: string): SimRecord[] {
    return [...this.records.values()].filter((r) => r.live && (!dataType || r.dataType === dataType));
  }

  toJSON() {
    return { records: [...this.records.values()], batches: [...this.batches.values()], stats: this.stats };
  }

  save(file: string) {
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.toJSON()));
    renameSync(tmp, file); // a crash mid-write leaves the previous snapshot whole
  }

  static load(file: string): SimStore {
    const s = new SimStore();
    if (!existsSync(file)) return s;
    const j = JSON.parse(readFileSync(file, 'utf8')) as ReturnType<SimStore['toJSON']>;
    for (const r of j.records) s.records.set(s.key(r.dataType, r.recordId), r);
    for (const b of j.batches) s.batches.set(b.batchId, b);
    Object.assign(s.stats, j.stats);
    return s;
  }
}

/** The record's date for counts (province-api.md): checkDate, decisionDate, startDate, or updatedAt, as yyyy-MM-dd. */
export function recordDate(dataType: string, data: Record<string, unknown>): string {
  const v = dataType === 'INSPECTION' ? data.checkDate : dataType === 'PENALTY' ? data.decisionDate : dataType === 'COERCION' ? data.startDate : data.updatedAt;
  return typeof v === 'string' ? v.slice(0, 10) : '';
}
