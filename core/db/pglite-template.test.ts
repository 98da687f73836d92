import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openEmbedded } from './pglite';
import { migrate } from './migrate';
import { buildTemplate } from './template-build';
import { defaultTemplatePath, isFreshDataDir } from './pglite-template';

// The embedded database's install-time template (core/db/pglite-template.ts): an empty data folder starts from it
// with every migration already applied; a folder that holds a cluster never does; a broken template falls back to
// initdb. It uses PGlite directly, so it means the same in the server leg of the suite.
const dir = mkdtempSync(join(tmpdir(), 'pglite-template-'));
const template = join(dir, 'template.tar.gz');

test('the template holds the migrated schema; an empty folder starts from it and migrate finds nothing to do', async () => {
  const bytes = await buildTemplate(template);
  assert.ok(bytes > 100_000, `${bytes} bytes`);
  const folder = join(dir, 'a');
  assert.ok(isFreshDataDir(folder));
  const db = await openEmbedded(folder, { template });
  try {
    assert.ok(existsSync(join(folder, 'PG_VERSION')), 'a cluster on disk');
    const tables = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM schema_migrations`);
    assert.ok(Number(tables.rows[0].n) > 10, 'the migrations are in the copy');
    const r = await migrate(db);
    assert.equal(r.applied, [], 'nothing left to apply');
    await db.query(`INSERT INTO modules (id, name) VALUES ('m1', '测试模块')`);
    const ext = await db.query<{ v: string }>(`SELECT extversion AS v FROM pg_extension WHERE extname = 'timescaledb'`);
    assert.is(ext.rows.length, 1, 'TimescaleDB is there');
  } finally {
    await db.close();
  }
  // Reopened: the folder is not fresh, the template is not used, the row is still there.
  assert.not.ok(isFreshDataDir(folder));
  const again = await openEmbedded(folder, { template });
  try {
    assert.is((await again.query(`SELECT name FROM modules WHERE id = 'm1'`)).rows.length, 1);
  } finally {
    await again.close();
  }
});

test('a broken template: the folder is initialised the slow way and works', async () => {
  const broken = join(dir, 'broken.tar.gz');
  writeFileSync(broken, 'not a tar');
  const folder = join(dir, 'b');
  const db = await openEmbedded(folder, { template: broken });
  try {
    const r = await migrate(db);
    assert.ok(r.applied.length > 10, 'migrated from scratch');
  } finally {
    await db.close();
  }
});

test('the default path names the PGlite version and the migrations', () => {
  assert.match(defaultTemplatePath(), /node_modules\/\.cache\/city-ops\/pglite-[0-9A-Za-z._-]+-[0-9a-f]{16}\.tar\.gz$/);
  const other = mkdtempSync(join(tmpdir(), 'sql-'));
  writeFileSync(join(other, '001_x.sql'), 'SELECT 1;');
  assert.is.not(defaultTemplatePath(other), defaultTemplatePath(), 'other migrations, another template');
});

test.run();
