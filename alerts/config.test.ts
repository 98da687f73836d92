import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig, ConfigError } from '../app/config';

function problems(yaml: string): string {
  try {
    parseConfig(yaml, 'x.yaml');
  } catch (err) {
    assert.instance(err, ConfigError);
    return (err as Error).message;
  }
  assert.unreachable('expected a ConfigError');
  return '';
}

test('a full alerts section parses with defaults', () => {
  const c = parseConfig(`
alerts:
  evaluationInterval: 10s
  rules:
    - { name: 目标不可用, type: target_down, failures: 3, severity: critical }
    - { name: 证书, type: cert_expiry }
    - { name: 批次失败, type: event_count, kind: batch_failed, count: 3, window: 1h }
  receivers:
    - name: ops
      channels:
        - { type: webhook, url: "http://127.0.0.1:9/hook" }
        - { type: dingtalk, accessToken: t, secret: s }
  route: { receiver: ops, groupBy: [alertname], routes: [{ matchers: ['team="security"'], receiver: ops }] }
`).alerts;
  assert.is(c.evaluationInterval, 10_000);
  assert.is(c.rules[1].team, 'security');
  assert.is(c.rules[1].type === 'cert_expiry' && c.rules[1].thresholds.length, 3);
  assert.is(c.route!.routes[0].matchers[0], 'team="security"');
  assert.is(c.receivers[0].channels[1].type === 'dingtalk' && c.receivers[0].channels[1].url, 'https://oapi.dingtalk.com/robot/send');
});

test('precise errors: unknown rule type, bad field, bad matcher, unknown receiver, duplicate names', () => {
  assert.match(problems(`alerts:\n  rules:\n    - { name: a, type: target_dwn }\n`), /x\.yaml:3:\d+ at alerts\.rules\[0\]\.type/);
  assert.match(problems(`alerts:\n  rules:\n    - { name: a, type: latency }\n`), /alerts\.rules\[0\]\.thresholdMs: required/);
  assert.match(problems(`alerts:\n  rules:\n    - { name: a, type: target_down, failures: 3, faliures: 2 }\n`), /unknown key "faliures"/);
  assert.match(problems(`alerts:\n  rules:\n    - { name: a, type: latency, thresholdMs: 5, window: 2h }\n`), /at most 1h/);
  assert.match(problems(`alerts:\n  receivers: [{ name: ops }]\n  route: { receiver: ops, matchers: ['team=ops'] }\n`), /alerts\.route\.matchers\[0\]: expected a matcher/);
  assert.match(problems(`alerts:\n  receivers: [{ name: ops }]\n  route: { receiver: ops, routes: [{ receiver: sec }] }\n`), /alerts\.route\.routes\[0\]\.receiver: no receiver named "sec"/);
  assert.match(problems(`alerts:\n  rules:\n    - { name: a, type: heartbeat }\n    - { name: a, type: heartbeat }\n`), /alerts\.rules\[1\]\.name: rule name "a" is also used by rules\[0\]/);
  assert.match(problems(`alerts:\n  receivers: [{ name: ops, channels: [{ type: email, host: h, from: a@b.c }] }]\n  route: { receiver: ops }\n`), /channels\[0\]\.to/);
  // The routing tree may be in the configuration store instead of the file (README: 统一配置).
  assert.is(parseConfig(`alerts:\n  receivers: [{ name: ops }]\n`, 'x.yaml').alerts.route, undefined);
  assert.match(problems(`alerts:\n  timezone: Mars/Base\n`), /unknown time zone/);
});

test('a feishu channel: one file and one registry line make it a channel type of the config', () => {
  const c = parseConfig(`
alerts:
  receivers:
    - name: ops
      channels: [{ type: feishu, url: "https://open.feishu.cn/open-apis/bot/v2/hook/abc", secret: s, msgType: text }]
  route: { receiver: ops }
`).alerts;
  const f = c.receivers[0].channels[0];
  assert.is(f.type === 'feishu' && f.msgType, 'text');
  assert.is(f.type === 'feishu' && f.atAll, false);
  assert.match(problems(`alerts:\n  receivers: [{ name: ops, channels: [{ type: feishu, url: abc }] }]\n  route: { receiver: ops }\n`),
    /x\.yaml:2:\d+ at alerts\.receivers\[0\]\.channels\[0\]\.url: expected the robot's webhook URL/);
  assert.match(problems(`alerts:\n  receivers: [{ name: ops, channels: [{ type: feishu, url: "https://x", atMobiles: [1] }] }]\n  route: { receiver: ops }\n`), /unknown key "atMobiles"/);
});

test.run();
