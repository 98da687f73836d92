import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chromium, type Browser, type Page } from 'playwright-core';
import { parseConfig } from '../app/config';
import { startSystem, type System } from '../app/system';
import { openTestDb, backend } from './helpers/db';

// The "DNS 基线" card of a DNS target's page, in Debian's Chromium: a hijacked answer shows 与基线不一致 with the
// approved and current answers; ops sees no approve button; security approves with a reason through the UI.
const ARTIFACTS = 'test-artifacts/dashboard';
mkdirSync(ARTIFACTS, { recursive: true });
const PASSWORDS: Record<string, string> = { ops: 'Yunwei-test-2026', security: 'Anquan-test-2026' };
const config = parseConfig(`
server: { host: 127.0.0.1, port: 0 }
log: { level: silent }
auth:
  initialAdmin: { username: admin, password: Guanli-test-2026 }
  seedUsers:
    - { username: ops, password: ${PASSWORDS.ops}, role: ops }
    - { username: security, password: ${PASSWORDS.security}, role: security }
dashboard: { refreshSeconds: 0 }
collector:
  modules: [{ id: dns, name: 城市DNS }]
  targets:
    - { id: dns-portal, module: dns, name: 门户域名解析, type: dns, spec: { name: portal.city.local, servers: ["127.0.0.1:9"] } }
`);
const db = await openTestDb();
const now = Date.now();
await db.insertMany('modules', ['id', 'name'], [['dns', '城市DNS']], 'ON CONFLICT (id) DO NOTHING');
await db.insertMany('targets', ['id', 'module_id', 'name', 'type', 'interval_ms'], [['dns-portal', 'dns', '门户域名解析', 'dns', 30_000]], 'ON CONFLICT (id) DO NOTHING');
const hijacked = { answers: ['127.0.0.66'], oldAnswers: ['127.0.0.1'], newAnswers: ['127.0.0.66'], pinned: false };
await db.insertMany('target_state', ['target_id', 'state', 'since', 'last_ts', 'last_success', 'last_error_code', 'last_detail'],
  [['dns-portal', 'down', new Date(now - 120_000), new Date(now - 10_000), false, 'dns_changed', JSON.stringify(hijacked)]], 'ON CONFLICT (target_id) DO NOTHING');
await db.insertMany('probe_results', ['ts', 'result_id', 'target_id', 'module_id', 'type', 'success', 'duration_ms', 'error_code', 'error', 'detail'],
  [[new Date(now - 10_000), randomUUID(), 'dns-portal', 'dns', 'dns', false, 2, 'dns_changed', 'DNS解析结果变化 dns_changed: 基线 ["127.0.0.1"] 实际 ["127.0.0.66"]', JSON.stringify(hijacked)]]);
await db.query(`INSERT INTO dns_baselines (target_id, record_type, answers, approved_by, approved_at, reason, first_seen) VALUES ('dns-portal', 'A', '["127.0.0.1"]', 'security', $1, '上线时确认', false)`, [new Date(now - 86_400_000)]);
const system: System = await startSystem({ config, db, roles: ['dashboard'] });
const base = system.url!;
const browser: Browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });

async function login(role: string): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
  const page = await ctx.newPage();
  page.on('pageerror', (err) => console.log(`[${role}] page error: ${err.message}`));
  await page.goto(base + '/');
  await page.fill('input[name=username]', role);
  await page.fill('input[name=password]', PASSWORDS[role]);
  await page.click('form.login button[type=submit]');
  await page.waitForSelector('header.top');
  await page.goto(`${base}/#/target/dns-portal`);
  await page.waitForSelector('main.content[data-ready="1"]', { timeout: 20_000 });
  return page;
}

test(`[${backend}] DNS 基线 card: changed answers shown; ops cannot approve; security approves with a reason`, async () => {
  const ops = await login('ops');
  const text = (await ops.textContent('main.content'))!;
  assert.ok(text.includes('DNS 基线'), 'the card is there');
  assert.ok(text.includes('与基线不一致'));
  assert.ok(text.includes('127.0.0.66') && text.includes('127.0.0.1'), 'current and approved answers');
  assert.is(await ops.$('button.approve'), null, 'no approve button for ops');
  await ops.context().close();

  const sec = await login('security');
  await sec.click('button.approve');
  await sec.fill('form.modal textarea[name=reason]', '迁移至新机房，变更单 2026-118');
  await sec.click('form.modal button[type=submit]');
  await sec.waitForSelector('text=已确认新的 DNS 基线', { timeout: 10_000 });
  await sec.waitForSelector('main.content:has-text("迁移至新机房")', { timeout: 10_000 });
  await sec.screenshot({ path: `${ARTIFACTS}/target-dns-baseline-${backend}.png`, fullPage: true });
  const b = await db.query<{ answers: unknown; approved_by: string; reason: string }>(`SELECT answers, approved_by, reason FROM dns_baselines WHERE target_id = 'dns-portal'`);
  const answers = typeof b.rows[0].answers === 'string' ? JSON.parse(b.rows[0].answers) : b.rows[0].answers;
  assert.equal(answers, ['127.0.0.66']);
  assert.is(b.rows[0].approved_by, 'security');
  assert.is(b.rows[0].reason, '迁移至新机房，变更单 2026-118');
  await sec.context().close();
});

test.after(async () => {
  await browser.close();
  await system.stop();
  await db.close();
});

test.run();
