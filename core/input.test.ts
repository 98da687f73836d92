import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { z } from 'zod';
import { csvEnum, likeAnywhere, listQuery, sortParam } from './input';

// The list contract's schemas (issue #13): what a list query turns into, and what it refuses.
const q = listQuery({ state: csvEnum(['up', 'down'] as const).optional(), module: z.string().optional() }, { sorts: ['name', 'since'] as const, defaultSort: '-since', limit: 20, max: 100 });

test('listQuery: defaults, a trimmed search, the default sort, limit cut to the maximum', () => {
  assert.equal(q.parse({}), { limit: 20, offset: 0, q: '', sort: { key: 'since', desc: true } });
  const v = q.parse({ limit: '5000', offset: '40', q: '  门户 ', sort: 'name', state: 'up,down', module: 'm1', other: 'ignored' });
  assert.equal(v, { limit: 100, offset: 40, q: '门户', sort: { key: 'name', desc: false }, state: ['up', 'down'], module: 'm1' });
});

test('listQuery: a bad sort, state, limit or an over-long search is refused with a Chinese message', () => {
  for (const bad of [{ sort: 'colour' }, { sort: '-' }, { state: 'up,sideways' }, { limit: '0' }, { limit: '-1' }, { q: 'x'.repeat(201) }]) {
    const r = q.safeParse(bad);
    assert.not.ok(r.success, JSON.stringify(bad));
    assert.match(r.error!.issues[0].message, /[\u4e00-\u9fff]/);
  }
  assert.match(sortParam(['name'] as const).safeParse('x').error!.issues[0].message, /可选 name/);
});

test('likeAnywhere: LIKE characters are matched literally', () => {
  assert.is(likeAnywhere('50%_a\\b'), '%50\\%\\_a\\\\b%');
});

test.run();
