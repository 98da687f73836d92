import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http from 'node:http';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { parseConfig } from '../app/config';
import type { Db } from '../core/db';
import { silentLogger } from '../core/log';
import { CollectorEngine } from '../collector/engine';
import { openTestDb, backend, breakableDb } from './helpers/db';
import { openDb } from '../core/db';
import { sleep } from '../core/time';
import { until } from './helpers/until';

// Named by this process: two runs of this test on one machine (two CI runs) never stop each other's server.
const OWN_SERVER = { ...process.env, TSDB_LOCAL_INSTANCE: `outage-${process.pid}` };

/**
 * The database goes away while 200 targets are probed every 5 s against a local HTTP server, and comes back: every
 * probe that ran is in probe_results exactly once. On a server (DATABASE_URL) a real TimescaleDB server of its own
 * (`TSDB_LOCAL_INSTANCE=outage-<pid> ops/timescaledb-local`, so the tests running beside it keep theirs; removed at the end) is stopped and
 * started again; on the embedded database every Db call throws for the outage.
 * OUTAGE_SECONDS shortens it (default 60 on the server, 15 embedded).
 */
const OUTAGE_S = Number(process.env.OUTAGE_SECONDS ?? (backend === 'server' ? 60 : 15));
const TARGETS = 200;
const run = promisify(execFile);

let hits = 0;
const server = http.createServer((req, res) => {
  hits++;
  res.end('ok');
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const port = (server.address() as { port: number }).port;

function outageSwitch(db: Db) {
  if (backend === 'server') return { db, ctl: { down: false } };
  return breakableDb(db);
}

async function goDown(ctl: { down: boolean }) {
  if (backend === 'server') await run('ops/timescaledb-local', ['stop'], { env: OWN_SERVER });
  ctl.down = true;
}
async function comeBack(ctl: { down: boolean }) {
  if (backend === 'server') await run('ops/timescaledb-local', ['start'], { env: OWN_SERVER });
  ctl.down = false;
}

test(`[${backend}] a ${OUTAGE_S} s database outage loses no result and writes none twice`, async () => {
  const t0 = Date.now();
  const mark = (w: string) => console.log(`${w} +${Date.now() - t0} ms`);
  const real =
    backend === 'server'
      ? await openDb({ url: (await run('ops/timescaledb-local', ['start'], { env: OWN_SERVER })).stdout.trim(), poolSize: 5 })
      : await openTestDb();
  if (backend === 'server') await real.exec('TRUNCATE probe_results, target_state');
  const { db, ctl } = outageSwitch(real);
  const targets = Array.from({ length: TARGETS }, (_, i) => `    - { id: t${i}, module: m, name: 目标${i}, type: http, interval: 5s, timeout: 2s, spec: { url: "http://127.0.0.1:${port}/t${i}" } }`).join('\n');
  const config = parseConfig(`
collector:
  bufferSize: 100
  batch: { size: 200, age: 200ms }
  statsEvery: 5s
  modules: [{ id: m, name: 模块 }]
  targets:
${targets}
`).collector;
  const engine = new CollectorEngine({ db, log: silentLogger(), clock: Date.now, metrics: new Registry(), journalDir: join(mkdtempSync(join(tmpdir(), 'outage-')), 'journal') }, config);
  let maxJournal = 0;
  let maxDepth = 0;
  let downAt = 0;
  let upAt = 0;
  let hitsAtDown = 0;
  let hitsAtUp = 0;
  mark("db open");
  await engine.start();
  try {
    await sleep(8000);
    const before = hits;
    assert.ok(before > 100, `probing runs (${before} probes before the outage)`);
    await goDown(ctl);
    downAt = Date.now();
    hitsAtDown = hits;
    try {
      const end = downAt + OUTAGE_S * 1000;
      while (Date.now() < end) {
        await sleep(250);
        maxJournal = Math.max(maxJournal, engine.writer.journalBytes);
        maxDepth = Math.max(maxDepth, engine.writer.depth);
      }
    } finally {
      upAt = Date.now();
      hitsAtUp = hits;
      await comeBack(ctl);
    }
    mark("back");
    // The writer notices by itself, replays the journal, then memory.
    await until('the writer back and the journal replayed', () => !engine.writer.databaseDown && engine.writer.journalBytes === 0, 60_000, 250);
    assert.not.ok(engine.writer.databaseDown, 'the writer reconnected');
    assert.is(engine.writer.journalBytes, 0, 'the journal was replayed and removed');
    mark("replayed");
    await sleep(3000);
  } finally {
    await engine.stop();
  }
  const probes = hits;
  const r = await real.query<{ n: number; d: number; during: number }>(
    `SELECT count(*)::int AS n, count(DISTINCT result_id)::int AS d,
            count(*) FILTER (WHERE ts >= $1 AND ts < $2)::int AS during FROM probe_results`,
    [new Date(downAt), new Date(upAt)],
  );
  const { n, d, during } = r.rows[0];
  console.log(`[${backend}] outage ${OUTAGE_S}s: ${probes} probes, ${n} rows, ${d} distinct, ${during} during the outage (${hitsAtUp - hitsAtDown} probes then); journal peak ${maxJournal} B, memory peak ${maxDepth}`);
  assert.is(d, n, 'no result twice');
  assert.is(n, probes, 'every probe that ran is stored');
  // The probes that reached the HTTP server while the database was away are stored with their time: counted against
  // the server's own hits in that window (a second's probes either side for the edges), not against the nominal rate,
  // which a machine busy with other work does not keep. Probing went on through the outage: as many probes as targets at least.
  const hitsDuring = hitsAtUp - hitsAtDown;
  assert.ok(hitsDuring >= TARGETS, `probing went on during the outage (${hitsDuring} probes)`);
  assert.ok(during >= hitsDuring - TARGETS / 5, `results from the outage are there (${during} of ${hitsDuring} probes)`);
  assert.ok(maxJournal > 0, 'the buffer overflowed into the journal');
  assert.ok(maxDepth <= 100 + TARGETS * 2, `memory stayed bounded (${maxDepth})`);
  await real.close();
});

test.after(async () => {
  server.close();
  if (backend === 'server') await run('ops/timescaledb-local', ['remove'], { env: OWN_SERVER });
});

test.run();
