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
    if (implCodes.size > 0 || refs.size > 0 || certs.size > 0) {
      // One round trip for all of it (it was up to five per batch): a row per found reference, tagged by kind —
      // i ITEM, n INSPECTION, r "there is an officer register" (only asked when the batch names certificates),
      // o a valid OFFICER's certificate, x an OFFICER record of that number that did not pass.
      const res = await q.query<{ k: 'i' | 'n' | 'r' | 'o' | 'x'; a: string | null; b: string | null; c: string | null }>(
        `SELECT 'i' AS k, impl_code AS a, NULL AS b, NULL AS c
           FROM reporter_records WHERE data_type = 'ITEM' AND status = 'valid' AND impl_code = ANY($1::text[])
         UNION ALL
         SELECT 'n', record_id, NULL, NULL
           FROM reporter_records WHERE data_type = 'INSPECTION' AND status = 'valid' AND record_id = ANY($2::text[])
         UNION ALL
         SELECT 'r', NULL, NULL, NULL
          WHERE cardinality($3::text[]) > 0 AND EXISTS (SELECT 1 FROM reporter_records WHERE data_type = 'OFFICER' AND status = 'valid')
         UNION ALL
         SELECT 'o', data->>'certNo', data->>'validUntil', data->>'status'
           FROM reporter_records WHERE data_type = 'OFFICER' AND status = 'valid' AND data->>'certNo' = ANY($3::text[])
         UNION ALL
         SELECT 'x', data->>'certNo', record_id, status
           FROM reporter_records WHERE data_type = 'OFFICER' AND status <> 'valid' AND data->>'certNo' = ANY($3::text[])`,
        [[...implCodes], [...refs], [...certs]],
      );
      // Without any officer on file there is no register to check against: no W_OFFICER then.
      officerRegister = res.rows.some((r) => r.k === 'r');
      const own: { cert: string; recordId: string; status: string }[] = [];
      for (const r of res.rows) {
        if (r.k === 'i') items.add(r.a!);
        else if (r.k === 'n') inspections.add(r.a!);
        else if (r.k === 'o' && officerRegister) {
          const list = officers.get(r.a!) ?? [];
          list.push({ validUntil: r.b!, status: r.c! });
          officers.set(r.a!, list);
        } else if (r.k === 'x' && officerRegister) own.push({ cert: r.a!, recordId: r.b!, status: r.c! });
      }
      // The officers' own records that did not pass: a W_OFFICER then names them (correct the OFFICER first), by recordId.
      own.sort((x, y) => (x.recordId < y.recordId ? -1 : x.recordId > y.recordId ? 1 : 0));
      for (const o of own) {
        const list = notValidOfficers.get(o.cert) ?? [];
        list.push({ recordId: o.recordId, status: o.status });
        notValidOfficers.set(o.cert, list);
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
