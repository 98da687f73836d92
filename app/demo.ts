/**
 * The demo wiring: the bundled simulators of the city platform and of the provincial gateway (ops/), handed to the
 * collector and the reporter as plain interfaces. Production code reaches a simulator only through here, and only
 * when the configuration asks for it (collector.demoSimulator, reporter.demoSimulator): they load on first use.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Logger } from '../core/log';
import type { CollectorDemo } from '../collector';
import type { ReporterDemo } from '../reporter';

export function collectorDemo(dataDir: string, log: Logger): CollectorDemo {
  return {
    async start(config, sinks) {
      const { startPlatformSim, simServices, faultKinds } = await import('../ops/platform-sim/sim');
      const { startCallStream } = await import('../ops/platform-sim/calls');
      // Certificates in a fixed folder, so the demo's TLS targets can name the simulator's CA file.
      const certDir = resolve(dataDir, 'platform-sim-certs');
      mkdirSync(certDir, { recursive: true });
      const platform = await startPlatformSim({ port: config.demoSimulatorPort, certDir });
      try {
        for (const f of config.demoFaults) {
          if (!(simServices as readonly string[]).includes(f.service) || !(faultKinds as readonly string[]).includes(f.fault)) {
            throw new Error(`collector.demoFaults: unknown service "${f.service}" or fault "${f.fault}" (services: ${simServices.join(', ')}; faults: ${faultKinds.join(', ')})`);
          }
          await platform.setFault(f.service as (typeof simServices)[number], f.fault as (typeof faultKinds)[number], f.ms);
        }
      } catch (err) {
        await platform.stop();
        throw err;
      }
      // The platform's call log: a day back-filled, then live, with errors where a fault is on and one bulk pull.
      // It begins once the process serves: the back-fill is a day of records, seconds of the (embedded: this
      // thread's) database that would otherwise come before the first /healthz.
      let stream: ReturnType<typeof startCallStream> | undefined;
      let stopped = false;
      log.info({ port: config.demoSimulatorPort }, 'platform simulator started for the demo');
      return {
        serving() {
          if (stream || stopped) return;
          stream = startCallStream({
            sink: sinks.calls,
            failing: (s) => ['5xx', 'timeout', 'refused'].includes(platform.faults()[s]?.fault ?? 'none'),
            onError: (err) => log.warn({ err }, 'simulated call records not stored'),
          });
        },
        async stop() {
          stopped = true;
          await stream?.stop();
          await platform.stop();
        },
      };
    },
  };
}

export function reporterDemo(dataDir: string): ReporterDemo {
  return {
    async start(o) {
      const { startProvinceSim } = await import('../ops/province-sim/server');
      const sim = await startProvinceSim({ ...o, snapshotFile: `${dataDir}/province-sim.json`, snapshotEveryMs: 10_000 });
      return { url: sim.url, batchIds: () => [...sim.store.batches.keys()], reset: () => sim.reset(), stop: () => sim.stop() };
    },
  };
}
