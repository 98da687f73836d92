/**
 * Test and benchmark data: valid records of all four types with correct check characters, references consistent
 * (ITEM → INSPECTION → PENALTY, inspectors ↔ OFFICER certificates), deterministic from a seed, and a chosen share of
 * records made invalid in a known way (each with the error code it must get).
 */
import { USCC_ALPHABET, usccCheckChar } from './uscc';
import { idCheckChar } from './idno';
import { FIELDS } from './codes';
import { addDays, chinaDate } from '../../core/china-time';
import type { DataType, ErrorCode, InspectionRecord, ItemRecord, OfficerRecord, PenaltyRecord, ReferenceLookup } from './types';

export interface FixtureOptions {
  seed?: number;
  /** Counts per type. Default 10 items, 20 officers, 100 inspections, 50 penalties. */
  items?: number;
  officers?: number;
  inspections?: number;
  penalties?: number;
  /** Share (0-1) of the records of `invalidTypes` made invalid. Default 0. */
  invalidShare?: number;
  /**
   * Types to spoil; default INSPECTION and PENALTY. A referenced INSPECTION (one a PENALTY points at) is never
   * spoiled, so no valid record is held back by E_REFERENCE and the counts stay exact. Spoiling ITEM holds back
   * the records that point at it.
   */
  invalidTypes?: DataType[];
  regionCode?: string;
}

/**
 * Record dates fall in the 60 days before "today" (UTC+8), and the spoiled "future" dates after it: the caller says
 * which day that is, from the same clock as the validator that will judge the records (a test's clock, or the
 * process clock for an end-to-end test), so the fixtures' idea of validity never depends on the day they are made.
 */
export type FixtureDay = { now: number; today?: never } | { today: string; now?: never };

export interface Fixtures {
  ITEM: ItemRecord[];
  OFFICER: OfficerRecord[];
  INSPECTION: InspectionRecord[];
  PENALTY: PenaltyRecord[];
  /** recordId → the error code the invalid record must get, per type. */
  invalid: Record<DataType, Map<string, ErrorCode>>;
  /** The records in sending order (ITEM, OFFICER, INSPECTION, PENALTY), as [type, record]. */
  all(): [DataType, Record<string, unknown>][];
}

/** mulberry32: small, fast, seedable. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)],
  };
}
export type Rng = ReturnType<typeof rng>;

/** A valid USCC: 1 (机构编制) or 9 (工商), a type character, the region code, a random body, the check character. */
export function makeUscc(r: Rng, region = '370700', kind: '11' | '91' | '92' = '91'): string {
  let body = kind + region;
  while (body.length < 17) body += USCC_ALPHABET[r.int(0, 30)];
  return body + usccCheckChar(body)!;
}

/** A valid resident ID number born on `birth` (yyyy-MM-dd). */
export function makeIdNumber(r: Rng, birth: string, region = '370702'): string {
  const body = region + birth.replace(/-/g, '') + String(r.int(0, 999)).padStart(3, '0');
  return body + idCheckChar(body)!;
}

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '胡', '朱', '高', '林'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀英'];
const DEPTS = ['潍坊市市场监督管理局', '潍坊市生态环境局', '潍坊市应急管理局', '潍坊市卫生健康委员会', '潍坊市交通运输局'];


/** The references a fixture set holds (its ITEMs, INSPECTIONs and OFFICER certificates), as the validator asks for them. */
export function fixtureReferences(f: Fixtures): ReferenceLookup {
  const items = new Set(f.ITEM.map((x) => x.implCode));
  const inspections = new Set(f.INSPECTION.map((x) => x.recordId));
  const officers = new Map(f.OFFICER.map((o) => [o.certNo, o]));
  return {
    itemExists: (c) => items.has(c),
    inspectionExists: (id) => inspections.has(id),
    officerCertValid: (c, d) => {
      const o = officers.get(c);
      return !!o && o.status === '1' && o.validUntil >= d;
    },
  };
}

