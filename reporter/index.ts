import { Hono } from 'hono';
import type { Area, AreaContext } from '../core/context';
import type { AppEnv } from '../core/http';

/** The reporter area. */
export async function createReporterArea(ctx: AreaContext): Promise<Area> {
  const routes = new Hono<AppEnv>();
  void ctx;
  return { name: 'reporter', mount: 'reporter', routes, async start() {}, async stop() {} };
}
