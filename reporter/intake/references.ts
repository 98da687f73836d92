/**
 * Loads what a batch of records refers to (ITEMs by implCode, INSPECTIONs by recordId, OFFICER certificates) in a few
 * queries, and answers the validator's ReferenceLookup from memory, so validation stays synchronous and fast.
 * Only records with status 'valid' count: a reference to an invalid or withdrawn record is no reference.
 */
import type { Queryable } from '../../core/db';
import { code } from '../standard/normalise';
import { multi } from '../standard/normalise';
import type { DataType, ReferenceLookup } from '../standard/types';

export interface LoadedReferences extends ReferenceLookup {
  /** Adds records stored in this run, so later chunks of the same run see them. */
  addItem(implCode: string): void;
  addInspection(recordId: string): void;
}

export async function loadReferences(q: Queryable, dataType: DataType, inputs: unknown[]): Promise<LoadedReferences> {
  const items = new Set<string>();
  const inspections = new Set<string>();
  const officers = new Map<string, { validUntil: string; status: string }[]>();
  const notValidOfficers = new Map<string, { recordId: string; status: string }[]>();
  let officerRegister = false;
  if (dataType === 'INSPECTION' || dataType === 'PENALTY' || dataType === 'COERCION') {
    const implCodes = new Set<string>();
    const refs = new Set<string>();
    const certs = new Set<string>();
    for (const i of inputs) {
      if (!i || typeof i !== 'object') continue;
      const r = i as Record<string, unknown>;
      const impl = code(r.implCode);
      if (impl) implCodes.add(impl);
      const ref = code(r.inspectionRef);
      if (ref) refs.add(ref);
      for (const c of multi(r.certNos) ?? []) certs.add(c);
    }
    if (implCodes.size > 0) {
      const res = await q.query<{ impl_code: string }>(
        `SELECT impl_code FROM reporter_records WHERE data_type = 'ITEM' AND status = 'valid' AND impl_code = ANY($1::text[])`,
        [[...implCodes]],
      );
      for (const r of res.rows) items.add(r.impl_code);
    }
    if (refs.size > 0) {
      const res = await q.query<{ record_id: string }>(
        `SELECT record_id FROM reporter_records WHERE data_type = 'INSPECTION' AND status = 'valid' AND record_id = ANY($1::text[])`,
        [[...refs]],
      );
      for (const r of res.rows) inspections.add(r.record_id);
    }
    if (certs.size > 0) {
      // Without any officer on file there is no register to check against: no W_OFFICER then.
      officerRegister = (await q.query(`SELECT 1 FROM reporter_records WHERE data_type = 'OFFICER' AND status = 'valid' LIMIT 1`)).rows.length > 0;
      if (officerRegister) {
        const res = await q.query<{ cert_no: string; valid_until: string; status: string }>(
          `SELECT data->>'certNo' AS cert_no, data->>'validUntil' AS valid_until, data->>'status' AS status
             FROM reporter_records WHERE data_type = 'OFFICER' AND status = 'valid' AND data->>'certNo' = ANY($1::text[])`,
          [[...certs]],
        );
        for (const r of res.rows) {
          const list = officers.get(r.cert_no) ?? [];
          list.push({ validUntil: r.valid_until, status: r.status });
          officers.set(r.cert_no, list);
        }
        // The officers' own records that did not pass: a W_OFFICER then names them (correct the OFFICER first).
        const own = await q.query<{ cert_no: string; record_id: string; status: string }>(
          `SELECT data->>'certNo' AS cert_no, record_id, status
             FROM reporter_records WHERE data_type = 'OFFICER' AND status <> 'valid' AND data->>'certNo' = ANY($1::text[])
            ORDER BY record_id`,
          [[...certs]],
        );
        for (const r of own.rows) {
          const list = notValidOfficers.get(r.cert_no) ?? [];
          list.push({ recordId: r.record_id, status: r.status });
          notValidOfficers.set(r.cert_no, list);
        }
      }
    }
  }
  return {
    itemExists: (c) => items.has(c),
    inspectionExists: (id) => inspections.has(id),
    officerCertValid(certNo, date) {
      if (!officerRegister) return undefined;
      // Several issuers may reuse a number: valid if any holder's certificate is 有效 and unexpired on that day.
      return (officers.get(certNo) ?? []).some((o) => o.status === '1' && o.validUntil >= date);
    },
    officerRecordsNotValid: (certNo) => notValidOfficers.get(certNo) ?? [],
    addItem: (c) => void items.add(c),
    addInspection: (id) => void inspections.add(id),
  };
}
