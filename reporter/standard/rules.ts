/** The per-type rules of data-standard.md, including the cross-field rules. */
import type { FieldReader } from './fields';
import type { ReferenceLookup } from './types';
import { RECORD_ID_PATTERN } from './patterns';
import { CODE_TABLES, describeTable } from './codes';

const IMPL_CODE_RE = /^[0-9A-Z]{19,64}$/;
const IMPL_CODE_RULE = ' 19-64 位数字或大写字母';

// 行政处罚法 Art. 51: 简易程序 only for 警告 and 罚款, fines up to 200 yuan (citizens) / 3,000 yuan (organisations).
const SIMPLE_TYPES = new Set(['01', '03']);
const SIMPLE_LIMIT_FEN: Record<string, number> = { '1': 200_00, '2': 3000_00, '3': 3000_00 };

export function validateItem(r: FieldReader) {
  const impl = r.pattern('implCode', IMPL_CODE_RE, IMPL_CODE_RULE);
  const dept = r.data.deptCode as string | undefined;
  if (impl) {
    if (dept !== undefined && impl.slice(0, 18) !== dept) {
      r.error('implCode', 'E_FORMAT', `前 18 位 ${impl.slice(0, 18)} 应与实施机构统一社会信用代码 ${dept} 相同，请核对清单编码或实施机构`);
    } else if (!/[1-5]/.test(impl[18])) {
      r.error('implCode', 'E_FORMAT', `第 19 位 "${impl[18]}" 应为层级代码 1-5（1 国家、2 省、3 市、4 县、5 乡镇）`);
    }
  }
  r.pattern('catalogCode', /^\d{14}$/, ' 14 位数字');
  r.text('itemName', { max: 200, what: '监管事项名称' });
  r.codeOf('category', 'ITEM_CATEGORY');
  r.text('legalBasis', { multiline: true, what: '设定依据' });
}

export function implReference(r: FieldReader, refs?: ReferenceLookup) {
  const impl = r.pattern('implCode', IMPL_CODE_RE, IMPL_CODE_RULE);
  if (impl && refs && !refs.itemExists(impl)) {
    r.error('implCode', 'E_REFERENCE', `找不到编码为 ${impl} 的有效检查实施清单，请先报送该清单（ITEM）或核对编码；清单到达后本记录会自动重新校验`);
  }
}

export function party(r: FieldReader) {
  r.text('partyName', { max: 200, what: '行政相对人名称' });
  const nature = r.codeOf('partyNature', 'PARTY_NATURE');
  const certType = r.codeOf('partyCertType', 'CERT_TYPE');
  if (nature && certType && nature !== '1' && certType !== '001') {
    r.error('partyCertType', 'E_CODE_TABLE', `行政相对人性质为 ${nature}（${nature === '2' ? '法人' : '其他组织'}）时证件类型只能是 001 统一社会信用代码，当前为 ${certType}`);
  }
  if (certType === '001') r.uscc('partyCertNo');
  else if (certType === '111' || certType === '112') r.idNumber('partyCertNo');
  else r.text('partyCertNo', { max: 50, what: '行政相对人证件号码' });
  r.text('legalRep', { max: 50, required: false });
}

