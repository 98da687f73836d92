import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateRecord } from './validate';
import { makeFixtures, fixtureReferences, makeIdNumber, makeUscc, rng } from '../fixtures/records';
import type { DataType, ReferenceLookup, ValidationResult } from './types';

const NOW = Date.UTC(2026, 10, 24, 4, 0, 0); // 2026-11-24 12:00 in UTC+8
const f = makeFixtures({ seed: 7, inspections: 60, penalties: 40, now: NOW });
const refs = fixtureReferences(f);
const clone = <T>(x: T): Record<string, unknown> => structuredClone(x) as Record<string, unknown>;
const run = (t: DataType, rec: unknown) => validateRecord(t, rec, { now: NOW, refs });
const codesOn = (r: ValidationResult, field: string) => r.errors.filter((e) => e.field === field).map((e) => e.code);
const ins = () => clone(f.INSPECTION.find((x) => x.partyCertType === '111')!);
const pen = (pred: (p: (typeof f.PENALTY)[number]) => boolean = () => true) => clone(f.PENALTY.find(pred)!);

test('fixtures are valid, with no warnings', () => {
  for (const [t, rec] of f.all()) {
    const r = run(t, rec);
    assert.equal(r.errors, [], `${t} ${rec.recordId}`);
    assert.equal(r.warnings, []);
    assert.is(r.status, 'valid');
  }
});

test('E_REQUIRED names the field in Chinese and the record', () => {
  const rec = pen();
  delete rec.decisionNo;
  const r = run('PENALTY', rec);
  assert.is(r.status, 'invalid');
  assert.equal(r.errors.map((e) => [e.recordId, e.field, e.code, e.severity]), [[rec.recordId, 'decisionNo', 'E_REQUIRED', 'error']]);
  assert.match(r.errors[0].message, '处罚决定书文号');
});

test('E_FORMAT: recordId, regionCode, catalogCode, implCode structure vs deptCode and level', () => {
  const item = clone(f.ITEM[0]);
  item.recordId = 'ITEM 1';
  item.catalogCode = '1234';
  assert.equal(codesOn(run('ITEM', item), 'recordId'), ['E_FORMAT']);
  assert.equal(codesOn(run('ITEM', item), 'catalogCode'), ['E_FORMAT']);
  const other = clone(f.ITEM[0]);
  other.implCode = makeUscc(rng(3)) + '3000001';
  const r = run('ITEM', other);
  assert.equal(codesOn(r, 'implCode'), ['E_FORMAT']);
  assert.match(r.errors[0].message, '前 18 位');
  const level = clone(f.ITEM[0]);
  level.implCode = (level.deptCode as string) + '6000001';
  assert.equal(codesOn(run('ITEM', level), 'implCode'), ['E_FORMAT']);
  const short = clone(f.ITEM[0]);
  short.implCode = (short.deptCode as string) + '3';
  assert.equal(codesOn(run('ITEM', short), 'implCode'), []);
  short.implCode = (short.deptCode as string).slice(0, 17);
  assert.equal(codesOn(run('ITEM', short), 'implCode'), ['E_FORMAT']);
  const region = clone(f.ITEM[0]);
  region.regionCode = '370100'; // Jinan, not this city
  assert.equal(codesOn(run('ITEM', region), 'regionCode'), ['E_RANGE']);
  region.regionCode = '370702';
  assert.equal(codesOn(run('ITEM', region), 'regionCode'), []);
});

test('E_CHECKSUM on USCC and ID numbers; ID numbers masked in every message', () => {
  const rec = ins();
  const id = rec.partyCertNo as string;
  rec.partyCertNo = id.slice(0, 17) + (id[17] === '1' ? '2' : '1');
  const r = run('INSPECTION', rec);
  assert.equal(codesOn(r, 'partyCertNo'), ['E_CHECKSUM']);
  assert.not.match(r.errors[0].message, rec.partyCertNo as string);
  assert.match(r.errors[0].message, `${id.slice(0, 6)}********`);
  const d = clone(f.ITEM[0]);
  d.deptCode = '91350100M000100Y44';
  assert.ok(codesOn(run('ITEM', d), 'deptCode').includes('E_CHECKSUM'));
  // An ID number typed where a USCC belongs is masked too.
  const p = pen((x) => x.partyCertType === '001');
  p.partyCertNo = '11010519491231002X';
  const r2 = run('PENALTY', p);
  assert.equal(codesOn(r2, 'partyCertNo'), ['E_CHECKSUM']);
  assert.match(r2.errors[0].message, '110105********002X');
  for (const e of r2.errors) assert.not.match(e.message, '11010519491231002X');
});

