import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateRecord } from './validate';
import { createCalendar, deadlineFor, recordDate } from './calendar';
import { reporterConfig } from '../config';
import { CODE_TABLES, FIELDS, FIELD_CODE_TABLES, headerMap, labelOf } from './codes';
import { makeFixtures, fixtureReferences } from '../fixtures/records';
import type { ReferenceLookup, ValidationResult } from './types';

// COERCION (行政强制行为), data-standard.md contract v1.1. The clock is injected: no test depends on today's date.
const NOW = Date.UTC(2026, 10, 24, 4, 0, 0); // 2026-11-24 12:00 in UTC+8
const f = makeFixtures({ seed: 15, inspections: 80, penalties: 10, coercions: 90, now: NOW });
const refs = fixtureReferences(f);
const run = (rec: unknown, opts: { now?: number; refs?: ReferenceLookup } = {}) => validateRecord('COERCION', rec, { now: opts.now ?? NOW, refs: opts.refs ?? refs });
const codesOn = (r: ValidationResult, field: string) => r.errors.filter((e) => e.field === field).map((e) => e.code);
const clone = (x: object): Record<string, unknown> => structuredClone(x) as Record<string, unknown>;
/** A valid 行政强制措施 (kind 1) with the given measure, or a valid 行政强制执行 (kind 2). */
const measure = (m: string, extra: Record<string, unknown> = {}) => {
  const base = clone(f.COERCION.find((x) => x.kind === '1' && (m !== '01' || x.partyNature === '1'))!);
  delete base.extendedDays;
  delete base.endDate;
  return { ...base, measureType: m, startDate: '2026-11-02', ...extra } as Record<string, unknown>;
};
const execution = (extra: Record<string, unknown> = {}) => ({ ...clone(f.COERCION.find((x) => x.kind === '2')!), ...extra });

test('fixtures: every COERCION is valid, measures and executions both present, each points at its INSPECTION', () => {
  assert.ok(f.COERCION.length === 90);
  for (const rec of f.COERCION) {
    const r = run(rec);
    assert.equal(r.errors, [], rec.recordId);
    assert.is(r.status, 'valid');
    assert.ok(f.INSPECTION.some((i) => i.recordId === rec.inspectionRef));
  }
  assert.ok(f.COERCION.some((x) => x.kind === '1') && f.COERCION.some((x) => x.kind === '2'));
  assert.ok(f.COERCION.some((x) => x.extendedDays !== undefined), 'some 查封/扣押 were extended');
});

test('code tables: COERCION_KIND, COERCION_MEASURE (Art. 9), COERCION_EXECUTION (Art. 12)', () => {
  assert.equal(Object.keys(CODE_TABLES.COERCION_KIND), ['1', '2']);
  assert.equal(Object.keys(CODE_TABLES.COERCION_MEASURE).sort(), ['01', '02', '03', '04', '99']);
  assert.equal(Object.keys(CODE_TABLES.COERCION_EXECUTION).sort(), ['01', '02', '03', '04', '05', '99']);
  assert.is(CODE_TABLES.COERCION_EXECUTION['05'], '代履行');
  const bad = run(measure('05'));
  assert.equal(codesOn(bad, 'measureType'), ['E_CODE_TABLE']);
  assert.match(bad.errors[0].message, 'COERCION_MEASURE（强制措施类型）');
  assert.equal(codesOn(run(execution({ executionType: '06' })), 'executionType'), ['E_CODE_TABLE']);
  assert.equal(codesOn(run(execution({ kind: '3' })), 'kind'), ['E_CODE_TABLE']);
  // Full-width digits in a code become half-width.
  assert.is(run(measure('０３')).data.measureType, '03');
  assert.is(run(measure('０３')).status, 'valid');
  assert.equal(FIELD_CODE_TABLES.COERCION, { partyNature: 'PARTY_NATURE', partyCertType: 'CERT_TYPE', kind: 'COERCION_KIND', measureType: 'COERCION_MEASURE', executionType: 'COERCION_EXECUTION' });
});

test('required fields name the field with COERCION headers', () => {
  for (const [field, zh] of [['actionName', '强制行为名称'], ['decisionNo', '强制决定书文号'], ['facts', '违法事实'], ['basis', '强制依据'], ['kind', '行政强制种类'], ['startDate', '强制起始日期'], ['result', '强制结果']] as const) {
    const rec = measure('02');
    delete rec[field];
    const r = run(rec);
    assert.equal(codesOn(r, field), ['E_REQUIRED'], field);
    assert.match(r.errors.find((e) => e.field === field)!.message, zh);
  }
  // The same keys keep their own headers in the older types.
  assert.is(labelOf('INSPECTION', 'result'), '检查结果');
  assert.is(labelOf('PENALTY', 'basis'), '处罚依据');
  assert.is(labelOf('COERCION', 'result'), '强制结果');
  assert.is(headerMap('COERCION').get('延长期限(日)'), 'extendedDays');
  assert.is(FIELDS.COERCION.length, 23);
});

