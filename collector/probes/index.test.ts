import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { isProbeType, probeRegistry, probeSpecSchemas, probeTypeNames } from './index';

test('registry: every type has a probe and a schema, the same schemas as probeSpecSchemas', () => {
  assert.equal(probeTypeNames.sort(), ['content', 'dns', 'heartbeat', 'http', 'tcp', 'tls']);
  for (const t of probeTypeNames) {
    assert.type(probeRegistry[t].probe, 'function');
    assert.is(probeRegistry[t].specSchema, probeSpecSchemas[t]);
  }
  assert.is(probeRegistry.heartbeat.kind, 'push');
  assert.is(probeRegistry.content.injected, 'baseline');
  assert.ok(isProbeType('tls'));
  assert.not.ok(isProbeType('toString'));
});

test('every YAML example in docs/probes.md is a valid spec of its type', () => {
  process.env.EXCHANGE_TOKEN = 'doc-example';
  const md = readFileSync(new URL('../../docs/probes.md', import.meta.url), 'utf8');
  const blocks = [...md.matchAll(/```yaml\n# type: (\w+)\n([\s\S]*?)```/g)];
  assert.ok(blocks.length >= 8, `found ${blocks.length} examples`);
  for (const [, type, body] of blocks) {
    assert.ok(isProbeType(type), type);
    const r = probeSpecSchemas[type as keyof typeof probeSpecSchemas].safeParse(parse(body));
    assert.ok(r.success, `${type}: ${JSON.stringify(r.error?.issues)}\n${body}`);
  }
});

test('probes never throw: a spec that makes the probe fail inside still yields an outcome', async () => {
  const ctx = { signal: AbortSignal.timeout(1000), timeoutMs: 1000, now: Date.now };
  // Port 1 on loopback: nothing listens there.
  const o = await probeRegistry.tcp.probe({ host: '127.0.0.1', port: 1 }, ctx);
  assert.is(o.success, false);
  assert.is(o.errorCode, 'refused');
  const bad = await probeRegistry.tls.probe(probeSpecSchemas.tls.parse({ host: '127.0.0.1', port: 1, caFile: '/nonexistent/ca.crt' }), ctx);
  assert.is(bad.success, false);
  assert.is(bad.errorCode, 'probe_error');
  assert.match(bad.error!, '无法读取 caFile /nonexistent/ca.crt (ENOENT)');
});

test.run();
