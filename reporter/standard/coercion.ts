/** The rules of COERCION (行政强制行为, data-standard.md contract v1.1; 行政强制法 2011), including its cross-field rules. */
import type { FieldReader } from './fields';
import type { ReferenceLookup } from './types';
import { RECORD_ID_PATTERN } from './patterns';
import { code } from './normalise';
import { implReference, party } from './rules';

// 行政强制法 Art. 25: 查封 and 扣押 last at most 30 days, extended once by at most 30 more in complex cases.
const LIMITED_MEASURES = new Set(['02', '03']);
const MEASURE_DAYS = 30;
const MAX_EXTENSION = 30;

export function validateCoercion(r: FieldReader, refs?: ReferenceLookup) {
  r.text('actionName', { max: 500, what: '强制行为名称' });
  implReference(r, refs);
  // The national model requires the 检查行为编号: a coercion always comes from an inspection.
  const ref = r.pattern('inspectionRef', RECORD_ID_PATTERN, ' 关联检查行为的记录编码（1-50 位字母、数字、_ 或 -），行政强制必须关联其所依据的检查');
  if (ref && refs && !refs.inspectionExists(ref)) {
    r.error('inspectionRef', 'E_REFERENCE', `找不到编号为 ${ref} 的有效行政检查行为，请先报送该检查（INSPECTION）或核对编号；检查到达后本记录会自动重新校验`);
  }
  party(r);
  // Kept as written apart from trimming, as PENALTY's decisionNo.
  r.text('decisionNo', { max: 128, what: '强制决定书文号' });
  r.text('facts', { multiline: true, what: '违法事实' });
  r.text('basis', { multiline: true, what: '强制依据' });

  const kind = r.codeOf('kind', 'COERCION_KIND');
  const measure = r.codeOf('measureType', 'COERCION_MEASURE', { required: false });
  r.codeOf('executionType', 'COERCION_EXECUTION', { required: false });
  const given = (f: string) => r.data[f] !== undefined;
  if (kind === '1') {
    if (!given('measureType')) r.error('measureType', 'E_RANGE', '行政强制种类为 1 行政强制措施时必须填写强制措施类型（01 限制公民人身自由、02 查封、03 扣押、04 冻结、99 其他）');
    if (given('executionType')) r.error('executionType', 'E_RANGE', '行政强制种类为 1 行政强制措施时强制执行方式应为空；如为强制执行，请把行政强制种类改为 2');
  } else if (kind === '2') {
    if (!given('executionType')) r.error('executionType', 'E_RANGE', '行政强制种类为 2 行政强制执行时必须填写强制执行方式（01 加处罚款或者滞纳金、02 划拨、03 拍卖或依法处理、04 排除妨碍恢复原状、05 代履行、99 其他）');
    if (given('measureType')) r.error('measureType', 'E_RANGE', '行政强制种类为 2 行政强制执行时强制措施类型应为空；如为强制措施，请把行政强制种类改为 1');
  }
  const nature = r.data.partyNature as string | undefined;
  if (measure === '01' && nature !== undefined && nature !== '1' && !r.failed('partyNature')) {
    r.error('measureType', 'E_RANGE', `01 限制公民人身自由只适用于行政相对人性质为 1 公民的记录，本记录为 ${nature}（${nature === '2' ? '法人' : '其他组织'}）；请核对强制措施类型或相对人性质`);
  }

  const startDate = r.date('startDate', { notFuture: true });
  const extended = extendedDays(r);
  const limited = kind === '1' && measure !== undefined && LIMITED_MEASURES.has(measure);
  if (extended !== undefined && !limited && !r.failed('kind') && !r.failed('measureType')) {
    r.error('extendedDays', 'E_RANGE', '只有行政强制措施中的 02 查封或 03 扣押可以延长期限（行政强制法第二十五条）；请删除延长期限或核对强制措施类型');
  }
  const endDate = r.date('endDate', { required: false });
  if (startDate && endDate) {
    if (endDate < startDate) {
      r.error('endDate', 'E_DATE', `强制结束日期 ${endDate} 早于强制起始日期 ${startDate}，请核对`);
    } else if (limited && !r.failed('extendedDays')) {
      const allowed = MEASURE_DAYS + (extended ?? 0);
      const days = Math.round((Date.parse(`${endDate}T00:00:00Z`) - Date.parse(`${startDate}T00:00:00Z`)) / 86_400_000);
      if (days > allowed) {
        const why = extended ? `30 日加延长的 ${extended} 日共 ${allowed} 日` : '30 日（经批准延长的，请填写延长期限）';
        r.error('endDate', 'E_RANGE', `查封、扣押的期限不得超过${why}（行政强制法第二十五条），本记录从 ${startDate} 到 ${endDate} 为 ${days} 日；请核对日期`);
      }
    }
  }
  r.text('result', { max: 1000, multiline: true, what: '强制结果' });
}

/** 延长期限（日）: an integer 1-30, as a JSON number or digits (CSV, Excel text); normalised to a number. */
function extendedDays(r: FieldReader): number | undefined {
  const raw = r.input.extendedDays;
  if (raw === undefined || raw === null || raw === '') return undefined;
  let n: number | undefined;
  if (typeof raw === 'number') n = raw;
  else if (typeof raw === 'string') {
    const s = code(raw);
    if (s === undefined) return undefined; // only blanks
    r.data.extendedDays = s;
    if (/^\d{1,6}$/.test(s)) n = Number(s);
  } else r.data.extendedDays = raw;
  if (n === undefined || !Number.isInteger(n)) {
    r.error('extendedDays', 'E_FORMAT', `"${String(raw).slice(0, 30)}" 不是整数天数，请只填数字（1-30），如 30`);
    return undefined;
  }
  r.data.extendedDays = n;
  if (n < 1 || n > MAX_EXTENSION) {
    r.error('extendedDays', 'E_RANGE', `${n} 日超出范围：延长期限应为 1-30 日（行政强制法第二十五条：延长期限不得超过三十日）`);
    return undefined;
  }
  return n;
}
