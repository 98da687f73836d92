import { Hono } from 'hono';
import { requirePermission, type AppEnv } from '../../core/http';
import type { CollectorStat as StatJson, CollectorSystem } from '../../contract/collector';
import { databaseBytes, hypertables, latestStats, recentStats, type CollectorStat } from '../store/system';
import { instant, type RouteDeps } from './deps';

const statJson = (x: CollectorStat): StatJson => ({ ...x, ts: instant(x.ts) });

/** GET /system — the collector's own statistics (every instance, newest and the last hour), DB size and chunk status. */
export function systemRoutes(d: RouteDeps) {
  const r = new Hono<AppEnv>();
  r.get('/system', requirePermission('read'), async (c) => {
    const now = d.clock();
    const since = now - 3600_000;
    const [latest, recent, bytes, hyper] = await Promise.all([latestStats(d.db, since), recentStats(d.db, since), databaseBytes(d.db), hypertables(d.db)]);
    const e = d.engine();
    const live: CollectorSystem['live'] = e
      ? {
          instance: e.instance,
          targets: e.scheduler.size,
          inFlight: e.scheduler.inFlight,
          queued: e.scheduler.queued,
          lagMs: e.lagQuantiles(),
          bufferDepth: e.writer.depth,
          journalBytes: e.writer.journalBytes,
          databaseDown: e.writer.databaseDown,
          totals: e.writer.totals,
          skipped: { overlap: e.scheduler.counters.skippedOverlap, late: e.scheduler.counters.skippedLate },
        }
      : null;
    const body: CollectorSystem = {
      at: instant(now),
      live,
      instances: latest.map(statJson),
      recent: recent.map(statJson),
      database: {
        backend: d.db.kind,
        bytes,
        hypertables: hyper.map((h) => ({ ...h, oldest: instant(h.oldest), newest: instant(h.newest) })),
      },
    };
    return c.json(body);
  });
  return r;
}