export function makeFixtures(opts: FixtureOptions & FixtureDay): Fixtures {
  const r = rng(opts.seed ?? 1);
  const today = opts.today ?? chinaDate(opts.now!);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(today)) throw new Error(`makeFixtures: today must be yyyy-MM-dd, got ${today}`);
  const region = opts.regionCode ?? '370700';
  const share = opts.invalidShare ?? 0;
  const n = { items: opts.items ?? 10, officers: opts.officers ?? 20, inspections: opts.inspections ?? 100, penalties: opts.penalties ?? 50 };
  const updatedAt = `${addDays(today, -1)} 09:00:00`;
  const depts = DEPTS.map((name) => ({ name, code: makeUscc(r, region, '11') }));
  const personName = () => r.pick(SURNAMES) + r.pick(GIVEN) + (r.next() < 0.5 ? r.pick(GIVEN) : '');

  const ITEM: ItemRecord[] = [];
  for (let i = 0; i < n.items; i++) {
    const dept = depts[i % depts.length];
    ITEM.push({
      recordId: `ITEM-${i + 1}`,
      regionCode: region,
      deptCode: dept.code,
      deptName: dept.name,
      updatedAt,
      implCode: `${dept.code}3${String(i + 1).padStart(6, '0')}`,
      catalogCode: `${String(11000000 + i).padStart(8, '0')}000001`.slice(0, 14),
      itemName: `对经营者遵守法规情况的行政检查（${i + 1}）`,
      category: i % 4 === 3 ? '02' : '01',
      legalBasis: '《中华人民共和国行政处罚法》',
    });
  }
  const OFFICER: OfficerRecord[] = [];
  for (let i = 0; i < n.officers; i++) {
    const dept = depts[i % depts.length];
    OFFICER.push({
      recordId: `OFF-${i + 1}`,
      regionCode: region,
      deptCode: dept.code,
      deptName: dept.name,
      updatedAt,
      certNo: `鲁370700${String(i + 1).padStart(5, '0')}`,
      name: personName(),
      field: '市场监管',
      validUntil: addDays(today, 365 * 3),
      status: '1',
      idNo: makeIdNumber(r, `19${r.int(70, 99)}-0${r.int(1, 9)}-1${r.int(0, 9)}`),
    });
  }
  const party = () => {
    const nature = r.pick(['1', '2', '2', '3'] as const);
    if (nature === '1' && r.next() < 0.7) {
      return { partyName: personName(), partyNature: nature, partyCertType: '111' as const, partyCertNo: makeIdNumber(r, `19${r.int(60, 99)}-1${r.int(0, 2)}-2${r.int(0, 8)}`) };
    }
    return { partyName: `潍坊市某某${r.pick(['商贸', '食品', '化工', '物流'])}有限公司`, partyNature: nature, partyCertType: '001' as const, partyCertNo: makeUscc(r, '370702', nature === '1' ? '92' : '91'), legalRep: personName() };
  };
  const INSPECTION: InspectionRecord[] = [];
  for (let i = 0; i < n.inspections && ITEM.length > 0; i++) {
    const item = ITEM[i % ITEM.length];
    const o1 = OFFICER.length ? OFFICER[(2 * i) % OFFICER.length] : undefined;
    const o2 = OFFICER.length > 1 ? OFFICER[(2 * i + 1) % OFFICER.length] : undefined;
    const rec: InspectionRecord = {
      recordId: `INS-${i + 1}`,
      regionCode: region,
      deptCode: item.deptCode,
      deptName: item.deptName,
      updatedAt,
      actionName: `对${item.deptName}辖区经营主体的日常检查`,
      implCode: item.implCode,
      ...party(),
      checkForm: i % 5 === 0 ? '02' : '01',
      checkDate: addDays(today, -r.int(1, 60)),
      result: i % 3 === 0 ? '3' : r.pick(['1', '2', '4'] as const),
      inspectors: o1 && o2 && o1.name !== o2.name ? [o1.name, o2.name] : ['执法员甲', '执法员乙'],
    };
    if (o1 && o2 && o1.name !== o2.name) rec.certNos = [o1.certNo, o2.certNo];
    if (i % 7 === 0) rec.planId = `SJ-2026-${String(i).padStart(4, '0')}`;
    INSPECTION.push(rec);
  }
  const PENALTY: PenaltyRecord[] = [];
  const fromInspection = INSPECTION.filter((x) => x.result === '3');
  for (let i = 0; i < n.penalties && ITEM.length > 0; i++) {
    const ins = fromInspection.length ? fromInspection[i % fromInspection.length] : undefined;
    const simple = i % 4 === 0;
    const p = ins ? { partyName: ins.partyName, partyNature: ins.partyNature, partyCertType: ins.partyCertType, partyCertNo: ins.partyCertNo, ...(ins.legalRep ? { legalRep: ins.legalRep } : {}) } : party();
    const item = ins ? ITEM.find((x) => x.implCode === ins.implCode)! : ITEM[i % ITEM.length];
    const types = simple ? ['01', '03'] : r.pick([['03'], ['03', '04'], ['01'], ['03', '06'], ['04', '05']]);
    const fineFen = types.includes('03') ? (simple ? r.int(1, 200) * 100 : r.int(100, 5_000_000) + r.int(0, 99)) : 0;
    const checkDate = ins?.checkDate ?? addDays(today, -30);
    const rec: PenaltyRecord = {
      recordId: `PEN-${i + 1}`,
      regionCode: region,
      deptCode: item.deptCode,
      deptName: item.deptName,
      updatedAt,
      actionName: '对未按规定履行义务行为的行政处罚',
      decisionNo: `潍市监罚〔2026〕${i + 1}号`,
      implCode: item.implCode,
      caseSource: ins ? '01' : '02',
      ...(ins ? { inspectionRef: ins.recordId } : {}),
      ...p,
      procedure: simple ? '1' : '2',
      illegalType: '未按规定履行法定义务',
      facts: '经查，当事人存在违法行为，事实清楚，证据确凿。',
      basis: '《中华人民共和国行政处罚法》第二十八条',
      content: types.map((t) => ({ '01': '警告', '03': '罚款', '04': '没收违法所得', '05': '没收非法财物', '06': '暂扣许可证件' })[t]).join('，'),
      penaltyTypes: types,
      decisionDate: checkDate < today ? addDays(checkDate, Math.min(r.int(0, 5), daysBetween(checkDate, today))) : checkDate,
    };
    if (fineFen > 0) rec.fineAmount = `${Math.floor(fineFen / 100)}.${String(fineFen % 100).padStart(2, '0')}`;
    if (types.includes('04') || types.includes('05')) rec.confiscatedAmount = `${r.int(1, 9999)}.${String(r.int(0, 99)).padStart(2, '0')}`;
    if (types.includes('06')) rec.licenceInfo = `食品经营许可证 JY${r.int(10000000, 99999999)}`;
    if (r.next() < 0.5) rec.publicUntil = addDays(rec.decisionDate, 365);
    PENALTY.push(rec);
  }

  const invalid: Fixtures['invalid'] = { ITEM: new Map(), OFFICER: new Map(), INSPECTION: new Map(), PENALTY: new Map() };
  if (share > 0) {
    const types = new Set(opts.invalidTypes ?? ['INSPECTION', 'PENALTY']);
    const referenced = new Set(PENALTY.map((p) => p.inspectionRef).filter(Boolean));
    const spoil = (type: DataType, list: Record<string, unknown>[]) => {
      if (!types.has(type)) return;
      list.forEach((rec, i) => {
        if (type === 'INSPECTION' && referenced.has(rec.recordId as string)) return;
        if (r.next() < share) invalid[type].set(rec.recordId as string, breakRecord(type, rec, i, today));
      });
    };
    spoil('ITEM', ITEM as unknown as Record<string, unknown>[]);
    spoil('OFFICER', OFFICER as unknown as Record<string, unknown>[]);
    spoil('INSPECTION', INSPECTION as unknown as Record<string, unknown>[]);
    spoil('PENALTY', PENALTY as unknown as Record<string, unknown>[]);
  }
  return {
    ITEM,
    OFFICER,
    INSPECTION,
    PENALTY,
    invalid,
    all() {
      const out: [DataType, Record<string, unknown>][] = [];
      for (const t of ['ITEM', 'OFFICER', 'INSPECTION', 'PENALTY'] as const) for (const x of this[t]) out.push([t, x as unknown as Record<string, unknown>]);
      return out;
    },
  };
}

