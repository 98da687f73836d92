import { Hono, type Context } from 'hono';
import type { Page } from '../../contract/common';
import type { Silence, Team } from '../../contract/alerts';
import { auditFrom, httpError, readJson, requirePermission, type AppEnv } from '../../core/http';
import { listQuery, paramInput, queryInput, uuidParam } from '../../core/input';
import { z } from 'zod';

/** GET /silences: ?state=active|pending|expired &team= &q= (comment, author, matchers) &sort=-createdAt|createdAt. */
export const silenceListQuery = listQuery(
  {
    state: z.enum(['active', 'pending', 'expired'], { message: '应为 active（生效中）| pending（未开始）| expired（已过期）' }).optional(),
    team: z.string().max(100).optional(),
  },
  { sorts: ['createdAt'] as const, defaultSort: '-createdAt', limit: 100, max: 1000 },
);
import type { AlertsContext } from '../config';
import { formatMatcher } from '../matchers';
import { silenceState, validateSilence } from '../silences';
import { createSilence, expireSilence, getSilence, listSilences, restoreSilence, silenceSnapshot, updateSilence, type SilenceRecord } from '../store/silences';
import { actorOf, canWriteAny, canWriteTeam, iso, versionRoutes, writeVersion } from './common';
import { recordVersion } from '../../core/versions';

const silenceJson = (s: SilenceRecord, now: number): Silence => ({
  id: s.id, team: s.team as Team, matchers: s.matchers, matchersText: s.matchers.map(formatMatcher), startsAt: iso(s.startsAt)!, endsAt: iso(s.endsAt)!,
  createdBy: s.createdBy, comment: s.comment, createdAt: iso(s.createdAt)!, expiredBy: s.expiredBy, state: silenceState(s, now),
});

/** The body of a create or an edit, validated, with a team this principal may silence; or the answer refusing it. */
function silenceInput(c: Context<AppEnv>, body: unknown, now: number) {
  const v = validateSilence(body, now);
  if (!v.ok) return { ok: false as const, response: httpError(c, 422, 'invalid_silence', v.error) };
  if (!canWriteTeam(c, v.value.team)) return { ok: false as const, response: httpError(c, 403, 'forbidden', `只能静默本团队的告警 (needs permission alerts:${v.value.team}:write)`) };
  return v;
}

/**
 * GET/POST /silences, GET/PUT /silences/:id, POST /silences/:id/expire (DELETE does the same), and every change a
 * version: GET /silences/:id/history, POST /silences/:id/rollback (alerts/api/common.ts versionRoutes).
 */
