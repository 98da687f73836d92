import type { Queryable } from '../../core/db';

/** Each rule's last evaluation (alert_rule_status), written by the evaluating process, read by GET /rules everywhere. */
export interface RuleStatusRow {
  rule: string;
  lastEval: number;
  durationMs: number;
  active: number;
  error?: string;
}

/** One statement per evaluation: the status of every rule. */
export async function saveRuleStatus(db: Queryable, rows: RuleStatusRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO alert_rule_status (rule, last_eval, duration_ms, active, error)
     SELECT rule, last_eval, duration_ms, active, error FROM jsonb_to_recordset($1::jsonb)
       AS x(rule text, last_eval timestamptz, duration_ms float8, active int, error text)
     ON CONFLICT (rule) DO UPDATE SET last_eval = EXCLUDED.last_eval, duration_ms = EXCLUDED.duration_ms, active = EXCLUDED.active, error = EXCLUDED.error`,
    [JSON.stringify(rows.map((r) => ({ rule: r.rule, last_eval: new Date(r.lastEval), duration_ms: r.durationMs, active: r.active, error: r.error ?? null })))],
  );
}

export async function loadRuleStatus(db: Queryable): Promise<Map<string, RuleStatusRow>> {
  const r = await db.query('SELECT rule, last_eval, duration_ms, active, error FROM alert_rule_status');
  return new Map(r.rows.map((x) => [String(x.rule), { rule: String(x.rule), lastEval: new Date(x.last_eval as string).getTime(), durationMs: Number(x.duration_ms), active: Number(x.active), error: (x.error as string) ?? undefined }]));
}