function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(b) - Date.parse(a)) / 86_400_000);
}

/**
 * Breaks a record in one of several ways (chosen by index) that do not touch its id or what other records point at,
 * so a broken ITEM is still referenced and a broken INSPECTION still exists for its penalty. Returns the code.
 */
export function breakRecord(type: DataType, rec: Record<string, unknown>, i: number, today: string): ErrorCode {
  switch (i % 5) {
    case 0: {
      const code = rec.deptCode as string;
      // Change the check character: E_CHECKSUM.
      rec.deptCode = code.slice(0, 17) + (code[17] === '0' ? '1' : '0');
      if (type === 'ITEM') rec.implCode = (rec.deptCode as string) + (rec.implCode as string).slice(18);
      return 'E_CHECKSUM';
    }
    case 1:
      rec.deptName = '';
      return 'E_REQUIRED';
    case 2:
      rec.regionCode = '37O700';
      return 'E_FORMAT';
    case 3:
      if (type === 'INSPECTION') rec.checkForm = '03';
      else if (type === 'PENALTY') rec.caseSource = '09';
      else if (type === 'ITEM') rec.category = '05';
      else rec.status = '4';
      return 'E_CODE_TABLE';
    default:
      if (type === 'INSPECTION') {
        rec.checkDate = addDays(today, 3);
        return 'E_DATE';
      }
      if (type === 'PENALTY') {
        rec.decisionDate = addDays(today, 3);
        return 'E_DATE';
      }
      rec.updatedAt = '2026-13-01 00:00:00';
      return 'E_DATE';
  }
}

/** Records as a CSV file with the Chinese column headers (multi-value fields joined with `sep`), for import tests. */
export function recordsToCsv(type: DataType, records: object[], opts: { bom?: boolean; sep?: string } = {}): string {
  const cols = FIELDS[type];
  const cell = (v: unknown) => {
    const s = v === undefined || v === null ? '' : Array.isArray(v) ? v.join(opts.sep ?? ';') : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [cols.map(([, zh]) => zh).join(',')];
  for (const r of records) lines.push(cols.map(([k]) => cell((r as Record<string, unknown>)[k])).join(','));
  return (opts.bom ? '\uFEFF' : '') + lines.join('\r\n') + '\r\n';
}
