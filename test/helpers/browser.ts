import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { parseConfig } from '../../app/config';
import { startSystem, type System, type SystemOptions } from '../../app/system';
import { silentLogger } from '../../core/log';
import { openTestDb } from './db';

/**
 * The set-up of the dashboard's browser tests: the whole system (or some roles) in this process on the embedded
 * database (or DATABASE_URL, see ./db), from a configuration written for a fresh temporary folder, and a real
 * chromium (/usr/bin/chromium via playwright-core) to log in and open pages with.
 */
export const ARTIFACTS = 'test-artifacts/dashboard';
/** The password of the users the tests seed (`seedUsers`). */
export const PW = 'Yunwei-test-2026';

/** The head of a test configuration: 127.0.0.1 on port 0, silent log, the given users with PW, no auto-refresh. */
export function browserYaml(users: Record<string, string>): string {
  return `
server: { host: 127.0.0.1, port: 0 }
log: { level: silent }
auth:
  seedUsers:
${Object.entries(users).map(([name, role]) => `    - { username: ${name}, password: ${PW}, role: ${role} }`).join('\n')}
dashboard: { refreshSeconds: 0 }
`;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
}

export interface LoginOptions {
  /** Accept every confirm() the page asks (default false). */
  acceptDialogs?: boolean;
  acceptDownloads?: boolean;
}

/** A new 1366×900 zh-CN context, logged in through the login form; resolves once the top bar shows. */
export async function login(browser: Browser, base: string, user: string, password = PW, opts: LoginOptions = {}): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN', ...(opts.acceptDownloads ? { acceptDownloads: true } : {}) });
  const page = await ctx.newPage();
  if (opts.acceptDialogs) page.on('dialog', (d) => void d.accept());
  await page.goto(base + '/');
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', password);
  await page.click('form.login button[type=submit]');
  await page.waitForSelector('header.top');
  return { ctx, page };
}

/** Opens a page of the dashboard (`#/config?kind=rule`) and waits until it has rendered. */
export async function openPage(page: Page, base: string, hash: string): Promise<void> {
  await page.goto(`${base}/${hash}`);
  await page.waitForSelector('main.content[data-ready="1"]', { timeout: 20_000 });
}

/** The shared polling helper (./until), re-exported for the browser tests. */
export { until } from './until';

export interface BrowserSystem {
  /** The fresh temporary folder the configuration was written for. */
  dir: string;
  db: Awaited<ReturnType<typeof openTestDb>>;
  system: System;
  base: string;
  browser: Browser;
  login(user: string, opts?: LoginOptions): Promise<{ ctx: BrowserContext; page: Page }>;
  open(page: Page, hash: string): Promise<void>;
  /** Closes the browser, stops the system, closes the database. */
  close(): Promise<void>;
}

/**
 * Starts the system from `yaml(dir)` (dir: a fresh folder named `<prefix>-…`) on a fresh test database, and chromium.
 * Makes the screenshots' folder (ARTIFACTS).
 */
export async function startBrowserSystem(prefix: string, yaml: (dir: string) => string, opts: Pick<SystemOptions, 'roles'> = {}): Promise<BrowserSystem> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const db = await openTestDb();
  const system = await startSystem({ config: parseConfig(yaml(dir), join(dir, 'config.yaml')), db, log: silentLogger(), ...opts });
  const base = system.url!;
  const browser = await launchChromium();
  return {
    dir, db, system, base, browser,
    login: (user, o) => login(browser, base, user, PW, o),
    open: (page, hash) => openPage(page, base, hash),
    async close() {
      await browser.close();
      await system.stop();
      await db.close();
    },
  };
}
