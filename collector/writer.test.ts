import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { openTestDb, backend, breakableDb } from '../test/helpers/db';
import type { Db } from '../core/db';
import { silentLogger } from '../core/log';
import { Journal } from './journal';
import { ResultWriter, type ResultRow } from './writer';
import { initialState } from './state';

const breakable = breakableDb;

const row = (i: number, targetId = 't1', success = true): ResultRow => ({
  resultId: randomUUID(), ts: Date.UTC(2026, 10, 25, 10, 0, 0) + i * 1000, targetId, moduleId: 'm1', type: 'http', success, durationMs: 12.5, statusCode: 200,
  dnsMs: 0.3, connectMs: 0.4, ttfbMs: 5, transferMs: 1, detail: { i },
});

test(`[${backend}] an outage goes to memory, then the journal, and every result lands exactly once`, async () => {
  const real = await openTestDb();
  const { db, ctl } = breakable(real);
  const dir = mkdtempSync(join(tmpdir(), 'journal-'));
  let clock = 0;
  const w = new ResultWriter({ db, journal: new Journal(dir), log: silentLogger(), clock: () => clock, batchSize: 50, batchAgeMs: 10, bufferSize: 200 });
  try {
    const rows: ResultRow[] = [];
    for (let i = 0; i < 120; i++) rows.push(row(i));
    for (const r of rows.slice(0, 60)) w.push({ k: 'r', r });
    await w.flush();
    ctl.down = true;
    for (const r of rows.slice(60)) w.push({ k: 'r', r });
    const more: ResultRow[] = [];
    for (let i = 120; i < 1000; i++) more.push(row(i));
    for (const r of more) w.push({ k: 'r', r });
    // An incident opened and closed during the outage: the journal must keep the order.
    w.push({ k: 'i', i: { kind: 'open', id: '00000000-0000-4000-8000-000000000001', targetId: 't1', moduleId: 'm1', startedAt: clock, firstErrorCode: 'timeout' } });
    w.push({ k: 'i', i: { kind: 'close', id: '00000000-0000-4000-8000-000000000001', targetId: 't1', moduleId: 'm1', endedAt: clock + 5000 } });
    w.setState({ ...initialState('t1', 0), state: 'up' });
    await w.flush();
    assert.ok(w.databaseDown);
    assert.ok(w.depth <= 200, `memory bounded: ${w.depth}`);
    assert.ok(w.journalBytes > 0, 'the overflow went to the journal');
    assert.ok(readdirSync(dir).some((f) => f.endsWith('.jsonl')));
    ctl.down = false;
    clock += 2000;
    await w.flush();
    assert.not.ok(w.databaseDown);
    assert.is(w.depth, 0);
    assert.is(w.journalBytes, 0);
    assert.equal(readdirSync(dir).filter((f) => f.endsWith('.jsonl')), [], 'replayed segments are deleted');
    const n = await real.query<{ n: number; d: number }>(`SELECT count(*)::int AS n, count(DISTINCT result_id)::int AS d FROM probe_results`);
    assert.is(n.rows[0].n, 1000);
    assert.is(n.rows[0].d, 1000);
    const inc = await real.query<{ ended_at: Date | null }>(`SELECT ended_at FROM incidents`);
    assert.is(inc.rows.length, 1);
    assert.ok(inc.rows[0].ended_at, 'the close after the open');
    const st = await real.query<{ state: string }>(`SELECT state FROM target_state WHERE target_id = 't1'`);
    assert.is(st.rows[0]?.state, 'up');
  } finally {
    await w.stop();
    await real.close();
  }
});

test(`[${backend}] a replayed journal that partly reached the database writes nothing twice`, async () => {
  const real = await openTestDb();
  const dir = mkdtempSync(join(tmpdir(), 'journal-'));
  const rows = Array.from({ length: 30 }, (_, i) => row(i, 't2'));
  const j = new Journal(dir);
  j.append(rows.map((r) => ({ k: 'r', r })));
  j.close();
  // The first 10 were written before the crash.
  const w0 = new ResultWriter({ db: real, journal: new Journal(mkdtempSync(join(tmpdir(), 'j0-'))), log: silentLogger(), clock: () => 0, batchSize: 100, batchAgeMs: 10, bufferSize: 1000 });
  for (const r of rows.slice(0, 10)) w0.push({ k: 'r', r });
  await w0.stop();
  // A restart finds the journal and replays it.
  const w = new ResultWriter({ db: real, journal: new Journal(dir), log: silentLogger(), clock: () => 0, batchSize: 100, batchAgeMs: 10, bufferSize: 1000 });
  try {
    await w.flush();
    const n = await real.query<{ n: number }>(`SELECT count(*)::int AS n FROM probe_results WHERE target_id = 't2'`);
    assert.is(n.rows[0].n, 30);
    assert.is(w.totals.written, 20, 'only the 20 missing rows were inserted');
  } finally {
    await w.stop();
    await real.close();
  }
});

test(`[${backend}] stopping while the database is away journals everything in memory`, async () => {
  const real = await openTestDb();
  const { db, ctl } = breakable(real);
  const dir = mkdtempSync(join(tmpdir(), 'journal-'));
  const w = new ResultWriter({ db, journal: new Journal(dir), log: silentLogger(), clock: () => 0, batchSize: 100, batchAgeMs: 10, bufferSize: 1000 });
  ctl.down = true;
  for (let i = 0; i < 25; i++) w.push({ k: 'r', r: row(i, 't3') });
  await w.stop();
  const j = new Journal(dir);
  const entries = j.closedSegments().flatMap((s) => j.read(s.file));
  assert.is(entries.length, 25);
  await real.close();
});

test('a torn last line of a journal segment is skipped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'journal-'));
  const j = new Journal(dir);
  j.append([{ a: 1 }, { a: 2 }]);
  j.close();
  const { appendFileSync } = await import('node:fs');
  const seg = j.closedSegments()[0];
  appendFileSync(seg.file, '{"a":');
  assert.equal(new Journal(dir).read(seg.file), [{ a: 1 }, { a: 2 }]);
});

test.run();
