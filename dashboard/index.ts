import { Hono } from 'hono';
import type { Area, AreaContext } from '../core/context';
import type { AppEnv } from '../core/http';
import { bundleApp, type Bundle } from './bundle';
import { indexHtml, type ClientSettings } from './page';
import { checkDashboardFaroApp } from '../core/config/dashboard';


/**
 * The dashboard area: the zh-CN single-page app at `/` (index, one JS and one CSS bundle built in memory). It reads
 * everything through the HTTP API like any other client.
 */
export async function createDashboardArea(ctx: AreaContext): Promise<Area> {
  let config = ctx.config;
  const problem = checkDashboardFaroApp(config);
  if (problem) throw new Error(`configuration ${config.source.file} at dashboard.faroApp: ${problem}`);
  ctx.onConfigReload((c) => {
    const p = checkDashboardFaroApp(c);
    if (p) ctx.log.error({ problem: p }, 'dashboard.faroApp names no Faro app; the dashboard stops instrumenting itself');
    config = c;
  });
  let bundle: Promise<Bundle> | undefined;
  const getBundle = () => {
    bundle ??= bundleApp().catch((err) => {
      bundle = undefined; // try again on the next request
      throw err;
    });
    return bundle;
  };

  const settings = (): ClientSettings => {
    const d = config.dashboard;
    const app = d.faroApp ? config.faro.apps.find((a) => a.name === d.faroApp) : undefined;
    return {
      title: d.title,
      refreshSeconds: d.refreshSeconds,
      // The key is public by design (it ships to every browser); it only lets a client write RUM rows for this app.
      faro: app && config.faro.enabled ? { url: '/api/collector/faro/collect', apiKey: app.key, app: app.name } : null,
    };
  };

  const rootRoutes = new Hono<AppEnv>();
  rootRoutes.get('/', (c) => {
    if (!config.dashboard.enabled) return c.text('dashboard disabled (dashboard.enabled: false)', 404);
    c.header('Cache-Control', 'no-store');
    return c.html(indexHtml(settings()));
  });
  rootRoutes.get('/assets/:file', async (c) => {
    const file = c.req.param('file');
    if (!/^app\.[0-9a-z]+\.(js|css)$/.test(file)) return c.notFound();
    const b = await getBundle();
    c.header('Cache-Control', 'public, max-age=31536000, immutable');
    return file.endsWith('.js') ? c.body(b.js, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }) : c.body(b.css, 200, { 'Content-Type': 'text/css; charset=utf-8' });
  });

  return {
    name: 'dashboard',
    mount: 'dashboard',
    rootRoutes,
    async start() {
      // Build early so the first visitor does not wait; a failure is logged and retried on request.
      void getBundle().then(
        (b) => ctx.log.info({ ms: b.ms, jsBytes: b.js.length }, 'dashboard bundle built'),
        (err) => ctx.log.error({ err }, 'dashboard bundle failed'),
      );
    },
    async stop() {},
  };
}
