import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openTestDb, backend } from '../../test/helpers/db';
import { adoptFirstDnsBaseline, approveDnsBaseline, currentDnsAnswers, dnsBaseline, dnsBaselineHistory, FIRST_SEEN_BY } from './dns-baselines';

test(`[${backend}] DNS baselines: the first answers are adopted once; an approval replaces them and keeps the history`, async () => {
  const db = await openTestDb();
  try {
    const T0 = Date.parse('2026-11-01T00:00:00Z');
    assert.is(await dnsBaseline(db, 'd'), null);
    const first = await db.tx((q) => adoptFirstDnsBaseline(q, { targetId: 'd', recordType: 'A', answers: ['127.0.0.1'], at: T0 }));
    assert.equal(first.answers, ['127.0.0.1']);
    assert.is(first.firstSeen, true);
    assert.is(first.approvedBy, FIRST_SEEN_BY);
    // A second adoption (another answer seen first by a racing run) does not move it.
    const again = await adoptFirstDnsBaseline(db, { targetId: 'd', recordType: 'A', answers: ['127.0.0.66'], at: T0 + 1000 });
    assert.equal(again.answers, ['127.0.0.1']);
    assert.is((await dnsBaselineHistory(db, 'd')).length, 1);

    const change = await db.tx((q) => approveDnsBaseline(q, { targetId: 'd', recordType: 'A', answers: ['10.0.0.1', '10.0.0.2'], approvedBy: 'anquan', at: T0 + 60_000, reason: '迁移机房' }));
    assert.equal(change.previous, ['127.0.0.1']);
    const now = await dnsBaseline(db, 'd');
    assert.equal(now, { targetId: 'd', recordType: 'A', answers: ['10.0.0.1', '10.0.0.2'], approvedBy: 'anquan', approvedAt: T0 + 60_000, reason: '迁移机房', firstSeen: false });
    const h = await dnsBaselineHistory(db, 'd');
    assert.equal(h.map((x) => [x.answers, x.previous, x.approvedBy, x.firstSeen]), [
      [['10.0.0.1', '10.0.0.2'], ['127.0.0.1'], 'anquan', false],
      [['127.0.0.1'], null, FIRST_SEEN_BY, true],
    ]);
    assert.is(await currentDnsAnswers(db, 'd'), null, 'no result yet');
    await db.query(`INSERT INTO target_state (target_id, state, last_ts, last_success, last_error_code, last_detail) VALUES ('d', 'down', $1, false, 'dns_changed', $2)`,
      [new Date(T0 + 90_000), JSON.stringify({ answers: ['127.0.0.66'] })]);
    assert.equal(await currentDnsAnswers(db, 'd'), { ts: T0 + 90_000, answers: ['127.0.0.66'], success: false, errorCode: 'dns_changed' });
  } finally {
    await db.close();
  }
});

test.run();
