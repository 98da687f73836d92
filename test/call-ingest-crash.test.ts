// Interface call ingest survives a crash: a real city-ops process is killed (SIGKILL) while shippers are sending;
// every batch it acknowledged is in the database, and after a restart the shippers resend what was not acknowledged
// (and some that was): every record is stored exactly once, and the cumulative counters agree with the rows.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../core/db';
import { backend, openTestDb } from './helpers/db';
import { ADMIN, instanceFiles, session, startInstance } from './helpers/instance';

const BATCH = 2000;
const BATCHES = 40;
// A shipper resends the same lines: the same ids at the same times (a record is identified by both).
const T0 = Date.now() - 60_000;

const batch = (b: number) =>
  Array.from({ length: BATCH }, (_, i) =>
    JSON.stringify({ time: new Date(T0 + i).toISOString(), interface: `IF${i % 20}`, callerDept: `D${b % 7}`, status: 200, latencyMs: 10 + (i % 50), records: 1, id: `b${b}-${i}` }),
  ).join('\n');

test(`[${backend}] SIGKILL mid-ingest: every acknowledged record is kept; after resending, each record is stored once`, async () => {
  const serverDb = backend === 'server' ? await openTestDb() : null;
  const f = instanceFiles(mkdtempSync(join(tmpdir(), 'calls-crash-')), serverDb?.url);
  let inst = await startInstance(f);
  const api = await session(inst.url, ADMIN);
  const made = await api('/api/auth/tokens', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'shipper', role: 'ops', scopes: ['calls:ingest'] }) });
  assert.is(made.status, 201);
  const token = ((await made.json()) as { token: string }).token;
  const send = async (url: string, b: number) => {
    try {
      const res = await fetch(`${url}/api/collector/calls/ingest`, { method: 'POST', body: batch(b), headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' } });
      return res.status === 200 ? ((await res.json()) as { accepted: number }).accepted === BATCH : false;
    } catch {
      return false; // the connection died with the process: not acknowledged
    }
  };

  const acked = new Set<number>();
  let next = 0;
  let killed = false;
  const shipper = async () => {
    while (!killed && next < BATCHES) {
      const b = next++;
      if (await send(inst.url, b)) acked.add(b);
    }
  };
  const running = [shipper(), shipper(), shipper()];
  while (acked.size < 5) await new Promise((r) => setTimeout(r, 20));
  await inst.kill();
  killed = true;
  await Promise.all(running);
  const sent = next;
  assert.ok(acked.size >= 5 && acked.size <= sent, `acknowledged ${acked.size} of ${sent} sent batches`);

  const open = () => (serverDb ? Promise.resolve(serverDb) : openDb({ dataDir: f.dbDir }));
  let db = await open();
  const keys = await db.query<{ b: string; n: number }>(`SELECT split_part(dedupe_key, '-', 1) AS b, count(*)::int AS n FROM call_records GROUP BY 1`);
  const stored = new Map(keys.rows.map((r) => [r.b, r.n]));
  for (const b of acked) assert.is(stored.get(`id:D${b % 7}:b${b}`), BATCH, `acknowledged batch ${b} complete`);
  if (!serverDb) await db.close();

  // The shippers resend everything from the start (they do not know what the lost answers said).
  inst = await startInstance(f);
  for (let b = 0; b < BATCHES; b++) assert.ok(await send(inst.url, b), `batch ${b} taken after the restart`);
  await inst.stop();

  db = await open();
  const total = await db.query<{ n: number; d: number }>('SELECT count(*)::int AS n, count(DISTINCT dedupe_key)::int AS d FROM call_records');
  assert.equal(total.rows[0], { n: BATCH * BATCHES, d: BATCH * BATCHES });
  const counted = await db.query<{ n: number }>('SELECT sum(calls)::int AS n FROM call_counters');
  assert.is(counted.rows[0].n, BATCH * BATCHES, 'the cumulative counters counted each record once');
  await db.close();
});

test.run();
