import { Hono } from 'hono';
import type { Page } from '../../contract/common';
import type { MaintenanceWindow } from '../../contract/alerts';
import { auditFrom, httpError, page, readJson, requirePermission, type AppEnv } from '../../core/http';
import { idParam, paramInput } from '../../core/input';
import type { AlertsConfig, AlertsContext } from '../config';
import { validateWindow, windowState } from '../maintenance-windows';
import { createWindow, expireWindow, getWindow, listWindows, type WindowRecord } from '../store/maintenance-windows';
import { iso } from './common';

const windowJson = (w: WindowRecord, now: number): MaintenanceWindow => ({
  id: w.id, name: w.name, moduleId: w.moduleId, targetId: w.targetId, startsAt: iso(w.startsAt)!, endsAt: iso(w.endsAt)!,
  recurrence: w.recurrence, durationMs: w.durationMs, timezone: w.timezone, createdBy: w.createdBy, comment: w.comment, publicNote: w.publicNote,
  createdAt: iso(w.createdAt)!, expiredAt: iso(w.expiredAt), expiredBy: w.expiredBy, state: windowState(w, now),
});

/** Maintenance windows (GET/POST /maintenance, POST /maintenance/:id/expire): probes go on, notifications stop. Managed by ops (alerts:ops:write). */
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
    const id = await createWindow(db, v.value, c.get('principal')!.name, now);
    await auditFrom(c, ctx.auth, { action: 'alerts.maintenance.create', target: `maintenance:${id}`, details: { ...v.value, startsAt: iso(v.value.startsAt), endsAt: iso(v.value.endsAt) } });
    return c.json(windowJson((await getWindow(db, id))!, clock()) satisfies MaintenanceWindow, 201);
  });

  const expire = async (c: import('hono').Context<AppEnv>) => {
    const p = paramInput(c, 'id', idParam);
    if (!p.ok) return p.response;
    const id = p.value;
    const w = await getWindow(db, id);
    if (!w) return httpError(c, 404, 'not_found', '没有这个维护窗口');
    if (w.expiredAt !== null) return httpError(c, 409, 'expired', '维护窗口已结束');
    await expireWindow(db, id, c.get('principal')!.name, clock());
    await auditFrom(c, ctx.auth, { action: 'alerts.maintenance.expire', target: `maintenance:${id}`, details: { name: w.name } });
    return c.json(windowJson((await getWindow(db, id))!, clock()) satisfies MaintenanceWindow);
  };
  r.post('/maintenance/:id/expire', requirePermission('alerts:ops:write'), expire);
  r.delete('/maintenance/:id', requirePermission('alerts:ops:write'), expire);
  return r;
}
