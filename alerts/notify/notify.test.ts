import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../../app/config';
import { manualClock } from '../../core/time';
import { parseMatcher, matches, toMatcher } from '../matchers';
import { compileInhibitRules, inhibitedBy } from './inhibit';
import { inMaintenance, silencedBy } from './mute';
import { decide, GroupTimers, type GroupInput } from './plan';
import { compileRoute, groupOf, matchRoutes } from './routing';
import type { NotifyAlert } from './message';
import { occurrence } from '../maintenance-windows';

const cfg = parseConfig(`
alerts:
  receivers: [{ name: ops }, { name: security }, { name: leaders }]
  route:
    receiver: ops
    groupBy: [alertname, module]
    groupWait: 10s
    groupInterval: 1m
    repeatInterval: 4h
    routes:
      - matchers: ['severity="critical"']
        receiver: leaders
        continue: true
        groupBy: ['...']
      - matchers: ['team="security"']
        receiver: security
        groupWait: 0s
      - matchers: ['module=~"share-.*"', 'severity!="info"']
        receiver: ops
`).alerts;
const root = compileRoute(cfg.route!);

test('matchers: =, !=, =~ (anchored), !~; missing label is empty', () => {
  const l = { team: 'ops', module: 'share-exchange' };
  assert.ok(matches(parseMatcher('team="ops"'), l));
  assert.ok(matches(parseMatcher('team!="security"'), l));
  assert.ok(matches(parseMatcher('module=~"share-.*"'), l));
  assert.not.ok(matches(parseMatcher('module=~"share"'), l), 'anchored');
  assert.ok(matches(parseMatcher('module!~"portal.*"'), l));
  assert.ok(matches(parseMatcher('target=""'), l));
  assert.equal(toMatcher({ name: 'a', value: 'x.*', isRegex: true, isEqual: false }), { name: 'a', value: 'x.*', op: '!~' });
  assert.throws(() => toMatcher('team=ops'), /not a matcher/);
  assert.throws(() => toMatcher({ name: 'a', value: '(', op: '=~' }), /does not compile/);
});

test('routing: first match wins, continue goes on, children inherit timing', () => {
  const r1 = matchRoutes(root, { alertname: 'x', severity: 'critical', team: 'security' });
  assert.equal(r1.map((r) => r.receiver), ['leaders', 'security']);
  assert.is(r1[1].groupWait, 0);
  assert.is(r1[1].repeatInterval, 4 * 3_600_000, 'inherited');
  assert.equal(matchRoutes(root, { alertname: 'x', severity: 'warning', team: 'ops', module: 'portal' }).map((r) => r.receiver), ['ops']);
  const share = matchRoutes(root, { severity: 'warning', team: 'ops', module: 'share-1' });
  assert.is(share[0].id.includes('#2'), true, 'matched the third child, not the root');
  const g = groupOf(share[0], { alertname: 'a', module: 'share-1', target: 't1' });
  assert.equal(g.groupLabels, { alertname: 'a', module: 'share-1' });
  const all = groupOf(r1[0], { alertname: 'a', target: 't' });
  assert.equal(all.groupLabels, { alertname: 'a', target: 't' }, 'groupBy ... = every label');
  assert.not.equal(groupOf(share[0], { alertname: 'a', module: 'share-2' }).groupKey, g.groupKey);
});

test('inhibition: a down module inhibits its own targets, not others; never itself', () => {
  const rules = compileInhibitRules([{ sourceMatchers: ['alertname="dc-down"'], targetMatchers: ['severity="warning"'], equal: ['dc'] }], true);
  const mod = { labels: { kind: 'module_down', module: 'portal' }, fingerprint: 'm' };
  assert.ok(inhibitedBy(rules, { kind: 'target_down', module: 'portal', target: 't1' }, 't1', [mod]));
  assert.not.ok(inhibitedBy(rules, { kind: 'target_down', module: 'share', target: 't2' }, 't2', [mod]));
  assert.not.ok(inhibitedBy(rules, mod.labels, 'm', [mod]), 'module alert itself has no target label');
  const dc = { labels: { alertname: 'dc-down', dc: 'a', severity: 'warning' }, fingerprint: 'dc' };
  assert.ok(inhibitedBy(rules, { severity: 'warning', dc: 'a' }, 'x', [dc]));
  assert.not.ok(inhibitedBy(rules, { severity: 'warning', dc: 'b' }, 'x', [dc]), 'equal labels differ');
  assert.not.ok(inhibitedBy(rules, dc.labels, 'dc', [dc]), 'not by itself');
});

test('inhibition (built-in security rule): tampering, a DNS change or a certificate problem pages security only for that target', () => {
  const rules = compileInhibitRules([], false, true);
  const tamper = { labels: { kind: 'content', team: 'security', module: 'portal', target: 'home' }, fingerprint: 'c' };
  assert.ok(inhibitedBy(rules, { kind: 'target_down', team: 'ops', module: 'portal', target: 'home' }, 'd', [tamper]), 'the same target down: ops not paged');
  assert.ok(inhibitedBy(rules, { kind: 'availability', team: 'ops', module: 'portal', target: 'home' }, 'a', [tamper]));
  assert.not.ok(inhibitedBy(rules, { kind: 'target_down', team: 'ops', module: 'portal', target: 'other' }, 'o', [tamper]), 'another target still pages');
  const cert = { labels: { kind: 'cert_expiry', module: 'portal', target: 'tls1' }, fingerprint: 'x' };
  assert.ok(inhibitedBy(rules, { kind: 'target_down', module: 'portal', target: 'tls1' }, 'y', [cert]), 'one alert per certificate problem');
  assert.not.ok(inhibitedBy(compileInhibitRules([], false, false), { kind: 'target_down', target: 'home' }, 'd', [tamper]), 'securityInhibits: false turns it off');
});

