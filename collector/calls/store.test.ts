import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openTestDb } from '../../test/helpers/db';
import { toCallRow, type CallRow } from './record';
import { writeCalls } from './store';

// writeCalls builds the statement's array literals itself: every text that needs quoting comes back as it went in.
const db = await openTestDb();
const now = Date.parse('2026-11-24T02:00:00Z');

test('texts with quotes, backslashes, braces, commas, NULL and newlines are stored as sent, and once', async () => {
  const odd = ['a"b', 'c\\d', '{x,y}', 'NULL', 'e\\"f', '中文,逗号', "it's", 'a\nb', '""', '\\'];
  const rows = odd.map((w, k) => {
    const r = toCallRow({ time: now - 60_000 - k, interface: `I${w}`, callerDept: w, callerSystem: w, callerId: k % 2 ? null : w, status: k % 3 ? 200 : 503, latencyMs: 1.25, records: 3, bytes: Number.MAX_SAFE_INTEGER, id: w });
    if (!r.ok) throw new Error(r.message);
    return r.row;
  });
  assert.equal(await writeCalls(db, rows, 'http', {}, undefined, now), { inserted: odd.length, duplicates: 0 });
  const got = await db.query<{ i: string; d: string; s: string; c: string | null; ok: boolean; st: number; l: number; b: string; k: string; t: string }>(
    `SELECT interface_code AS i, caller_dept AS d, caller_system AS s, caller_id AS c, success AS ok, status_code AS st, latency_ms AS l, bytes::text AS b, dedupe_key AS k,
            (extract(epoch FROM ts) * 1000)::bigint::text AS t FROM call_records ORDER BY ts DESC`,
  );
  const want = (r: CallRow) => ({ i: r.interfaceCode, d: r.callerDept, s: r.callerSystem, c: r.callerId, ok: r.success, st: r.status, l: r.latencyMs, b: String(r.bytes), k: r.dedupeKey, t: String(r.ts) });
  assert.equal(got.rows.map((x) => ({ ...x, st: Number(x.st), l: Number(x.l) })), rows.map(want));
  assert.equal(await writeCalls(db, rows, 'http', {}, undefined, now), { inserted: 0, duplicates: odd.length });
  const c = await db.query<{ n: number }>('SELECT sum(calls)::int AS n FROM call_counters');
  assert.is(Number(c.rows[0].n), odd.length);
});

test.after(() => db.close());
test.run();