test('E_CODE_TABLE names the table and the value; nature 2/3 must use cert type 001', () => {
  const rec = ins();
  rec.checkForm = '03';
  const r = run('INSPECTION', rec);
  assert.equal(codesOn(r, 'checkForm'), ['E_CODE_TABLE']);
  assert.match(r.errors[0].message, 'CHECK_FORM');
  assert.match(r.errors[0].message, '"03"');
  const org = ins();
  org.partyNature = '2';
  assert.equal(codesOn(run('INSPECTION', org), 'partyCertType'), ['E_CODE_TABLE']);
  org.partyNature = '3';
  assert.equal(codesOn(run('INSPECTION', org), 'partyCertType'), ['E_CODE_TABLE']);
  // A citizen (个体工商户) may use a USCC.
  const citizen = ins();
  citizen.partyNature = '1';
  citizen.partyCertType = '001';
  citizen.partyCertNo = makeUscc(rng(5), '370702', '92');
  assert.equal(run('INSPECTION', citizen).errors, []);
  const p = pen();
  p.penaltyTypes = ['03', '14'];
  assert.equal(codesOn(run('PENALTY', p), 'penaltyTypes'), ['E_CODE_TABLE']);
});

test('E_DATE: future checkDate / decisionDate, impossible dates, publicUntil before decisionDate, updatedAt forms', () => {
  const rec = ins();
  rec.checkDate = '2026-11-25'; // tomorrow in UTC+8
  assert.equal(codesOn(run('INSPECTION', rec), 'checkDate'), ['E_DATE']);
  rec.checkDate = '2026-11-24';
  assert.equal(codesOn(run('INSPECTION', rec), 'checkDate'), []);
  rec.checkDate = '2026-02-30';
  assert.equal(codesOn(run('INSPECTION', rec), 'checkDate'), ['E_DATE']);
  const p = pen();
  p.publicUntil = '2020-01-01';
  assert.equal(codesOn(run('PENALTY', p), 'publicUntil'), ['E_DATE']);
  p.publicUntil = undefined;
  p.decisionDate = '2027-01-01';
  assert.equal(codesOn(run('PENALTY', p), 'decisionDate'), ['E_DATE']);
  const item = clone(f.ITEM[0]);
  item.updatedAt = '2026-11-20T10:00:00';
  assert.equal(codesOn(run('ITEM', item), 'updatedAt'), ['E_DATE']);
  item.updatedAt = '2026-11-20T02:00:00Z';
  const ok = run('ITEM', item);
  assert.is(ok.data.updatedAt, '2026-11-20T10:00:00+08:00');
});

test('E_RANGE: inspectors (≥ 2 distinct, 2-30 chars), certNos count, text length', () => {
  const rec = ins();
  rec.inspectors = ['张三', '张三'];
  delete rec.certNos;
  assert.equal(codesOn(run('INSPECTION', rec), 'inspectors'), ['E_RANGE']);
  rec.inspectors = '张三';
  assert.equal(codesOn(run('INSPECTION', rec), 'inspectors'), ['E_RANGE']);
  rec.inspectors = '张;李四';
  assert.equal(codesOn(run('INSPECTION', rec), 'inspectors'), ['E_RANGE']);
  rec.inspectors = '张三；李四';
  assert.equal(run('INSPECTION', rec).errors, []);
  assert.equal(run('INSPECTION', rec).data.inspectors, ['张三', '李四']);
  rec.certNos = ['鲁370700001'];
  assert.equal(codesOn(run('INSPECTION', rec), 'certNos'), ['E_RANGE']);
  const name = clone(f.ITEM[0]);
  name.itemName = '事'.repeat(201);
  assert.equal(codesOn(run('ITEM', name), 'itemName'), ['E_RANGE']);
  const dept = clone(f.ITEM[0]);
  dept.deptName = '局';
  assert.equal(codesOn(run('ITEM', dept), 'deptName'), ['E_RANGE']);
});

test('W_OFFICER: unknown, revoked or expired certificates are warnings; the record stays valid', () => {
  const rec = ins();
  rec.certNos = ['鲁9999', (rec.certNos as string[])[1]];
  const r = run('INSPECTION', rec);
  assert.is(r.status, 'valid');
  assert.equal(r.warnings.map((w) => [w.code, w.field, w.severity]), [['W_OFFICER', 'certNos', 'warning']]);
  assert.match(r.warnings[0].message, '鲁9999');
  // Without an officer register, no warning.
  const r2 = validateRecord('INSPECTION', rec, { now: NOW, refs: { itemExists: () => true, inspectionExists: () => true } });
  assert.equal(r2.warnings, []);
  // certNos are kept as written (full-width characters are not converted).
  rec.certNos = ['鲁ＡＢ１', '鲁ＡＢ２'];
  assert.equal(run('INSPECTION', rec).data.certNos, ['鲁ＡＢ１', '鲁ＡＢ２']);
});

