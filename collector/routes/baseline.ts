import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { auditFrom, httpError, readJson, requirePermission, type AppEnv } from '../../core/http';
import { normalise } from '../probes/index';
import type { Baseline, BaselineApproved } from '../../contract/collector';
import { approvedBaseline, latestCandidate, saveBaseline } from '../store/baselines';
import { instant, type RouteDeps } from './deps';

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

  const candidate = (id: string, resultId?: string) => latestCandidate(d.db, id, d.clock() - CANDIDATE_WINDOW_MS, resultId);

  r.get('/targets/:id/baseline', requirePermission('read'), async (c) => {
    const id = c.req.param('id');
    if (!contentTarget(id)) return httpError(c, 404, 'no_content_target', `${id} 不是网页内容 (content) 类型的监测对象`);
    const [a, cand] = await Promise.all([approvedBaseline(d.db, id), candidate(id)]);
    const body: Baseline = {
      target: id,
      approved: a ? { hash: a.hash, text: a.text, approvedBy: a.approvedBy, approvedAt: instant(a.approvedAt), sourceResultId: a.sourceResultId } : null,
      candidate: cand ? { resultId: cand.resultId, ts: instant(cand.ts), hash: cand.hash ?? sha256(cand.text), text: cand.text, diffSummary: cand.diffSummary } : null,
    };
    return c.json(body);
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
      sourceResultId = cand.resultId;
    }
    const hash = sha256(text);
    const actor = c.get('principal')?.name ?? 'unknown';
    await saveBaseline(d.db, { targetId: id, hash, text, approvedBy: actor, approvedAt: d.clock(), sourceResultId });
    await auditFrom(c, d.auth, { action: 'collector.baseline.approve', target: id, details: { hash, sourceResultId, chars: text.length } });
    const answer: BaselineApproved = { target: id, hash, approvedBy: actor, sourceResultId };
    return c.json(answer);
  });
  return r;
}
