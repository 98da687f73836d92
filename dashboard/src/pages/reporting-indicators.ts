import type { Indicators } from '../../../contract/reporter';
import { t } from '../i18n';

/** The four indicators of one period as the 数据直报 page shows them (gauges and the monthly trend). Pure: tested alone. */
const ratio = (num: number, den: number) => (den > 0 ? (100 * num) / den : null);

/**
 * The four indicators over all types (deptCode null rows), as percentages. A month without a single record is a gap
 * (null), not 0 %; 完整率 without a value carries the server's reason.
 */
export function overall(ind: Indicators | null) {
  const rows = (ind?.items ?? []).filter((r) => r.deptCode === null);
  const sum = (k: 'received' | 'onTime' | 'dueInPeriod' | 'firstAccepted' | 'deliveredWithVerdict') => rows.reduce((a, r) => a + r[k], 0);
  const withProvince = rows.filter((r) => r.completenessRate !== null && r.completenessRate !== undefined);
  const cov = (ind?.coverage ?? []).find((c) => c.deptCode === null);
  const empty = sum('received') === 0;
  const reasons = [...new Set(rows.flatMap((r) => (r.completenessRate === null && r.completenessReason ? [r.completenessReason.message] : [])))];
  return {
    timeliness: ratio(sum('onTime'), sum('dueInPeriod')),
    accuracy: ratio(sum('firstAccepted'), sum('deliveredWithVerdict')),
    completeness: withProvince.length ? ratio(withProvince.reduce((a, r) => a + (r.provinceCount ?? 0), 0), withProvince.reduce((a, r) => a + (r.cityLiveValid ?? 0), 0)) : null,
    coverage: !empty && cov && cov.coverageRate !== null ? cov.coverageRate * 100 : null,
    completenessReason: ind === null ? t('rep.ind.failed') : empty ? t('rep.ind.noRecords') : reasons.join(t('rep.ind.sep')) || undefined,
    rows,
  };
}