test('W_OFFICER for a revoked (注销) or expired certificate, judged on checkDate', () => {
  const rec = ins();
  const [c1, c2] = rec.certNos as string[];
  const register = new Map([
    [c1, { status: '2', validUntil: '2030-01-01' }],
    [c2, { status: '1', validUntil: '2026-01-01' }],
  ]);
  const lookup: ReferenceLookup = {
    itemExists: () => true,
    inspectionExists: () => true,
    officerCertValid: (c, d) => {
      const o = register.get(c);
      return !!o && o.status === '1' && o.validUntil >= d;
    },
  };
  rec.checkDate = '2026-03-01';
  const r = validateRecord('INSPECTION', rec, { now: NOW, refs: lookup });
  assert.is(r.status, 'valid');
  assert.is(r.warnings.length, 2);
  rec.checkDate = '2025-12-01'; // c2 was still valid then
  assert.is(validateRecord('INSPECTION', rec, { now: NOW, refs: lookup }).warnings.length, 1);
});

test('"not in the future" is judged in UTC+8', () => {
  const rec = ins();
  rec.checkDate = '2026-11-25';
  // 2026-11-24 16:30 UTC is 2026-11-25 00:30 in the city: the 25th is today there.
  assert.equal(validateRecord('INSPECTION', rec, { now: Date.UTC(2026, 10, 24, 16, 30), refs }).errors, []);
  assert.equal(codesOn(validateRecord('INSPECTION', rec, { now: Date.UTC(2026, 10, 24, 15, 30), refs }), 'checkDate'), ['E_DATE']);
});

test('E_REFERENCE only → held_reference; without a lookup the check is skipped', () => {
  const p = pen((x) => x.caseSource === '01');
  p.inspectionRef = 'INS-NOPE';
  const r = run('PENALTY', p);
  assert.equal(r.errors.map((e) => e.code), ['E_REFERENCE']);
  assert.is(r.status, 'held_reference');
  const i = ins();
  i.implCode = (i.deptCode as string) + '3999999';
  assert.is(run('INSPECTION', i).status, 'held_reference');
  i.checkForm = '09';
  assert.is(run('INSPECTION', i).status, 'invalid');
  assert.is(validateRecord('PENALTY', p, { now: NOW }).status, 'valid');
});

test('inspectionRef is required when caseSource is 01', () => {
  const p = pen((x) => x.caseSource === '01');
  delete p.inspectionRef;
  assert.equal(codesOn(run('PENALTY', p), 'inspectionRef'), ['E_REQUIRED']);
  p.caseSource = '02';
  assert.equal(run('PENALTY', p).errors, []);
});

test('penaltyTypes → fineAmount / confiscatedAmount / licenceInfo', () => {
  const base = pen((x) => x.procedure === '2');
  const p = { ...base, procedure: '2', penaltyTypes: ['03'], fineAmount: undefined, confiscatedAmount: undefined, licenceInfo: undefined };
  assert.equal(codesOn(run('PENALTY', p), 'fineAmount'), ['E_REQUIRED']);
  assert.equal(codesOn(run('PENALTY', { ...p, fineAmount: '0' }), 'fineAmount'), ['E_RANGE']);
  assert.equal(codesOn(run('PENALTY', { ...p, fineAmount: '100.123' }), 'fineAmount'), ['E_FORMAT']);
  assert.equal(codesOn(run('PENALTY', { ...p, fineAmount: '-1' }), 'fineAmount'), ['E_RANGE']);
  const ok = run('PENALTY', { ...p, fineAmount: 1234.5 });
  assert.equal(ok.errors, []);
  assert.is(ok.data.fineAmount, '1234.50');
  // Without 03 the fine must be empty or 0.
  assert.equal(codesOn(run('PENALTY', { ...p, penaltyTypes: ['01'], fineAmount: '10' }), 'fineAmount'), ['E_RANGE']);
  const zero = run('PENALTY', { ...p, penaltyTypes: ['01'], fineAmount: '0' });
  assert.equal(zero.errors, []);
  assert.is(zero.data.fineAmount, undefined);
  // Confiscation only with 04 / 05.
  assert.equal(codesOn(run('PENALTY', { ...p, penaltyTypes: ['01'], confiscatedAmount: '5' }), 'confiscatedAmount'), ['E_RANGE']);
  assert.equal(run('PENALTY', { ...p, penaltyTypes: ['04'], confiscatedAmount: '5' }).errors, []);
  // Licence info with 06 / 08.
  assert.equal(codesOn(run('PENALTY', { ...p, penaltyTypes: ['08'] }), 'licenceInfo'), ['E_REQUIRED']);
  assert.equal(codesOn(run('PENALTY', { ...p, penaltyTypes: ['06'] }), 'licenceInfo'), ['E_REQUIRED']);
  assert.equal(run('PENALTY', { ...p, penaltyTypes: '08', licenceInfo: '许可证 JY1' }).errors, []);
});

