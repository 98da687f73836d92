import type { Db, Queryable } from '../../core/db';
import { numArray as nums, pgBool, textArray as texts } from '../../core/db/arrays';
import { invalidateRollups } from '../../core/db/jobs';
import type { CallRow } from './record';
import type { CallsConfig } from './config';
import { LATE_CALL_MS } from './rollups';

export type CallSource = 'http' | 'file' | 'staging';

/** Rows per statement (bounded so one statement's memory stays small). */
const CHUNK = 10_000;

export interface WriteResult {
  /** Newly stored. */
  inserted: number;
  /** Already stored before (a resend): not counted again. */
  duplicates: number;
}

/**
 * One statement per chunk: the rows go in as 11 column arrays (unnest; measured cheaper for the server than one JSON
 * parameter through json_to_recordset), are inserted exactly once by their dedupe key, and what must move with the
 * newly inserted ones is derived from the INSERT's RETURNING in the same statement: the cumulative counters (rows at or after
 * `countSince`), the interfaces, callers and caller × interface pairs seen. Upserts go in sorted key order, so
 * concurrent batches never deadlock on the shared rows. Answers the inserted count and their time range.
 */
const WRITE_SQL = `
WITH x AS (
  SELECT * FROM unnest($1::float8[], $2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::int[], $8::float8[], $9::int[], $10::bigint[], $11::text[])
    AS x(ts, "interfaceCode", "callerDept", "callerSystem", "callerId", success, status, "latencyMs", records, bytes, "dedupeKey")
), ins AS (
  INSERT INTO call_records (ts, interface_code, caller_dept, caller_system, caller_id, success, status_code, latency_ms, records, bytes, dedupe_key, source)
  SELECT to_timestamp(ts / 1000), "interfaceCode", "callerDept", "callerSystem", "callerId", success, status, "latencyMs", records, bytes, "dedupeKey", $12::text FROM x
  ON CONFLICT DO NOTHING
  RETURNING ts, interface_code, caller_dept, caller_system, success, records
), f AS (
  SELECT interface_code, min(ts) AS first_seen, max(ts) AS last_seen,
         count(*) FILTER (WHERE $13::timestamptz IS NULL OR ts >= $13) AS calls,
         count(*) FILTER (WHERE ($13::timestamptz IS NULL OR ts >= $13) AND NOT success) AS failures,
         coalesce(sum(records) FILTER (WHERE $13::timestamptz IS NULL OR ts >= $13), 0) AS records
    FROM ins GROUP BY interface_code
), ci AS (
  INSERT INTO call_interfaces (code, first_seen, last_seen) SELECT interface_code, first_seen, last_seen FROM f ORDER BY interface_code
  ON CONFLICT (code) DO UPDATE SET first_seen = LEAST(call_interfaces.first_seen, EXCLUDED.first_seen), last_seen = GREATEST(call_interfaces.last_seen, EXCLUDED.last_seen)
  WHERE call_interfaces.first_seen IS NULL OR call_interfaces.first_seen > EXCLUDED.first_seen OR call_interfaces.last_seen < EXCLUDED.last_seen - INTERVAL '1 minute'
), cc AS (
  INSERT INTO call_callers (caller_dept, caller_system, first_seen, last_seen)
  SELECT caller_dept, caller_system, min(ts), max(ts) FROM ins GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (caller_dept, caller_system) DO UPDATE SET first_seen = LEAST(call_callers.first_seen, EXCLUDED.first_seen), last_seen = GREATEST(call_callers.last_seen, EXCLUDED.last_seen)
  WHERE call_callers.first_seen > EXCLUDED.first_seen OR call_callers.last_seen < EXCLUDED.last_seen - INTERVAL '1 minute'
), cp AS (
  INSERT INTO call_pairs (interface_code, caller_dept, first_seen)
  SELECT interface_code, caller_dept, min(ts) FROM ins GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (interface_code, caller_dept) DO UPDATE SET first_seen = EXCLUDED.first_seen WHERE call_pairs.first_seen > EXCLUDED.first_seen
), cn AS (
  INSERT INTO call_counters (interface_code, calls, failures, records) SELECT interface_code, calls, failures, records FROM f WHERE calls > 0 ORDER BY interface_code
  ON CONFLICT (interface_code) DO UPDATE SET calls = call_counters.calls + EXCLUDED.calls, failures = call_counters.failures + EXCLUDED.failures, records = call_counters.records + EXCLUDED.records
)
SELECT count(*)::int AS inserted, min(ts) AS oldest, max(ts) AS newest FROM ins`;

function columns(rows: CallRow[]): string[] {
  return [
    nums(rows, (r) => r.ts), texts(rows, (r) => r.interfaceCode), texts(rows, (r) => r.callerDept), texts(rows, (r) => r.callerSystem), texts(rows, (r) => r.callerId),
    texts(rows, (r) => pgBool(r.success)), nums(rows, (r) => r.status), nums(rows, (r) => r.latencyMs), nums(rows, (r) => r.records), nums(rows, (r) => r.bytes),
    texts(rows, (r) => r.dedupeKey),
  ];
}

/**
 * Stores validated call records in the caller's transaction (or on its own): the raw rows, exactly once by their
 * dedupe key, and beside them the counters, interfaces, callers and pairs (WRITE_SQL), and the range of late rows
 * for the rollups. A batch of at most CHUNK rows none of which is late is one statement, atomic by itself (no
 * BEGIN/COMMIT round trips); a bigger or late one runs in one transaction.
 */
export async function writeCalls(db: Db, rows: CallRow[], source: CallSource, cfg: Pick<CallsConfig, 'countSince'>, q?: Queryable, now = Date.now()): Promise<WriteResult> {
  if (rows.length === 0) return { inserted: 0, duplicates: 0 };
  const since = cfg.countSince ? new Date(Date.parse(cfg.countSince)) : null;
  const run = async (tx: Queryable) => {
    let inserted = 0;
    let oldest = Infinity;
    let newest = -Infinity;
    for (let i = 0; i < rows.length; i += CHUNK) {
      const chunk = i === 0 && rows.length <= CHUNK ? rows : rows.slice(i, i + CHUNK);
      const res = await tx.query<{ inserted: number; oldest: Date | string | null; newest: Date | string | null }>(WRITE_SQL, [...columns(chunk), source, since]);
      const r = res.rows[0];
      inserted += Number(r.inserted);
      if (r.oldest != null) oldest = Math.min(oldest, new Date(r.oldest).getTime());
      if (r.newest != null) newest = Math.max(newest, new Date(r.newest).getTime());
    }
    if (inserted > 0 && oldest < now - LATE_CALL_MS) await invalidateRollups(tx, 'call_records', new Date(oldest), new Date(Math.min(newest, now)));
    return { inserted, duplicates: rows.length - inserted };
  };
  if (q) return run(q);
  let first = Infinity;
  for (const r of rows) if (r.ts < first) first = r.ts;
  return rows.length <= CHUNK && first >= now - LATE_CALL_MS ? run(db) : db.tx(run);
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
