/**
 * Abnormal data access to sensitive interfaces (population, legal-entity, licence libraries: `sensitive: true` in the
 * collector's interface catalogue, mirrored into call_interfaces). Early warnings for the security team, one per
 * caller department × interface, with the evidence in the annotations: who, which interface, the numbers, and the
 * caller's own baseline. Four rule types, one question each:
 *   call_off_hours_bulk      many records pulled outside working hours
 *   call_volume_baseline     calls this hour far above the caller's own calls in the same hour of past weeks
 *   call_first_caller        a department that never called this sensitive interface before
 *   call_records_per_call    records returned per call far above the caller's usual
 */
import { z } from 'zod';
import { duration } from '../../core/config/common';
import type { AccessBaseline, SensitiveAccess } from '../sources';
import { formatSpanZh, formatTime } from '../template';
import { ids, instance, ruleCommon, type EvalEnv, type RuleBase, type RuleType } from './types';

const securityCommon = { ...ruleCommon, team: ruleCommon.team.removeDefault().default('security'), interfaces: ids.optional(), departments: ids.optional() };
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day as HH:mm, e.g. "08:30"');

interface Pair {
  interfaceCode: string;
  interfaceName: string;
  callerDept: string;
  calls: number;
  records: number;
  maxRecords: number;
  from: number;
  to: number;
}

/** The window's minutes summed per interface × department (only those `keep` lets through). */
function pairs(rule: { interfaces?: string[]; departments?: string[] }, rows: SensitiveAccess[], keep: (r: SensitiveAccess) => boolean = () => true): Pair[] {
  const out = new Map<string, Pair>();
  for (const r of rows) {
    if ((rule.interfaces && !rule.interfaces.includes(r.interfaceCode)) || (rule.departments && !rule.departments.includes(r.callerDept)) || !keep(r)) continue;
    const k = `${r.interfaceCode}\u0001${r.callerDept}`;
    const p = out.get(k) ?? { interfaceCode: r.interfaceCode, interfaceName: r.interfaceName, callerDept: r.callerDept, calls: 0, records: 0, maxRecords: 0, from: r.bucket, to: r.bucket };
    p.calls += r.calls;
    p.records += r.records;
    p.maxRecords = Math.max(p.maxRecords, r.maxRecords);
    p.from = Math.min(p.from, r.bucket);
    p.to = Math.max(p.to, r.bucket + 60_000);
    out.set(k, p);
  }
  return [...out.values()];
}

const baselineOf = (b: AccessBaseline[]) => new Map(b.map((x) => [`${x.interfaceCode}\u0001${x.callerDept}`, x]));
const ifaceLabel = (p: Pair) => (p.interfaceName ? `${p.interfaceName}（${p.interfaceCode}）` : p.interfaceCode);
const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;

/** An alert for one pair with the evidence as annotations beside the summary (the 通报 draft quotes them). */
function accessAlert(rule: RuleBase, summary: string, env: EvalEnv, p: Pair, facts: Record<string, string | number>, evidence: string, value: number) {
  const a = instance(rule, summary, env, { extra: { interface: p.interfaceCode, caller: p.callerDept } }, { interface: ifaceLabel(p), caller: p.callerDept, ...facts }, value);
  a.annotations.caller = p.callerDept;
  a.annotations.interface = ifaceLabel(p);
  a.annotations.calls = String(p.calls);
  a.annotations.records = String(p.records);
  a.annotations.period = `${formatTime(p.from, env.timezone)} – ${formatTime(p.to, env.timezone)}`;
  a.annotations.evidence = evidence;
  return a;
}

/** Weekday (1 = Monday … 7) and minutes since midnight of an instant in a time zone. */
export function localTime(ms: number, timeZone: string): { weekday: number; minutes: number } {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(ms));
  const get = (t: string) => parts.find((x) => x.type === t)?.value ?? '';
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(get('weekday')) + 1;
  return { weekday, minutes: Number(get('hour')) * 60 + Number(get('minute')) };
}

const minutesOf = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));

// ---- call_off_hours_bulk ------------------------------------------------------------------------------------------

export const offHoursBulkSchema = z.object({ ...securityCommon, type: z.literal('call_off_hours_bulk'),
  window: duration({ min: '5m', max: '6h' }).prefault('1h'),
  /** Records returned outside working hours within the window, per department and interface, at or above this. */
  minRecords: z.number().int().min(1).default(10_000),
  /** Working hours in alerts.timezone: these weekdays (1 = Monday), from `start` to `end`. */
  workingHours: z.object({ days: z.array(z.number().int().min(1).max(7)).default([1, 2, 3, 4, 5]), start: hhmm.default('08:30'), end: hhmm.default('18:00') }).strict().prefault({}),
}).strict();
type OffHoursRule = z.output<typeof offHoursBulkSchema>;

