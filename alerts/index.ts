import { Hono } from 'hono';
import type { Area, AreaContext } from '../core/context';
import type { AppEnv } from '../core/http';

/** The alerts area. */
export async function createAlertsArea(ctx: AreaContext): Promise<Area> {
  const routes = new Hono<AppEnv>();
  void ctx;
  return { name: 'alerts', mount: 'alerts', routes, async start() {}, async stop() {} };
}
