#!/usr/bin/env node
// The local provincial gateway simulator: npx tsx ops/province-sim/main.ts [--port 8790] [--app-key K] [--snapshot FILE]
// The app secret comes from PROVINCE_SIM_SECRET (or --secret-file); never from the command line, which `ps` shows.
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { startProvinceSim } from './server';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8790' },
    host: { type: 'string', default: '127.0.0.1' },
    'app-key': { type: 'string', default: 'city-370700' },
    'secret-file': { type: 'string' },
    snapshot: { type: 'string' },
    faults: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log('usage: npx tsx ops/province-sim/main.ts [--port 8790] [--app-key KEY] [--secret-file FILE] [--snapshot FILE] [--faults \'{"error503":0.2}\']\n  secret: PROVINCE_SIM_SECRET or --secret-file (demo default: demo-secret-370700)');
  process.exit(0);
}
if (values.host !== '127.0.0.1' && values.host !== 'localhost' && values.host !== '::1') {
  console.error('province-sim listens on loopback only (--host 127.0.0.1)');
  process.exit(2);
}
const appSecret = values['secret-file'] ? readFileSync(values['secret-file'], 'utf8').trim() : (process.env.PROVINCE_SIM_SECRET ?? 'demo-secret-370700');
const sim = await startProvinceSim({
  port: Number(values.port), host: values.host, appKey: values['app-key']!, appSecret,
  snapshotFile: values.snapshot, snapshotEveryMs: values.snapshot ? 5_000 : undefined,
  faults: values.faults ? JSON.parse(values.faults) : undefined, log: (m) => console.error(m),
});
console.log(`province-sim (contract v1) listening on ${sim.url}  app key ${values['app-key']}  faults: POST ${sim.url}/__sim/faults`);
const stop = async () => {
  await sim.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