export function outsideWorkingHours(ms: number, wh: OffHoursRule['workingHours'], timeZone: string): boolean {
  const t = localTime(ms, timeZone);
  return !wh.days.includes(t.weekday) || t.minutes < minutesOf(wh.start) || t.minutes >= minutesOf(wh.end);
}

export const callOffHoursBulk: RuleType<typeof offHoursBulkSchema, { access: SensitiveAccess[]; baselines: AccessBaseline[] }> = {
  type: 'call_off_hours_bulk',
  schema: offHoursBulkSchema,
  defaultSummary: '疑似非工作时间批量拉取：{{caller}} 在非工作时间调用敏感接口 {{interface}} {{calls}} 次，返回 {{value}} 条记录（阈值 {{threshold}} 条，其近{{baselinePeriod}}平均每小时 {{baseline}} 条）',
  async load(src, rule) {
    return { access: await src.sensitiveAccess(rule.window), baselines: await src.accessBaselines(rule.window, 28 * 86_400_000) };
  },
  evaluate(rule, input, _now, env) {
    const base = baselineOf(input.baselines);
    return pairs(rule, input.access, (r) => outsideWorkingHours(r.bucket, rule.workingHours, env.timezone))
      .filter((p) => p.records >= rule.minRecords)
      .map((p) => {
        const b = base.get(`${p.interfaceCode}\u0001${p.callerDept}`);
        const perHour = b && b.hours > 0 ? round(b.records / b.hours) : 0;
        const ratio = perHour > 0 ? `，是其平时每小时的 ${round(p.records / perHour)} 倍` : '，此前没有可比的历史';
        const evidence = `调用方 ${p.callerDept}；接口 ${ifaceLabel(p)}；时段 ${formatTime(p.from, env.timezone)}–${formatTime(p.to, env.timezone)}（非工作时间）；调用 ${p.calls} 次，返回 ${p.records} 条记录，单次最多 ${p.maxRecords} 条；基线：近 28 天有调用的小时平均 ${perHour} 条/小时${ratio}`;
        return accessAlert(rule, this.defaultSummary, env, p, { value: p.records, threshold: rule.minRecords, calls: p.calls, baseline: perHour, baselinePeriod: formatSpanZh(28 * 86_400_000) }, evidence, p.records);
      });
  },
};

// ---- call_volume_baseline ------------------------------------------------------------------------------------------

export const volumeBaselineSchema = z.object({ ...securityCommon, type: z.literal('call_volume_baseline'),
  window: duration({ min: '5m', max: '1h' }).prefault('1h'),
  /** Calls in the window above `factor` × the caller's mean calls in this hour of the week over the past weeks. */
  factor: z.number().gt(1).default(5),
  /** And at least this many calls (a caller with almost no history is the first-caller rule's business). */
  minCalls: z.number().int().min(1).default(200),
  /** Past weeks with calls in this hour needed before the baseline counts. */
  minWeeks: z.number().int().min(1).max(4).default(2),
}).strict();

export const callVolumeBaseline: RuleType<typeof volumeBaselineSchema, { access: SensitiveAccess[]; baselines: AccessBaseline[] }> = {
  type: 'call_volume_baseline',
  schema: volumeBaselineSchema,
  defaultSummary: '{{caller}} 调用敏感接口 {{interface}} 近{{window}} {{value}} 次，是其以往同一时段平均 {{baseline}} 次的 {{ratio}} 倍（阈值 {{factor}} 倍）',
  async load(src, rule) {
    return { access: await src.sensitiveAccess(rule.window), baselines: await src.accessBaselines(rule.window, 28 * 86_400_000) };
  },
  evaluate(rule, input, _now, env) {
    const base = baselineOf(input.baselines);
    const out = [];
    for (const p of pairs(rule, input.access)) {
      const b = base.get(`${p.interfaceCode}\u0001${p.callerDept}`);
      if (!b || p.calls < rule.minCalls || b.sameHourCalls.filter((x) => x > 0).length < rule.minWeeks) continue;
      const mean = b.sameHourCalls.reduce((a, x) => a + x, 0) / b.sameHourCalls.length;
      if (!(p.calls > rule.factor * mean)) continue;
      const ratio = round(p.calls / mean);
      const evidence = `调用方 ${p.callerDept}；接口 ${ifaceLabel(p)}；近${formatSpanZh(rule.window)}调用 ${p.calls} 次；基线：过去 ${b.sameHourCalls.length} 周同一时段分别为 ${b.sameHourCalls.join('、')} 次，平均 ${round(mean)} 次；为基线的 ${ratio} 倍`;
      out.push(accessAlert(rule, this.defaultSummary, env, p, { value: p.calls, baseline: round(mean), ratio, factor: rule.factor, window: formatSpanZh(rule.window) }, evidence, p.calls));
    }
    return out;
  },
};