test('inspectionRef: required; E_REFERENCE (held) when the INSPECTION is missing; released when it is there', () => {
  const rec = measure('03');
  delete rec.inspectionRef;
  assert.equal(codesOn(run(rec), 'inspectionRef'), ['E_REQUIRED']);
  const missing = run({ ...measure('03'), inspectionRef: 'INS-NOPE' });
  assert.equal(codesOn(missing, 'inspectionRef'), ['E_REFERENCE']);
  assert.is(missing.status, 'held_reference');
  assert.equal(codesOn(run({ ...measure('03'), inspectionRef: 'INS 1' }), 'inspectionRef'), ['E_FORMAT']);
  const noItem = run({ ...measure('03'), implCode: `${f.ITEM[0].deptCode}3999999` });
  assert.equal(codesOn(noItem, 'implCode'), ['E_REFERENCE']);
  // Without references (a format-only check) nothing is held.
  assert.is(validateRecord('COERCION', { ...measure('03'), inspectionRef: 'INS-NOPE' }, { now: NOW }).status, 'valid');
});

test('kind 1 needs measureType and no executionType; kind 2 the other way round (E_RANGE)', () => {
  const noMeasure = measure('02');
  delete noMeasure.measureType;
  assert.equal(codesOn(run(noMeasure), 'measureType'), ['E_RANGE']);
  assert.equal(codesOn(run(measure('02', { executionType: '01' })), 'executionType'), ['E_RANGE']);
  const noExec = execution();
  delete noExec.executionType;
  assert.equal(codesOn(run(noExec), 'executionType'), ['E_RANGE']);
  assert.equal(codesOn(run(execution({ measureType: '03' })), 'measureType'), ['E_RANGE']);
  assert.is(run(execution()).status, 'valid');
  for (const m of ['02', '03', '04', '99']) assert.is(run(measure(m)).status, 'valid', m);
});

test('01 限制公民人身自由 only for a citizen (partyNature 1)', () => {
  const citizen = measure('01');
  assert.is(citizen.partyNature, '1');
  assert.is(run(citizen).status, 'valid');
  const org: Record<string, unknown> = { ...clone(f.COERCION.find((x) => x.partyNature === '2')!), kind: '1', measureType: '01' };
  delete org.executionType;
  delete org.extendedDays;
  delete org.endDate;
  const r = run(org);
  assert.equal(codesOn(r, 'measureType'), ['E_RANGE']);
  assert.match(r.errors[0].message, '公民');
});

test('Art. 25: 查封/扣押 at most 30 days (start + 30 is valid), plus the extension when given', () => {
  for (const m of ['02', '03']) {
    assert.is(run(measure(m, { endDate: '2026-12-02' })).status, 'valid', `${m}: start + 30`);
    const over = run(measure(m, { endDate: '2026-12-03' }));
    assert.equal(codesOn(over, 'endDate'), ['E_RANGE'], `${m}: start + 31`);
    assert.match(over.errors[0].message, '31 日');
    // Extended by 10 days: start + 40 valid, + 41 not.
    assert.is(run(measure(m, { extendedDays: 10, endDate: '2026-12-12' })).status, 'valid');
    assert.equal(codesOn(run(measure(m, { extendedDays: '10', endDate: '2026-12-13' })), 'endDate'), ['E_RANGE']);
    // Extended by the most (30): start + 60.
    assert.is(run(measure(m, { extendedDays: 30, endDate: '2027-01-01' })).status, 'valid');
  }
  // 冻结 (Art. 32) and the others are not checked in v1.1; 行政强制执行 has no such limit.
  assert.is(run(measure('04', { endDate: '2027-03-01' })).status, 'valid');
  assert.is(run(execution({ startDate: '2026-11-02', endDate: '2027-03-01' })).status, 'valid');
  // endDate before startDate: E_DATE, for every kind.
  assert.equal(codesOn(run(measure('02', { endDate: '2026-11-01' })), 'endDate'), ['E_DATE']);
  assert.equal(codesOn(run(execution({ startDate: '2026-11-02', endDate: '2026-10-30' })), 'endDate'), ['E_DATE']);
  assert.equal(codesOn(run(measure('02', { endDate: '2026-02-30' })), 'endDate'), ['E_DATE']);
});

