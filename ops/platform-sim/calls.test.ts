import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BULK_PULL, bulkPull, callsBetween, SIM_INTERFACES, startCallStream, type SimCall } from './calls';
import { manualClock } from '../../core/time';
import { callRecordSchema } from '../../collector/calls/record';

const at = (s: string) => Date.parse(s);

test('a working-day rhythm: a Tuesday morning is far busier than the night before and than a Saturday morning', () => {
  const day = callsBetween(at('2026-11-24T10:00:00+08:00'), at('2026-11-24T10:10:00+08:00')).length;
  const night = callsBetween(at('2026-11-24T03:00:00+08:00'), at('2026-11-24T03:10:00+08:00')).length;
  const saturday = callsBetween(at('2026-11-28T10:00:00+08:00'), at('2026-11-28T10:10:00+08:00')).length;
  assert.ok(day > 20 * Math.max(1, night), `day ${day}, night ${night}`);
  assert.ok(day > 5 * Math.max(1, saturday), `day ${day}, saturday ${saturday}`);
});

test('the same minutes give the same calls (resending is recognised by id); every call fits the ingest contract', () => {
  const a = callsBetween(at('2026-11-24T10:00:00+08:00'), at('2026-11-24T10:02:00+08:00'));
  const b = callsBetween(at('2026-11-24T10:00:00+08:00'), at('2026-11-24T10:02:00+08:00'));
  assert.equal(a, b);
  assert.is(new Set(a.map((c) => c.id)).size, a.length);
  for (const c of [...a, ...bulkPull(0)]) assert.ok(callRecordSchema.safeParse(c).success, JSON.stringify(c));
  const codes = new Set<string>(SIM_INTERFACES.map((i) => i.code));
  assert.ok(a.every((c) => codes.has(c.interface)));
});

test('a fault on a service makes its interfaces fail; the bulk pull is one new department with many records', () => {
  const from = at('2026-11-24T10:00:00+08:00');
  const fails = (calls: ReturnType<typeof callsBetween>) => calls.filter((c) => c.interface.startsWith('RK-') && c.status >= 500).length;
  assert.ok(fails(callsBetween(from, from + 600_000, (s) => s === 'population')) > 5 * Math.max(1, fails(callsBetween(from, from + 600_000))));
  const pull = bulkPull(from);
  assert.is(pull.length, BULK_PULL.calls);
  assert.is(pull.reduce((n, c) => n + c.records, 0), BULK_PULL.calls * BULK_PULL.recordsPerCall);
  assert.not.ok(callsBetween(from - 86_400_000, from).some((c) => c.callerDept === BULK_PULL.dept), 'never called before');
});

test('the stream: a back-fill at start, then the minutes as they pass; the bulk pull call by call as its time comes', async () => {
  const clock = manualClock(Date.parse('2026-11-24T10:00:30+08:00'));
  const got: SimCall[] = [];
  const wait = () => new Promise((r) => setTimeout(r, 40));
  const s = startCallStream({ sink: async (c) => void got.push(...c), failing: () => false, clock, backfillMs: 3_600_000, everyMs: 5, bulkAfterMs: 60_000 });
  await new Promise((r) => setTimeout(r, 300)); // the back-fill rests between its 10-minute steps
  const backfilled = got.length;
  assert.ok(backfilled > 100, `back-filled ${backfilled}`);
  assert.ok(got.every((c) => Date.parse(c.time) < Date.parse('2026-11-24T10:00:00+08:00')));
  clock.advance('61s');
  await wait();
  const bulk = () => got.filter((c) => c.callerDept === BULK_PULL.dept).length;
  assert.is(bulk(), 1, 'the first call of the pull, not all 40 at once');
  assert.ok(got.length > backfilled + 1, 'the minute that passed');
  clock.advance('30s');
  await wait();
  assert.is(bulk(), 3);
  await s.stop();
  assert.ok(got.every((c) => Date.parse(c.time) <= clock()), 'nothing from the future');
});

test('the back-fill gives the event loop a turn between its steps (an embedded database settles as microtasks)', async () => {
  const clock = manualClock(Date.parse('2026-11-24T10:00:30+08:00'));
  let steps = 0;
  let stepsWhenLoopRan = -1;
  // A sink that settles at once, as PGlite's promises do: without a macrotask turn the loop would starve.
  const s = startCallStream({ sink: async () => void steps++, failing: () => false, clock, backfillMs: 3 * 3_600_000, everyMs: 60_000, bulkAfterMs: 3_600_000 });
  setImmediate(() => (stepsWhenLoopRan = steps));
  await new Promise((r) => setTimeout(r, 100));
  await s.stop();
  assert.ok(steps >= 2, `steps sent ${steps}`);
  assert.ok(stepsWhenLoopRan >= 0 && stepsWhenLoopRan < 18, `the loop ran after ${stepsWhenLoopRan} of 18 ten-minute steps`);
});

test.run();