// ---- call_first_caller ---------------------------------------------------------------------------------------------

export const firstCallerSchema = z.object({ ...securityCommon, type: z.literal('call_first_caller'),
  window: duration({ min: '5m', max: '1d' }).prefault('1h'),
  /** A department whose first call of this interface falls within this look-back is new (the alert stays this long). */
  newWithin: duration({ min: '1h', max: '30d' }).prefault('1d'),
}).strict();

export const callFirstCaller: RuleType<typeof firstCallerSchema, { access: SensitiveAccess[]; baselines: AccessBaseline[] }> = {
  type: 'call_first_caller',
  schema: firstCallerSchema,
  defaultSummary: '{{caller}} 首次调用敏感接口 {{interface}}（首次调用于 {{first}}，近{{window}} {{calls}} 次，返回 {{records}} 条记录）',
  async load(src, rule) {
    return { access: await src.sensitiveAccess(rule.window), baselines: await src.accessBaselines(rule.window, 28 * 86_400_000) };
  },
  evaluate(rule, input, now, env) {
    const base = baselineOf(input.baselines);
    const out = [];
    for (const p of pairs(rule, input.access)) {
      const first = base.get(`${p.interfaceCode}\u0001${p.callerDept}`)?.firstSeen ?? p.from;
      if (first < now - rule.newWithin) continue;
      const evidence = `调用方 ${p.callerDept}；接口 ${ifaceLabel(p)}；此前从未调用过此接口，首次调用于 ${formatTime(first, env.timezone)}；近${formatSpanZh(rule.window)}调用 ${p.calls} 次，返回 ${p.records} 条记录`;
      out.push(accessAlert(rule, this.defaultSummary, env, p, { first: formatTime(first, env.timezone), calls: p.calls, records: p.records, window: formatSpanZh(rule.window) }, evidence, p.calls));
    }
    return out;
  },
};

// ---- call_records_per_call -----------------------------------------------------------------------------------------

export const recordsPerCallSchema = z.object({ ...securityCommon, type: z.literal('call_records_per_call'),
  window: duration({ min: '5m', max: '6h' }).prefault('1h'),
  /** Records per call in the window above `factor` × the caller's records per call over the past 28 days. */
  factor: z.number().gt(1).default(10),
  /** And at least this many records per call (small answers are never bulk). */
  minRecordsPerCall: z.number().min(1).default(100),
  minCalls: z.number().int().min(1).default(5),
}).strict();

export const callRecordsPerCall: RuleType<typeof recordsPerCallSchema, { access: SensitiveAccess[]; baselines: AccessBaseline[] }> = {
  type: 'call_records_per_call',
  schema: recordsPerCallSchema,
  defaultSummary: '{{caller}} 调用敏感接口 {{interface}} 平均每次返回 {{value}} 条记录，是其近{{baselinePeriod}}平均 {{baseline}} 条的 {{ratio}} 倍',
  async load(src, rule) {
    return { access: await src.sensitiveAccess(rule.window), baselines: await src.accessBaselines(rule.window, 28 * 86_400_000) };
  },
  evaluate(rule, input, _now, env) {
    const base = baselineOf(input.baselines);
    const out = [];
    for (const p of pairs(rule, input.access)) {
      const b = base.get(`${p.interfaceCode}\u0001${p.callerDept}`);
      if (!b || b.calls === 0 || p.calls < rule.minCalls) continue;
      const now = p.records / p.calls;
      const usual = b.records / b.calls;
      if (now < rule.minRecordsPerCall || !(now > rule.factor * Math.max(usual, 1))) continue;
      const ratio = round(now / Math.max(usual, 1));
      const evidence = `调用方 ${p.callerDept}；接口 ${ifaceLabel(p)}；近${formatSpanZh(rule.window)}调用 ${p.calls} 次，共返回 ${p.records} 条，平均每次 ${round(now)} 条（单次最多 ${p.maxRecords} 条）；基线：近 28 天 ${b.calls} 次调用平均每次 ${round(usual)} 条；为基线的 ${ratio} 倍`;
      out.push(accessAlert(rule, this.defaultSummary, env, p, { value: round(now), baseline: round(usual), ratio, baselinePeriod: formatSpanZh(28 * 86_400_000) }, evidence, now));
    }
    return out;
  },
};

