import type { Db } from '../../core/db';
import type { Logger } from '../../core/log';
import { DATA_TYPES } from '../standard/types';
import type { ProvinceAdapter } from '../adapters/types';
import type { GatewaySender } from './sender';
import { addMonths, chinaDate } from '../../core/china-time';
import { emitEvent } from './events';

/**
 * Reconciliation: per type and calendar month (UTC+8, by the record's date), the province's count of live records
 * vs. the city's live valid records. Every comparison is stored; a mismatch is a reconciliation_mismatch event.
 */
export function monthPeriods(now: number, months: number): { from: string; to: string }[] {
  const first = addMonths(chinaDate(now), 0);
  return Array.from({ length: months }, (_, i) => ({ from: addMonths(first, i - months + 1), to: addMonths(first, i - months + 2) }));
}

export interface ReconcileResult {
  dataType: string;
  from: string;
  to: string;
  cityCount: number;
  provinceCount: number | null;
  match: boolean;
  error?: string;
}

export async function reconcile(d: { db: Db; adapter: ProvinceAdapter; sender: GatewaySender; log: Logger; clock: () => number; regionCode: string }, months: number, runId: number | null, periods?: { from: string; to: string }[]): Promise<ReconcileResult[]> {
  const out: ReconcileResult[] = [];
  for (const p of periods ?? monthPeriods(d.clock(), months)) {
    const city = await d.db.query<{ data_type: string; n: string }>(
      `SELECT data_type, count(*) AS n FROM reporter_records WHERE status = 'valid' AND record_date >= $1::date AND record_date < $2::date GROUP BY 1`,
      [p.from, p.to],
    );
    const cityBy = new Map(city.rows.map((x) => [x.data_type, Number(x.n)]));
    for (const t of DATA_TYPES) {
      const cityCount = cityBy.get(t) ?? 0;
      let provinceCount: number | null = null;
      let error: string | undefined;
      try {
        provinceCount = await d.sender.count(d.adapter.countRequest(t, d.regionCode, `${p.from}T00:00:00+08:00`, `${p.to}T00:00:00+08:00`));
      } catch (err) {
        error = (err as Error).message;
      }
      const match = provinceCount === cityCount;
      out.push({ dataType: t, from: p.from, to: p.to, cityCount, provinceCount, match, error });
      await d.db.query(
        `INSERT INTO report_reconciliations (run_id, checked_at, data_type, period_from, period_to, city_count, province_count, match, error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [runId, new Date(d.clock()), t, p.from, p.to, cityCount, provinceCount, match, error ?? null],
      );
      if (!match) {
        await emitEvent(d.db, d.clock(), {
          kind: 'reconciliation_mismatch', severity: 'warning', value: provinceCount === null ? undefined : provinceCount - cityCount,
          labels: { dataType: t, from: p.from, to: p.to },
          message: error ? `对账失败（${t} ${p.from}～${p.to}）：${error}` : `对账不一致：${t} ${p.from}～${p.to} 本市有效记录 ${cityCount} 条，省平台 ${provinceCount} 条`,
        });
      }
    }
  }
  return out;
}
