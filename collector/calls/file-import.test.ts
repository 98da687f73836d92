import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callsConfig } from './config';
import { importCallFile, type CallFileProgress } from './file-import';
import { openTestDb } from '../../test/helpers/db';
import { toGbk } from '../../test/helpers/gbk';
import { migrate } from '../../core/db/migrate';

const db = await openTestDb();
await migrate(db);
const dir = mkdtempSync(join(tmpdir(), 'calls-import-'));
const config = callsConfig.parse({});
const count = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM call_records')).rows[0].n;

const header = '时间,接口编码,调用部门,调用系统,调用方标识,状态码,耗时(毫秒),返回记录数,字节数,记录编号';
const rows = (n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => `2026-11-24 09:${String(i % 60).padStart(2, '0')}:00,RK001,市公安局,警务云,u${i},${i % 5 ? 200 : 503},${10 + i},3,1200,${prefix}-${i}`);

test('GBK CSV with Chinese headers: streamed in batches with progress, bad rows reported by line, re-import counts nothing twice', async () => {
  const file = join(dir, 'gbk.csv');
  const lines = [header, ...rows(250, 'g')];
  lines.splice(5, 0, '2026-11-24 09:00:00,,市公安局,警务云,u,200,10,3,1200,bad-1'); // line 6 of the file: no interface
  writeFileSync(file, toGbk(lines.join('\r\n') + '\r\n'));
  const progress: CallFileProgress[] = [];
  const s = await importCallFile({ db, config, file, batchRows: 100, onProgress: (p) => progress.push(p) });
  assert.equal({ lines: s.lines, inserted: s.inserted, rejected: s.rejected }, { lines: 251, inserted: 250, rejected: 1 });
  assert.is(s.errors[0].line, 6);
  assert.match(s.errors[0].message, /interface/);
  assert.ok(progress.length >= 3, 'a progress report per committed batch');
  assert.is(progress.at(-1)!.bytes, progress.at(-1)!.totalBytes);
  const dept = await db.query<{ caller_dept: string; ts: Date }>(`SELECT caller_dept, ts FROM call_records WHERE dedupe_key = 'id:市公安局:g-0'`);
  assert.is(dept.rows[0].caller_dept, '市公安局');
  assert.is(new Date(dept.rows[0].ts).toISOString(), '2026-11-24T01:00:00.000Z', 'wall-clock times are Beijing time');
  const again = await importCallFile({ db, config, file });
  assert.is(again.inserted, 0);
  assert.is(again.duplicates, 250);
  assert.is(await count(), 250);
});

test('UTF-8 with BOM CSV and JSONL', async () => {
  const csv = join(dir, 'bom.csv');
  writeFileSync(csv, '\ufeff' + [header, ...rows(10, 'u')].join('\n'));
  assert.is((await importCallFile({ db, config, file: csv })).inserted, 10);
  const jsonl = join(dir, 'calls.jsonl');
  writeFileSync(jsonl, [
    JSON.stringify({ time: '2026-11-24T09:00:00+08:00', interface: 'FR001', callerDept: '市民政局', status: 200, latencyMs: 12, id: 'j-1' }),
    'oops',
    JSON.stringify({ time: '2026-11-24T09:00:01+08:00', interface: 'FR001', callerDept: '市民政局', status: 200, latencyMs: 13, id: 'j-2' }),
  ].join('\n'));
  const s = await importCallFile({ db, config, file: jsonl });
  assert.equal({ inserted: s.inserted, rejected: s.rejected, line: s.errors[0].line }, { inserted: 2, rejected: 1, line: 2 });
});

test('a CSV without the 接口编码 column is refused with the columns it expects', async () => {
  const file = join(dir, 'wrong.csv');
  writeFileSync(file, '姓名,电话\n张三,123\n');
  try {
    await importCallFile({ db, config, file });
    assert.unreachable();
  } catch (err) {
    assert.match((err as Error).message, /接口编码/);
  }
});

test.after(() => db.close());
test.run();
