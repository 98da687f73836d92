import type { DataType } from './types';

/**
 * Every code table of data-standard.md in one place, with the Chinese labels, so that a province adapter can map
 * them (a province with other codes maps from these, it does not redefine them).
 */
export const CODE_TABLES = {
  PARTY_NATURE: { '1': '公民', '2': '法人', '3': '其他组织' },
  CERT_TYPE: { '001': '统一社会信用代码', '111': '居民身份证', '112': '临时居民身份证' },
  ITEM_CATEGORY: { '01': '行政检查', '02': '行政处罚', '03': '行政强制', '04': '其他' },
  CHECK_FORM: { '01': '日常检查', '02': '专项检查' },
  INSPECTION_RESULT: { '1': '未发现问题', '2': '发现问题责令整改', '3': '发现问题立案处罚', '4': '其他' },
  CASE_SOURCE: { '01': '监督检查发现', '02': '投诉举报', '03': '上级交办', '04': '其他机关移送', '05': '其他' },
  PROCEDURE: { '1': '简易程序', '2': '普通程序' },
  PENALTY_TYPE: {
    '01': '警告',
    '02': '通报批评',
    '03': '罚款',
    '04': '没收违法所得',
    '05': '没收非法财物',
    '06': '暂扣许可证件',
    '07': '降低资质等级',
    '08': '吊销许可证件',
    '09': '限制开展生产经营活动',
    '10': '责令停产停业',
    '11': '责令关闭',
    '12': '限制从业',
    '13': '行政拘留',
    '99': '其他',
  },
  /** 行政强制法 Art. 2: 行政强制措施 (temporary, during an investigation) or 行政强制执行 (enforcing a decision). */
  COERCION_KIND: { '1': '行政强制措施', '2': '行政强制执行' },
  /** 行政强制法 Art. 9. */
  COERCION_MEASURE: {
    '01': '限制公民人身自由',
    '02': '查封场所、设施或者财物',
    '03': '扣押财物',
    '04': '冻结存款、汇款',
    '99': '其他',
  },
  /** 行政强制法 Art. 12. */
  COERCION_EXECUTION: {
    '01': '加处罚款或者滞纳金',
    '02': '划拨存款、汇款',
    '03': '拍卖或者依法处理查封、扣押的场所、设施或者财物',
    '04': '排除妨碍、恢复原状',
    '05': '代履行',
    '99': '其他',
  },
  OFFICER_STATUS: { '1': '有效', '2': '注销', '3': '暂扣' },
  /** Level of a 检查实施清单: character 19 of implCode. */
  IMPL_LEVEL: { '1': '国家', '2': '省', '3': '市', '4': '县', '5': '乡镇' },
} as const satisfies Record<string, Record<string, string>>;

export type CodeTableName = keyof typeof CODE_TABLES;
export const CODE_TABLE_NAMES_ZH: Record<CodeTableName, string> = {
  PARTY_NATURE: '行政相对人性质',
  CERT_TYPE: '证件类型',
  ITEM_CATEGORY: '事项类别',
  CHECK_FORM: '检查形式',
  INSPECTION_RESULT: '检查结果',
  CASE_SOURCE: '案件来源',
  PROCEDURE: '处罚程序',
  PENALTY_TYPE: '处罚种类',
  COERCION_KIND: '行政强制种类',
  COERCION_MEASURE: '强制措施类型',
  COERCION_EXECUTION: '强制执行方式',
  OFFICER_STATUS: '证件状态',
  IMPL_LEVEL: '层级',
};

export function inTable(table: CodeTableName, value: string): boolean {
  return Object.prototype.hasOwnProperty.call(CODE_TABLES[table], value);
}

export function codeLabel(table: CodeTableName, value: string): string | undefined {
  return (CODE_TABLES[table] as Record<string, string>)[value];
}

/** "1 公民、2 法人、3 其他组织": the allowed values, for a message a clerk can act on. */
export function describeTable(table: CodeTableName): string {
  return Object.entries(CODE_TABLES[table])
    .map(([k, v]) => `${k} ${v}`)
    .join('、');
}

/** Chinese record-type names. */
export const DATA_TYPE_ZH: Record<DataType, string> = {
  ITEM: '检查实施清单',
  INSPECTION: '行政检查行为',
  PENALTY: '行政处罚行为',
  COERCION: '行政强制行为',
  OFFICER: '执法人员',
};

const COMMON = [
  ['recordId', '记录编码'],
  ['regionCode', '行政区划代码'],
  ['deptCode', '实施机构统一社会信用代码'],
  ['deptName', '实施机构名称'],
  ['updatedAt', '更新时间'],
] as const;
const PARTY = [
  ['partyName', '行政相对人名称'],
  ['partyNature', '行政相对人性质'],
  ['partyCertType', '行政相对人证件类型'],
  ['partyCertNo', '行政相对人证件号码'],
  ['legalRep', '法定代表人'],
] as const;

