import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSimCerts, type SimCerts } from './certs';
import { faultKinds, type Fault, type FaultKind } from './faults';
export { faultKinds, type Fault, type FaultKind } from './faults';
import { startSimDns, type SimDns } from './dns';
import { answer, httpServices, serviceOfPath, type HttpServiceName } from './services';

/**
 * The simulated city platform on 127.0.0.1: each module on its own port (so a "refused" fault can close exactly its
 * listener), an admin server that also routes every module by path, a TCP signalling port, three HTTPS servers
 * (valid, expiring in ~10 days, self-signed) and a DNS resolver. Faults are switched at run time.
 */
export const simServices = [...httpServices, 'video', 'https-valid', 'https-expiring', 'https-selfsigned', 'dns'] as const;
export type SimService = (typeof simServices)[number];


export interface PlatformSimOptions {
  host?: string;
  /** The admin + shared server; 0 = ephemeral. With a fixed port, the services take the next ports (port+1, ...). */
  port?: number;
  /** DNS resolver port; default port+13 with a fixed port, else ephemeral. */
  dnsPort?: number;
  /** Where to write the certificates (default: <tmp>/platform-sim-<port> with a fixed port, else a fresh temporary directory). */
  certDir?: string;
}

export interface PlatformSim {
  urls: Record<string, string>;
  ports: Record<SimService | 'admin', number>;
  caFile: string;
  certs: SimCerts;
  setFault(service: SimService, fault: FaultKind, ms?: number): Promise<void>;
  faults(): Record<string, Fault>;
  stop(): Promise<void>;
}

type Listener = { server: net.Server; port: number; open: boolean };

function listen(server: net.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    // Keep-alive and hung ("timeout" fault) connections would keep close() waiting and the probes connected.
    if ('closeAllConnections' in server) (server as http.Server).closeAllConnections();
    else (server as net.Server & { sockets?: Set<net.Socket> }).sockets?.forEach((s) => s.destroy());
  });
}

