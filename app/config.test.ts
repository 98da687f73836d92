import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { parseConfig, loadConfig, ConfigError } from './config';

function problems(yaml: string): string {
  try {
    parseConfig(yaml, 'cfg.yaml');
  } catch (err) {
    assert.instance(err, ConfigError);
    return (err as Error).message;
  }
  assert.unreachable('expected a ConfigError');
  return '';
}

test('an empty file is a valid configuration with defaults', () => {
  const c = parseConfig('', 'empty.yaml');
  assert.is(c.server.port, 8080);
  assert.is(c.retention.raw, 30 * 86_400_000);
  assert.is(c.retention.oneHour, 3 * 365.25 * 86_400_000);
});

test('YAML syntax error names the file, line and column', () => {
  const m = problems('server:\n  port: [1, 2\n');
  assert.match(m, /cfg\.yaml:\d+:\d+/);
  assert.match(m, /YAML syntax/);
});

test('wrong type names the path, the expectation and what was found', () => {
  const m = problems('server:\n  port: "eighty"\n');
  assert.match(m, /cfg\.yaml:2:9 at server\.port/);
  assert.match(m, /expected number/);
  assert.match(m, /found "eighty"/);
});

test('unknown key (a typo) is refused, with the fix', () => {
  const m = problems('server:\n  prot: 80\n');
  assert.match(m, /unknown key "prot"/);
  assert.match(m, /check the spelling/);
});

test('bad duration and a duration below its minimum', () => {
  assert.match(problems('retention:\n  raw: soon\n'), /retention\.raw: expected a duration such as "30s"/);
  assert.match(problems('retention:\n  raw: 1h\n'), /retention\.raw: expected a duration of at least 1d; found "1h"/);
});

test('value out of range and bad enum', () => {
  assert.match(problems('server:\n  port: 70000\n'), /server\.port: .*(<=|65535)/);
  assert.match(problems('log:\n  level: loud\n'), /log\.level/);
  assert.match(problems('database:\n  embeddedCompiler: turbo\n'), /database\.embeddedCompiler: .*baseline.*optimizing/);
});

test('the embedded database runs baseline WebAssembly code unless told otherwise', () => {
  assert.is(parseConfig('', 'empty.yaml').database.embeddedCompiler, 'baseline');
  assert.is(parseConfig('database:\n  embeddedCompiler: optimizing\n', 'cfg.yaml').database.embeddedCompiler, 'optimizing');
});

test('secret from a missing environment variable says which one', () => {
  delete process.env.CITY_OPS_TEST_MISSING;
  const m = problems('auth:\n  initialAdmin:\n    username: admin\n    password: { env: CITY_OPS_TEST_MISSING }\n');
  assert.match(m, /auth\.initialAdmin\.password: environment variable CITY_OPS_TEST_MISSING is not set/);
});

test('secret from an environment variable and from a file are read', () => {
  process.env.CITY_OPS_TEST_PW = 'from-env-123';
  const dir = mkdtempSync('/tmp/cfg-');
  writeFileSync(`${dir}/pw`, 'from-file-456\n');
  const c = parseConfig(`auth:\n  initialAdmin: { username: admin, password: { env: CITY_OPS_TEST_PW } }\n  seedUsers:\n    - { username: ops, password: { file: ${dir}/pw }, role: ops }\n`);
  assert.is(c.auth.initialAdmin?.password, 'from-env-123');
  assert.is(c.auth.seedUsers[0].password, 'from-file-456');
  const m = problems(`auth:\n  seedUsers:\n    - { username: ops, password: { file: ${dir}/nope }, role: ops }\n`);
  assert.match(m, /cannot read secret file .*nope: ENOENT/);
});

test('missing required field inside a list item names the index', () => {
  const m = problems('auth:\n  seedUsers:\n    - { username: ops, role: ops }\n');
  assert.match(m, /auth\.seedUsers\[0\]\.password: required/);
});

test('several problems are all reported at once', () => {
  const m = problems('server:\n  port: x\nlog:\n  level: loud\n');
  assert.match(m, /2 problems/);
});

test('a missing file says how to fix it', () => {
  try {
    loadConfig('/nonexistent/city.yaml');
    assert.unreachable();
  } catch (err) {
    assert.match((err as Error).message, /cannot read the file \(ENOENT\); pass --config PATH/);
  }
});

test('the shipped example and demo configurations are valid', () => {
  for (const f of ['ops/demo.yaml', 'ops/config.example.yaml']) {
    // The example reads its secrets from the environment: give every variable it names a placeholder.
    for (const m of readFileSync(f, 'utf8').matchAll(/\{\s*env:\s*([A-Z0-9_]+)\s*\}/g)) process.env[m[1]] ??= `Harbour-lantern-4419-${m.index}`; // strong enough for the password policy, 16+ for tokens, one per variable
    const c = loadConfig(f);
    assert.ok(c.server.port > 0, f);
  }
});

