import { Hono } from 'hono';
import type { Area, AreaContext } from '../core/context';
import type { AppEnv } from '../core/http';

/** The dashboard area. */
export async function createDashboardArea(ctx: AreaContext): Promise<Area> {
  const routes = new Hono<AppEnv>();
  void ctx;
  return { name: 'dashboard', mount: 'dashboard', routes, async start() {}, async stop() {} };
}