/** Field key → Chinese column header, per type, in the order of data-standard.md (also the CSV column order). */
export const FIELDS: Record<DataType, readonly (readonly [string, string])[]> = {
  ITEM: [
    ...COMMON,
    ['implCode', '检查实施清单编码'],
    ['catalogCode', '监管事项目录编码'],
    ['itemName', '监管事项名称'],
    ['category', '事项类别'],
    ['legalBasis', '设定依据'],
  ],
  INSPECTION: [
    ...COMMON,
    ['actionName', '检查行为名称'],
    ['implCode', '检查实施清单编码'],
    ...PARTY,
    ['checkForm', '检查形式'],
    ['planId', '双随机抽查计划编号'],
    ['checkDate', '检查日期'],
    ['result', '检查结果'],
    ['inspectors', '检查人员'],
    ['certNos', '执法证号'],
  ],
  PENALTY: [
    ...COMMON,
    ['actionName', '处罚行为名称'],
    ['decisionNo', '处罚决定书文号'],
    ['implCode', '检查实施清单编码'],
    ['caseSource', '案件来源'],
    ['inspectionRef', '关联检查行为编号'],
    ...PARTY,
    ['procedure', '处罚程序'],
    ['illegalType', '违法行为类型'],
    ['facts', '违法事实'],
    ['basis', '处罚依据'],
    ['content', '处罚内容'],
    ['penaltyTypes', '处罚种类'],
    ['fineAmount', '罚款金额（元）'],
    ['confiscatedAmount', '没收金额（元）'],
    ['licenceInfo', '暂扣或吊销证照名称及编号'],
    ['decisionDate', '处罚决定日期'],
    ['publicUntil', '公示截止期'],
  ],
  COERCION: [
    ...COMMON,
    ['actionName', '强制行为名称'],
    ['implCode', '检查实施清单编码'],
    ['inspectionRef', '关联检查行为编号'],
    ...PARTY,
    ['decisionNo', '强制决定书文号'],
    ['facts', '违法事实'],
    ['basis', '强制依据'],
    ['kind', '行政强制种类'],
    ['measureType', '强制措施类型'],
    ['executionType', '强制执行方式'],
    ['startDate', '强制起始日期'],
    ['extendedDays', '延长期限（日）'],
    ['endDate', '强制结束日期'],
    ['result', '强制结果'],
  ],
  OFFICER: [
    ...COMMON,
    ['certNo', '执法证号'],
    ['name', '姓名'],
    ['field', '执法门类'],
    ['validUntil', '证件有效期'],
    ['status', '证件状态'],
    ['idNo', '身份证号'],
  ],
};

/** Fields that carry several values (`;` or `；` in CSV, arrays in JSON). */
export const MULTI_VALUE_FIELDS = new Set(['inspectors', 'certNos', 'penaltyTypes']);

const LABELS: Record<string, string> = {};
// COERCION (v1.1) shares keys with the older types (actionName, decisionNo, basis, result) under its own headers: the
// type-free table keeps the v1 headers, labelOf(type, field) gives a type's own.
for (const [t, list] of Object.entries(FIELDS)) for (const [k, zh] of list) if (t !== 'COERCION' || !(k in LABELS)) LABELS[k] = zh;
/** Field key → its Chinese column header (中文列名), over all types (the v1 types' header where types differ). */
export const LABELS_ZH: Readonly<Record<string, string>> = LABELS;

const TYPE_LABELS = Object.fromEntries(Object.entries(FIELDS).map(([t, list]) => [t, new Map(list)])) as Record<DataType, Map<string, string>>;

/** A field's Chinese column header in one type (强制结果 for COERCION's result, 检查结果 for INSPECTION's). */
export function labelOf(dataType: DataType | undefined, field: string): string | undefined {
  return (dataType && TYPE_LABELS[dataType]?.get(field)) || LABELS[field];
}

/** "检查人员(inspectors)": how a message names a field (in the record's type when it is known). */
export function fieldLabel(field: string, dataType?: DataType): string {
  const zh = labelOf(dataType, field);
  return zh ? `${zh}(${field})` : field;
}

/** Chinese header → field key for one type; also accepts the English key itself as a header. */
export function headerMap(dataType: DataType): Map<string, string> {
  const m = new Map<string, string>();
  for (const [k, zh] of FIELDS[dataType]) {
    m.set(zh, k);
    m.set(k, k);
    // Half-width parentheses in "罚款金额(元)" are common in hand-made spreadsheets.
    m.set(zh.replace('（', '(').replace('）', ')'), k);
  }
  return m;
}

const PARTY_CODES = { partyNature: 'PARTY_NATURE', partyCertType: 'CERT_TYPE' } as const;
/** The fields of each type whose values come from a code table (the correction form offers the table's entries). */
export const FIELD_CODE_TABLES: Record<DataType, Readonly<Record<string, CodeTableName>>> = {
  ITEM: { category: 'ITEM_CATEGORY' },
  INSPECTION: { ...PARTY_CODES, checkForm: 'CHECK_FORM', result: 'INSPECTION_RESULT' },
  PENALTY: { ...PARTY_CODES, caseSource: 'CASE_SOURCE', procedure: 'PROCEDURE', penaltyTypes: 'PENALTY_TYPE' },
  COERCION: { ...PARTY_CODES, kind: 'COERCION_KIND', measureType: 'COERCION_MEASURE', executionType: 'COERCION_EXECUTION' },
  OFFICER: { status: 'OFFICER_STATUS' },
};
