import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { openTestDb, backend, breakableDb } from '../test/helpers/db';
import type { Db } from '../core/db';
import { silentLogger } from '../core/log';
import { applyPolicies, runMaintenance } from '../core/db/jobs';
import { LATE_RESULT_MS } from './rollups';
import { JOB_TABLES } from '../app/areas';
import { manualClock } from '../core/time';
import { Journal } from './journal';
import { ResultWriter, type ResultRow } from './writer';
import { initialState } from './state';
import { until } from '../test/helpers/until';

const breakable = breakableDb;

const row = (i: number, targetId = 't1', success = true): ResultRow => ({
  resultId: randomUUID(), ts: Date.UTC(2026, 10, 25, 10, 0, 0) + i * 1000, targetId, moduleId: 'm1', type: 'http', success, durationMs: 12.5, statusCode: 200,
  resolveMs: 0.3, connectMs: 0.4, processingMs: 5, transferMs: 1, detail: { i },
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

// Late results and the rollups. The clock is the test's (manual), anchored at the real time because the refresh
// policies and retention of the database go by its own now(); results are timestamped in the past instead of waiting.
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const RETENTION = { raw: 30 * DAY, oneMinute: 180 * DAY, oneHour: 3 * 365 * DAY, compressAfter: 7 * DAY };
const at = (ts: number, targetId: string, i = 0): ResultRow => ({ ...row(0, targetId, i % 5 !== 0), ts, detail: null });
async function rolledUp(db: Db, targetId: string) {
  const q = async (view: string) =>
    (await db.query<{ n: number }>(`SELECT coalesce(sum(n), 0)::int AS n FROM ${view} WHERE target_id = $1`, [targetId])).rows[0].n;
  return { raw: (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM probe_results WHERE target_id = $1`, [targetId])).rows[0].n, m1: await q('probe_results_1m'), h1: await q('probe_results_1h') };
}
const invalidations = async (db: Db) => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM rollup_invalidations`)).rows[0].n;

test(`[${backend}] results written later than the refresh windows reach the 1-minute and 1-hour rollups`, async () => {
  const db = await openTestDb();
  const clock = manualClock(Date.now());
  const w = new ResultWriter({ db, journal: new Journal(mkdtempSync(join(tmpdir(), 'journal-'))), log: silentLogger(), clock, batchSize: 100, batchAgeMs: 10, bufferSize: 1000 });
  try {
    await applyPolicies(db, RETENTION, JOB_TABLES);
    // On time: the hot path records nothing.
    for (let i = 0; i < 20; i++) w.push({ k: 'r', r: at(clock() - LATE_RESULT_MS + 60_000 + i * 10_000, 'ontime', i) });
    await w.flush();
    assert.is(await invalidations(db), 0, 'no invalidation for results on time');
    await runMaintenance(db, silentLogger(), RETENTION, JOB_TABLES, { force: true, now: new Date(clock()) });
    assert.equal(await rolledUp(db, 'ontime'), { raw: 20, m1: 20, h1: 20 });
    // Three hours late (behind the Apache refresh's 10 min / 2 h look-back and the 1-minute policy's 2 hours) and
    // four days late (behind the 1-hour policy's 3 days), through the writer's normal path.
    clock.advance('1m');
    for (let i = 0; i < 12; i++) w.push({ k: 'r', r: at(clock() - 3 * HOUR + i * 5_000, 'late', i) });
    for (let i = 0; i < 12; i++) w.push({ k: 'r', r: at(clock() - 4 * DAY + i * 5_000, 'late', i) });
    await w.flush();
    assert.is(await invalidations(db), 1, 'one batch, one range');
    await runMaintenance(db, silentLogger(), RETENTION, JOB_TABLES, { force: true, now: new Date(clock()) });
    assert.equal(await rolledUp(db, 'late'), { raw: 24, m1: 24, h1: 24 }, 'late results in both rollups');
    assert.equal(await rolledUp(db, 'ontime'), { raw: 20, m1: 20, h1: 20 }, 'nothing counted twice');
    const ok = await db.query<{ ok: number }>(`SELECT sum(ok)::int AS ok FROM probe_results_1h WHERE target_id = 'late'`);
    assert.is(ok.rows[0].ok, 18, 'successes re-aggregated too (every fifth failed)');
    assert.is(await invalidations(db), 0, 'handled ranges are deleted');
  } finally {
    await w.stop();
    await db.close();
  }
});

test(`[${backend}] a journal replayed after a three-hour outage reaches the rollups`, async () => {
  const real = await openTestDb();
  const { db, ctl } = breakable(real);
  const dir = mkdtempSync(join(tmpdir(), 'journal-'));
  const now = Date.now();
  const clock = manualClock(now - 3 * HOUR);
  const w = new ResultWriter({ db, journal: new Journal(dir), log: silentLogger(), clock, batchSize: 10, batchAgeMs: 10, bufferSize: 20 });
  try {
    await applyPolicies(real, RETENTION, JOB_TABLES);
    // The database goes away three hours ago: 60 results, of which all but the last ~10 spill into the journal.
    ctl.down = true;
    for (let i = 0; i < 60; i++) {
      w.push({ k: 'r', r: at(clock(), 'replayed', i) });
      clock.advance(1_000);
      if (i % 10 === 9) await w.flush();
    }
    assert.ok(w.journalBytes > 0, 'the overflow went to the journal');
    // The rollups move on meanwhile (another collector's results, and maintenance, on the real database).
    clock.set(now);
    await real.insertMany('probe_results', ['ts', 'result_id', 'target_id', 'module_id', 'type', 'success', 'duration_ms'],
      Array.from({ length: 5 }, (_, i) => [new Date(now - 10 * 60_000 + i * 60_000), randomUUID(), 'other', 'm1', 'http', true, 10]));
    await runMaintenance(real, silentLogger(), RETENTION, JOB_TABLES, { force: true, now: new Date(clock()) });
    assert.equal(await rolledUp(real, 'replayed'), { raw: 0, m1: 0, h1: 0 });
    // The database is back: journal first, then memory; both are three hours late.
    ctl.down = false;
    clock.advance('1m');
    await w.flush();
    assert.is(w.journalBytes, 0);
    assert.is(w.depth, 0);
    assert.ok(w.totals.replayed > 0, 'the journal was replayed');
    await runMaintenance(real, silentLogger(), RETENTION, JOB_TABLES, { force: true, now: new Date(clock()) });
    assert.equal(await rolledUp(real, 'replayed'), { raw: 60, m1: 60, h1: 60 });
  } finally {
    await w.stop();
    await real.close();
  }
});

// The journal upgrade case: rows the earlier writer stored (multi-row VALUES, a Date per ts) must meet the same
// (result_id, ts) key when a journal written by it is replayed through the column arrays, on time and late alike.
const OLD_COLS = ['ts', 'result_id', 'target_id', 'module_id', 'type', 'success', 'duration_ms', 'status_code', 'resolve_ms', 'connect_ms', 'tls_ms', 'processing_ms', 'transfer_ms', 'error_code', 'error', 'detail'];
const oldValues = (r: ResultRow) => [new Date(r.ts), r.resultId, r.targetId, r.moduleId, r.type, r.success, r.durationMs, r.statusCode ?? null, r.resolveMs ?? null, r.connectMs ?? null, r.tlsMs ?? null, r.processingMs ?? null, r.transferMs ?? null, r.errorCode ?? null, r.error ?? null, r.detail ? JSON.stringify(r.detail) : null];

test(`[${backend}] rows stored by the VALUES path are not written again by the column arrays (journal upgrade)`, async () => {
  const db = await openTestDb();
  const now = Date.UTC(2026, 10, 25, 10, 0, 0) + 789;
  const dir = mkdtempSync(join(tmpdir(), 'journal-'));
  // Every millisecond of a second, on time (one statement) and years late (the transaction with the rollup range).
  const onTime = Array.from({ length: 1000 }, (_, i) => ({ ...row(0, 'upg'), ts: now - 60_000 + i * 1001 - 999 }));
  const late = [Date.UTC(2001, 0, 1, 0, 0, 0, 1), Date.UTC(1999, 11, 31, 23, 59, 59, 999), 86_400_000 * 365 + 123].map((ts) => ({ ...row(0, 'upg'), ts }));
  const rows = [...onTime, ...late];
  const w = new ResultWriter({ db, journal: new Journal(dir), log: silentLogger(), clock: () => now, batchSize: 5000, batchAgeMs: 10, bufferSize: 10_000 });
  try {
    assert.is(await db.insertMany('probe_results', OLD_COLS, rows.map(oldValues), 'ON CONFLICT DO NOTHING'), rows.length);
    for (const r of onTime) w.push({ k: 'r', r });
    await w.flush();
    for (const r of late) w.push({ k: 'r', r });
    await w.flush();
    assert.is(w.totals.written, 0, 'every row was already there');
    await w.stop();
    // And once more from a journal segment left by the old writer (a restart replays it), with the phases under their
    // names before sql/014.
    const j = new Journal(dir);
    j.append(rows.slice(0, 100).map(({ resolveMs, processingMs, ...r }) => ({ k: 'r', r: { ...r, dnsMs: resolveMs, ttfbMs: processingMs } })));
    j.close();
    const w2 = new ResultWriter({ db, journal: new Journal(dir), log: silentLogger(), clock: () => now, batchSize: 5000, batchAgeMs: 10, bufferSize: 10_000 });
    await w2.flush();
    await w2.stop();
    assert.is(w2.totals.replayed, 100);
    assert.is(w2.totals.written, 0, 'the replay wrote nothing twice');
    const n = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM probe_results WHERE target_id = 'upg'`);
    assert.is(n.rows[0].n, rows.length);
  } finally {
    await w.stop();
    await db.close();
  }
});

test(`[${backend}] results and target states round-trip through the column arrays: exact ms, jsonb, nulls, quoting`, async () => {
  const db = await openTestDb();
  const now = Date.UTC(2026, 10, 25, 10, 0, 0) + 1;
  const w = new ResultWriter({ db, journal: new Journal(mkdtempSync(join(tmpdir(), 'journal-'))), log: silentLogger(), clock: () => now, batchSize: 100, batchAgeMs: 10, bufferSize: 1000 });
  const odd = 'a,b "q" \\ {x} NULL 共享\n';
  const full: ResultRow = { ...row(0, 'rt'), ts: now - 999, success: false, durationMs: 0.1 + 0.2, statusCode: 503, tlsMs: 2.25, errorCode: 'http_status', error: odd, detail: { s: odd, n: [1, null], nested: { ok: false } } };
  const bare: ResultRow = { resultId: randomUUID(), ts: now - 1, targetId: 'rt', moduleId: 'm1', type: 'tcp', success: true, durationMs: 3 };
  // An old journal row: the phases under their names before sql/014.
  const aliased = { ...bare, resultId: randomUUID(), ts: now - 2, dnsMs: 0.5, ttfbMs: 7.5 } as ResultRow;
  try {
    for (const r of [full, bare, aliased]) w.push({ k: 'r', r });
    w.setState({ ...initialState('rt', now - 86_400_000 - 7), state: 'down', consecutiveFailures: 4, lastTs: now - 999, lastSuccess: false, lastDurationMs: 0.30000000000000004, lastErrorCode: 'http_status', lastError: odd, lastDetail: { s: odd } });
    w.setState({ ...initialState('rt-bare', now - 3), state: 'unknown' });
    await w.flush();
    assert.is(w.totals.written, 3);
    const res = await db.query<Record<string, unknown>>(
      `SELECT result_id::text AS id, (extract(epoch FROM ts) * 1000)::bigint::text AS ms, success, duration_ms, status_code, resolve_ms, connect_ms, tls_ms, processing_ms, transfer_ms, error_code, error, detail
         FROM probe_results WHERE target_id = 'rt' ORDER BY ts`);
    const byId = new Map(res.rows.map((r) => [r.id, r]));
    assert.equal(byId.get(full.resultId), { id: full.resultId, ms: String(full.ts), success: false, duration_ms: 0.1 + 0.2, status_code: 503, resolve_ms: 0.3, connect_ms: 0.4, tls_ms: 2.25, processing_ms: 5, transfer_ms: 1, error_code: 'http_status', error: odd, detail: full.detail });
    assert.equal(byId.get(bare.resultId), { id: bare.resultId, ms: String(bare.ts), success: true, duration_ms: 3, status_code: null, resolve_ms: null, connect_ms: null, tls_ms: null, processing_ms: null, transfer_ms: null, error_code: null, error: null, detail: null });
    assert.equal([byId.get(aliased.resultId)?.resolve_ms, byId.get(aliased.resultId)?.processing_ms], [0.5, 7.5], 'dnsMs/ttfbMs of an old journal row');
    const st = await db.query<Record<string, unknown>>(
      `SELECT target_id, state, (extract(epoch FROM since) * 1000)::bigint::text AS since, consecutive_failures, consecutive_successes, (extract(epoch FROM last_ts) * 1000)::bigint::text AS last_ts,
              last_success, last_duration_ms, last_error_code, last_error, last_detail FROM target_state WHERE target_id LIKE 'rt%' ORDER BY target_id`);
    assert.equal(st.rows, [
      { target_id: 'rt', state: 'down', since: String(now - 86_400_000 - 7), consecutive_failures: 4, consecutive_successes: 0, last_ts: String(now - 999), last_success: false, last_duration_ms: 0.30000000000000004, last_error_code: 'http_status', last_error: odd, last_detail: { s: odd } },
      { target_id: 'rt-bare', state: 'unknown', since: String(now - 3), consecutive_failures: 0, consecutive_successes: 0, last_ts: null, last_success: null, last_duration_ms: null, last_error_code: null, last_error: null, last_detail: null },
    ]);
    // The upsert: a newer state replaces every column, back to nulls included.
    w.setState({ ...initialState('rt', now + 5), state: 'up', consecutiveSuccesses: 1 });
    await w.flush();
    const up = await db.query<Record<string, unknown>>(`SELECT state, (extract(epoch FROM since) * 1000)::bigint::text AS since, last_error, last_detail FROM target_state WHERE target_id = 'rt'`);
    assert.equal(up.rows, [{ state: 'up', since: String(now + 5), last_error: null, last_detail: null }]);
  } finally {
    await w.stop();
    await db.close();
  }
});

test(`[${backend}] a batch above one statement's chunk is written whole, in one transaction`, async () => {
  const db = await openTestDb();
  const now = Date.UTC(2026, 10, 25, 10, 0, 0);
  const w = new ResultWriter({ db, journal: new Journal(mkdtempSync(join(tmpdir(), 'journal-'))), log: silentLogger(), clock: () => now, batchSize: 20_000, batchAgeMs: 10, bufferSize: 40_000 });
  try {
    for (let i = 0; i < 10_050; i++) w.push({ k: 'r', r: { ...row(0, 'big'), ts: now - 60_000 + i, detail: null } });
    w.setState({ ...initialState('big', now), state: 'up' });
    await w.flush();
    assert.is(w.totals.written, 10_050);
    const n = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM probe_results WHERE target_id = 'big'`);
    assert.is(n.rows[0].n, 10_050);
    const st = await db.query<{ state: string }>(`SELECT state FROM target_state WHERE target_id = 'big'`);
    assert.is(st.rows[0]?.state, 'up');
  } finally {
    await w.stop();
    await db.close();
  }
});

test(`[${backend}] target states ride with their results' batch: an unchanged state waits for the batch age, a changed one does not (#18)`, async () => {
  const real = await openTestDb();
  const { db, ctl } = breakable(real);
  let clock = 0;
  const w = new ResultWriter({ db, journal: new Journal(mkdtempSync(join(tmpdir(), 'journal-'))), log: silentLogger(), clock: () => clock, batchSize: 1000, batchAgeMs: 1000, bufferSize: 1000 });
  const states = async () => (await real.query<{ n: number }>(`SELECT count(*)::int AS n FROM target_state`)).rows[0].n;
  try {
    w.start();
    w.push({ k: 'r', r: row(0) });
    w.setState({ ...initialState('t1', 0), state: 'up', lastTs: 0 });
    // The writer ticks every 250 ms of real time: several ticks pass, the injected clock does not move.
    await new Promise((r) => setTimeout(r, 700));
    assert.is(ctl.queries, 0, 'no statement before the batch is due, though a state is dirty');
    clock = 1000;
    await until('the batch', async () => w.totals.written === 1 && (await states()) === 1);
    assert.is(ctl.queries, 1, 'the result and its state in one statement');
    // A state without a result of its own (none is pushed) still reaches the database, after the batch age.
    w.setState({ ...initialState('t2', 1000), state: 'down', lastTs: 1000 });
    await new Promise((r) => setTimeout(r, 700));
    assert.is(await states(), 1);
    clock = 2000;
    await until('the lone state', async () => (await states()) === 2);
    assert.is(w.totals.written, 1);
    // A state that changed (t1 up → down) does not wait: the next tick writes it, its result with it, the clock still.
    const before = ctl.queries;
    w.push({ k: 'r', r: row(1) });
    w.setState({ ...initialState('t1', 0), state: 'down', lastTs: 2000 }, true);
    await until('the changed state', async () => (await real.query<{ state: string }>(`SELECT state FROM target_state WHERE target_id = 't1'`)).rows[0].state === 'down', 2000, 50);
    assert.is(ctl.queries, before + 1);
    assert.is(w.totals.written, 2);
  } finally {
    await w.stop();
    await real.close();
  }
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
