// The 数据直报 page's four indicators from the API's rows: an empty month is a gap (null) with its reason, never 0 %;
// 完整率 without a value carries the server's reason (issue #10, "Indicators defined for partial periods").
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { IndicatorRow, Indicators } from '../contract/reporter';
import { overall } from './src/pages/reporting-indicators';

const row = (o: Partial<IndicatorRow>): IndicatorRow => ({
  dataType: 'INSPECTION', deptCode: null, received: 0, valid: 0, sent: 0, accepted: 0, rejected: 0, pending: 0, overdue: 0, dueInPeriod: 0, onTime: 0,
  timelinessRate: null, lateRate: null, deliveredWithVerdict: 0, firstAccepted: 0, accuracyRate: null, ...o,
});
const period = (items: IndicatorRow[], coverageRate: number | null = null): Indicators => ({
  items, total: items.length, limit: 100, offset: 0, period: { from: '2026-11-01', to: '2026-12-01' },
  coverage: [{ deptCode: null, items: 10, covered: coverageRate === null ? 0 : Math.round(coverageRate * 10), coverageRate }],
});

test('a month without a record is a gap in every indicator, with the reason, not 0 %', () => {
  const empty = period([row({ dataType: 'ITEM' }), row({ dataType: 'INSPECTION', completenessRate: null, completenessReason: { code: 'no_city_records', message: '本期本市没有有效记录' } })], 0);
  const o = overall(empty);
  assert.equal([o.timeliness, o.accuracy, o.completeness, o.coverage], [null, null, null, null]);
  assert.is(o.completenessReason, '本期没有记录');
});

test('a month with records: percentages; 完整率 from the types the province counted, the others\' reasons kept', () => {
  const o = overall(period([
    row({ dataType: 'INSPECTION', received: 10, valid: 10, dueInPeriod: 8, onTime: 6, deliveredWithVerdict: 10, firstAccepted: 9, completenessRate: 0.9, provinceCount: 9, cityLiveValid: 10 }),
    row({ dataType: 'PENALTY', received: 5, valid: 5, dueInPeriod: 2, onTime: 2, completenessRate: null, completenessReason: { code: 'not_connected', message: '未连接省平台' } }),
    row({ dataType: 'INSPECTION', deptCode: 'D1', received: 99, dueInPeriod: 99, onTime: 0 }), // by department: not in the overall
  ], 0.5));
  assert.is(o.timeliness, 80);
  assert.is(o.accuracy, 90);
  assert.is(o.completeness, 90);
  assert.is(o.coverage, 50);
  assert.is(o.completenessReason, '未连接省平台');
});

test('a failed request is a gap that says so', () => {
  const o = overall(null);
  assert.equal([o.timeliness, o.accuracy, o.completeness, o.coverage], [null, null, null, null]);
  assert.match(o.completenessReason!, '请求失败');
});

test.run();
