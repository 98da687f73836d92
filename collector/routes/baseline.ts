import { createHash } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { auditFrom, httpError, readJson, requirePermission, type AppEnv } from '../../core/http';
import { contentDiff, locateForbidden } from '../probes/content-diff';
import { findForbidden } from '../probes/content';
import { normalise } from '../probes/index';
import type { Baseline, BaselineApproved, BaselineChange, ForbiddenWordsPresent } from '../../contract/collector';
import { approvedBaseline, confirmProvisional, latestCandidate, saveBaseline } from '../store/baselines';
import { instant, type RouteDeps } from './deps';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const CANDIDATE_WINDOW_MS = 7 * 86_400_000;
const REASON_MAX = 500;

interface ApproveBody {
  resultId?: unknown;
  text?: unknown;
  /** Approving a page that contains forbidden words needs this and a reason (the second confirmation). */
  confirmForbidden?: unknown;
  reason?: unknown;
  /** confirm: the provisional baseline's hash the reviewer saw (refused when it moved meanwhile). */
  hash?: unknown;
}

/**
 * Content baselines (网页防篡改): GET shows the baseline in force (approved, or provisional by trust on first use), the
 * newest candidate (the normalised page the content probe kept because it had no baseline or saw a change), the diff
 * between them and the forbidden words of each; POST approve stores a candidate (by result id, the newest by default)
 * or a given text as the new baseline, POST confirm makes the provisional baseline an approved one. A page with
 * forbidden words is refused (409 forbidden_words_present) unless the request confirms it with a reason; every
 * approval is audited with who, the words and the reason. The content probe compares against it from its next run.
 */
