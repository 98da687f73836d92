import { spawn } from 'node:child_process';
import net from 'node:net';
import { Resolver } from 'node:dns/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startPlatformSim, type PlatformSim } from './sim';

let sim: PlatformSim;

test.before(async () => {
  sim = await startPlatformSim();
});
test.after(async () => {
  await sim.stop();
});
test.before.each(async () => {
  for (const s of ['exchange', 'portal', 'app', 'population', 'dns'] as const) await sim.setFault(s, 'none');
});

const getJson = async (url: string) => {
  const r = await fetch(url);
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
};
const refusedOrReset = (url: string) =>
  fetch(url).then(
    () => 'answered',
    (e: Error & { cause?: { code?: string } }) => e.cause?.code ?? e.message,
  );

test('every platform module answers healthy JSON with a status field, on its own port', async () => {
  for (const key of ['exchangeStatus', 'exchangeDatasets', 'populationHealth', 'populationQuery', 'legalHealth', 'legalQuery', 'licenseHealth', 'govHealth', 'approvalHealth', 'appHealth']) {
    const { status, body } = await getJson(sim.urls[key]);
    assert.is(status, 200, key);
    assert.is(body.status, 'ok', key);
  }
  const q = await getJson(sim.urls.populationQuery);
  assert.not.match(JSON.stringify(q.body), /\d{17}[\dX]/, 'no unmasked ID number');
});

test('the admin server routes every module by path too', async () => {
  assert.is((await getJson(`${sim.urls.admin}/gov/approval/health`)).body.service, '并联审批');
  assert.is((await getJson(`${sim.urls.admin}/app/api/health`)).body.service, '市民App后端');
  assert.is((await fetch(`${sim.urls.admin}/nowhere`)).status, 404);
});

test('the portal carries a fresh nonce, token, time and counter on every request', async () => {
  const a = await (await fetch(sim.urls.portal)).text();
  const b = await (await fetch(sim.urls.portal)).text();
  assert.match(a, '某市人民政府门户网站');
  assert.match(a, /nonce="[^"]+"/);
  assert.is.not(a, b);
});

test('fault API over HTTP: 5xx, list, back to none; bad input is a 400 with the fix', async () => {
  const post = (body: unknown) => fetch(`${sim.urls.admin}/__sim/fault`, { method: 'POST', body: JSON.stringify(body) });
  assert.is((await post({ service: 'exchange', fault: '5xx' })).status, 200);
  assert.is((await fetch(sim.urls.exchangeStatus)).status, 503);
  assert.equal(await (await fetch(`${sim.urls.admin}/__sim/faults`)).json(), { exchange: { fault: '5xx' } });
  await post({ service: 'exchange', fault: 'none' });
  assert.is((await fetch(sim.urls.exchangeStatus)).status, 200);
  const bad = await post({ service: 'exchange', fault: 'explode' });
  assert.is(bad.status, 400);
  assert.match(((await bad.json()) as { error: string }).error, 'unknown fault "explode"');
  assert.is((await post({ service: 'mainframe', fault: '5xx' })).status, 400);
});

test('latency delays, degraded flips the status, tampered defaces the portal', async () => {
  await sim.setFault('app', 'latency', 200);
  const t0 = Date.now();
  await fetch(sim.urls.appHealth);
  assert.ok(Date.now() - t0 >= 190);
  await sim.setFault('population', 'degraded');
  assert.is((await getJson(sim.urls.populationHealth)).body.status, 'degraded');
  await sim.setFault('portal', 'tampered');
  assert.match(await (await fetch(sim.urls.portal)).text(), 'Hacked by 黑客');
});

test('timeout: the request is accepted and never answered', async () => {
  await sim.setFault('app', 'timeout');
  const r = await fetch(sim.urls.appHealth, { signal: AbortSignal.timeout(200) }).then(
    () => 'answered',
    (e: Error) => e.name,
  );
  assert.is(r, 'TimeoutError');
});

test('refused closes the module port and reopens the same port; the shared server resets instead', async () => {
  await sim.setFault('app', 'refused');
  assert.is(await refusedOrReset(sim.urls.appHealth), 'ECONNREFUSED');
  assert.is(await refusedOrReset(`${sim.urls.admin}/app/api/health`), 'UND_ERR_SOCKET');
  await sim.setFault('app', 'none');
  assert.is((await fetch(sim.urls.appHealth)).status, 200);
});

test('video signalling banner; DNS answers and changed answers', async () => {
  const banner = await new Promise<string>((resolve, reject) => {
    const s = net.connect(sim.ports.video, '127.0.0.1');
    s.setEncoding('utf8');
    s.once('data', (d: string) => {
      s.destroy();
      resolve(d);
    });
    s.once('error', reject);
  });
  assert.match(banner, 'READY');
  const r = new Resolver();
  r.setServers([sim.urls.dns]);
  assert.equal(await r.resolve4('portal.city.local'), ['127.0.0.1']);
  await sim.setFault('dns', 'dns_changed');
  assert.equal(await r.resolve4('portal.city.local'), ['127.0.0.66']);
});

test('CLI prints its URLs and serves them', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'ops/platform-sim/main.ts', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let out = '';
    const info = await new Promise<{ urls: Record<string, string> }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no output: ${out}`)), 20_000);
      child.stdout.on('data', (d) => {
        out += d;
        try {
          resolve(JSON.parse(out));
          clearTimeout(timer);
        } catch {
          /* not complete yet */
        }
      });
    });
    assert.is((await getJson(info.urls.govHealth)).body.status, 'ok');
  } finally {
    child.kill('SIGTERM');
  }
});

test('stop() closes every port', async () => {
  const other = await startPlatformSim();
  const url = other.urls.exchangeStatus;
  assert.is((await fetch(url)).status, 200);
  await other.stop();
  assert.is(await refusedOrReset(url), 'ECONNREFUSED');
});

test.run();
