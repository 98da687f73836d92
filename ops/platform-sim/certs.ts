import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Test certificates made with the openssl CLI (no hand-written crypto): a simulated bureau root CA, a valid server
 * certificate and one that expires in ~10 days (both signed by the CA), and a self-signed one no CA vouches for.
 * Regenerated at every start so "expires in 10 days" stays true.
 */
export interface SimCert {
  key: string;
  cert: string;
  certFile: string;
}
export interface SimCerts {
  dir: string;
  caFile: string;
  valid: SimCert;
  expiring: SimCert;
  selfSigned: SimCert;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
const SAN = 'subjectAltName=DNS:portal.city.local,DNS:www.city.local,DNS:localhost,IP:127.0.0.1';

function openssl(dir: string, args: string[]) {
  try {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT') throw new Error('platform-sim needs the openssl command to make test certificates: apt-get install openssl');
    throw new Error(`openssl ${args[0]} failed: ${e.stderr?.toString() ?? e.message}`);
  }
}

function signed(dir: string, name: string, days: number, cn: string): SimCert {
  openssl(dir, ['req', '-new', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}/O=City Big Data Bureau (simulated)`]);
  writeFileSync(join(dir, `${name}.ext`), `${SAN}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', String(days), '-extfile', `${name}.ext`, '-out', `${name}.crt`]);
  return read(dir, name);
}

function read(dir: string, name: string): SimCert {
  return { key: readFileSync(join(dir, `${name}.key`), 'utf8'), cert: readFileSync(join(dir, `${name}.crt`), 'utf8'), certFile: join(dir, `${name}.crt`) };
}

export function makeSimCerts(dir?: string, expiringDays = 10): SimCerts {
  if (dir) mkdirSync(dir, { recursive: true });
  const d = dir ?? mkdtempSync(join(tmpdir(), 'platform-sim-certs-'));
  openssl(d, ['req', '-x509', ...EC, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '3650', '-subj', '/CN=City Sim Root CA/O=City Big Data Bureau (simulated)',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  const valid = signed(d, 'valid', 365, 'portal.city.local');
  const expiring = signed(d, 'expiring', expiringDays, 'portal.city.local');
  openssl(d, ['req', '-x509', ...EC, '-keyout', 'selfsigned.key', '-out', 'selfsigned.crt', '-days', '365', '-subj', '/CN=video.city.local/O=Self signed', '-addext', SAN]);
  return { dir: d, caFile: join(d, 'ca.crt'), valid, expiring, selfSigned: read(d, 'selfsigned') };
}
