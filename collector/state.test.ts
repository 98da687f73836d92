import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { advance, initialState, type IncidentChange, type TargetState } from './state';

const rules = { failureThreshold: 3, successThreshold: 2, slowMs: 1000 };
let n = 0;
const id = () => `inc-${++n}`;

function run(seq: [number, boolean, number?][], start: TargetState = initialState('t', 0)) {
  let s = start;
  const incidents: IncidentChange[] = [];
  const states: string[] = [];
  for (const [ts, success, ms] of seq) {
    const out = advance(s, { ts, success, durationMs: ms ?? 10, errorCode: success ? null : `e${ts}`, error: success ? null : `错误 ${ts}` }, rules, id);
    s = out.state;
    if (out.incident) incidents.push(out.incident);
    states.push(s.state);
  }
  return { s, incidents, states };
}

test('down only after failureThreshold consecutive failures; the incident starts at the first failure with its error', () => {
  const { states, incidents, s } = run([[0, true], [10, false], [20, false], [30, false]]);
  assert.equal(states, ['up', 'up', 'up', 'down']);
  assert.is(incidents.length, 1);
  const open = incidents[0] as Extract<IncidentChange, { kind: 'open' }>;
  assert.is(open.kind, 'open');
  assert.is(open.startedAt, 10);
  assert.is(open.firstErrorCode, 'e10');
  assert.is(s.since, 10);
  assert.is(s.incidentId, open.id);
});

test('a success in between resets the count', () => {
  const { states, incidents } = run([[0, true], [10, false], [20, false], [25, true], [30, false], [40, false]]);
  assert.equal(states, ['up', 'up', 'up', 'up', 'up', 'up']);
  assert.is(incidents.length, 0);
});

test('up again only after successThreshold consecutive successes; closes the incident', () => {
  const { states, incidents, s } = run([[0, false], [10, false], [20, false], [30, true], [40, false], [50, true], [60, true]]);
  assert.equal(states, ['unknown', 'unknown', 'down', 'down', 'down', 'down', 'up']);
  assert.is(incidents.length, 2);
  assert.is(incidents[1].kind, 'close');
  assert.is(incidents[1].id, incidents[0].id);
  assert.is((incidents[1] as { endedAt: number }).endedAt, 60);
  assert.is(s.incidentId, null);
  assert.is(s.since, 60);
});

test('slow successes make a target degraded, fast ones up again', () => {
  const { states } = run([[0, true], [10, true, 1500], [20, true, 1200], [30, true, 50]]);
  assert.equal(states, ['up', 'degraded', 'degraded', 'up']);
});

test('a failure that fails at once (dns_changed) is down on the first probe and opens an incident; recovery closes it', () => {
  const r1 = { failureThreshold: 3, successThreshold: 1 };
  let s = advance(initialState('d', 0), { ts: 0, success: true, durationMs: 1 }, r1, id).state;
  const hit = advance(s, { ts: 10, success: false, durationMs: 1, errorCode: 'dns_changed', error: 'x', atOnce: true }, r1, id);
  assert.is(hit.state.state, 'down');
  assert.is(hit.incident?.kind, 'open');
  assert.is((hit.incident as Extract<IncidentChange, { kind: 'open' }>).startedAt, 10);
  s = hit.state;
  const back = advance(s, { ts: 20, success: true, durationMs: 1 }, r1, id);
  assert.is(back.state.state, 'up');
  assert.is(back.incident?.kind, 'close');
  // An ordinary failure still waits for the threshold.
  assert.is(advance(back.state, { ts: 30, success: false, durationMs: 1, errorCode: 'timeout' }, r1, id).state.state, 'up');
});

test('a success with a warning (certificate about to expire) is degraded, not down, and opens no incident', () => {
  const w = advance(initialState('c', 0), { ts: 0, success: true, durationMs: 1, warning: true }, rules, id);
  assert.is(w.state.state, 'degraded');
  assert.is(w.incident, undefined);
  assert.is(w.state.consecutiveFailures, 0);
  assert.is(advance(w.state, { ts: 10, success: true, durationMs: 1 }, rules, id).state.state, 'up');
});

test.run();
