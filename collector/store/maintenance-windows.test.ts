import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Queryable } from '../../core/db';
import { activeMaintenance } from './maintenance-windows';

const failing = (err: Error & { code?: string }) => ({ query: async () => { throw err; } }) as unknown as Queryable;

test('maintenance windows: no table means no maintenance; any other error is not swallowed', async () => {
  const missing = Object.assign(new Error('relation "maintenance_windows" does not exist'), { code: '42P01' });
  const m = await activeMaintenance(failing(missing), 0);
  assert.equal([...m.modules, ...m.targets], []);
  const down = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  let err: unknown;
  await activeMaintenance(failing(down), 0).catch((e) => (err = e));
  assert.is(err, down);
  const timeout = Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' });
  err = undefined;
  await activeMaintenance(failing(timeout), 0).catch((e) => (err = e));
  assert.is(err, timeout);
});

test('maintenance windows: modules and targets of the active rows', async () => {
  const db = { query: async () => ({ rows: [{ module_id: 'portal', target_id: null }, { module_id: null, target_id: 'exchange-api' }], rowCount: 2 }) } as unknown as Queryable;
  const m = await activeMaintenance(db, 0);
  assert.equal([...m.modules], ['portal']);
  assert.equal([...m.targets], ['exchange-api']);
});

test.run();