export async function startPlatformSim(opts: PlatformSimOptions = {}): Promise<PlatformSim> {
  const host = opts.host ?? '127.0.0.1';
  const base = opts.port ?? 0;
  const at = (i: number) => (base === 0 ? 0 : base + i);
  const faults = new Map<string, Fault>();
  const fault = (s: string): Fault => faults.get(s) ?? { fault: 'none' };
  // With a fixed port the CA file has a fixed path too (/tmp/platform-sim-18000/ca.crt), so demo configs can name it.
  const certs = makeSimCerts(opts.certDir ?? (base ? join(tmpdir(), `platform-sim-${base}`) : undefined));

  // One handler for every HTTP(S) server: `own` is the fault key of the listener (its service or https-*).
  const handle = (own: string | undefined) => async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    const service = serviceOfPath(path);
    if (!service) {
      res.writeHead(404, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ status: 'error', message: `未知路径 ${path}` }));
    }
    const f = own && own !== service && fault(own).fault !== 'none' ? fault(own) : fault(service);
    if (f.fault === 'timeout') return; // never answer; closeAllConnections() ends it at stop
    if (f.fault === 'refused') return void req.socket.destroy(); // on the shared server the port stays open: a reset
    if (f.fault === 'latency') await new Promise((r) => setTimeout(r, f.ms ?? 1500));
    if (res.destroyed) return;
    if (f.fault === '5xx') {
      res.writeHead(503, { 'content-type': 'application/json; charset=utf-8' });
      return void res.end(JSON.stringify({ status: 'error', message: '服务不可用 (模拟故障)' }));
    }
    answer(service, req, res, { tampered: f.fault === 'tampered', degraded: f.fault === 'degraded' });
  };

  const listeners = new Map<string, Listener>();
  const servers: net.Server[] = [];
  async function add(name: string, server: net.Server, port: number) {
    servers.push(server);
    listeners.set(name, { server, port: await listen(server, port, host), open: true });
  }

  // The admin server routes every module by path and owns the fault API.
  const admin = http.createServer((req, res) => {
    if (req.url?.startsWith('/__sim/')) return adminApi(req, res);
    void handle(undefined)(req, res);
  });
  await add('admin', admin, base);
  let i = 1;
  for (const s of httpServices) await add(s, http.createServer(handle(s)), at(i++));
  await add('video', videoServer(fault), at(i++));
  for (const [name, c] of [['https-valid', certs.valid], ['https-expiring', certs.expiring], ['https-selfsigned', certs.selfSigned]] as const) {
    await add(name, https.createServer({ key: c.key, cert: c.cert }, handle(name)), at(i++));
  }
  const dns: SimDns = await startSimDns(host, opts.dnsPort ?? at(i++), (s) => fault(s));

  async function setFault(service: SimService, kind: FaultKind, ms?: number) {
    if (!(simServices as readonly string[]).includes(service)) throw new Error(`unknown service "${service}"; one of ${simServices.join(', ')}`);
    if (!(faultKinds as readonly string[]).includes(kind)) throw new Error(`unknown fault "${kind}"; one of ${faultKinds.join(', ')}`);
    if (kind === 'none') faults.delete(service);
    else faults.set(service, { fault: kind, ms });
    const l = listeners.get(service);
    if (!l) return;
    if (kind === 'refused' && l.open) {
      l.open = false;
      await closeServer(l.server);
    } else if (kind !== 'refused' && !l.open) {
      l.open = true;
      await listen(l.server, l.port, host);
    }
  }

  function adminApi(req: IncomingMessage, res: ServerResponse) {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && req.url === '/__sim/faults') return send(200, Object.fromEntries(faults));
    if (req.method === 'GET' && req.url === '/__sim/urls') return send(200, { urls: sim.urls, ports: sim.ports, caFile: certs.caFile });
    if (req.method !== 'POST' || req.url !== '/__sim/fault') return send(404, { error: 'POST /__sim/fault, GET /__sim/faults, GET /__sim/urls' });
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (text += c));
    req.on('end', async () => {
      try {
        const body = JSON.parse(text || '{}') as { service?: SimService; fault?: FaultKind; ms?: number };
        await setFault(body.service as SimService, (body.fault ?? 'none') as FaultKind, body.ms);
        send(200, { ok: true, faults: Object.fromEntries(faults) });
      } catch (err) {
        send(400, { error: (err as Error).message, example: { service: 'portal', fault: 'tampered' } });
      }
    });
  }

  const ports = Object.fromEntries([...listeners].map(([k, l]) => [k, l.port])) as Record<SimService | 'admin', number>;
  ports.dns = dns.port;
  const h = (s: string, path = '') => `http://${host}:${ports[s as SimService]}${path}`;
  const urls: Record<string, string> = {
    admin: h('admin'),
    exchangeStatus: h('exchange', '/exchange/api/v1/status'),
    exchangeDatasets: h('exchange', '/exchange/api/v1/datasets'),
    exchangeSecure: h('exchange', '/exchange/api/v1/secure'),
    exchangeEcho: h('exchange', '/exchange/api/v1/echo'),
    populationHealth: h('population', '/population/api/v1/health'),
    populationQuery: h('population', '/population/api/v1/query'),
    legalHealth: h('legal', '/legal/api/v1/health'),
    legalQuery: h('legal', '/legal/api/v1/query'),
    licenseHealth: h('license', '/license/api/v1/health'),
    govHealth: h('gov', '/gov/api/health'),
    approvalHealth: h('approval', '/gov/approval/health'),
    appHealth: h('app', '/app/api/health'),
    portal: h('portal', '/portal/index.html'),
    portalRoot: h('portal', '/'),
    portalLoop: h('portal', '/portal/loop'),
    httpsValid: `https://${host}:${ports['https-valid']}/app/api/health`,
    httpsExpiring: `https://${host}:${ports['https-expiring']}/app/api/health`,
    httpsSelfSigned: `https://${host}:${ports['https-selfsigned']}/app/api/health`,
    video: `tcp://${host}:${ports.video}`,
    dns: `${host}:${dns.port}`,
  };
  const sim: PlatformSim = {
    urls,
    ports,
    caFile: certs.caFile,
    certs,
    setFault,
    faults: () => Object.fromEntries(faults),
    async stop() {
      await Promise.all(servers.map(closeServer));
      await dns.close();
    },
  };
  return sim;
}

/** 视频会议信令: a banner on connect, PONG to PING. Faults: latency delays the banner, timeout stays silent, 5xx errs. */
function videoServer(fault: (s: string) => Fault): net.Server {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const f = fault('video');
    if (f.fault === 'timeout') return;
    const greet = () => {
      if (socket.destroyed) return;
      socket.write(f.fault === '5xx' ? 'VCS-SIGNAL/1.0 503 OVERLOADED\r\n' : 'VCS-SIGNAL/1.0 200 READY city-video-conf\r\n');
      if (f.fault === '5xx') socket.end();
    };
    if (f.fault === 'latency') setTimeout(greet, f.ms ?? 1500);
    else greet();
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      if (d.includes('PING')) socket.write('PONG\r\n');
    });
  });
  (server as net.Server & { sockets: Set<net.Socket> }).sockets = sockets;
  return server;
}