export function validateInspection(r: FieldReader, refs?: ReferenceLookup) {
  r.text('actionName', { max: 500, what: '检查行为名称' });
  implReference(r, refs);
  party(r);
  r.codeOf('checkForm', 'CHECK_FORM');
  r.text('planId', { max: 64, required: false });
  const checkDate = r.date('checkDate', { notFuture: true });
  r.codeOf('result', 'INSPECTION_RESULT');

  const inspectors = r.list('inspectors', { required: true, what: '至少两名检查人员姓名，用 ; 分隔' });
  let inspectorsOk = false;
  if (inspectors) {
    inspectorsOk = true;
    for (const name of inspectors) {
      if (name.length < 2 || name.length > 30) {
        r.error('inspectors', 'E_RANGE', `"${name}" 长度应为 2-30 个字，请填写检查人员全名`);
        inspectorsOk = false;
      }
    }
    if (new Set(inspectors).size < 2) {
      r.error('inspectors', 'E_RANGE', `至少需要两名不同的检查人员，当前为 ${new Set(inspectors).size} 名（${inspectors.join('、')}）`);
      inspectorsOk = false;
    }
  }
  const certNos = r.list('certNos');
  if (certNos) {
    let ok = true;
    for (const c of certNos) {
      if (c.length > 50 || /[\u0000-\u001F\u007F-\u009F]/.test(c)) {
        r.error('certNos', 'E_FORMAT', `执法证号 "${c.slice(0, 60)}" 应为 1-50 个字且不含控制字符`);
        ok = false;
      }
    }
    if (inspectors && certNos.length !== inspectors.length) {
      r.error('certNos', 'E_RANGE', `执法证号有 ${certNos.length} 个，检查人员有 ${inspectors.length} 名，应一人一个并按相同顺序填写`);
      ok = false;
    }
    if (ok && inspectorsOk && checkDate && refs?.officerCertValid) {
      for (let i = 0; i < certNos.length; i++) {
        if (refs.officerCertValid(certNos[i], checkDate) === false) {
          const own = refs.officerRecordsNotValid?.(certNos[i]) ?? [];
          const why = own.length
            ? `：本市的执法人员记录 ${own.map((o) => `${o.recordId}（${OFFICER_STATUS_ZH[o.status] ?? o.status}）`).join('、')} 本身未通过校验，请先更正该执法人员记录（OFFICER）`
            : '（未登记、已注销、暂扣或过期），请核对';
          r.warn('certNos', `${inspectors![i]} 的执法证号 ${certNos[i]} 在检查日期 ${checkDate} 不是有效的执法证${why}；记录仍会报送`);
        }
      }
    }
  }
}

const OFFICER_STATUS_ZH: Record<string, string> = { invalid: '被拒绝', held_reference: '等待关联记录', withdrawn: '已撤回', pending: '未校验' };

