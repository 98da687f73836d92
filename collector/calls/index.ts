import type { Db } from '../../core/db';
import type { Logger } from '../../core/log';
import type { Clock } from '../../core/time';
import type { CallsConfig } from './config';
import { callRoutes } from './routes';
import { startStagingJob } from './staging';
import { syncInterfaceCatalogue } from './store';

export { callsConfig, type CallsConfig } from './config';
export { CALL_RAW_TABLE, CALL_ROLLUPS } from './rollups';

/**
 * Interface call monitoring, as the collector mounts it at /api/collector/calls: the ingest and read routes in every
 * process; the catalogue sync and the staging pick-up where the collector role runs (`start`).
 */
export function createCallMonitor(d: { db: Db; log: Logger; clock: Clock; config(): CallsConfig }) {
  const log = d.log.child({ part: 'calls' });
  let job: { stop(): Promise<void> } | undefined;
  return {
    routes: callRoutes({ ...d, log }),
    async start() {
      await syncInterfaceCatalogue(d.db, d.config());
      job = startStagingJob(d.db, log, d.config, d.clock);
    },
    reload: () => syncInterfaceCatalogue(d.db, d.config()).catch((err) => log.error({ err }, 'cannot mirror the interface catalogue after reload')),
    async stop() {
      await job?.stop();
      job = undefined;
    },
  };
}
