import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ruleSchema, type RuleConfig } from '../config';
import type { AccessBaseline, SensitiveAccess } from '../sources';
import { RULE_TYPES } from '.';
import { outsideWorkingHours } from './data-access';

const NOW = Date.parse('2026-11-24T15:00:00+08:00'); // a Tuesday afternoon
const env = { timezone: 'Asia/Shanghai' };
const rule = (r: Record<string, unknown>) => ruleSchema.parse({ name: 'r', ...r }) as RuleConfig;
const run = (r: RuleConfig, input: unknown) => RULE_TYPES[r.type].evaluate(r, input, NOW, env);
const minute = (i: number, o: Partial<SensitiveAccess> = {}): SensitiveAccess => ({ bucket: NOW - 60 * 60_000 + i * 60_000, interfaceCode: 'RK001', interfaceName: '人口库', callerDept: '市税务局', calls: 10, records: 50, maxRecords: 5, ...o });
const base = (o: Partial<AccessBaseline> = {}): AccessBaseline => ({ interfaceCode: 'RK001', callerDept: '市税务局', hours: 100, calls: 2000, records: 10_000, sameHourCalls: [100, 120, 80, 100], firstSeen: NOW - 60 * 86_400_000, ...o });

test('working hours in the rule time zone: weekdays 08:30–18:00 by default', () => {
  const wh = { days: [1, 2, 3, 4, 5], start: '08:30', end: '18:00' };
  assert.not.ok(outsideWorkingHours(Date.parse('2026-11-24T08:30:00+08:00'), wh, 'Asia/Shanghai'));
  assert.ok(outsideWorkingHours(Date.parse('2026-11-24T08:29:00+08:00'), wh, 'Asia/Shanghai'));
  assert.ok(outsideWorkingHours(Date.parse('2026-11-24T18:00:00+08:00'), wh, 'Asia/Shanghai'));
  assert.ok(outsideWorkingHours(Date.parse('2026-11-28T10:00:00+08:00'), wh, 'Asia/Shanghai'), 'Saturday');
});

test('call_volume_baseline: calls this hour above factor × the same hour of past weeks; team security', () => {
  const r = rule({ type: 'call_volume_baseline', factor: 5, minCalls: 100 });
  const access = Array.from({ length: 60 }, (_, i) => minute(i, { calls: 10 })); // 600 calls vs a mean of 100
  const out = run(r, { access, baselines: [base()] });
  assert.is(out.length, 1);
  assert.is(out[0].labels.team, 'security');
  assert.match(out[0].annotations.evidence, '100、120、80、100');
  assert.is(run(r, { access: access.slice(0, 40), baselines: [base()] }).length, 0, '400 calls: not above 5 × 100');
  assert.is(run(r, { access, baselines: [base({ sameHourCalls: [0, 0, 0, 100] })] }).length, 0, 'one week of history is no baseline');
});

test('call_first_caller: a department new to a sensitive interface', () => {
  const r = rule({ type: 'call_first_caller' });
  assert.is(run(r, { access: [minute(1)], baselines: [base()] }).length, 0);
  const out = run(r, { access: [minute(1, { callerDept: '市文旅局' })], baselines: [base({ callerDept: '市文旅局', firstSeen: NOW - 3_600_000 })] });
  assert.is(out.length, 1);
  assert.match(out[0].annotations.evidence, '此前从未调用过此接口');
});

test('call_records_per_call: records per call far above the caller usual', () => {
  const r = rule({ type: 'call_records_per_call', factor: 10, minRecordsPerCall: 100 });
  assert.is(run(r, { access: [minute(1)], baselines: [base()] }).length, 0, '5 per call is usual');
  const out = run(r, { access: [minute(1, { calls: 10, records: 5000, maxRecords: 900 })], baselines: [base()] });
  assert.is(out.length, 1);
  assert.is(out[0].value, 500);
  assert.match(out[0].annotations.evidence, '平均每次 500 条');
});

test('call_error_rate and call_latency per interface', () => {
  const rows = [{ interfaceCode: 'A', name: '甲', calls: 100, failures: 30, p95Ms: 900 }, { interfaceCode: 'B', name: '', calls: 5, failures: 5, p95Ms: 9000 }];
  const e = run(rule({ type: 'call_error_rate', thresholdPct: 10 }), rows);
  assert.equal(e.map((x) => [x.labels.interface, x.value]), [['A', 30]]);
  const l = run(rule({ type: 'call_latency', thresholdMs: 500 }), rows);
  assert.equal(l.map((x) => x.labels.interface), ['A']);
  assert.is(l[0].labels.team, 'ops');
});

test.run();
