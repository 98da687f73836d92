import type { Queryable } from '../../core/db';
import { chinaDate } from '../../core/china-time';
import type { DataType } from '../standard/types';
import type { IndicatorRow } from '../../contract/reporter';

/**
 * Indicators of data-standard.md ("Indicators the regulatory office is judged by"), per type, department and period
 * [from, to) of the record's date, plus the deliver-side counts the office watches. A record counts as delivered on
 * time when the gateway's first answer to a batch carrying it came before deadline + 1 day 00:00 (UTC+8).
 */
/** One row of the indicators (the type is the API's: contract/reporter.ts). */
export type { IndicatorRow };

export type ProvinceCount = (dataType: DataType, from: string, to: string) => Promise<{ count: number; checkedAt: number }>;

const rate = (num: number, den: number) => (den > 0 ? Math.round((num / den) * 10000) / 10000 : null);

export async function indicators(q: Queryable, from: string, to: string, now: number, opts: { dept?: string; provinceCount?: ProvinceCount } = {}): Promise<IndicatorRow[]> {
  const today = chinaDate(now);
  const params: unknown[] = [from, to, today];
  let deptFilter = '';
  if (opts.dept) {
    params.push(opts.dept);
    deptFilter = `AND r.dept_code = $${params.length}`;
  }
  // Two sets per record: by its date (received ... accuracy) and by its deadline (timeliness); one scan each.
  const r = await q.query<Record<string, string | null>>(
    `WITH x AS (
       SELECT r.data_type, r.dept_code, r.status, r.record_date, r.deadline,
              (r.record_date >= $1::date AND r.record_date < $2::date) AS in_period,
              (r.deadline >= $1::date AND r.deadline < $2::date AND r.status <> 'withdrawn') AS due_in_period,
              d.first_delivered_at, d.first_verdict, d.accepted_version, d.rejected_version, r.version
         FROM reporter_records r LEFT JOIN report_deliveries d ON d.data_type = r.data_type AND d.record_id = r.record_id
        WHERE ((r.record_date >= $1::date AND r.record_date < $2::date) OR (r.deadline >= $1::date AND r.deadline < $2::date)) ${deptFilter})
     SELECT data_type, dept_code, GROUPING(dept_code) AS all_depts,
            count(*) FILTER (WHERE in_period) AS received,
            count(*) FILTER (WHERE in_period AND status = 'valid') AS valid,
            count(*) FILTER (WHERE in_period AND first_delivered_at IS NOT NULL) AS sent,
            count(*) FILTER (WHERE in_period AND accepted_version IS NOT NULL AND status <> 'withdrawn') AS accepted,
            count(*) FILTER (WHERE in_period AND rejected_version IS NOT NULL) AS rejected,
            count(*) FILTER (WHERE in_period AND status = 'valid' AND (accepted_version IS NULL OR accepted_version < version) AND rejected_version IS DISTINCT FROM version) AS pending,
            count(*) FILTER (WHERE in_period AND status <> 'withdrawn' AND accepted_version IS NULL AND deadline < $3::date) AS overdue,
            count(*) FILTER (WHERE due_in_period) AS due,
            count(*) FILTER (WHERE due_in_period AND first_delivered_at < ((deadline + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')) AS on_time,
            count(*) FILTER (WHERE in_period AND first_verdict IS NOT NULL) AS delivered_verdict,
            count(*) FILTER (WHERE in_period AND first_verdict = 'accepted') AS first_accepted
       FROM x GROUP BY GROUPING SETS ((data_type, dept_code), (data_type)) ORDER BY data_type, all_depts DESC, dept_code`,
    params,
  );
  const rows = r.rows.map((x) => {
    const n = (k: string) => Number(x[k] ?? 0);
    const row: IndicatorRow = {
      dataType: String(x.data_type),
      deptCode: Number(x.all_depts) === 1 ? null : (x.dept_code as string | null),
      received: n('received'), valid: n('valid'), sent: n('sent'), accepted: n('accepted'), rejected: n('rejected'), pending: n('pending'), overdue: n('overdue'),
      dueInPeriod: n('due'), onTime: n('on_time'), timelinessRate: rate(n('on_time'), n('due')), lateRate: null,
      deliveredWithVerdict: n('delivered_verdict'), firstAccepted: n('first_accepted'), accuracyRate: rate(n('first_accepted'), n('delivered_verdict')),
    };
    row.lateRate = row.timelinessRate === null ? null : Math.round((1 - row.timelinessRate) * 10000) / 10000;
    return row;
  });
  const perType = rows.filter((x) => x.deptCode === null);
  if (opts.dept) {
    for (const row of perType) Object.assign(row, noCompleteness(row, 'by_department', '省平台按类型计数、不分部门，完整率只对全市按类型计算'));
  } else {
    await Promise.all(perType.map(async (row) => Object.assign(row, await completeness(q, row, from, to, opts.provinceCount))));
  }
  return rows;
}

type CompletenessPart = Pick<IndicatorRow, 'completenessRate' | 'provinceCount' | 'cityLiveValid' | 'completenessBasis' | 'completenessReason'>;

function noCompleteness(row: IndicatorRow, code: string, message: string): CompletenessPart {
  return { completenessRate: null, provinceCount: null, cityLiveValid: row.valid, completenessBasis: null, completenessReason: { code, message } };
}

