import type { Db, Queryable } from '../../core/db';
import { invalidateRollups } from '../../core/db/jobs';
import type { CallRow } from './record';
import type { CallsConfig } from './config';
import { LATE_CALL_MS } from './rollups';

export type CallSource = 'http' | 'file' | 'staging';

/** Rows per INSERT statement: arrays bound as 11 parameters (unnest), so the size is not limited by bind parameters. */
const CHUNK = 10_000;

export interface WriteResult {
  /** Newly stored. */
  inserted: number;
  /** Already stored before (a resend): not counted again. */
  duplicates: number;
}

/**
 * Stores validated call records in the caller's transaction (or one of its own): the raw rows, exactly once by
 * their dedupe key, and beside them what must move with them: the cumulative counters (only rows newly inserted),
 * the interfaces, callers and caller × interface pairs seen, and the range of late rows for the rollups. Upserts go
 * in sorted key order, so concurrent batches never deadlock on the shared rows.
 */
export async function writeCalls(db: Db, rows: CallRow[], source: CallSource, cfg: Pick<CallsConfig, 'countSince'>, q?: Queryable, now = Date.now()): Promise<WriteResult> {
  if (rows.length === 0) return { inserted: 0, duplicates: 0 };
  const run = async (tx: Queryable) => {
    let inserted = 0;
    const since = cfg.countSince ? Date.parse(cfg.countSince) : -Infinity;
    const counters = new Map<string, { calls: number; failures: number; records: number }>();
    const ifaces = new Map<string, [number, number]>();
    const callers = new Map<string, [string, string, number, number]>();
    const pairs = new Map<string, [string, string, number]>();
    let oldest = Infinity;
    let newest = -Infinity;
    for (let i = 0; i < rows.length; i += CHUNK) {
      const chunk = rows.slice(i, i + CHUNK);
      const res = await tx.query<{ i: string; d: string; s: string; ok: boolean; r: number; t: Date | string }>(
        `INSERT INTO call_records (ts, interface_code, caller_dept, caller_system, caller_id, success, status_code, latency_ms, records, bytes, dedupe_key, source)
         SELECT u.*, $12::text FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::int[], $8::float8[], $9::int[], $10::bigint[], $11::text[]) AS u
         ON CONFLICT DO NOTHING
         RETURNING interface_code AS i, caller_dept AS d, caller_system AS s, success AS ok, records AS r, ts AS t`,
        [
          chunk.map((r) => new Date(r.ts).toISOString()), chunk.map((r) => r.interfaceCode), chunk.map((r) => r.callerDept), chunk.map((r) => r.callerSystem),
          chunk.map((r) => r.callerId), chunk.map((r) => r.success), chunk.map((r) => r.status), chunk.map((r) => r.latencyMs), chunk.map((r) => r.records),
          chunk.map((r) => r.bytes), chunk.map((r) => r.dedupeKey), source,
        ],
      );
      inserted += res.rows.length;
      for (const r of res.rows) {
        const t = new Date(r.t).getTime();
        if (t < oldest) oldest = t;
        if (t > newest) newest = t;
        if (t >= since) {
          const c = counters.get(r.i) ?? { calls: 0, failures: 0, records: 0 };
          c.calls++;
          if (!r.ok) c.failures++;
          c.records += Number(r.r);
          counters.set(r.i, c);
        }
        const f = ifaces.get(r.i);
        if (!f) ifaces.set(r.i, [t, t]);
        else (f[0] = Math.min(f[0], t)), (f[1] = Math.max(f[1], t));
        const ck = `${r.d}\u0001${r.s}`;
        const cr = callers.get(ck);
        if (!cr) callers.set(ck, [r.d, r.s, t, t]);
        else (cr[2] = Math.min(cr[2], t)), (cr[3] = Math.max(cr[3], t));
        const pk = `${r.i}\u0001${r.d}`;
        const p = pairs.get(pk);
        if (!p) pairs.set(pk, [r.i, r.d, t]);
        else p[2] = Math.min(p[2], t);
      }
    }
    if (inserted === 0) return { inserted, duplicates: rows.length };
    const sorted = <T>(m: Map<string, T>) => [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, v]) => v);
    const iso = (t: number) => new Date(t).toISOString();
    const fi = sorted(ifaces);
    const codes = [...ifaces.keys()].sort();
    await tx.query(
      `INSERT INTO call_interfaces (code, first_seen, last_seen) SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[])
       ON CONFLICT (code) DO UPDATE SET first_seen = LEAST(call_interfaces.first_seen, EXCLUDED.first_seen), last_seen = GREATEST(call_interfaces.last_seen, EXCLUDED.last_seen)
       WHERE call_interfaces.first_seen IS NULL OR call_interfaces.first_seen > EXCLUDED.first_seen OR call_interfaces.last_seen < EXCLUDED.last_seen - INTERVAL '1 minute'`,
      [codes, fi.map((v) => iso(v[0])), fi.map((v) => iso(v[1]))],
    );
    const cs = sorted(callers);
    await tx.query(
      `INSERT INTO call_callers (caller_dept, caller_system, first_seen, last_seen) SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[])
       ON CONFLICT (caller_dept, caller_system) DO UPDATE SET first_seen = LEAST(call_callers.first_seen, EXCLUDED.first_seen), last_seen = GREATEST(call_callers.last_seen, EXCLUDED.last_seen)
       WHERE call_callers.first_seen > EXCLUDED.first_seen OR call_callers.last_seen < EXCLUDED.last_seen - INTERVAL '1 minute'`,
      [cs.map((v) => v[0]), cs.map((v) => v[1]), cs.map((v) => iso(v[2])), cs.map((v) => iso(v[3]))],
    );
    const ps = sorted(pairs);
    await tx.query(
      `INSERT INTO call_pairs (interface_code, caller_dept, first_seen) SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[])
       ON CONFLICT (interface_code, caller_dept) DO UPDATE SET first_seen = EXCLUDED.first_seen WHERE call_pairs.first_seen > EXCLUDED.first_seen`,
      [ps.map((v) => v[0]), ps.map((v) => v[1]), ps.map((v) => iso(v[2]))],
    );
    if (counters.size) {
      const keys = [...counters.keys()].sort();
      await tx.query(
        `INSERT INTO call_counters (interface_code, calls, failures, records) SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[])
         ON CONFLICT (interface_code) DO UPDATE SET calls = call_counters.calls + EXCLUDED.calls, failures = call_counters.failures + EXCLUDED.failures, records = call_counters.records + EXCLUDED.records`,
        [keys, keys.map((k) => counters.get(k)!.calls), keys.map((k) => counters.get(k)!.failures), keys.map((k) => counters.get(k)!.records)],
      );
    }
    if (oldest < now - LATE_CALL_MS) await invalidateRollups(tx, 'call_records', new Date(oldest), new Date(Math.min(newest, now)));
    return { inserted, duplicates: rows.length - inserted };
  };
  return q ? run(q) : db.tx(run);
}

/** Mirrors the interface catalogue (collector.calls.interfaces) into call_interfaces: known, name, level, sensitivity. */
export async function syncInterfaceCatalogue(db: Db, cfg: CallsConfig): Promise<void> {
  const list = [...cfg.interfaces].sort((a, b) => (a.code < b.code ? -1 : 1));
  await db.tx(async (q) => {
    await q.query(`UPDATE call_interfaces SET known = false, sensitive = false WHERE known AND NOT (code = ANY($1::text[]))`, [list.map((i) => i.code)]);
    if (!list.length) return;
    await q.query(
      `INSERT INTO call_interfaces (code, name, level, sensitive, known) SELECT u.*, true FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[]) AS u
       ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, level = EXCLUDED.level, sensitive = EXCLUDED.sensitive, known = true`,
      [list.map((i) => i.code), list.map((i) => i.name), list.map((i) => i.level), list.map((i) => i.sensitive)],
    );
  });
}
