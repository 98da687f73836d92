import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openTestDb, backend } from '../test/helpers/db';
import { Leader } from './leader';
import { silentLogger } from './log';
import { sleep } from './time';

test(`[${backend}] exactly one of two instances leads; the standby takes over when the leader goes`, async () => {
  const db = await openTestDb();
  try {
    if (db.kind === 'embedded') {
      // One process owns the embedded database: it is always the leader.
      const a = new Leader(db, 'reporter', silentLogger(), 100);
      await a.start();
      assert.ok(a.isLeader());
      await a.stop();
      return;
    }
    // Two "instances": two leaders on separate database sessions, as two processes would have.
    const a = new Leader(db, 'reporter', silentLogger(), 100);
    const b = new Leader(db, 'reporter', silentLogger(), 100);
    const other = new Leader(db, 'alerts', silentLogger(), 100);
    await a.start();
    await b.start();
    await other.start();
    assert.ok(a.isLeader(), 'first takes the lead');
    assert.not.ok(b.isLeader(), 'second stands by');
    assert.ok(other.isLeader(), 'locks are per name');
    await a.stop(); // the leader dies (its session ends)
    for (let i = 0; i < 50 && !b.isLeader(); i++) await sleep(50);
    assert.ok(b.isLeader(), 'standby took over');
    await b.stop();
    await other.stop();
  } finally {
    await db.close();
  }
});

test.run();
