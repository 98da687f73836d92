// Changing reporter.province / schedule / delivery in the configuration file takes effect without a restart;
// unusable settings are refused and the running ones kept.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../app/config';
import { startSystem, type System } from '../../app/system';
import { silentLogger } from '../../core/log';
import { openTestDb } from '../../test/helpers/db';
import { until } from '../../test/helpers/until';

const dir = mkdtempSync(join(tmpdir(), 'reporter-reload-'));
const file = join(dir, 'config.yaml');
const yaml = (url: string, hour: number) => `reporter:\n  province: { url: "${url}", secret: s }\n  schedule: { incremental: "0 ${hour} * * *", timezone: UTC }\n`;
let sys: System;
let token: string;

const status = async () =>
  (await (await sys.app.request('/api/reporter/delivery/status', { headers: { Authorization: `Bearer ${token}` } })).json()) as { province: { url: string }; nextRuns: { kind: string; next: string }[]; sender: boolean };

test.before(async () => {
  writeFileSync(file, yaml('http://127.0.0.1:1', 5));
  sys = await startSystem({ config: loadConfig(file), roles: ['reporter'], db: await openTestDb(), listen: false, log: silentLogger() });
  token = (await sys.auth.createToken({ name: 'r', role: 'regulator', createdBy: 'test' })).token;
});
test.after(async () => {
  const db = sys.db;
  await sys.stop();
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a new schedule and province URL apply on reload; an unusable URL is refused', async () => {
  const s0 = await status();
  assert.ok(s0.sender);
  assert.is(new Date(s0.nextRuns.find((n) => n.kind === 'incremental')!.next).getUTCHours(), 5);
  writeFileSync(file, yaml('http://127.0.0.1:2', 7));
  const s1 = await until('the new province URL', async () => {
    const s = await status();
    return s.province.url === 'http://127.0.0.1:2' && s;
  }, 5_000, 50);
  assert.is(s1.province.url, 'http://127.0.0.1:2');
  assert.is(new Date(s1.nextRuns.find((n) => n.kind === 'incremental')!.next).getUTCHours(), 7);
  assert.is(s1.nextRuns.length, 3, 'the old schedules are gone');
  assert.ok(s1.sender);
  writeFileSync(file, yaml('http://gateway.example.invalid', 9)); // plain http off loopback: refused
  await new Promise((r) => setTimeout(r, 1_000));
  const s2 = await status();
  assert.is(s2.province.url, 'http://127.0.0.1:2');
  assert.is(new Date(s2.nextRuns.find((n) => n.kind === 'incremental')!.next).getUTCHours(), 7);
});

test.run();
