import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig, ConfigError } from '../app/config';

const base = `
collector:
  defaults: { interval: 30s, timeout: 5s, failureThreshold: 2 }
  modules:
    - { id: portal, name: 政府门户网站, slo: 99.5, tags: { department: 办公厅, criticality: high } }
    - { id: exchange, name: 共享交换平台, tags: { dependsOn: [portal] } }
  targets:
    - { id: portal-home, module: portal, name: 首页, type: http, interval: 10s, spec: { url: "http://127.0.0.1:18000/portal/" } }
    - { id: nightly-sync, module: exchange, name: 夜间同步, type: heartbeat, token: "0123456789abcdef0123", spec: { period: 1d, grace: 1h } }
`;

test('a valid collector section: defaults applied, durations in ms, spec parsed by the probe schema', () => {
  const c = parseConfig(base).collector;
  const [home, hb] = c.targets;
  assert.is(home.interval, 10_000);
  assert.is(home.timeout, 5_000);
  assert.is(home.failureThreshold, 2);
  assert.is(home.successThreshold, 1);
  assert.is((home.spec as { method: string }).method, 'GET', 'the http schema filled its defaults');
  assert.is((hb.spec as { period: number }).period, 86_400_000);
  assert.is(c.modules[0].tags.criticality, 'high');
  assert.equal(c.modules[1].tags.dependsOn, ['portal']);
  assert.equal(c.shard, { index: 0, count: 1 });
});

function problems(yaml: string): string {
  try {
    parseConfig(yaml);
  } catch (e) {
    assert.instance(e, ConfigError);
    return (e as Error).message;
  }
  assert.unreachable('expected a ConfigError');
  return '';
}

test('errors name the path and the fix: unknown module, unknown type, bad spec, interval under 5 s', () => {
  const msg = problems(`
collector:
  modules: [{ id: portal, name: 门户 }]
  targets:
    - { id: a, module: portl, name: A, type: http, spec: { url: "http://127.0.0.1/" } }
    - { id: b, module: portal, name: B, type: htttp }
    - { id: c, module: portal, name: C, type: http, spec: { url: "ftp://x" } }
`);
  assert.match(msg, /collector\.targets\[0\]\.module: no module "portl"/);
  assert.match(msg, /collector\.targets\[1\]\.type: unknown probe type "htttp"; expected one of http, tcp/);
  assert.match(msg, /collector\.targets\[2\]\.spec\.url/);
  assert.match(problems(`collector: { targets: [{ id: a, module: m, name: A, type: http, interval: 2s }] }`), /interval: expected a duration of at least 5s/);
});

test('duplicate ids, a timeout beyond the interval, a push target without token, a bad shard', () => {
  const msg = problems(`
collector:
  modules: [{ id: m, name: 模块 }, { id: m, name: 重复 }]
  targets:
    - { id: a, module: m, name: A, type: http, interval: 5s, timeout: 10s, spec: { url: "http://127.0.0.1/" } }
    - { id: a, module: m, name: A2, type: heartbeat, spec: { period: 1h } }
`);
  assert.match(problems('collector: { shard: { index: 2, count: 2 } }'), /collector\.shard: shard\.index must be below shard\.count/);
  assert.match(msg, /module id "m" is used twice/);
  assert.match(msg, /target id "a" is used twice/);
  assert.match(msg, /targets\[0\]\.timeout: timeout \(10000 ms\) must not exceed the interval/);
  assert.match(msg, /targets\[1\]\.token: a push target needs a token/);
});

test('an empty section is valid', () => {
  const c = parseConfig('server: { port: 0 }').collector;
  assert.equal(c.targets, []);
  assert.is(c.batch.size, 1000);
  assert.is(c.batch.age, 1000);
});

test.run();
