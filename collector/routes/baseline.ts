import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { auditFrom, httpError, readJson, requirePermission, type AppEnv } from '../../core/http';
import { normalise } from '../probes/index';
import { iso, type RouteDeps } from './deps';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const CANDIDATE_WINDOW_MS = 7 * 86_400_000;

/**
 * Content baselines (网页防篡改): GET shows the approved baseline and the newest candidate (the normalised page the
 * content probe kept because it had no baseline or saw a change); POST approve stores a candidate (by result id, the
 * newest by default) or a given text as the new baseline. The content probe compares against it from its next run.
 */
export function baselineRoutes(d: RouteDeps) {
  const r = new Hono<AppEnv>();

  const contentTarget = (id: string) => d.config().targets.find((t) => t.id === id && t.type === 'content');

  async function candidate(id: string, resultId?: string) {
    const rows = await d.db.query<{ result_id: string; ts: Date; text: string; hash: string | null; diff: unknown }>(
      `SELECT result_id, ts, detail->>'normalisedText' AS text, detail->>'hash' AS hash, detail->'diffSummary' AS diff
         FROM probe_results
        WHERE target_id = $1 AND ts >= $2 AND detail ? 'normalisedText' ${resultId ? 'AND result_id = $3' : ''}
        ORDER BY ts DESC LIMIT 1`,
      resultId ? [id, new Date(d.clock() - CANDIDATE_WINDOW_MS), resultId] : [id, new Date(d.clock() - CANDIDATE_WINDOW_MS)],
    );
    return rows.rows[0];
  }

  r.get('/targets/:id/baseline', requirePermission('read'), async (c) => {
    const id = c.req.param('id');
    if (!contentTarget(id)) return httpError(c, 404, 'no_content_target', `${id} 不是网页内容 (content) 类型的监测对象`);
    const [b, cand] = await Promise.all([
      d.db.query<Record<string, unknown>>(`SELECT hash, text, approved_by, approved_at, source_result_id FROM content_baselines WHERE target_id = $1`, [id]),
      candidate(id),
    ]);
    const a = b.rows[0];
    return c.json({
      target: id,
      approved: a ? { hash: a.hash, text: a.text, approvedBy: a.approved_by, approvedAt: iso(a.approved_at), sourceResultId: a.source_result_id } : null,
      candidate: cand ? { resultId: cand.result_id, ts: iso(cand.ts), hash: cand.hash ?? sha256(cand.text), text: cand.text, diffSummary: cand.diff ?? null } : null,
    });
  });

  r.post('/targets/:id/baseline/approve', requirePermission('baseline:approve'), async (c) => {
    const id = c.req.param('id');
    const target = contentTarget(id);
    if (!target) return httpError(c, 404, 'no_content_target', `${id} 不是网页内容 (content) 类型的监测对象`);
    let body: { resultId?: unknown; text?: unknown } = {};
    if ((c.req.header('content-length') ?? '0') !== '0' || c.req.header('content-type')?.includes('json')) {
      const parsed = await readJson<typeof body>(c);
      if (!parsed.ok) return parsed.response;
      body = parsed.value ?? {};
    }
    let text: string;
    let sourceResultId: string | null = null;
    if (typeof body.text === 'string') {
      // A page given by hand goes through the same normalisation the probe applies.
      text = normalise(body.text, (target.spec as { normalise?: never }).normalise);
    } else {
      if (body.resultId !== undefined && (typeof body.resultId !== 'string' || !/^[0-9a-f-]{36}$/i.test(body.resultId))) {
        return httpError(c, 400, 'bad_result_id', 'resultId 应为探测结果的 UUID');
      }
      const cand = await candidate(id, body.resultId as string | undefined);
      if (!cand) return httpError(c, 409, 'no_candidate', '近 7 天没有可确认的页面快照；等下一次探测或在请求体中给出 {"text": "..."}');
      text = cand.text;
      sourceResultId = cand.result_id;
    }
    const hash = sha256(text);
    const actor = c.get('principal')?.name ?? 'unknown';
    await d.db.query(
      `INSERT INTO content_baselines (target_id, hash, text, approved_by, approved_at, source_result_id) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (target_id) DO UPDATE SET hash = EXCLUDED.hash, text = EXCLUDED.text, approved_by = EXCLUDED.approved_by,
         approved_at = EXCLUDED.approved_at, source_result_id = EXCLUDED.source_result_id`,
      [id, hash, text, actor, new Date(d.clock()), sourceResultId],
    );
    await auditFrom(c, d.auth, { action: 'collector.baseline.approve', target: id, details: { hash, sourceResultId, chars: text.length } });
    return c.json({ target: id, hash, approvedBy: actor, sourceResultId });
  });
  return r;
}