export function validatePenalty(r: FieldReader, refs?: ReferenceLookup) {
  r.text('actionName', { max: 500, what: '处罚行为名称' });
  // Kept as written apart from trimming: 〔〕【】 and full-width characters are part of the number.
  r.text('decisionNo', { max: 128, what: '处罚决定书文号' });
  implReference(r, refs);
  const caseSource = r.codeOf('caseSource', 'CASE_SOURCE');
  const ref = r.pattern('inspectionRef', RECORD_ID_PATTERN, ' 关联检查行为的记录编码（1-50 位字母、数字、_ 或 -）', { required: false });
  if (ref === undefined && caseSource === '01' && !r.failed('inspectionRef')) {
    r.error('inspectionRef', 'E_REQUIRED', '案件来源为 01 监督检查发现时必填，请填写发现问题的那次检查的检查行为编号');
  }
  if (ref && refs && !refs.inspectionExists(ref)) {
    r.error('inspectionRef', 'E_REFERENCE', `找不到编号为 ${ref} 的有效行政检查行为，请先报送该检查（INSPECTION）或核对编号；检查到达后本记录会自动重新校验`);
  }
  party(r);
  const procedure = r.codeOf('procedure', 'PROCEDURE');
  r.text('illegalType', { max: 200, what: '违法行为类型' });
  r.text('facts', { multiline: true, what: '违法事实' });
  r.text('basis', { multiline: true, what: '处罚依据' });
  r.text('content', { multiline: true, what: '处罚内容' });

  const types = penaltyTypes(r);
  const fine = r.money('fineAmount');
  const confiscated = r.money('confiscatedAmount');
  if (types) {
    if (types.has('03')) {
      if (fine === undefined && !r.failed('fineAmount')) r.error('fineAmount', 'E_REQUIRED', '处罚种类含 03 罚款时必填罚款金额（元）');
      else if (fine === 0) r.error('fineAmount', 'E_RANGE', '处罚种类含 03 罚款时罚款金额应大于 0');
    } else if (fine !== undefined && fine > 0) {
      r.error('fineAmount', 'E_RANGE', '处罚种类不含 03 罚款，罚款金额应为空或 0；请补充处罚种类或删除金额');
    } else if (fine === 0) delete r.data.fineAmount;

    if (confiscated !== undefined && !types.has('04') && !types.has('05')) {
      if (confiscated > 0) r.error('confiscatedAmount', 'E_RANGE', '只有处罚种类含 04 没收违法所得或 05 没收非法财物时才能填写没收金额');
      else delete r.data.confiscatedAmount;
    }
    if (types.has('06') || types.has('08')) r.text('licenceInfo', { max: 500, what: '暂扣或吊销的证照名称及编号（处罚种类含 06 或 08 时必填）' });
    else r.text('licenceInfo', { max: 500, required: false });

    const nature = r.data.partyNature as string | undefined;
    if (procedure === '1') {
      const other = [...types].filter((t) => !SIMPLE_TYPES.has(t));
      if (other.length > 0) {
        r.error('procedure', 'E_RANGE', `简易程序只能给予 01 警告或 03 罚款，本记录还有处罚种类 ${other.join('、')}；请改为 2 普通程序或核对处罚种类`);
      } else if (fine !== undefined && nature && SIMPLE_LIMIT_FEN[nature] !== undefined && fine > SIMPLE_LIMIT_FEN[nature]) {
        const limit = SIMPLE_LIMIT_FEN[nature] / 100;
        r.error('procedure', 'E_RANGE', `简易程序对${nature === '1' ? '公民' : '法人或其他组织'}的罚款不能超过 ${limit} 元（行政处罚法第五十一条），本记录为 ${r.data.fineAmount} 元；请改为 2 普通程序或核对金额`);
      }
    }
  } else {
    r.text('licenceInfo', { max: 500, required: false });
  }

  const decisionDate = r.date('decisionDate', { notFuture: true });
  const publicUntil = r.date('publicUntil', { required: false });
  if (decisionDate && publicUntil && publicUntil < decisionDate) {
    r.error('publicUntil', 'E_DATE', `公示截止期 ${publicUntil} 早于处罚决定日期 ${decisionDate}，请核对`);
  }
}

function penaltyTypes(r: FieldReader): Set<string> | undefined {
  const list = r.list('penaltyTypes', { required: true, what: '处罚种类代码（如 01;03），多个用 ; 分隔' });
  if (!list) return undefined;
  const out: string[] = [];
  let ok = true;
  for (const raw of list) {
    // Codes: full-width digits become half-width; "1" is read as "01" (spreadsheets drop the leading zero).
    let t = raw.replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
    if (/^\d$/.test(t)) t = `0${t}`;
    if (!PENALTY_TYPES.has(t)) {
      r.error('penaltyTypes', 'E_CODE_TABLE', `"${raw}" 不在代码表 PENALTY_TYPE（处罚种类）中，可选值：${describeTable('PENALTY_TYPE')}`);
      ok = false;
    } else if (!out.includes(t)) out.push(t);
  }
  r.data.penaltyTypes = out.length ? out : list;
  return ok ? new Set(out) : undefined;
}

const PENALTY_TYPES = new Set(Object.keys(CODE_TABLES.PENALTY_TYPE));

export function validateOfficer(r: FieldReader) {
  r.text('certNo', { max: 50, what: '执法证号' });
  r.text('name', { min: 2, max: 30, what: '姓名' });
  r.text('field', { max: 100, required: false });
  r.date('validUntil');
  r.codeOf('status', 'OFFICER_STATUS');
  r.idNumber('idNo', { required: false });
}
