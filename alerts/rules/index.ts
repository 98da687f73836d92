import type { RuleConfig, RuleTypeName } from '../config';
import type { RuleType } from './types';
import { targetDown } from './target-down';
import { moduleDown } from './module-down';
import { availability } from './availability';
import { latency } from './latency';
import { certExpiry } from './cert-expiry';
import { content } from './content';
import { dnsChanged } from './dns-changed';
import { heartbeat } from './heartbeat';
import { browserErrors, webVital } from './browser';
import { eventCount, eventValue } from './events';
import { databaseUnreachable } from './database';
import { selfHealth } from './self-health';

/** The config's `type` → its rule module. Adding a rule type = one file + one line here + its schema entry. */
export const RULE_TYPES: Record<RuleTypeName, RuleType<any, any>> = {
  target_down: targetDown,
  module_down: moduleDown,
  availability,
  latency,
  cert_expiry: certExpiry,
  content,
  dns_changed: dnsChanged,
  heartbeat,
  browser_errors: browserErrors,
  web_vital: webVital,
  event_count: eventCount,
  event_value: eventValue,
  self_health: selfHealth,
  database_unreachable: databaseUnreachable,
};

export const ruleTypeOf = (r: RuleConfig) => RULE_TYPES[r.type];
export type { RuleType, EvalEnv } from './types';
