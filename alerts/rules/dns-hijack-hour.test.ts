import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../../app/config';
import { silentLogger } from '../../core/log';
import { manualClock } from '../../core/time';
import type { Db } from '../../core/db';
import { openTestDb, backend } from '../../test/helpers/db';
import { AlertEngine } from '../engine';
import { seedTargets, setTargetState, webhookReceiver } from '../testing/fixtures';

// A DNS hijack that lasts an hour (issue #12), on a simulated clock: the resolver answers 127.0.0.66 instead of the
// approved 127.0.0.1 on every probe (every 30 s) for 60 minutes. The DNS alert fires on the first changed answer
// (no failure threshold), stays one alert — same fingerprint, firing throughout, never resolved and re-fired — and
// security gets exactly one notice for the hour (repeat interval 4 h), ops none (target_down is inhibited by it);
// when the answer returns, one resolved notice. test/collector-dns-cert.test.ts drives the real collector and the
// simulator's resolver through the one-probe hijack and the approval; this covers the hour it cannot wait for.
const T = Date.UTC(2026, 5, 10, 14, 0, 0); // 22:00 in UTC+8: out of hours, when a hijack is noticed least
const clock = manualClock(T);
let db: Db;

async function probe(now: number, answer: string) {
  const changed = answer !== '127.0.0.1';
  await db.query(
    `INSERT INTO probe_results (ts, result_id, target_id, module_id, type, success, duration_ms, error_code, error, detail) VALUES ($1, $2, 'portal-dns', 'portal', 'dns', $3, 4, $4, $5, $6)`,
    [new Date(now), randomUUID(), !changed, changed ? 'dns_changed' : null, changed ? `解析结果变化：${answer}` : null,
      JSON.stringify({ answers: [answer], oldAnswers: ['127.0.0.1'], newAnswers: [answer], expected: ['127.0.0.1'] })],
  );
}

test.before(async () => {
  db = await openTestDb();
  await seedTargets(db, [{ id: 'portal-dns', module: 'portal', type: 'dns', intervalMs: 30_000 }, { id: 'portal-home', module: 'portal' }]);
  await setTargetState(db, 'portal-dns', 'up', 0, T - 86_400_000);
  await setTargetState(db, 'portal-home', 'up', 0, T - 86_400_000);
});
test.after(() => db.close());

test(`[${backend}] an hour-long hijack: one alert firing throughout, one notice to security, none to ops; one resolved at the end`, async () => {
  const ops = await webhookReceiver();
  const sec = await webhookReceiver();
  const config = parseConfig(`
alerts:
  evaluationInterval: 15s
  rules:
    - { name: 目标不可用, type: target_down, severity: critical }
    - { name: DNS解析变化, type: dns_changed, severity: critical }
  receivers:
    - { name: ops, channels: [{ type: webhook, url: "${ops.url}" }] }
    - { name: security, channels: [{ type: webhook, url: "${sec.url}" }] }
  route:
    receiver: ops
    groupBy: [alertname, target]
    groupWait: 10s
    groupInterval: 1m
    repeatInterval: 4h
    routes:
      - { matchers: ['team="security"'], receiver: security }
`);
  const engine = new AlertEngine(db, silentLogger(), clock, config.alerts);
  const HIJACK = T + 60_000;
  const END = HIJACK + 3_600_000;
  const fingerprints = new Set<string>();
  const states: string[] = [];
  try {
    for (let now = T; now < END + 5 * 60_000; now += 15_000) {
      clock.set(now);
      if ((now - T) % 30_000 === 0) {
        const hijacked = now >= HIJACK && now < END;
        await probe(now, hijacked ? '127.0.0.66' : '127.0.0.1');
        // The collector: a DNS change fails at once (no failure threshold), the target is down while it lasts.
        await setTargetState(db, 'portal-dns', hijacked ? 'down' : 'up', hijacked ? 1 : 0, hijacked ? HIJACK : END);
      }
      await engine.tick();
      await engine.drain();
      if (now >= HIJACK && now < END) {
        const rows = (await db.query<{ fingerprint: string; state: string }>(`SELECT fingerprint, state FROM alerts WHERE rule = 'DNS解析变化' AND state <> 'resolved'`)).rows;
        for (const r of rows) fingerprints.add(r.fingerprint);
        states.push(rows.map((r) => r.state).join(',') || 'none');
      }
    }
    // Fired on the first changed answer: the first evaluation after it already has it firing (no pending period).
    assert.is(states[0], 'firing', `first state during the hijack: ${states[0]}`);
    assert.ok(states.every((s) => s === 'firing'), `firing throughout the hour: ${[...new Set(states)].join(' ')}`);
    assert.is(fingerprints.size, 1, 'one alert for the hour, not a new one per probe');
    const all = (await db.query<{ state: string; n: number }>(`SELECT state, count(*)::int AS n FROM alerts WHERE rule = 'DNS解析变化' GROUP BY 1`)).rows;
    assert.equal(all.map((r) => [r.state, Number(r.n)]), [['resolved', 1]], 'one alert in all, resolved after the hour');
    const firing = sec.got.filter((g) => g.status === 'firing');
    const resolved = sec.got.filter((g) => g.status === 'resolved');
    console.log(`hour-long hijack: ${sec.got.length} notices to security (${firing.length} firing, ${resolved.length} resolved), ${ops.got.length} to ops`);
    assert.is(firing.length, 1, 'one firing notice to security for the hour');
    assert.is(resolved.length, 1, 'one resolved notice when the answer returns');
    assert.match(JSON.stringify(firing[0].alerts[0].annotations), '127.0.0.66');
    assert.is(ops.got.length, 0, 'ops gets nothing: the target alert is inhibited by the DNS alert');
    const history = (await db.query<{ to_state: string }>(`SELECT to_state FROM alert_events WHERE rule = 'DNS解析变化' ORDER BY ts`)).rows;
    assert.equal(history.map((h) => h.to_state).filter((s) => s !== 'pending'), ['firing', 'resolved'], 'history: fired once, resolved once');
  } finally {
    await ops.close();
    await sec.close();
  }
});

test.run();
