import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { isProbeType, PROBE_TYPES, probeTypeNames, probeTypeOf, targetSpecSchema } from './index';
import { httpSpecSchema } from './http';
import { smtpSpecSchema } from './smtp';

test('registry: every type has its name, a probe and a schema; the config union is made of the same schemas', () => {
  assert.equal([...probeTypeNames].sort(), ['content', 'dns', 'heartbeat', 'http', 'smtp', 'tcp', 'tls']);
  for (const t of probeTypeNames) {
    assert.is(PROBE_TYPES[t].type, t);
    assert.type(PROBE_TYPES[t].probe, 'function');
    assert.is(probeTypeOf(t)?.spec, PROBE_TYPES[t].spec);
  }
  assert.is(PROBE_TYPES.http.spec, httpSpecSchema);
  assert.is(PROBE_TYPES.smtp.spec, smtpSpecSchema);
  assert.is(PROBE_TYPES.heartbeat.kind, 'push');
  assert.is(PROBE_TYPES.http.kind, 'active');
  // State is declared by the types that need it, and only by them.
  assert.equal(probeTypeNames.filter((t) => probeTypeOf(t)?.state).sort(), ['content', 'dns', 'heartbeat']);
  assert.equal(PROBE_TYPES.content.state!.keys, ['baseline']);
  assert.equal(PROBE_TYPES.dns.state!.keys, ['baselineAnswers']);
  assert.equal(PROBE_TYPES.heartbeat.state!.keys, ['state']);
  assert.ok(isProbeType('tls'));
  assert.not.ok(isProbeType('toString'));
  assert.is(probeTypeOf('toString'), undefined);
  assert.ok(targetSpecSchema.safeParse({ type: 'smtp', spec: { host: 'mail.city.local' } }).success);
  assert.not.ok(targetSpecSchema.safeParse({ type: 'smtp', spec: { url: 'http://x/' } }).success);
});

test('state hooks: what each type adds to its spec before a run', async () => {
  const sources = {
    approvedBaseline: async (id: string) => (id === 'portal' ? { hash: 'h', text: 't' } : null),
    latestHeartbeat: async (id: string) => (id === 'job' ? { ts: 1000, status: 'fail' as const, message: 'disk full' } : null),
    dnsBaseline: async (id: string) => (id === 'd' ? { answers: ['127.0.0.1'], recordType: 'A' } : (adoptedDns.get(id) ?? null)),
    adoptDnsBaseline: async (id: string, recordType: string, answers: string[]) => {
      adoptedDns.set(id, { answers, recordType });
      return { answers, recordType };
    },
    adoptFirstCapture: async (id: string, hash: string) => (adopted.push(`${id}:${hash}`), { hash, text: 'first', provisional: true }),
  };
  const adopted: string[] = [];
  const adoptedDns = new Map<string, { answers: string[]; recordType: string }>();
  const input = (targetId: string, lastDetail: Record<string, unknown> | null = null, spec: unknown = {}) => ({ targetId, spec: spec as never, lastDetail, firstSeenAt: 500, sources });
  assert.equal(await PROBE_TYPES.content.state!.load(input('portal')), { baseline: { hash: 'h', text: 't' } });
  assert.is(await PROBE_TYPES.content.state!.load(input('other')), undefined);
  // Trust on first use: the previous run captured a clean page without a baseline → it becomes the provisional one.
  const capture = { normalisedText: 'first', hash: 'c1', baselineHash: null };
  assert.equal(await PROBE_TYPES.content.state!.load(input('other', capture)), { baseline: { hash: 'c1', text: 'first', provisional: true } });
  assert.equal(adopted, ['other:c1']);
  // ... but not a page with forbidden words, nor with trustOnFirstUse off, nor when a baseline exists.
  assert.is(await PROBE_TYPES.content.state!.load(input('other', { ...capture, forbiddenHits: [{ word: 'hacked', count: 1 }] })), undefined);
  assert.is(await PROBE_TYPES.content.state!.load(input('other', capture, { trustOnFirstUse: false })), undefined);
  assert.equal(await PROBE_TYPES.content.state!.load(input('portal', capture)), { baseline: { hash: 'h', text: 't' } });
  assert.equal(adopted, ['other:c1']);
  // DNS: the approved baseline, not the previous answers (a changed answer in lastDetail does not move it).
  assert.equal(await PROBE_TYPES.dns.state!.load(input('d', { answers: ['127.0.0.66'] })), { baselineAnswers: ['127.0.0.1'] });
  assert.is(await PROBE_TYPES.dns.state!.load(input('d', null, { expect: ['127.0.0.1'] })), undefined, 'pinned answers need no baseline');
  assert.is(await PROBE_TYPES.dns.state!.load(input('new')), undefined, 'nothing seen, nothing adopted');
  assert.equal(await PROBE_TYPES.dns.state!.load(input('new', { answers: ['10.0.0.1'], firstSeen: true })), { baselineAnswers: ['10.0.0.1'] });
  assert.equal(adoptedDns.get('new'), { answers: ['10.0.0.1'], recordType: 'A' }, 'the first answers seen are adopted');
  assert.equal(await PROBE_TYPES.heartbeat.state!.load(input('job')), { state: { lastBeatAt: 1000, lastStatus: 'fail', message: 'disk full', firstSeenAt: 500 } });
  assert.equal(await PROBE_TYPES.heartbeat.state!.load(input('new')), { state: { lastBeatAt: null, lastStatus: null, firstSeenAt: 500 } });
});

test('every YAML example in docs/probes.md is a valid spec of its type', () => {
  process.env.EXCHANGE_TOKEN = 'doc-example';
  const md = readFileSync(new URL('../../docs/probes.md', import.meta.url), 'utf8');
  const blocks = [...md.matchAll(/```yaml\n# type: (\w+)\n([\s\S]*?)```/g)];
  assert.ok(blocks.length >= 8, `found ${blocks.length} examples`);
  for (const [, type, body] of blocks) {
    assert.ok(isProbeType(type), type);
    const r = targetSpecSchema.safeParse({ type, spec: parse(body) });
    assert.ok(r.success, `${type}: ${JSON.stringify(r.error?.issues)}\n${body}`);
  }
});

test('probes never throw: a spec that makes the probe fail inside still yields an outcome', async () => {
  const ctx = { signal: AbortSignal.timeout(1000), timeoutMs: 1000, now: Date.now };
  // Port 1 on loopback: nothing listens there.
  const o = await PROBE_TYPES.tcp.probe({ host: '127.0.0.1', port: 1 }, ctx);
  assert.is(o.success, false);
  assert.is(o.errorCode, 'refused');
  const bad = await PROBE_TYPES.tls.probe(PROBE_TYPES.tls.spec.parse({ host: '127.0.0.1', port: 1, caFile: '/nonexistent/ca.crt' }), ctx);
  assert.is(bad.success, false);
  assert.is(bad.errorCode, 'probe_error');
  assert.match(bad.error!, '无法读取 caFile /nonexistent/ca.crt (ENOENT)');
});

test.run();
