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
import { noticeOverdue } from './notice-overdue';
import { callErrorRate, callLatency } from './calls';
import { callFirstCaller, callOffHoursBulk, callRecordsPerCall, callVolumeBaseline } from './data-access';

/**
 * Every rule type, each with its config schema (alerts/config.ts makes `rules[]` the union of them). Adding a rule
 * type = its file (schema, load, evaluate) + one line here.
 */
const REGISTRY = [
  targetDown,
  moduleDown,
  availability,
  latency,
  certExpiry,
  content,
  dnsChanged,
  heartbeat,
  browserErrors,
  webVital,
  eventCount,
  eventValue,
  selfHealth,
  databaseUnreachable,
  noticeOverdue,
  callErrorRate,
  callLatency,
  callOffHoursBulk,
  callVolumeBaseline,
  callFirstCaller,
  callRecordsPerCall,
] as const;

type Registry = typeof REGISTRY;
type SchemasOf<T extends readonly { schema: unknown }[]> = { [K in keyof T]: T[K]['schema'] };
export type RuleTypeName = Registry[number]['type'];

/** The schemas in registry order, typed one by one, as z.discriminatedUnion wants them. */
export const ruleSchemas = REGISTRY.map((r) => r.schema) as unknown as SchemasOf<Registry>;

/** The config's `type` → its rule module. */
export const RULE_TYPES = Object.fromEntries(REGISTRY.map((r) => [r.type, r])) as Record<RuleTypeName, RuleType<any, any>>;

export type { RuleType, EvalEnv } from './types';
