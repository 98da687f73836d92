import { TABLES, type FaroTable, type RowsByTable } from './rows';
import { vitalBin } from './histogram';

export const WEB_VITALS = ['lcp', 'fcp', 'cls', 'inp', 'ttfb', 'fid'];
const HOUR = 3_600_000;
const COL = Object.fromEntries(TABLES.faro_measurements.map((c, i) => [c, i])) as Record<(typeof TABLES.faro_measurements)[number], number>;

/**
 * The hourly histogram increments of a batch of measurement rows (web vitals only), summed per key and sorted, so
 * that one upsert statement never names a key twice and concurrent writers lock rows in the same order.
 */
export function vitalHistogramRows(measurements: unknown[][]): unknown[][] {
  const acc = new Map<string, number>();
  for (const r of measurements) {
    const name = r[COL.name] as string;
    if (r[COL.type] !== 'web-vitals' || !WEB_VITALS.includes(name)) continue;
    const bucket = Math.floor((r[COL.ts] as Date).getTime() / HOUR) * HOUR;
    const key = `${r[COL.app]}\u0001${name}\u0001${(r[COL.page_url] as string | null) ?? ''}\u0001${bucket}\u0001${vitalBin(r[COL.value] as number)}`;
    acc.set(key, (acc.get(key) ?? 0) + 1);
  }
  return [...acc.keys()].sort().map((k) => {
    const [app, name, page, bucket, bin] = k.split('\u0001');
    return [new Date(Number(bucket)), app, page, name, Number(bin), acc.get(k)!];
  });
}

/** (hour, app, session) of every row of a batch, once each and sorted (for faro_sessions_1h). */
export function sessionHourRows(rows: RowsByTable): unknown[][] {
  const seen = new Set<string>();
  for (const t of Object.keys(rows) as FaroTable[]) {
    const cols = TABLES[t] as readonly string[];
    const ts = cols.indexOf('ts');
    const app = cols.indexOf('app');
    const session = cols.indexOf('session_id');
    for (const r of rows[t]) {
      if (r[session] === null || r[session] === undefined) continue;
      seen.add(`${Math.floor((r[ts] as Date).getTime() / HOUR) * HOUR}\u0001${r[app]}\u0001${r[session]}`);
    }
  }
  return [...seen].sort().map((k) => {
    const [bucket, app, session] = k.split('\u0001');
    return [new Date(Number(bucket)), app, session];
  });
}