test('what the start would refuse, the configuration refuses first, at the offending key\'s own line', () => {
  // An unknown key is shown at its own line (3), not at its mapping's (1).
  assert.match(problems('server:\n  port: 80\n  prot: 81\n'), /cfg\.yaml:3:3 at server: unknown key "prot"/);
  // Durations: only a number and a unit; nothing beyond what PostgreSQL and timers can hold.
  assert.match(problems('database:\n  statementTimeout: "30 seconds"\n'), /cfg\.yaml:2:21 at database\.statementTimeout: expected a duration such as "30s"/);
  assert.match(problems('retention:\n  oneHour: 1000000000y\n'), /cfg\.yaml:2:12 at retention\.oneHour: expected a duration of at most 30y/);
  assert.match(problems('auth:\n  sessionTtl: 400d\n'), /at auth\.sessionTtl: expected a duration of at most 30d/);
  assert.match(problems('auth:\n  passwordPolicy: { minLength: 4 }\n'), /at auth\.passwordPolicy\.minLength/);
  // Users the start would fail to create: a password the policy refuses, a name the users table does not take. The
  // password itself is never shown.
  const weak = problems('auth:\n  initialAdmin:\n    username: root\n    password: "12345678"\n');
  assert.match(weak, /cfg\.yaml:4:15 at auth\.initialAdmin\.password: the password policy .*至少 12/);
  assert.not.match(weak, /12345678/);
  assert.match(problems('auth:\n  seedUsers:\n    - { username: carol, password: Carol-harbour-2026, role: ops }\n'), /cfg\.yaml:3:36 at auth\.seedUsers\[0\]\.password: .*用户名/);
  assert.match(problems('auth:\n  seedUsers:\n    - { username: carol, password: qwertyuiop123, role: ops }\n'), /seedUsers\[0\]\.password: .*强度不足/);
  assert.match(problems('auth:\n  seedUsers:\n    - { username: 张 三, password: Yunwei-shift-2026, role: ops }\n'), /cfg\.yaml:3:19 at auth\.seedUsers\[0\]\.username: a user name is/);
  // The database server's address must be a PostgreSQL URL (the start would try to connect to it); not shown.
  const url = problems('database:\n  url: "http//user:s3cret@db"\n');
  assert.match(url, /cfg\.yaml:2:8 at database\.url: expected a PostgreSQL URL/);
  assert.not.match(url, /s3cret/);
  assert.is(parseConfig('database:\n  url: postgres://u:p@127.0.0.1:5432/x\n', 'x.yaml').database.url, 'postgres://u:p@127.0.0.1:5432/x');
  // Any secret's value stays out of a problem's text (here a push token too short).
  const short = problems('collector:\n  modules: [{ id: a, name: A }]\n  targets:\n    - { id: t, module: a, name: T, type: heartbeat, token: shorty, spec: { period: 1d, grace: 1h } }\n');
  assert.match(short, /token: .*found a secret of 6 characters \(not shown\)/);
  assert.not.match(short, /shorty/);
});

test('cron expressions by node-cron\'s own validator and their time zone via Intl, each at its own line', () => {
  // The reporter's schedule: a time zone Intl does not know, at the timezone key's line.
  assert.match(problems('reporter:\n  schedule:\n    incremental: "*/5 * * * *"\n    timezone: Mars/Olympus\n'), /cfg\.yaml:4:15 at reporter\.schedule\.timezone: unknown time zone/);
  // A bad expression names the key, its line and node-cron's reason (the field that is wrong).
  const m = problems('reporter:\n  schedule:\n    timezone: Asia/Shanghai\n    full: "61 1 * * *"\n');
  assert.match(m, /cfg\.yaml:4:11 at reporter\.schedule\.full: expected a cron expression/);
  assert.match(m, /minute/);
  assert.match(problems('reporter:\n  schedule:\n    reconcile: "every night"\n'), /cfg\.yaml:3:16 at reporter\.schedule\.reconcile/);
  // The alerts section's time zone through the same check.
  assert.match(problems('alerts:\n  timezone: Moon/Base\n'), /cfg\.yaml:2:13 at alerts\.timezone: unknown time zone/);
  // Good values pass, and keep their meaning.
  const ok = parseConfig('reporter:\n  schedule:\n    incremental: "*/5 * * * *"\n    timezone: Asia/Urumqi\n', 'x.yaml');
  assert.is(ok.reporter.schedule.timezone, 'Asia/Urumqi');
  assert.is(ok.reporter.schedule.incremental, '*/5 * * * *');
});

test('secure cookies by default; the demo turns them off for http://127.0.0.1', () => {
  assert.is(parseConfig('', 'x.yaml').auth.secureCookies, true);
  assert.is(loadConfig(new URL('../ops/demo.yaml', import.meta.url).pathname).auth.secureCookies, false);
});

test.run();
