import { Hono, type Context } from 'hono';
import type { AreaDefinition } from '../core/area';
import type { AppEnv } from '../core/http';
import { bundleApp, type Bundle } from './bundle';
import { BOOT_JS, FAVICON_SVG, indexHtml, type ClientSettings } from './page';
import { dashboardConfig } from './config';
import { StatusSnapshots } from './status/snapshot';
import { statusHtml, unavailableHtml } from './status/page';

const sections = { dashboard: dashboardConfig };

/**
 * The dashboard area: the zh-CN single-page app at `/` (index, one JS and one CSS bundle built in memory). It reads
 * everything through the HTTP API like any other client. `faroClient`: the Faro app it reports its own page as,
 * resolved by the composition root from the collector's faro section (or null: no self-instrumentation).
 */
export const dashboardArea: AreaDefinition<typeof sections, { faroClient: () => ClientSettings['faro'] }> = {
  name: 'dashboard',
  sections,
  async create(ctx, deps) {
    let config = ctx.config.dashboard;
    const snapshots = new StatusSnapshots(ctx.db, () => config.statusPage, ctx.clock, ctx.log.child({ part: 'status' }));
    ctx.onConfigReload((c) => {
      if (JSON.stringify(c.dashboard.statusPage.modules) !== JSON.stringify(config.statusPage.modules)) snapshots.reset();
      config = c.dashboard;
    });
    let bundle: Promise<Bundle> | undefined;
    const getBundle = () => {
      bundle ??= bundleApp().catch((err) => {
        bundle = undefined; // try again on the next request
        throw err;
      });
      return bundle;
    };

    const settings = (): ClientSettings => ({ title: config.title, refreshSeconds: config.refreshSeconds, faro: deps.faroClient() });

    const rootRoutes = new Hono<AppEnv>();
    rootRoutes.get('/', async (c) => {
      if (!config.enabled) return c.text('dashboard disabled (dashboard.enabled: false)', 404);
      const b = await getBundle();
      c.header('Cache-Control', 'no-store');
      return c.html(indexHtml(settings(), b.hash));
    });
    // The tab icon (the browser asks for /favicon.ico by itself; the page links the same SVG): no 404 in the log.
    const favicon = (c: Context<AppEnv>) => {
      c.header('Cache-Control', 'public, max-age=86400');
      return c.body(FAVICON_SVG, 200, { 'Content-Type': 'image/svg+xml' });
    };
    rootRoutes.get('/favicon.svg', favicon);
    rootRoutes.get('/favicon.ico', favicon);
    // The 配色 / language boot script the page's <head> runs before its first paint (dashboard/page.ts).
    rootRoutes.get('/theme.js', (c) => {
      c.header('Cache-Control', 'public, max-age=3600');
      return c.body(BOOT_JS, 200, { 'Content-Type': 'text/javascript; charset=utf-8' });
    });
    // The public status page (no login): the last good snapshot, so it answers while the database is slow or away.
    rootRoutes.get('/status', async (c) => {
      const sp = config.statusPage;
      if (!sp.enabled || sp.modules.length === 0) return c.text('status page not configured (dashboard.statusPage.modules)', 404);
      const { snapshot, stale } = await snapshots.current();
      if (!snapshot) {
        c.header('Cache-Control', 'no-store');
        c.header('Retry-After', '30');
        return c.html(unavailableHtml(sp.title), 503);
      }
      // Shared caches may keep it as long as it is re-read; a stale one briefly, so the fresh one follows soon.
      c.header('Cache-Control', `public, max-age=${stale ? Math.min(10, sp.refreshSeconds) : sp.refreshSeconds}`);
      c.header('Last-Modified', new Date(snapshot.at).toUTCString());
      return c.html(statusHtml(sp.title, snapshot, stale));
    });
    rootRoutes.get('/assets/:file', async (c) => {
      const file = c.req.param('file');
      if (!/^app\.[0-9a-z]+\.(js|css)$/.test(file)) return c.notFound();
      const b = await getBundle();
      // Only the current version: an old page asking for an old hash reloads rather than mixing versions.
      if (file.split('.')[1] !== b.hash) return c.notFound();
      c.header('Cache-Control', 'public, max-age=31536000, immutable');
      return file.endsWith('.js') ? c.body(b.js, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }) : c.body(b.css, 200, { 'Content-Type': 'text/css; charset=utf-8' });
    });

    return {
      rootRoutes,
      async start() {
        // The status page's first snapshot, so it has one to serve before the database could ever be away.
        if (config.statusPage.enabled && config.statusPage.modules.length) void snapshots.refresh();
        // Build early so the first visitor does not wait; a failure is logged and retried on request.
        void getBundle().then(
          (b) => ctx.log.info({ ms: b.ms, jsBytes: b.js.length, hash: b.hash, cached: b.cached }, b.cached ? 'dashboard bundle read from dashboard/dist' : 'dashboard bundle built'),
          (err) => ctx.log.error({ err }, 'dashboard bundle failed'),
        );
      },
      async stop() {},
    };
  },
};