export function silenceRoutes(ctx: AlertsContext) {
  const r = new Hono<AppEnv>();
  const { db, clock } = ctx;

  r.get('/silences', requirePermission('read'), async (c) => {
    const p = queryInput(c, silenceListQuery);
    if (!p.ok) return p.response;
    const { limit, offset, q, sort, state, team } = p.value;
    const now = clock();
    const res = await listSilences(db, now, { state, team, q, sortDesc: sort.desc }, limit, offset);
    return c.json({ total: res.total, limit, offset, items: res.items.map((s) => silenceJson(s, now)) } satisfies Page<Silence>);
  });

  r.get('/silences/:id', requirePermission('read'), async (c) => {
    const p = paramInput(c, 'id', uuidParam);
    if (!p.ok) return p.response;
    const s = await getSilence(db, p.value);
    return s ? c.json(silenceJson(s, clock()) satisfies Silence) : httpError(c, 404, 'not_found', '没有这个静默规则');
  });

  r.post('/silences', requirePermission('read'), async (c) => {
    if (!canWriteAny(c)) return httpError(c, 403, 'forbidden', '需要 alerts:ops:write 或 alerts:security:write 权限');
    const body = await readJson(c);
    if (!body.ok) return body.response;
    const now = clock();
    const v = silenceInput(c, body.value, now);
    if (!v.ok) return v.response;
    const author = c.get('principal')!.name;
    const { id, version } = await db.tx(async (q) => {
      const id = await createSilence(q, v.value, author, now);
      const after = silenceSnapshot((await getSilence(q, id))!);
      return { id, version: await recordVersion(q, { kind: 'silence', id, action: 'create', before: null, after, actor: actorOf(c, body.value), ts: now }) };
    });
    await auditFrom(c, ctx.auth, { action: 'alerts.silence.create', target: `silence:${id}`, details: { version: version?.version, team: v.value.team, matchers: v.value.matchers.map(formatMatcher), endsAt: iso(v.value.endsAt), comment: v.value.comment } });
    return c.json(silenceJson((await getSilence(db, id))!, clock()) satisfies Silence, 201);
  });

  const expire = async (c: import('hono').Context<AppEnv>) => {
    const p = paramInput(c, 'id', uuidParam);
    if (!p.ok) return p.response;
    const s = await getSilence(db, p.value);
    if (!s) return httpError(c, 404, 'not_found', '没有这个静默规则');
    if (!canWriteTeam(c, s.team)) return httpError(c, 403, 'forbidden', `只能解除本团队的静默 (needs permission alerts:${s.team}:write)`);
    const now = clock();
    if (s.endsAt <= now) return httpError(c, 409, 'expired', '静默已过期');
    const version = await db.tx(async (q) => {
      await expireSilence(q, s.id, c.get('principal')!.name, now);
      return recordVersion(q, { kind: 'silence', id: s.id, action: 'expire', before: silenceSnapshot(s), after: silenceSnapshot((await getSilence(q, s.id))!), actor: actorOf(c, { reason: c.req.query('reason') }), ts: now });
    });
    await auditFrom(c, ctx.auth, { action: 'alerts.silence.expire', target: `silence:${s.id}`, details: { team: s.team, version: version?.version, before: version?.before, after: version?.after } });
    return c.json(silenceJson((await getSilence(db, s.id))!, clock()) satisfies Silence);
  };
  r.post('/silences/:id/expire', requirePermission('read'), expire);
  r.delete('/silences/:id', requirePermission('read'), expire);

  // An edit: the same body as a create (team, matchers, startsAt, endsAt, comment; reason for the history). The team
  // may change only to one the writer may also silence; an expired silence given a new end is live again.
  r.put('/silences/:id', requirePermission('read'), async (c) => {
    const p = paramInput(c, 'id', uuidParam);
    if (!p.ok) return p.response;
    const s = await getSilence(db, p.value);
    if (!s) return httpError(c, 404, 'not_found', '没有这个静默规则');
    if (!canWriteTeam(c, s.team)) return httpError(c, 403, 'forbidden', `只能修改本团队的静默 (needs permission alerts:${s.team}:write)`);
    const body = await readJson(c);
    if (!body.ok) return body.response;
    const now = clock();
    const v = silenceInput(c, body.value, now);
    if (!v.ok) return v.response;
    await writeVersion(c, ctx, {
      kind: 'silence', id: s.id, action: 'update', before: silenceSnapshot(s), actor: actorOf(c, body.value), ts: now,
      write: async (q) => {
        await updateSilence(q, s.id, v.value, now);
        return silenceSnapshot((await getSilence(q, s.id))!);
      },
    });
    return c.json(silenceJson((await getSilence(db, s.id))!, clock()) satisfies Silence);
  });

  r.route('/', versionRoutes(ctx, {
    kind: 'silence', path: '/silences', label: '静默规则', id: uuidParam,
    get: (id) => getSilence(db, id),
    snapshot: silenceSnapshot,
    refuse: (c, content) => (canWriteTeam(c, String(content.team)) ? null : `只能修改本团队的静默 (needs permission alerts:${String(content.team)}:write)`),
    restore: restoreSilence,
    json: silenceJson,
  }));
  return r;
}
