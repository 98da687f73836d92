import type { Db } from '../../core/db';
import type { Logger } from '../../core/log';
import type { Clock } from '../../core/time';
import type { CallsConfig } from './config';
import { callRoutes } from './routes';
import { startStagingJob } from './staging';
import { syncInterfaceCatalogue } from './store';
import { CallIntake } from './pipeline';
import { toCallRow } from './record';

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
    /** Records handed over in-process (the demo's simulated platform): the same pipeline as the HTTP ingest. */
    async ingest(records: unknown[]) {
      const intake = new CallIntake(d.db, d.config, 'http', { batchRows: 50_000, clock: d.clock });
      for (let i = 0; i < records.length; i++) await intake.add(i + 1, toCallRow(records[i]));
      const s = await intake.finish();
      if (s.rejected) log.warn({ rejected: s.rejected, first: s.errors[0] }, 'simulated call records rejected');
    },
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