test('extendedDays: integer 1-30 (number or digits), only with 查封/扣押', () => {
  const digits = run(measure('02', { extendedDays: '３０' }));
  assert.is(digits.status, 'valid');
  assert.is(digits.data.extendedDays, 30, 'normalised to a number');
  assert.equal(codesOn(run(measure('02', { extendedDays: 31 })), 'extendedDays'), ['E_RANGE']);
  assert.equal(codesOn(run(measure('02', { extendedDays: 0 })), 'extendedDays'), ['E_RANGE']);
  assert.equal(codesOn(run(measure('02', { extendedDays: '十天' })), 'extendedDays'), ['E_FORMAT']);
  assert.equal(codesOn(run(measure('02', { extendedDays: 1.5 })), 'extendedDays'), ['E_FORMAT']);
  assert.equal(codesOn(run(measure('02', { extendedDays: '-3' })), 'extendedDays'), ['E_FORMAT']);
  assert.equal(codesOn(run(measure('04', { extendedDays: 10 })), 'extendedDays'), ['E_RANGE']);
  assert.equal(codesOn(run(execution({ extendedDays: 10 })), 'extendedDays'), ['E_RANGE']);
  // A wrong extension does not also fail the end date.
  assert.equal(run(measure('02', { extendedDays: 45, endDate: '2026-12-20' })).errors.map((e) => e.field), ['extendedDays']);
  assert.is(run(measure('02', { extendedDays: '' })).status, 'valid');
});

test('party rules and decisionNo as for PENALTY', () => {
  const r = run(measure('02', { partyNature: '2', partyCertType: '111' }));
  assert.equal(codesOn(r, 'partyCertType'), ['E_CODE_TABLE']);
  const no = '潍市监强〔2026〕【７】号';
  assert.is(run(measure('02', { decisionNo: `  ${no} ` })).data.decisionNo, no);
  assert.equal(codesOn(run(measure('02', { decisionNo: 'x'.repeat(129) })), 'decisionNo'), ['E_RANGE']);
  assert.equal(codesOn(run(measure('02', { result: 'x'.repeat(1001) })), 'result'), ['E_RANGE']);
  assert.equal(codesOn(run(measure('02', { actionName: 'x'.repeat(501) })), 'actionName'), ['E_RANGE']);
});

test('startDate not in the future, judged on the injected clock in UTC+8', () => {
  assert.equal(codesOn(run(measure('02', { startDate: '2026-11-25' })), 'startDate'), ['E_DATE']);
  assert.is(run(measure('02', { startDate: '2026-11-24' })).status, 'valid');
  // 2026-11-24 16:30 UTC is already 25 Nov 00:30 in UTC+8.
  assert.is(run(measure('02', { startDate: '2026-11-25' }), { now: Date.UTC(2026, 10, 24, 16, 30) }).status, 'valid');
});

test('deadline: startDate + 7 working days (configurable), the record date is startDate', () => {
  const cal = createCalendar({ years: { '2026': { holidays: ['2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-07'], workdays: ['2026-10-10'] } } });
  const d = reporterConfig.parse({}).deadlines;
  assert.is(d.COERCION, 7);
  const v = run(measure('02', { startDate: '2026-11-20' }));
  assert.is(recordDate('COERCION', v.data), '2026-11-20');
  // Fri 20 Nov + 7: 23-27 Nov (5), Mon 30 (6), Tue 1 Dec (7).
  assert.is(deadlineFor('COERCION', v.data, cal, d), '2026-12-01');
  // Across National Day with a make-up Saturday: Tue 29 Sep + 7 → 30 Sep, 8, 9, 10 (调休), 12, 13, 14 Oct.
  assert.is(deadlineFor('COERCION', { startDate: '2026-09-29' }, cal, d), '2026-10-14');
  const custom = reporterConfig.parse({ deadlines: { COERCION: 3 } }).deadlines;
  assert.is(deadlineFor('COERCION', v.data, cal, custom), '2026-11-25');
  assert.is(deadlineFor('COERCION', {}, cal, d), undefined);
});

test('fixture spoilers: invalid COERCION records get the code they are made for', () => {
  const g = makeFixtures({ seed: 4, inspections: 60, coercions: 200, invalidShare: 0.3, now: NOW });
  const gr = fixtureReferences(g);
  assert.ok(g.invalid.COERCION.size > 30);
  assert.ok([...g.invalid.COERCION.values()].includes('E_RANGE'));
  for (const rec of g.COERCION) {
    const r = validateRecord('COERCION', rec, { now: NOW, refs: gr });
    const want = g.invalid.COERCION.get(rec.recordId);
    if (want) assert.ok(r.errors.some((e) => e.code === want), `${rec.recordId}: ${want} in ${JSON.stringify(r.errors)}`);
    else assert.is(r.status, 'valid', rec.recordId);
  }
  // Asking for COERCION records changes nothing else in a fixture set.
  const without = makeFixtures({ seed: 4, inspections: 60, invalidShare: 0.3, now: NOW });
  assert.equal(without.INSPECTION, g.INSPECTION);
  assert.equal([...without.invalid.INSPECTION], [...g.invalid.INSPECTION]);
});

test.run();
