// The platform simulator as a process: `npx tsx ops/platform-sim/main.ts [--port 18000] [--dns-port 5353] [--cert-dir DIR]`.
// Prints the service URLs as JSON; switch faults with
//   curl -X POST http://127.0.0.1:18000/__sim/fault -d '{"service":"portal","fault":"tampered"}'
import { parseArgs } from 'node:util';
import { startPlatformSim } from './sim';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '18000' }, 'dns-port': { type: 'string' }, 'cert-dir': { type: 'string' }, host: { type: 'string', default: '127.0.0.1' } },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_000) {
  console.error(`--port must be a port number (got "${values.port}"); the services take the next 13 ports`);
  process.exit(2);
}
if (values.host !== '127.0.0.1' && values.host !== 'localhost') {
  console.error('--host: the simulator only listens on 127.0.0.1');
  process.exit(2);
}
const sim = await startPlatformSim({ port, dnsPort: values['dns-port'] ? Number(values['dns-port']) : undefined, certDir: values['cert-dir'] });
console.log(JSON.stringify({ urls: sim.urls, ports: sim.ports, caFile: sim.caFile }, null, 2));
const stop = async () => {
  await sim.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
