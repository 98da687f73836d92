import { Hono } from 'hono';
import type { Area, AreaContext } from '../core/context';
import type { AppEnv } from '../core/http';

/** The collector area. */
export async function createCollectorArea(ctx: AreaContext): Promise<Area> {
  const routes = new Hono<AppEnv>();
  void ctx;
  return { name: 'collector', mount: 'collector', routes, async start() {}, async stop() {} };
}
