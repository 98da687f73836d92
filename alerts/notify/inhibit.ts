import type { InhibitConfig } from '../config';
import { matchesAll, parseMatcher, type Matcher } from '../matchers';
import type { Labels } from '../model';

export interface InhibitRule {
  source: Matcher[];
  target: Matcher[];
  equal: string[];
}

/** The built-in rule: a module that is down inhibits the alerts of its own targets. */
export const MODULE_DOWN_INHIBIT: InhibitRule = {
  source: [{ name: 'kind', op: '=', value: 'module_down' }],
  target: [{ name: 'target', op: '=~', value: '.+' }],
  equal: ['module'],
};

/**
 * The built-in security rule: tampering, a changed DNS answer or a certificate problem is the security team's one
 * alert about that target; the same target's down / availability / latency alerts (the ops team's view of the same
 * event) are inhibited, so one event pages one team.
 */
export const SECURITY_INHIBIT: InhibitRule = {
  source: [{ name: 'kind', op: '=~', value: 'content|dns_changed|cert_expiry' }],
  target: [{ name: 'kind', op: '=~', value: 'target_down|availability|latency' }],
  equal: ['target'],
};

export function compileInhibitRules(cfg: InhibitConfig[], moduleDown: boolean, security = false): InhibitRule[] {
  const rules = cfg.map((c) => ({ source: c.sourceMatchers.map(parseMatcher), target: c.targetMatchers.map(parseMatcher), equal: c.equal }));
  return [...(moduleDown ? [MODULE_DOWN_INHIBIT] : []), ...(security ? [SECURITY_INHIBIT] : []), ...rules];
}

/**
 * Whether `labels` is inhibited by one of the firing alerts `sources` (as in Alertmanager: the source matches the
 * source matchers, the target the target matchers, the `equal` labels agree, and an alert never inhibits itself).
 */
export function inhibitedBy<S extends { labels: Labels; fingerprint: string }>(rules: InhibitRule[], labels: Labels, fp: string, sources: S[]): S | null {
  for (const r of rules) {
    if (!matchesAll(r.target, labels)) continue;
    for (const s of sources) {
      if (s.fingerprint === fp) continue;
      if (!matchesAll(r.source, s.labels)) continue;
      if (r.equal.every((k) => (s.labels[k] ?? '') === (labels[k] ?? ''))) return s;
    }
  }
  return null;
}
