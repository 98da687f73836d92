import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { manualClock } from '../core/time';
import { step } from './state';
import type { ActiveInstance, AlertRecord } from './model';

const inst = (target: string, value = 1): ActiveInstance => ({ labels: { alertname: 'down', severity: 'critical', team: 'ops', module: 'm', target }, annotations: { summary: `${target} 挂了` }, value });

/** Carries the open set from step to step as the store would. */
function run(forMs: number) {
  let open: AlertRecord[] = [];
  let nextId = 1;
  return (active: ActiveInstance[], now: number) => {
    const r = step({ name: 'down', type: 'target_down', for: forMs }, open, active, now);
    for (const a of r.changed) a.id ??= nextId++;
    open = [...r.changed, ...r.touched].filter((a) => a.state !== 'resolved');
    return r;
  };
}

test('for 0: fires at once; resolves when it stops holding', () => {
  const clock = manualClock();
  const s = run(0);
  const r1 = s([inst('a')], clock());
  assert.equal(r1.transitions.map((t) => `${t.from}->${t.to}`), ['null->pending', 'pending->firing']);
  assert.is(r1.changed[0].startsAt, clock());
  clock.advance('15s');
  const r2 = s([inst('a', 5)], clock());
  assert.is(r2.transitions.length, 0);
  assert.is(r2.changed[0].value, 5);
  assert.is(r2.changed[0].startsAt, clock() - 15_000, 'startsAt kept');
  clock.advance('15s');
  const held = s([inst('a', 5)], clock());
  assert.is(held.changed.length, 0, 'nothing new: only touched');
  assert.is(held.touched[0].lastEval, clock());
  clock.advance('15s');
  const r3 = s([], clock());
  assert.equal(r3.transitions.map((t) => `${t.from}->${t.to}`), ['firing->resolved']);
  assert.is(r3.changed[0].endsAt, clock());
});

test('for 1m: pending until it held a minute, then firing', () => {
  const clock = manualClock();
  const s = run(60_000);
  assert.is(s([inst('a')], clock()).changed[0].state, 'pending');
  clock.advance('59s');
  assert.is(s([inst('a')], clock()).touched[0].state, 'pending');
  clock.advance('1s');
  const r = s([inst('a')], clock());
  assert.is(r.changed[0].state, 'firing');
  assert.is(r.changed[0].activeAt, clock() - 60_000);
});

test('pending that clears before `for` is dropped, not resolved', () => {
  const clock = manualClock();
  const s = run(60_000);
  s([inst('a')], clock());
  clock.advance('30s');
  const r = s([], clock());
  assert.is(r.dropped.length, 1);
  assert.is(r.changed.length, 0);
  assert.equal(r.transitions.map((t) => t.to), ['inactive']);
});

test('instances are independent; duplicates by labels count once', () => {
  const clock = manualClock();
  const s = run(0);
  const r = s([inst('a'), inst('b'), inst('a')], clock());
  assert.is(r.changed.length, 2);
  clock.advance('15s');
  const r2 = s([inst('b')], clock());
  assert.equal([...r2.changed, ...r2.touched].map((a) => `${a.targetId}:${a.state}`).sort(), ['a:resolved', 'b:firing']);
});

test('a restart continues from stored open alerts (no new occurrence)', () => {
  const clock = manualClock();
  const r1 = step({ name: 'down', type: 'target_down', for: 0 }, [], [inst('a')], clock());
  const stored = { ...r1.changed[0], id: 7 };
  clock.advance('1m');
  const r2 = step({ name: 'down', type: 'target_down', for: 0 }, [stored], [inst('a')], clock());
  assert.is(r2.touched[0].id, 7);
  assert.is(r2.transitions.length, 0);
});

test.run();
