// Moved here from reporter/standard/validate.test.ts with the duplicate marking it tests (was validateBatch).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateRecord } from '../standard/validate';
import { makeFixtures } from '../fixtures/records';
import { DuplicateTracker, type Marked } from './duplicates';
import { contentHash } from './store';

const NOW = Date.UTC(2026, 10, 24, 4, 0, 0);
const f = makeFixtures({ seed: 7, inspections: 60, penalties: 40, now: NOW });
const clone = <T>(x: T): Record<string, unknown> => structuredClone(x) as Record<string, unknown>;

function markAll(tracker: DuplicateTracker, inputs: unknown[], positions = inputs.map((_, i) => i + 1)) {
  const res: Marked[] = inputs.map((i) => validateRecord('ITEM', i, { now: NOW }));
  const late = tracker.mark(res, res.map((r) => contentHash(r.data)), positions);
  return { res, late };
}

test('E_DUPLICATE: one id with different content in one request; identical repeats collapse', () => {
  const a = clone(f.ITEM[0]);
  const b = { ...a, itemName: '另一个名称' };
  const { res } = markAll(new DuplicateTracker('request'), [a, clone(f.ITEM[1]), b, structuredClone(b)]);
  assert.equal(res[0].errors.map((e) => e.code), ['E_DUPLICATE']);
  assert.equal(res[2].errors.map((e) => e.code), ['E_DUPLICATE']);
  assert.equal(res[3].errors.map((e) => e.code), ['E_DUPLICATE']);
  assert.is(res[1].status, 'valid');
  assert.match(res[0].errors[0].message, '另见第 3 条');
  const same = markAll(new DuplicateTracker('request'), [a, structuredClone(a)]).res;
  assert.is(same[0].status, 'valid');
  assert.is(same[1].duplicateOf, 0);
});

test('across the batches of one file: the earlier, already stored row gets a report line; rows named by number', () => {
  const t = new DuplicateTracker('file');
  const a = clone(f.ITEM[0]);
  const first = markAll(t, [a, clone(f.ITEM[1])], [2, 3]);
  assert.equal(first.late, []);
  assert.is(first.res[0].status, 'valid');
  const again = markAll(t, [structuredClone(clone(f.ITEM[1])), { ...a, itemName: '改过' }], [4, 5]);
  assert.is(again.res[0].status, 'valid', 'an identical repeat in a later batch is left to the store (unchanged)');
  assert.is(again.res[0].duplicateOf, undefined);
  assert.equal(again.res[1].errors.map((e) => e.code), ['E_DUPLICATE']);
  assert.match(again.res[1].errors[0].message, '另见第 2 行');
  assert.equal(again.late.map(([row, e]) => [row, e.code]), [[2, 'E_DUPLICATE']]);
  assert.match(again.late[0][1].message, '另见第 5 行');
});

test.run();
