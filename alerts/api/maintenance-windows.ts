import { Hono } from 'hono';
import type { Page } from '../../contract/common';
import type { MaintenanceWindow } from '../../contract/alerts';
import { auditFrom, httpError, page, readJson, requirePermission, type AppEnv } from '../../core/http';
import { idParam, paramInput } from '../../core/input';
import type { AlertsConfig, AlertsContext } from '../config';
import { validateWindow, windowState } from '../maintenance-windows';
import { createWindow, expireWindow, getWindow, listWindows, restoreWindow, updateWindow, windowSnapshot, type WindowRecord } from '../store/maintenance-windows';
import { actorOf, iso, versionRoutes, writeVersion } from './common';
import { allows } from '../../core/auth/roles';
import { recordVersion } from '../../core/versions';

const windowJson = (w: WindowRecord, now: number): MaintenanceWindow => ({
  id: w.id, name: w.name, moduleId: w.moduleId, targetId: w.targetId, startsAt: iso(w.startsAt)!, endsAt: iso(w.endsAt)!,
  recurrence: w.recurrence, durationMs: w.durationMs, timezone: w.timezone, createdBy: w.createdBy, comment: w.comment, publicNote: w.publicNote,
  createdAt: iso(w.createdAt)!, expiredAt: iso(w.expiredAt), expiredBy: w.expiredBy, state: windowState(w, now),
});

/**
 * Maintenance windows (GET/POST /maintenance, PUT /maintenance/:id, POST /maintenance/:id/expire): probes go on,
 * notifications stop. Managed by ops (alerts:ops:write). Every change is a version: GET /maintenance/:id/history,
 * POST /maintenance/:id/rollback (alerts/api/common.ts versionRoutes).
 */
export function maintenanceWindowRoutes(ctx: AlertsContext, cfg: () => AlertsConfig) {
  const r = new Hono<AppEnv>();
  const { db, clock } = ctx;

  r.get('/maintenance', requirePermission('read'), async (c) => {
    const { limit, offset } = page(c);
    const state = c.req.query('state');
    if (state && !['active', 'upcoming', 'expired'].includes(state)) return httpError(c, 400, 'bad_state', 'state 应为 active|upcoming|expired');
    const now = clock();
    const res = await listWindows(db, now, state, limit, offset);
    return c.json({ total: res.total, limit, offset, items: res.items.map((w) => windowJson(w, now)) } satisfies Page<MaintenanceWindow>);
  });

  r.post('/maintenance', requirePermission('alerts:ops:write'), async (c) => {
    const body = await readJson(c);
    if (!body.ok) return body.response;
    const now = clock();
    const v = validateWindow(body.value, now, cfg().timezone);
    if (!v.ok) return httpError(c, 422, 'invalid_window', v.error);
    const { id, version } = await db.tx(async (q) => {
      const id = await createWindow(q, v.value, c.get('principal')!.name, now);
      return { id, version: await recordVersion(q, { kind: 'maintenance', id, action: 'create', before: null, after: windowSnapshot((await getWindow(q, id))!), actor: actorOf(c, body.value), ts: now }) };
    });
    await auditFrom(c, ctx.auth, { action: 'alerts.maintenance.create', target: `maintenance:${id}`, details: { ...v.value, startsAt: iso(v.value.startsAt), endsAt: iso(v.value.endsAt), version: version?.version } });
    return c.json(windowJson((await getWindow(db, id))!, clock()) satisfies MaintenanceWindow, 201);
  });

  const expire = async (c: import('hono').Context<AppEnv>) => {
    const p = paramInput(c, 'id', idParam);
    if (!p.ok) return p.response;
    const id = p.value;
    const w = await getWindow(db, id);
    if (!w) return httpError(c, 404, 'not_found', '没有这个维护窗口');
    if (w.expiredAt !== null) return httpError(c, 409, 'expired', '维护窗口已结束');
    const now = clock();
    const version = await db.tx(async (q) => {
      await expireWindow(q, id, c.get('principal')!.name, now);
      return recordVersion(q, { kind: 'maintenance', id, action: 'expire', before: windowSnapshot(w), after: windowSnapshot((await getWindow(q, id))!), actor: actorOf(c, { reason: c.req.query('reason') }), ts: now });
    });
    await auditFrom(c, ctx.auth, { action: 'alerts.maintenance.expire', target: `maintenance:${id}`, details: { name: w.name, version: version?.version, before: version?.before, after: version?.after } });
    return c.json(windowJson((await getWindow(db, id))!, clock()) satisfies MaintenanceWindow);
  };
  r.post('/maintenance/:id/expire', requirePermission('alerts:ops:write'), expire);
  r.delete('/maintenance/:id', requirePermission('alerts:ops:write'), expire);

  // An edit: the same body as a create (reason for the history); an ended window given a new time runs again.
  r.put('/maintenance/:id', requirePermission('alerts:ops:write'), async (c) => {
    const p = paramInput(c, 'id', idParam);
    if (!p.ok) return p.response;
    const w = await getWindow(db, p.value);
    if (!w) return httpError(c, 404, 'not_found', '没有这个维护窗口');
    const body = await readJson(c);
    if (!body.ok) return body.response;
    const now = clock();
    const v = validateWindow(body.value, now, cfg().timezone);
    if (!v.ok) return httpError(c, 422, 'invalid_window', v.error);
    await writeVersion(c, ctx, {
      kind: 'maintenance', id: w.id, action: 'update', before: windowSnapshot(w), actor: actorOf(c, body.value), ts: now,
      write: async (q) => {
        await updateWindow(q, w.id, v.value);
        return windowSnapshot((await getWindow(q, w.id))!);
      },
    });
    return c.json(windowJson((await getWindow(db, w.id))!, clock()) satisfies MaintenanceWindow);
  });

  r.route('/', versionRoutes(ctx, {
    kind: 'maintenance', path: '/maintenance', label: '维护窗口', id: idParam,
    get: (id) => getWindow(db, id),
    snapshot: windowSnapshot,
    refuse: (c) => (allows(c.get('principal')!, 'alerts:ops:write') ? null : '维护窗口由运维管理 (needs permission alerts:ops:write)'),
    restore: restoreWindow,
    json: windowJson,
  }));
  return r;
}
