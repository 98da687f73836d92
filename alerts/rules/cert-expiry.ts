import { z } from 'zod';
import { severity } from '../../core/config/common';
import { chinaWallClock } from '../../core/china-time';
import type { LatestResult, TargetView } from '../sources';
import { ruleCommon, targetSelector, team, instance, selectTargets, targetFacts, type RuleType } from './types';

const certThreshold = z.object({ days: z.number().positive(), severity }).strict();

export const certExpirySchema = z.object({ ...ruleCommon, ...targetSelector, type: z.literal('cert_expiry'),
  /** e.g. [{days: 30, severity: warning}, {days: 7, severity: critical}]: the tightest threshold met wins. */
  thresholds: z.array(certThreshold).min(1).default([{ days: 30, severity: 'warning' }, { days: 14, severity: 'warning' }, { days: 7, severity: 'critical' }]),
  team: team.default('security'),
}).strict();
type Rule = z.output<typeof certExpirySchema>;
interface Input { targets: TargetView[]; results: LatestResult[] }

const DAY = 86_400_000;

/** The certificate's end as people read it (北京时间, as every time the dashboard and the robots show); raw if unreadable. */
function notAfterText(v: unknown): string {
  const t = typeof v === 'string' || typeof v === 'number' ? new Date(v).getTime() : NaN;
  return Number.isNaN(t) ? String(v ?? '未知') : `${chinaWallClock(t)} 北京时间`;
}

/** Days left on a certificate from the newest TLS result: detail.daysLeft, else computed from detail.notAfter. */
export function daysLeft(detail: Record<string, unknown>, now: number): number | null {
  if (typeof detail.daysLeft === 'number' && Number.isFinite(detail.daysLeft)) return detail.daysLeft;
  const na = detail.notAfter;
  if (typeof na === 'string' || typeof na === 'number') {
    const t = new Date(na).getTime();
    if (Number.isFinite(t)) return (t - now) / DAY;
  }
  return null;
}

/** Certificate expiring: the tightest threshold met decides the severity (30/14/7 days → warning/warning/critical). */
export const certExpiry: RuleType<typeof certExpirySchema, Input> = {
  type: 'cert_expiry',
  schema: certExpirySchema,
  defaultSummary: '{{target}}（{{module}}）的证书将在 {{value}} 天后过期（{{notAfter}}），已低于 {{threshold}} 天',
  async load(src) {
    return { targets: await src.targets(), results: await src.latest(['tls', 'http', 'https', 'api'], 2 * DAY) };
  },
  evaluate(rule, input, now, env) {
    const selected = new Map(selectTargets(rule, input.targets).map((t) => [t.id, t]));
    const thresholds = [...rule.thresholds].sort((a, b) => a.days - b.days);
    const out = [];
    for (const r of input.results) {
      const t = selected.get(r.targetId);
      if (!t) continue;
      const left = daysLeft(r.detail, now);
      if (left === null) continue;
      const hit = thresholds.find((th) => left <= th.days);
      if (!hit) continue;
      const value = Math.floor(left * 10) / 10;
      out.push(instance(rule, left <= 0 ? '{{target}}（{{module}}）的证书已过期（{{notAfter}}）' : this.defaultSummary, env,
        { module: t.moduleId, target: t.id },
        { ...targetFacts(t), value, threshold: hit.days, notAfter: notAfterText(r.detail.notAfter) }, value, hit.severity));
    }
    return out;
  },
};
