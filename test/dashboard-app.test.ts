import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../app/config';
import { startSystem } from '../app/system';
import { openTestDb } from './helpers/db';

// The dashboard area without a browser: the page, its settings, the bundles, and the switches of `dashboard:`.
const db = await openTestDb();
const yaml = (extra: string) => parseConfig(`log: { level: silent }
faro:
  apps: [{ name: dashboard, key: dash-key-0123456789abcdef }]
${extra}`);

const sys = await startSystem({ config: yaml('dashboard: { faroApp: dashboard, title: 测试监测, refreshSeconds: 15 }'), db, roles: ['dashboard'], listen: false });

test('GET / serves the zh-CN page with its settings, including the Faro app for self-instrumentation', async () => {
  const res = await sys.app.request('/');
  assert.is(res.status, 200);
  const html = await res.text();
  assert.ok(html.includes('<html lang="zh-CN">'));
  assert.ok(html.includes('<title>测试监测</title>'));
  const settings = JSON.parse(/<script type="application\/json" id="settings">(.*)<\/script>/.exec(html)![1]);
  assert.equal(settings.faro, { url: '/api/collector/faro/collect', apiKey: 'dash-key-0123456789abcdef', app: 'dashboard' });
  assert.is(settings.refreshSeconds, 15);
});

test('the bundles are built in memory and served with long caching; other asset names are 404', async () => {
  const html = await (await sys.app.request('/')).text();
  const js = /src="(\/assets\/app\.[0-9a-z]+\.js)"/.exec(html)![1];
  const css = /href="(\/assets\/app\.[0-9a-z]+\.css)"/.exec(html)![1];
  const r = await sys.app.request(js);
  assert.is(r.status, 200);
  assert.ok(r.headers.get('content-type')!.startsWith('text/javascript'));
  assert.ok(r.headers.get('cache-control')!.includes('immutable'));
  const body = await r.text();
  assert.ok(body.length > 500_000, 'ECharts and the Faro SDK are bundled');
  assert.ok(body.includes('getInstanceByDom'));
  assert.ok((await (await sys.app.request(css)).text()).includes('.tiles'));
  assert.is((await sys.app.request('/assets/../../etc/passwd')).status, 404);
  assert.is((await sys.app.request('/assets/other.js')).status, 404);
});

test('without faroApp the page does not instrument itself; enabled: false hides the dashboard', async () => {
  const s2 = await startSystem({ config: yaml('dashboard: { enabled: false }'), db, roles: ['dashboard'], listen: false });
  assert.is((await s2.app.request('/')).status, 404);
  await s2.stop();
  const s3 = await startSystem({ config: yaml(''), db, roles: ['dashboard'], listen: false });
  const html = await (await s3.app.request('/')).text();
  assert.ok(html.includes('"faro":null'));
  await s3.stop();
});

test('a faroApp that names no faro app is refused at start with the path and the fix', async () => {
  try {
    await startSystem({ config: yaml('dashboard: { faroApp: nosuch }'), db, roles: ['dashboard'], listen: false });
    assert.unreachable('should refuse');
  } catch (err) {
    assert.match((err as Error).message, /dashboard\.faroApp: no app named "nosuch" in faro\.apps/);
  }
});

test.after(async () => {
  await sys.stop();
  await db.close();
});
test.run();
