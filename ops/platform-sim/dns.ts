import dns2 from 'dns2';
import type { Fault } from './faults';

/**
 * The city's internal resolver (dns2, UDP). Names *.city.local answer 127.0.0.1 (AAAA ::1); www.city.local is a
 * CNAME of portal.city.local. Faults on service "dns": dns_changed answers 127.0.0.66 (still loopback: nothing
 * leaves the machine), timeout never answers, 5xx answers SERVFAIL, refused answers REFUSED, latency delays.
 */
export const simZone: Record<string, { A?: string; AAAA?: string; CNAME?: string }> = {
  'portal.city.local': { A: '127.0.0.1', AAAA: '::1' },
  'exchange.city.local': { A: '127.0.0.1' },
  'app.city.local': { A: '127.0.0.1' },
  'approval.city.local': { A: '127.0.0.1' },
  'video.city.local': { A: '127.0.0.1' },
  'www.city.local': { CNAME: 'portal.city.local' },
};
export const CHANGED_ADDRESS = '127.0.0.66';

export interface SimDns {
  port: number;
  close(): Promise<void>;
}

const { Packet } = dns2;

export async function startSimDns(host: string, port: number, fault: (service: string) => Fault): Promise<SimDns> {
  const server = new dns2.UDPServer(async (request, send) => {
    const response = Packet.createResponseFromRequest(request);
    const [q] = request.questions;
    const f = fault('dns');
    if (f.fault === 'timeout') return;
    if (f.fault === 'latency') await new Promise((r) => setTimeout(r, f.ms ?? 1500));
    if (f.fault === '5xx' || f.fault === 'refused') {
      response.header.rcode = f.fault === '5xx' ? 2 : 5; // SERVFAIL / REFUSED
      return void send(response);
    }
    const name = q.name.toLowerCase().replace(/\.$/, '');
    const rec = simZone[name];
    if (!rec) {
      response.header.rcode = 3; // NXDOMAIN
      return void send(response);
    }
    // dns2's types want encoder objects; plain records are what its own examples push and encode fine.
    const answer = (r: Record<string, unknown>) => response.answers.push(r as unknown as (typeof response.answers)[number]);
    const changed = f.fault === 'dns_changed';
    if (q.type === Packet.TYPE.A && rec.A) answer({ name: q.name, type: Packet.TYPE.A, class: Packet.CLASS.IN, ttl: 60, address: changed ? CHANGED_ADDRESS : rec.A });
    if (q.type === Packet.TYPE.AAAA && rec.AAAA) answer({ name: q.name, type: Packet.TYPE.AAAA, class: Packet.CLASS.IN, ttl: 60, address: changed ? '::ffff:127.0.0.66' : rec.AAAA });
    if (rec.CNAME && (q.type === Packet.TYPE.CNAME || q.type === Packet.TYPE.A)) {
      answer({ name: q.name, type: Packet.TYPE.CNAME, class: Packet.CLASS.IN, ttl: 60, domain: changed ? 'evil.city.local' : rec.CNAME });
    }
    send(response);
  });
  server.on('requestError', () => {}); // malformed packets are dropped, not fatal
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.bind(port, host, () => resolve());
  });
  return {
    port: server.address().port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
