import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openTestDb } from '../../test/helpers/db';
import { manualClock } from '../../core/time';
import { makeFixtures } from '../fixtures/records';
import { Intake } from './service';
import { ingestStaging } from './staging';

const db = await openTestDb();
const clock = manualClock(Date.UTC(2026, 10, 24, 4, 0, 0));
const intake = new Intake({ db, clock });
const f = makeFixtures({ seed: 5, items: 2, officers: 4, inspections: 6, penalties: 4, now: clock() });

async function stage(rows: [string, string, unknown, string?][]) {
  for (const [t, id, payload, op] of rows) {
    await db.query(`INSERT INTO reporter_staging (data_type, record_id, payload, op) VALUES ($1, $2, $3, $4)`, [t, id, JSON.stringify(payload), op ?? 'UPSERT']);
  }
}
const rec = async (t: string, id: string) =>
  (await db.query<{ status: string; version: number; source: string; op: string }>(`SELECT status, version, source, op FROM reporter_records WHERE data_type = $1 AND record_id = $2`, [t, id])).rows[0];

test('rows written by the sharing platform are picked up once, in order, with their outcome', async () => {
  const pen = f.PENALTY.find((p) => p.inspectionRef)!;
  const ins = f.INSPECTION.find((i) => i.recordId === pen.inspectionRef)!;
  // The PENALTY arrives first, its INSPECTION and ITEM later in the same run.
  await stage([
    ['PENALTY', pen.recordId, pen],
    ...f.ITEM.map((i) => ['ITEM', i.recordId, i] as [string, string, unknown]),
    ['INSPECTION', ins.recordId, { ...ins, recordId: undefined }], // recordId taken from the record_id column
  ]);
  const r = await ingestStaging(db, { intake });
  assert.is(r.picked, 4);
  assert.is(r.heldReference, 1);
  assert.is(r.accepted, 3);
  // The held PENALTY was released by the INSPECTION's arrival in the same run.
  assert.is((await rec('PENALTY', pen.recordId)).status, 'valid');
  assert.is((await rec('INSPECTION', ins.recordId)).source, 'staging');
  const left = await db.query(`SELECT 1 FROM reporter_staging WHERE picked_up_at IS NULL`);
  assert.is(left.rows.length, 0);
  const outcomes = await db.query<{ pickup_outcome: string }>(`SELECT pickup_outcome FROM reporter_staging ORDER BY id`);
  assert.equal(outcomes.rows.map((x) => x.pickup_outcome), ['held_reference', 'accepted', 'accepted', 'accepted']);
  assert.is((await ingestStaging(db, { intake })).picked, 0);
});

test('a second row for the same id is a correction; DELETE withdraws; bad rows are kept as rejects', async () => {
  const item = f.ITEM[0];
  await stage([
    ['ITEM', item.recordId, { ...item, itemName: '第二版' }],
    ['ITEM', item.recordId, { ...item, itemName: '第三版' }],
    ['ITEM', f.ITEM[1].recordId, {}, 'DELETE'],
    ['ITEM', 'NOPE-9', {}, 'DELETE'],
    ['THING', 'X-1', { a: 1 }],
    ['ITEM', 'ITEM-77', { ...item, recordId: 'ITEM-78' }],
    ['ITEM', 'ITEM-79', { ...item, recordId: 'ITEM-79', catalogCode: 'x' }],
  ]);
  const r = await ingestStaging(db, { intake });
  assert.is(r.picked, 7);
  const cur = await rec('ITEM', item.recordId);
  assert.is(cur.version, 3);
  assert.is(cur.status, 'valid');
  const w = await rec('ITEM', f.ITEM[1].recordId);
  assert.is(w.status, 'withdrawn');
  assert.is(w.op, 'DELETE');
  assert.is(r.notFound, 1);
  assert.is((await rec('ITEM', 'ITEM-79')).status, 'invalid');
  const rejects = await db.query<{ data_type: string }>(`SELECT data_type FROM reporter_intake_rejects WHERE source = 'staging' ORDER BY id`);
  assert.equal(rejects.rows.map((x) => x.data_type), ['THING', 'ITEM']);
  const outcomes = await db.query<{ pickup_outcome: string }>(`SELECT pickup_outcome FROM reporter_staging ORDER BY id OFFSET 4`);
  assert.equal(outcomes.rows.map((x) => x.pickup_outcome), ['accepted', 'accepted', 'withdrawn', 'not_found', 'rejected', 'rejected', 'rejected']);
});

test('one run with a correction and then the same data again: one new version', async () => {
  const item = f.ITEM[0];
  const before = (await rec('ITEM', item.recordId)).version;
  await stage([
    ['ITEM', item.recordId, { ...item, itemName: '第四版' }],
    ['ITEM', item.recordId, { ...item, itemName: '第四版' }],
  ]);
  const r = await ingestStaging(db, { intake });
  assert.is(r.accepted, 1);
  assert.is(r.unchanged, 1);
  assert.is((await rec('ITEM', item.recordId)).version, before + 1);
  const versions = await db.query(`SELECT version FROM reporter_record_versions WHERE data_type = 'ITEM' AND record_id = $1`, [item.recordId]);
  assert.is(versions.rows.length, before + 1);
});

test('maxRows bounds one run; the rest waits for the next', async () => {
  await stage(f.OFFICER.map((o) => ['OFFICER', o.recordId, o]));
  const r = await ingestStaging(db, { intake, maxRows: 3 });
  assert.is(r.picked, 3);
  assert.is((await ingestStaging(db, { intake })).picked, 1);
});

test.after(async () => {
  await db.close();
});

test.run();
