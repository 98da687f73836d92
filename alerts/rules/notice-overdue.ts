import { z } from 'zod';
import type { OverdueNotice } from '../sources';
import { formatSpanZh, formatTime } from '../template';
import { instance, ruleCommon, type RuleType } from './types';

const STATUS_ZH: Record<string, string> = { issued: '未签收', acknowledged: '已签收未反馈', submitted: '已反馈待审核', returned: '已退回待重新反馈' };
const LEVEL_ZH: Record<string, string> = { critical: '特别重大', high: '重大', medium: '较大', low: '一般' };

export const noticeOverdueSchema = z.object({ ...ruleCommon, type: z.literal('notice_overdue'),
  team: ruleCommon.team.default('security'),
  /** Notices of these levels are critical alerts, the others warnings. */
  criticalLevels: z.array(z.enum(['critical', 'high', 'medium', 'low'])).default(['critical', 'high']),
}).strict();
type Rule = z.output<typeof noticeOverdueSchema>;

/**
 * A 通报 past its rectification deadline and not closed: one alert per notice, labelled with its `notice` number and
 * `department`, so a route can send the reminder to the department's receiver as well as to security (the route's
 * repeatInterval is how often the reminder repeats). It resolves when security closes the notice.
 */
export const noticeOverdue: RuleType<typeof noticeOverdueSchema, OverdueNotice[]> = {
  type: 'notice_overdue',
  schema: noticeOverdueSchema,
  defaultSummary: '通报{{notice}}逾期未办结：{{department}}「{{title}}」（{{level}}），整改期限 {{deadline}}，已逾期 {{overdueFor}}，当前{{status}}',
  load: (src) => src.overdueNotices(),
  evaluate(rule: Rule, notices, now, env) {
    return notices.map((n) =>
      instance(rule, this.defaultSummary, env, { module: n.moduleId ?? undefined, extra: { notice: n.number, department: n.department } },
        { notice: n.number, department: n.department, title: n.title, level: LEVEL_ZH[n.level] ?? n.level, deadline: formatTime(n.deadline, env.timezone),
          overdueFor: formatSpanZh(now - n.deadline), status: STATUS_ZH[n.status] ?? n.status },
        (now - n.deadline) / 1000, rule.criticalLevels.includes(n.level as 'critical') ? 'critical' : 'warning'),
    );
  },
};
