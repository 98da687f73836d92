import type { Queryable } from '../../core/db';
import { readSource } from './safe';

/** Calls per interface over a recent window, from the 1-minute rollup the collector keeps (sql/055). */
export interface InterfaceCallRate {
  interfaceCode: string;
  name: string;
  calls: number;
  failures: number;
  /** Call-weighted mean of the minutes' p95 (percentiles do not add up across minutes). */
  p95Ms: number | null;
}

export async function loadInterfaceCallRates(db: Queryable, windowMs: number, now: number): Promise<InterfaceCallRate[]> {
  const rows = await readSource<Record<string, unknown>>(
    db,
    'call_stats_1m',
    `SELECT s.interface_code, coalesce(i.name, '') AS name, sum(n)::float8 AS calls, sum(n - ok)::float8 AS failures, sum(p95_ms * n) / NULLIF(sum(n), 0) AS p95
       FROM call_stats_1m s LEFT JOIN call_interfaces i ON i.code = s.interface_code
      WHERE bucket >= $1 AND bucket < $2 GROUP BY 1, 2`,
    [new Date(now - windowMs), new Date(now)],
  );
  return rows.map((r) => ({ interfaceCode: String(r.interface_code), name: String(r.name), calls: Number(r.calls), failures: Number(r.failures), p95Ms: r.p95 == null ? null : Number(r.p95) }));
}

/** One minute of one caller department on one sensitive interface, with that pair's history for the baselines. */
export interface SensitiveAccess {
  bucket: number;
  interfaceCode: string;
  interfaceName: string;
  callerDept: string;
  calls: number;
  records: number;
  maxRecords: number;
}

export interface AccessBaseline {
  interfaceCode: string;
  callerDept: string;
  /** Over the baseline period before the window: hours with calls, calls, records. */
  hours: number;
  calls: number;
  records: number;
  /** The same hour of the week as `now`, over the baseline period: calls per such hour (0 where none). */
  sameHourCalls: number[];
  /** When this department called this interface first. */
  firstSeen: number | null;
}

/** Minutes of access to sensitive interfaces (call_interfaces.sensitive, from the catalogue) within the window. */
export async function loadSensitiveAccess(db: Queryable, windowMs: number, now: number): Promise<SensitiveAccess[]> {
  const rows = await readSource<Record<string, unknown>>(
    db,
    'call_stats_1m',
    `SELECT s.bucket, s.interface_code, i.name, s.caller_dept, sum(n)::float8 AS calls, sum(records)::float8 AS records, max(max_records)::float8 AS max_records
       FROM call_stats_1m s JOIN call_interfaces i ON i.code = s.interface_code AND i.sensitive
      WHERE bucket >= $1 AND bucket < $2 GROUP BY 1, 2, 3, 4`,
    [new Date(now - windowMs), new Date(now)],
  );
  return rows.map((r) => ({
    bucket: new Date(r.bucket as string).getTime(), interfaceCode: String(r.interface_code), interfaceName: String(r.name ?? ''), callerDept: String(r.caller_dept),
    calls: Number(r.calls), records: Number(r.records), maxRecords: Number(r.max_records ?? 0),
  }));
}

/**
 * Each department's history on each sensitive interface over `periodMs` before the window (the 1-hour rollup): its
 * totals, its calls in the same hour of the week as `now` (one number per past week), and its first call.
 */
export async function loadAccessBaselines(db: Queryable, windowMs: number, periodMs: number, now: number): Promise<AccessBaseline[]> {
  const end = now - windowMs;
  const weeks = Math.max(1, Math.floor(periodMs / (7 * 86_400_000)));
  const hourStart = Math.floor(now / 3_600_000) * 3_600_000;
  const sameHours = Array.from({ length: weeks }, (_, k) => new Date(hourStart - (k + 1) * 7 * 86_400_000).toISOString());
  const rows = await readSource<Record<string, unknown>>(
    db,
    'call_stats_1h',
    `WITH h AS (
       SELECT s.interface_code, s.caller_dept, s.bucket, sum(n)::float8 AS calls, sum(records)::float8 AS records
         FROM call_stats_1h s JOIN call_interfaces i ON i.code = s.interface_code AND i.sensitive
        WHERE bucket >= $1 AND bucket < $2 GROUP BY 1, 2, 3)
     SELECT h.interface_code, h.caller_dept, count(*)::int AS hours, sum(calls)::float8 AS calls, sum(records)::float8 AS records,
            array_agg(calls ORDER BY bucket) FILTER (WHERE bucket = ANY($3::timestamptz[])) AS same_hour, min(p.first_seen) AS first_seen
       FROM h LEFT JOIN call_pairs p ON p.interface_code = h.interface_code AND p.caller_dept = h.caller_dept
      GROUP BY 1, 2`,
    [new Date(end - periodMs), new Date(Math.floor(end / 3_600_000) * 3_600_000), sameHours],
  );
  const firsts = await readSource<Record<string, unknown>>(
    db,
    'call_pairs',
    `SELECT p.interface_code, p.caller_dept, p.first_seen FROM call_pairs p JOIN call_interfaces i ON i.code = p.interface_code AND i.sensitive`,
  );
  const out = new Map<string, AccessBaseline>();
  for (const f of firsts) {
    out.set(`${f.interface_code}\u0001${f.caller_dept}`, {
      interfaceCode: String(f.interface_code), callerDept: String(f.caller_dept), hours: 0, calls: 0, records: 0, sameHourCalls: Array(weeks).fill(0), firstSeen: new Date(f.first_seen as string).getTime(),
    });
  }
  for (const r of rows) {
    const key = `${r.interface_code}\u0001${r.caller_dept}`;
    const same = ((r.same_hour as number[] | null) ?? []).map(Number);
    const b = out.get(key) ?? { interfaceCode: String(r.interface_code), callerDept: String(r.caller_dept), hours: 0, calls: 0, records: 0, sameHourCalls: [], firstSeen: null };
    out.set(key, { ...b, hours: Number(r.hours), calls: Number(r.calls), records: Number(r.records), sameHourCalls: [...same, ...Array(Math.max(0, weeks - same.length)).fill(0)] });
  }
  return [...out.values()];
}