test('silences and maintenance windows mute by time and labels', () => {
  const now = Date.UTC(2026, 10, 25);
  const s = [{ id: 's1', team: 'ops', matchers: [parseMatcher('team="ops"'), parseMatcher('target="t1"')], startsAt: now - 1000, endsAt: now + 1000, createdBy: 'a', comment: '' }];
  assert.is(silencedBy(s, { team: 'ops', target: 't1' }, now)?.id, 's1');
  assert.is(silencedBy(s, { team: 'ops', target: 't2' }, now), undefined);
  assert.is(silencedBy(s, { team: 'ops', target: 't1' }, now + 1000), undefined, 'ended');
  const w = [
    { id: 1, name: 'm', moduleId: 'portal', targetId: null, startsAt: now - 1, endsAt: now + 10, recurrence: null },
    { id: 2, name: 't', moduleId: null, targetId: 'share-api', startsAt: now - 1, endsAt: now + 10, recurrence: null },
  ];
  assert.is(inMaintenance(w, { module: 'portal', target: 'x' }, now)?.id, 1);
  assert.is(inMaintenance(w, { module: 'portal' }, now)?.id, 1);
  assert.is(inMaintenance(w, { module: 'share', target: 'share-api' }, now)?.id, 2);
  assert.is(inMaintenance(w, { module: 'share', target: 'other' }, now), undefined);
  assert.is(inMaintenance(w, { module: 'portal' }, now + 10), undefined);
});

test('recurring maintenance: occurrence containing now, else the next (Beijing time)', () => {
  // Sundays 02:00 Beijing (= Saturday 18:00 UTC), 2 hours.
  const sat = Date.UTC(2026, 10, 28, 18, 30);
  const occ = occurrence('0 2 * * 0', 7_200_000, 'Asia/Shanghai', sat);
  assert.equal(occ, { start: Date.UTC(2026, 10, 28, 18, 0), end: Date.UTC(2026, 10, 28, 20, 0) });
  const next = occurrence('0 2 * * 0', 7_200_000, 'Asia/Shanghai', Date.UTC(2026, 10, 28, 20, 0));
  assert.is(next!.start, Date.UTC(2026, 11, 5, 18, 0));
});

const fa = (fp: string, status: 'firing' | 'resolved' = 'firing', acked = false): NotifyAlert => ({ status, labels: { alertname: 'a' }, annotations: {}, startsAt: 0, endsAt: null, fingerprint: fp, generatorURL: '', acked });

test('decide (nflog): new firing sends; the same set does not; resolved once; repeat interval; acked stops repeats', () => {
  const o = { repeatInterval: 3_600_000, sendResolved: true };
  const d1 = decide(undefined, [fa('a')], o, 0);
  assert.ok(d1.send);
  const e1 = { firing: d1.firing, resolved: d1.resolved, sentAt: 0 };
  assert.not.ok(decide(e1, [fa('a')], o, 60_000).send, 'same set: nothing');
  const d2 = decide(e1, [fa('a'), fa('b')], o, 60_000);
  assert.ok(d2.send);
  assert.is(d2.alerts.length, 2);
  const e2 = { firing: ['a', 'b'], resolved: [], sentAt: 60_000 };
  const d3 = decide(e2, [fa('a', 'resolved'), fa('b')], o, 120_000);
  assert.ok(d3.send);
  assert.equal(d3.resolved, ['a']);
  const e3 = { firing: d3.firing, resolved: d3.resolved, sentAt: 120_000 };
  assert.not.ok(decide(e3, [fa('a', 'resolved'), fa('b')], o, 180_000).send, 'resolved sent once');
  assert.ok(decide(e3, [fa('a', 'resolved'), fa('b')], o, 120_000 + 3_600_000).send, 'repeat');
  assert.not.ok(decide(e3, [fa('b', 'firing', true)], o, 120_000 + 3_600_000).send, 'acked: no repeat');
  assert.not.ok(decide(undefined, [fa('x', 'resolved')], o, 0).send, 'resolved never announced: nothing');
  const noRes = decide(e2, [fa('a', 'resolved')], { ...o, sendResolved: false }, 0);
  assert.ok(!noRes.send && noRes.record, 'recorded without sending');
});

test('group timers: group_wait then group_interval; forgotten when empty', () => {
  const clock = manualClock();
  const route = compileRoute({ receiver: 'ops', matchers: [], groupWait: 10_000, groupInterval: 60_000, continue: false, routes: [] });
  const g: GroupInput = { route, groupKey: 'k', groupLabels: {}, alerts: [fa('a')] };
  const t = new GroupTimers();
  const m = new Map([['k', g]]);
  assert.is(t.due(clock(), m).length, 0);
  clock.advance('10s');
  assert.is(t.due(clock(), m).length, 1);
  clock.advance('30s');
  assert.is(t.due(clock(), m).length, 0);
  clock.advance('30s');
  assert.is(t.due(clock(), m).length, 1);
  t.due(clock(), new Map());
  clock.advance('1s');
  assert.is(t.due(clock(), m).length, 0, 'new group waits again');
});

test.run();
