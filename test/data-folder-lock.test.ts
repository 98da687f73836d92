// One owner per data folder: a second city-ops, an import or an admin command beside a running server is refused
// with an error naming the folder and the holder, and the server's database stays whole (issue #10).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderInUseError, lockFolder } from '../core/folder-lock';
import { backend, openTestDb } from './helpers/db';
import { ADMIN, instanceFiles, runToEnd, session, startInstance, type Instance } from './helpers/instance';

const root = new URL('..', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'folder-lock-'));
const running: Instance[] = [];
const startTracked = async (...a: Parameters<typeof startInstance>) => {
  const i = await startInstance(...a);
  running.push(i);
  return i;
};

test('a folder has one owner in a process too; two spellings of one folder share the lock; release frees it', () => {
  const dir = join(tmp, 'unit', 'db');
  const first = lockFolder(dir, 'the test folder');
  symlinkSync(join(tmp, 'unit'), join(tmp, 'unit-link'));
  for (const spelling of [dir, join(tmp, 'unit-link', 'db'), `${dir}/`]) {
    try {
      lockFolder(spelling, 'the test folder');
      assert.unreachable(`${spelling} was locked twice`);
    } catch (err) {
      assert.instance(err, FolderInUseError);
      const e = err as FolderInUseError;
      assert.is(e.holder?.pid, process.pid);
      assert.is(e.folder, dir);
      assert.match(e.message, `the test folder ${dir} is in use by pid ${process.pid}`);
      assert.match(e.message, 'stop that process first');
    }
  }
  first.release();
  lockFolder(dir, 'the test folder').release();
});

test('a holder killed with SIGKILL does not block the next owner', async () => {
  const dir = join(tmp, 'crash', 'db');
  const script = join(tmp, 'hold.ts');
  writeFileSync(script, `import { lockFolder } from ${JSON.stringify(join(root, 'core/folder-lock.ts'))};\nlockFolder(process.argv[2], 'x');\nconsole.log('locked');\nsetInterval(() => {}, 1000);\n`);
  const child = spawn(process.execPath, ['--import', 'tsx', script, dir], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((r) => child.stdout.on('data', (d) => String(d).includes('locked') && r()));
  try {
    lockFolder(dir, 'x');
    assert.unreachable('locked beside a live holder');
  } catch (err) {
    assert.is((err as FolderInUseError).holder?.pid, child.pid);
  }
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  lockFolder(dir, 'x').release(); // at once: no waiting for staleness, nothing deleted by hand
});

if (backend === 'embedded') {
  test('[embedded] a second start, an import and an admin command beside a running server are refused; the data survives a crash', async () => {
    const f = instanceFiles(join(tmp, 'embedded'));
    const a = await startTracked(f);
    const api = await session(a.url, ADMIN);
    const made = await api('/api/auth/tokens', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'kept-token', role: 'ops' }) });
    assert.is(made.status, 201);

    const second = await runToEnd(['app/main.ts', '--config', f.config], f.env);
    assert.is(second.code, 1, second.out);
    assert.match(second.out, 'city-ops failed to start:');
    assert.match(second.out, `in use by pid ${a.pid}`);
    assert.match(second.out, f.dataDir); // the journal folder is locked first; both are under the data folder

    writeFileSync(join(f.dir, 'items.csv'), 'itemCode,itemName\n');
    const imp = await runToEnd(['app/cli/import.ts', '--type', 'ITEM', '--file', join(f.dir, 'items.csv'), '--config', f.config], f.env);
    assert.is(imp.code, 1, imp.out);
    assert.match(imp.out, `the embedded database folder ${f.dbDir} is in use by pid ${a.pid}`);
    assert.match(imp.out, '导入失败：数据库正被另一个进程');

    const adm = await runToEnd(['app/admin.ts', 'create-token', '--name', 'x', '--role', 'ops', '--config', f.config], f.env);
    assert.is(adm.code, 1, adm.out);
    assert.match(adm.out, `the embedded database folder ${f.dbDir} is in use by pid ${a.pid}`);

    // The running server never noticed.
    assert.is((await (await fetch(`${a.url}/healthz`)).json()).db, 'up');
    await a.kill();
    const b = await startTracked(f);
    const again = await session(b.url, ADMIN);
    const tokens = (await (await again('/api/auth/tokens')).json()) as { items: { name: string }[] };
    assert.ok(tokens.items.some((t) => t.name === 'kept-token'), 'the token made before the crash is there');
    const audit = (await (await again('/api/auth/audit')).json()) as { items: { action: string }[] };
    assert.ok(audit.items.some((x) => x.action === 'token.create'));
    assert.is(await b.stop(), 0);
    // Stopped cleanly: the folder is free for the admin command now.
    const after = await runToEnd(['app/admin.ts', 'create-token', '--name', 'after', '--role', 'ops', '--config', f.config], f.env);
    assert.is(after.code, 0, after.out);
  });
} else {
  test('[server] two collectors on one data folder: the second is refused naming the journal folder', async () => {
    const db = await openTestDb();
    try {
      const f = instanceFiles(join(tmp, 'server'), db.url);
      const a = await startTracked(f);
      const second = await runToEnd(['app/main.ts', '--config', f.config], f.env);
      assert.is(second.code, 1, second.out);
      assert.match(second.out, `the collector journal folder ${join(f.dataDir, 'journal')} is in use by pid ${a.pid}`);
      // Roles without the collector share the folder (they keep nothing in it), as the service units do on one host.
      const dash = await startTracked(f, ['--role', 'dashboard']);
      const dcode = await dash.stop();
      assert.is(dcode, 0, `signal ${dash.child.signalCode}\n${dash.output().slice(-4000)}`);
      await a.kill();
      const b = await startTracked(f);
      assert.is(await b.stop(), 0);
    } finally {
      await db.close();
    }
  });
}

test.after(async () => {
  for (const i of running) if (i.child.exitCode === null && i.child.signalCode === null) await i.kill();
});

test.run();
