import { z } from 'zod';
import { severity } from '../../core/config/common';
import { ruleCommon, instance, type RuleType } from './types';

export const databaseUnreachableSchema = z.object({ ...ruleCommon, type: z.literal('database_unreachable'), severity: severity.default('critical') }).strict();
type Rule = z.output<typeof databaseUnreachableSchema>;

/**
 * The database does not answer. Its input is the engine's own pings (not a query, which would fail); the engine
 * notifies this one directly, since alert state cannot be written while the database is away.
 */
export const databaseUnreachable: RuleType<typeof databaseUnreachableSchema, number | null> = {
  type: 'database_unreachable',
  schema: databaseUnreachableSchema,
  defaultSummary: '数据库不可达：自 {{since}} 起无法连接，告警状态暂存内存',
  load: async (src) => src.dbDownSince,
  evaluate(rule, downSince, now, env) {
    if (downSince === null || now - downSince < rule.for) return [];
    return [instance(rule, this.defaultSummary, env, {}, { since: downSince, value: Math.round((now - downSince) / 1000) }, now - downSince)];
  },
};