/**
 * 完整率 for exactly [from, to), whatever part of a month that is: the province's count for the same range (asked on
 * demand, cached by the delivery service) against the city's live valid records (`row.valid`, the same query as
 * reconciliation's). When the province cannot be asked, the stored reconciliations (both of their counts) serve if
 * their periods tile the range exactly; otherwise the rate is null and the reason says why.
 */
async function completeness(q: Queryable, row: IndicatorRow, from: string, to: string, provinceCount?: ProvinceCount): Promise<CompletenessPart> {
  const part = (province: number, city: number, basis: NonNullable<IndicatorRow['completenessBasis']>): CompletenessPart => {
    if (city > 0) return { completenessRate: rate(province, city), provinceCount: province, cityLiveValid: city, completenessBasis: basis, completenessReason: null };
    const message = province > 0 ? `本期本市没有该类有效记录，而省平台有 ${province} 条：请对账核查` : '本期本市与省平台都没有该类记录，完整率无从计算';
    return { completenessRate: null, provinceCount: province, cityLiveValid: city, completenessBasis: basis, completenessReason: { code: 'no_city_records', message } };
  };
  let failure: string | undefined;
  if (provinceCount) {
    try {
      const p = await provinceCount(row.dataType as DataType, from, to);
      return part(p.count, row.valid, { source: 'province', from, to, periods: 1, checkedAt: new Date(p.checkedAt).toISOString() });
    } catch (err) {
      failure = (err as Error).message;
    }
  }
  // The latest reconciliation of each stored period inside [from, to); usable only if together they are the range.
  const rec = await q.query<{ province_count: string | null; city_count: string | null; complete: boolean; periods: string; first: string | null; last: string | null; days: string | null; checked: Date | null }>(
    `SELECT sum(province_count) AS province_count, sum(city_count) AS city_count, bool_and(province_count IS NOT NULL) AS complete, count(*) AS periods,
            min(period_from)::text AS first, max(period_to)::text AS last, sum(period_to - period_from) AS days, min(checked_at) AS checked
       FROM (SELECT DISTINCT ON (period_from, period_to) period_from, period_to, province_count, city_count, checked_at
               FROM report_reconciliations WHERE data_type = $3 AND period_from >= $1::date AND period_to <= $2::date
              ORDER BY period_from, period_to, checked_at DESC) x`,
    [from, to, row.dataType],
  );
  const rc = rec.rows[0];
  const wholeDays = Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);
  if (rc && rc.complete && rc.first === from && rc.last === to && Number(rc.days) === wholeDays && rc.province_count !== null) {
    // Both counts of the same check: a snapshot that agrees with itself, not today's city beside last night's province.
    return part(Number(rc.province_count), Number(rc.city_count), { source: 'reconciliation', from, to, periods: Number(rc.periods), checkedAt: rc.checked ? new Date(rc.checked).toISOString() : null });
  }
  return failure
    ? noCompleteness(row, 'province_unavailable', `省平台计数接口暂不可用（${failure}），且没有覆盖本期的对账结果`)
    : noCompleteness(row, 'not_connected', '本进程未连接省平台（未配置 reporter.province 或未运行上报角色），且没有覆盖本期的对账结果');
}

/** 覆盖率: share of ITEM entries (of the given categories) with at least one valid INSPECTION, PENALTY or COERCION in the period. */
export async function coverage(q: Queryable, from: string, to: string, categories: string[] | null) {
  const r = await q.query<{ dept_code: string | null; items: string; covered: string }>(
    `SELECT i.dept_code, count(*) AS items,
            count(*) FILTER (WHERE EXISTS (SELECT 1 FROM reporter_records b WHERE b.impl_code = i.impl_code AND b.data_type IN ('INSPECTION', 'PENALTY', 'COERCION')
                                             AND b.status = 'valid' AND b.record_date >= $1::date AND b.record_date < $2::date)) AS covered
       FROM reporter_records i
      WHERE i.data_type = 'ITEM' AND i.status = 'valid' AND ($3::text[] IS NULL OR i.data->>'category' = ANY($3::text[]))
      GROUP BY ROLLUP (i.dept_code) ORDER BY i.dept_code NULLS FIRST`,
    [from, to, categories],
  );
  return r.rows.map((x, i) => ({ deptCode: i === 0 && x.dept_code === null ? null : x.dept_code, items: Number(x.items), covered: Number(x.covered), coverageRate: rate(Number(x.covered), Number(x.items)) }));
}

/** Records past their deadline (UTC+8 date) that the province has not accepted in any version. */
export async function overdueSummary(q: Queryable, now: number) {
  const r = await q.query<{ data_type: string; n: string }>(
    `SELECT r.data_type, count(*) AS n FROM reporter_records r LEFT JOIN report_deliveries d ON d.data_type = r.data_type AND d.record_id = r.record_id
      WHERE r.status <> 'withdrawn' AND r.deadline < $1::date AND d.accepted_version IS NULL GROUP BY 1 ORDER BY 1`,
    [chinaDate(now)],
  );
  const byType = r.rows.map((x) => ({ dataType: x.data_type, n: Number(x.n) }));
  return { total: byType.reduce((a, b) => a + b.n, 0), byType };
}