export function baselineRoutes(d: RouteDeps) {
  const r = new Hono<AppEnv>();

  const contentTarget = (id: string) => d.config().targets.find((t) => t.id === id && t.type === 'content');
  const wordsOf = (t: { spec: unknown }) => (t.spec as { forbiddenWords?: string[] }).forbiddenWords ?? [];

  const candidate = (id: string, resultId?: string) => latestCandidate(d.db, id, d.clock() - CANDIDATE_WINDOW_MS, resultId);

  r.get('/targets/:id/baseline', requirePermission('read'), async (c) => {
    const id = c.req.param('id');
    const target = contentTarget(id);
    if (!target) return httpError(c, 404, 'no_content_target', `${id} 不是网页内容 (content) 类型的监测对象`);
    const words = wordsOf(target);
    const [a, cand] = await Promise.all([approvedBaseline(d.db, id), candidate(id)]);
    const candHash = cand ? (cand.hash ?? sha256(cand.text)) : null;
    let change: BaselineChange | null = null;
    if (cand && candHash !== a?.hash) {
      const diff = contentDiff(a?.text ?? '', cand.text);
      change = { against: !a ? 'none' : a.provisional ? 'provisional' : 'approved', baselineHash: a?.hash ?? null, candidateHash: candHash!, ...diff };
    }
    const body: Baseline = {
      target: id,
      approved: a && !a.provisional ? { hash: a.hash, text: a.text, approvedBy: a.approvedBy, approvedAt: instant(a.approvedAt), sourceResultId: a.sourceResultId } : null,
      provisional: a?.provisional ? { hash: a.hash, text: a.text, capturedAt: instant(a.approvedAt), sourceResultId: a.sourceResultId, forbidden: locateForbidden(a.text, words) } : null,
      candidate: cand ? { resultId: cand.resultId, ts: instant(cand.ts), hash: candHash!, text: cand.text, diffSummary: cand.diffSummary, forbidden: locateForbidden(cand.text, words) } : null,
      change,
      forbiddenWords: words,
    };
    return c.json(body);
  });

  /** The body of approve / confirm, or the answer refusing it. */
  async function bodyOf(c: Context<AppEnv>): Promise<{ ok: true; value: ApproveBody } | { ok: false; response: Response }> {
    if ((c.req.header('content-length') ?? '0') === '0' && !c.req.header('content-type')?.includes('json')) return { ok: true, value: {} };
    const parsed = await readJson<ApproveBody>(c);
    if (!parsed.ok) return parsed;
    return { ok: true, value: parsed.value ?? {} };
  }

  /**
   * The second confirmation: a page with forbidden words is refused unless `confirmForbidden: true` and a reason are
   * given. Returns the words found (empty: nothing to confirm) and the reason, or the refusal.
   */
  function forbiddenGate(c: Context<AppEnv>, text: string, words: string[], body: ApproveBody): { ok: true; words: { word: string; count: number }[]; reason: string | null } | { ok: false; response: Response } {
    const hits = findForbidden(text, words).map((h) => ({ word: h.word, count: h.count }));
    const reason = typeof body.reason === 'string' ? body.reason.trim() : '';
    if (body.reason !== undefined && typeof body.reason !== 'string') return { ok: false, response: httpError(c, 400, 'bad_reason', 'reason 应为文字说明') };
    if (reason.length > REASON_MAX) return { ok: false, response: httpError(c, 400, 'bad_reason', `reason 最长 ${REASON_MAX} 字，实际 ${reason.length} 字`) };
    if (hits.length === 0) return { ok: true, words: [], reason: reason || null };
    const list = hits.map((h) => `${h.word}×${h.count}`).join('、');
    if (body.confirmForbidden !== true) {
      const extra: ForbiddenWordsPresent = { words: hits };
      return { ok: false, response: httpError(c, 409, 'forbidden_words_present', `该页面含违禁词 ${list}，确认无误（如安全通告引用了该词）请在请求体中给出 {"confirmForbidden": true, "reason": "为何可以接受"} 再次批准`, { ...extra }) };
    }
    if (!reason) return { ok: false, response: httpError(c, 400, 'reason_required', `批准含违禁词（${list}）的页面必须填写理由：请求体 {"confirmForbidden": true, "reason": "…"}`) };
    return { ok: true, words: hits, reason };
  }

  r.post('/targets/:id/baseline/approve', requirePermission('baseline:approve'), async (c) => {
    const id = c.req.param('id');
    const target = contentTarget(id);
    if (!target) return httpError(c, 404, 'no_content_target', `${id} 不是网页内容 (content) 类型的监测对象`);
    const parsed = await bodyOf(c);
    if (!parsed.ok) return parsed.response;
    const body = parsed.value;
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
    const gate = forbiddenGate(c, text, wordsOf(target), body);
    if (!gate.ok) return gate.response;
    const hash = sha256(text);
    const actor = c.get('principal')?.name ?? 'unknown';
    const before = await approvedBaseline(d.db, id);
    await saveBaseline(d.db, { targetId: id, hash, text, approvedBy: actor, approvedAt: d.clock(), sourceResultId, provisional: false });
    await auditFrom(c, d.auth, { action: 'collector.baseline.approve', target: id, details: {
      hash, sourceResultId, chars: text.length, previousHash: before?.hash ?? null, previousProvisional: before?.provisional ?? false,
      ...(gate.words.length ? { forbiddenWords: gate.words, confirmForbidden: true } : {}), ...(gate.reason ? { reason: gate.reason } : {}),
    } });
    const answer: BaselineApproved = { target: id, hash, approvedBy: actor, sourceResultId, forbiddenWords: gate.words.map((w) => w.word) };
    return c.json(answer);
  });

  // Trust on first use: a person confirms the provisional baseline as it is (the same second confirmation applies).
  r.post('/targets/:id/baseline/confirm', requirePermission('baseline:approve'), async (c) => {
    const id = c.req.param('id');
    const target = contentTarget(id);
    if (!target) return httpError(c, 404, 'no_content_target', `${id} 不是网页内容 (content) 类型的监测对象`);
    const parsed = await bodyOf(c);
    if (!parsed.ok) return parsed.response;
    const a = await approvedBaseline(d.db, id);
    if (!a?.provisional) return httpError(c, 409, 'no_provisional', a ? `${id} 的基线已由 ${a.approvedBy} 确认` : `${id} 还没有首次采集的基线`);
    if (parsed.value.hash !== undefined && parsed.value.hash !== a.hash) return httpError(c, 409, 'baseline_moved', '未确认基线已变化，请刷新后再确认');
    const gate = forbiddenGate(c, a.text, wordsOf(target), parsed.value);
    if (!gate.ok) return gate.response;
    const actor = c.get('principal')?.name ?? 'unknown';
    if (!(await confirmProvisional(d.db, id, a.hash, actor, d.clock()))) return httpError(c, 409, 'baseline_moved', '未确认基线已变化，请刷新后再确认');
    await auditFrom(c, d.auth, { action: 'collector.baseline.confirm', target: id, details: {
      hash: a.hash, sourceResultId: a.sourceResultId, chars: a.text.length,
      ...(gate.words.length ? { forbiddenWords: gate.words, confirmForbidden: true } : {}), ...(gate.reason ? { reason: gate.reason } : {}),
    } });
    const answer: BaselineApproved = { target: id, hash: a.hash, approvedBy: actor, sourceResultId: a.sourceResultId, forbiddenWords: gate.words.map((w) => w.word) };
    return c.json(answer);
  });
  return r;
}