test('简易程序: only 警告 and 罚款, at most 200 yuan for citizens and 3,000 yuan for organisations', () => {
  const base = pen();
  const citizen = { ...base, procedure: '1', partyNature: '1', partyCertType: '111', partyCertNo: makeIdNumber(rng(2), '1980-05-06'), confiscatedAmount: undefined, licenceInfo: undefined };
  assert.equal(run('PENALTY', { ...citizen, penaltyTypes: ['01', '03'], fineAmount: '200' }).errors, []);
  assert.equal(codesOn(run('PENALTY', { ...citizen, penaltyTypes: ['03'], fineAmount: '200.01' }), 'procedure'), ['E_RANGE']);
  assert.equal(codesOn(run('PENALTY', { ...citizen, penaltyTypes: ['03', '04'], fineAmount: '50', confiscatedAmount: '1' }), 'procedure'), ['E_RANGE']);
  const org = { ...base, procedure: '1', partyNature: '2', partyCertType: '001', partyCertNo: makeUscc(rng(9), '370702'), confiscatedAmount: undefined, licenceInfo: undefined };
  assert.equal(run('PENALTY', { ...org, penaltyTypes: ['03'], fineAmount: '3000.00' }).errors, []);
  const r = run('PENALTY', { ...org, penaltyTypes: ['03'], fineAmount: '3000.01' });
  assert.equal(codesOn(r, 'procedure'), ['E_RANGE']);
  assert.match(r.errors[0].message, '3000 元');
  assert.equal(run('PENALTY', { ...org, procedure: '2', penaltyTypes: ['03'], fineAmount: '300000' }).errors, []);
});

test('normalisation: full-width codes, x → X, trimming, decisionNo kept as written, control characters', () => {
  const rec = ins();
  const id = rec.partyCertNo as string;
  rec.partyCertNo = ' ' + id.replace(/\d/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0)) + ' ';
  rec.checkForm = '０１';
  const r = run('INSPECTION', rec);
  assert.equal(r.errors, []);
  assert.is(r.data.partyCertNo, id);
  assert.is(r.data.checkForm, '01');
  const x = ins();
  x.partyCertNo = '11010519491231002x';
  assert.is(run('INSPECTION', x).data.partyCertNo, '11010519491231002X');
  const p = pen();
  p.decisionNo = '  潍市监罚〔２０２６〕【１】号 ';
  assert.is(run('PENALTY', p).data.decisionNo, '潍市监罚〔２０２６〕【１】号');
  p.facts = '第一行\n第二行';
  assert.equal(run('PENALTY', p).errors, []);
  p.actionName = '处罚\u0007';
  assert.equal(codesOn(run('PENALTY', p), 'actionName'), ['E_FORMAT']);
  assert.equal(run('ITEM', 'not an object').errors.map((e) => e.code), ['E_FORMAT']);
});

test('OFFICER: idNo optional but checked, status table', () => {
  const o = clone(f.OFFICER[0]);
  assert.equal(run('OFFICER', o).errors, []);
  o.idNo = '110105194912310021';
  assert.equal(codesOn(run('OFFICER', o), 'idNo'), ['E_CHECKSUM']);
  delete o.idNo;
  o.status = '4';
  assert.equal(codesOn(run('OFFICER', o), 'status'), ['E_CODE_TABLE']);
});

test('fixtures: the invalid share fails with the promised code', () => {
  const g = makeFixtures({ seed: 3, inspections: 200, penalties: 100, invalidShare: 0.3, now: NOW });
  let n = 0;
  for (const [t, rec] of g.all()) {
    const want = g.invalid[t].get(rec.recordId as string);
    const r = validateRecord(t, rec, { now: NOW });
    if (want) {
      n++;
      assert.ok(r.errors.some((e) => e.code === want), `${rec.recordId} should have ${want}: ${JSON.stringify(r.errors)}`);
    } else assert.equal(r.errors, []);
  }
  assert.ok(n > 40);
});

test.run();
