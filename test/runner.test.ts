// test/run.mjs preloads test/helpers/before-errors.mjs into each test file: a before hook's error is printed and the
// file exits 1, where uvu alone drops it (the file shows "(0 / N)" and exits 0).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const fixture = 'test/helpers/fixtures/before-fails.ts';
const preload = pathToFileURL(`${root}test/helpers/before-errors.mjs`).href;
const run = (...imports: string[]) => {
  const r = spawnSync(process.execPath, [...imports.flatMap((i) => ['--import', i]), fixture], {
    cwd: root,
    env: { ...process.env, FORCE_COLOR: '0' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout + r.stderr };
};

test('uvu alone drops a before hook error: the file passes none, says nothing of why and exits 0', () => {
  const { code, out } = run('tsx');
  assert.match(out, /Passed:\s+0/);
  assert.not.match(out, /journal\.lock is held/);
  assert.is(code, 0);
});

test('with the runner preload the error is printed, message and stack, and the file exits 1', () => {
  const { code, out } = run('tsx', preload);
  assert.match(out, /\[test\.before\] a before hook failed, so none of this file's tests ran/);
  assert.match(out, /Error: the fixture before hook: data\/journal\.lock is held/);
  assert.match(out, /before-fails\.ts:\d+/);
  assert.match(out, /Passed:\s+0/);
  assert.is(code, 1);
});

test.run();
