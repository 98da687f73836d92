// The dashboard bundle is built once and read back at later starts while its inputs are unchanged.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleApp, DIST_DIR } from './bundle';

test('built once, then read from dashboard/dist under the same content hash; a stale manifest means a new build', async () => {
  const first = await bundleApp();
  const again = await bundleApp();
  assert.ok(again.cached, 'the second call reads the cached bundle');
  assert.is(again.hash, first.hash);
  assert.is(again.js, first.js);
  assert.match(first.hash, /^[0-9a-f]{16}$/);
  const m = JSON.parse(readFileSync(join(DIST_DIR, 'manifest.json'), 'utf8')) as { inputs: string[] };
  assert.ok(m.inputs.includes('dashboard/src/main.ts') && m.inputs.includes('core/china-time.ts'), 'inputs outside dashboard/src count too');
  // A manifest whose hash no longer matches its inputs (a source changed since) is not trusted.
  writeFileSync(join(DIST_DIR, 'manifest.json'), JSON.stringify({ ...m, hash: '0000000000000000' }));
  const rebuilt = await bundleApp();
  assert.not.ok(rebuilt.cached);
  assert.is(rebuilt.hash, first.hash, 'the same inputs give the same hash');
  assert.ok((await bundleApp()).cached);
});

test.run();
