import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { z } from 'zod';
import { callRecordSchema, DATETIME_OFFSET, quickRow, toCallRow } from './record';

// The ingest's hot path (quickRow) must accept only what the schema accepts, and give the same row.
test('the hand-written check uses the schema’s own datetime pattern', () => {
  const t = (callRecordSchema.shape.time as unknown as { options: { _zod: { def: { checks: { _zod: { def: { pattern: RegExp } } }[] } } }[] }).options[0];
  assert.is(t._zod.def.checks[0]._zod.def.pattern.source, DATETIME_OFFSET.source);
});

// Without the quick path: the schema's answer.
function viaSchema(value: unknown) {
  const r = callRecordSchema.safeParse(value);
  if (!r.success) return null;
  const v = r.data;
  const ts = typeof v.time === 'number' ? v.time : Date.parse(v.time);
  return Number.isFinite(ts) ? { ts, ...v } : null;
}

const values: Record<string, unknown[]> = {
  time: ['2026-11-24T10:00:00+08:00', '2026-11-24T02:00:00.123Z', '2026-11-24 10:00:00', '2026-02-30T10:00:00Z', '2026-11-24T10:00Z', 1764000000000, 0, -5, 1.5, '1764000000000', null, undefined, true],
  interface: ['RK001', '  RK001 ', '', '   ', 'x'.repeat(128), 'x'.repeat(129), ` ${'x'.repeat(128)} `, 5, null, undefined],
  callerDept: ['市公安局', ' 市公安局', '', 'y'.repeat(129), 3, undefined],
  callerSystem: ['sys', ' sys ', '', '  ', 'z'.repeat(129), null, 1, undefined],
  callerId: ['u1', ' u1 ', '', null, undefined, 7, 'w'.repeat(129)],
  success: [true, false, 'true', 1, null, undefined],
  status: [200, 0, 99_999, 100_000, -1, 200.5, '200', null, undefined, Number.NaN],
  latencyMs: [0, 12.5, 86_400_000, 86_400_001, -0.1, '5', null, undefined, Number.POSITIVE_INFINITY, Number.NaN, -0],
  records: [0, 5, 2_000_000_000, 2_000_000_001, 1.5, -1, '5', null, undefined],
  bytes: [0, 900, Number.MAX_SAFE_INTEGER, 2 ** 60, -1, 0.5, undefined, null],
  id: ['log-1', '', 'i'.repeat(200), 'i'.repeat(201), 12, null, undefined],
};
const base = { time: '2026-11-24T10:00:00+08:00', interface: 'RK001', callerDept: '市公安局', callerSystem: 'sys', callerId: 'u1', status: 200, latencyMs: 12, records: 5, bytes: 900, id: 'log-1' };

test('quickRow accepts a subset of what the schema accepts, with the same row', () => {
  let quick = 0;
  let checked = 0;
  const check = (rec: unknown) => {
    checked++;
    const q = quickRow(rec);
    const full = toCallRow(rec);
    if (q) {
      quick++;
      assert.ok(viaSchema(rec), `quickRow accepted what the schema rejects: ${JSON.stringify(rec)}`);
      assert.equal(q, full);
    }
    const s = viaSchema(rec);
    assert.is(full.ok, s !== null, JSON.stringify(rec));
    if (s && full.ok) {
      assert.is(full.row.ts, s.ts);
      assert.is(full.row.interfaceCode, s.interface);
      assert.is(full.row.callerSystem, s.callerSystem);
      assert.is(full.row.callerId, s.callerId ?? null);
      assert.is(full.row.status, s.status);
      assert.is(full.row.records, s.records);
      assert.is(full.row.bytes, s.bytes);
    }
  };
  for (const [field, list] of Object.entries(values)) {
    for (const v of list) {
      const rec: Record<string, unknown> = { ...base };
      if (v === undefined) delete rec[field];
      else rec[field] = v;
      check(rec);
    }
  }
  // Pairs of odd fields, and records that are not objects.
  const fields = Object.keys(values);
  for (let i = 0; i < 400; i++) {
    const rec: Record<string, unknown> = { ...base, extra: 'dropped' };
    for (const f of [fields[i % fields.length], fields[(i * 7 + 3) % fields.length]]) {
      const list = values[f];
      const v = list[(i * 13) % list.length];
      if (v === undefined) delete rec[f];
      else rec[f] = v;
    }
    check(rec);
  }
  for (const v of [null, [], [base], 'x', 5, true]) check(v);
  assert.ok(quick > 50, `quick path taken ${quick} of ${checked} times`);
  assert.ok(quick < checked - 50);
});

test('the quick path is the one a well-formed line takes', () => {
  assert.ok(quickRow(base));
  assert.ok(quickRow({ ...base, time: 1764000000000, success: false, callerId: null }));
  assert.is(z.string().datetime({ offset: true }).safeParse('2026-11-24T10:00:00+08:00').success, DATETIME_OFFSET.test('2026-11-24T10:00:00+08:00'));
});

test.run();
