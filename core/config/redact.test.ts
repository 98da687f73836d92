import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { maskedSecrets, redact, unredact } from './redact';

// A receiver's channels, each with its own secret: the form shows them masked and sends *** back (README: 统一配置).
const a = { type: 'webhook', url: 'https://a.example/hook', headers: { Authorization: 'Bearer a-secret' } };
const b = { type: 'dingtalk', url: 'https://b.example/robot', accessToken: 'b-token', secret: 'b-sign' };
const c = { type: 'webhook', url: 'https://c.example/hook', headers: { Authorization: 'Bearer c-secret' } };
const stored = { name: 'duty', team: 'ops', channels: [a, b, c] };
const masked = (x: unknown) => redact(x) as any;

test('unredact: a top-level *** keeps the stored value, a new value replaces it', () => {
  const cur = { id: 'job', token: 'hb-token' };
  assert.equal(unredact({ id: 'job', token: '***' }, cur), cur);
  assert.equal(unredact({ id: 'job', token: 'new' }, cur), { id: 'job', token: 'new' });
  assert.equal(maskedSecrets(unredact({ id: 'job', token: '***' }, cur)), []);
});

test('unredact: reordered channels keep each channel its own secret', () => {
  const m = masked(stored);
  const out = unredact({ ...m, channels: [m.channels[2], m.channels[0], m.channels[1]] }, stored) as any;
  assert.equal(out.channels, [c, a, b]);
  assert.equal(maskedSecrets(out), []);
});

test('unredact: a channel removed from the middle does not shift the secrets of the ones after it', () => {
  const m = masked(stored);
  const out = unredact({ ...m, channels: [m.channels[0], m.channels[2]] }, stored) as any;
  assert.equal(out.channels, [a, c]);
  assert.not.match(JSON.stringify(out), /b-token|b-sign/);
});

test('unredact: key order inside an item does not matter; a new secret next to a masked one is kept', () => {
  const sent = { secret: 'new-sign', accessToken: '***', url: b.url, type: 'dingtalk' };
  const out = unredact({ ...masked(stored), channels: [masked(a), sent, masked(c)] }, stored) as any;
  assert.equal(out.channels[1], { secret: 'new-sign', accessToken: 'b-token', url: b.url, type: 'dingtalk' });
  assert.equal(out.channels[0], a);
});

test('unredact: a channel edited in place (url changed, secret masked) keeps its secret only when nothing else moved', () => {
  const m = masked(stored);
  const edited = { ...m.channels[1], url: 'https://b2.example/robot' };
  // Same length, every other channel identical at its own position: the edited one is the one left over.
  const inPlace = unredact({ ...m, channels: [m.channels[0], edited, m.channels[2]] }, stored) as any;
  assert.equal(inPlace.channels[1], { ...b, url: 'https://b2.example/robot' });
  assert.equal(maskedSecrets(inPlace), []);
  // The same edit after a reorder: no counterpart, so its secrets stay *** (and the write is refused).
  const moved = unredact({ ...m, channels: [edited, m.channels[0], m.channels[2]] }, stored) as any;
  assert.equal(maskedSecrets(moved), ['channels[0].accessToken', 'channels[0].secret']);
  assert.equal(moved.channels.slice(1), [a, c]);
  // Edited after removing another channel: the position would point at another channel's secret — refused.
  const afterRemoval = unredact({ ...m, channels: [{ ...m.channels[2], url: 'https://c2.example/hook' }] }, { ...stored, channels: [a, c] }) as any;
  assert.equal(maskedSecrets(afterRemoval), ['channels[0].headers']);
  assert.not.match(JSON.stringify(afterRemoval), /a-secret|c-secret/);
  // Two channels edited at once: neither can be told apart — both refused.
  const two = unredact({ ...m, channels: [{ ...m.channels[0], url: 'https://a2.example' }, { ...m.channels[1], url: 'https://b2.example' }, m.channels[2]] }, stored) as any;
  assert.equal(maskedSecrets(two), ['channels[0].headers', 'channels[1].accessToken', 'channels[1].secret']);
});

test('unredact: a new channel sent with *** keeps no secret and is named by its path', () => {
  const m = masked(stored);
  const out = unredact({ ...m, channels: [...m.channels, { type: 'webhook', url: 'https://d.example/hook', headers: '***' }] }, stored) as any;
  assert.equal(out.channels.slice(0, 3), [a, b, c]);
  assert.equal(maskedSecrets(out), ['channels[3].headers']);
  // A stored counterpart without the key: nothing to keep either.
  const noKey = unredact({ channels: [{ type: 'webhook', url: a.url, headers: '***' }] }, { channels: [{ type: 'webhook', url: a.url }] });
  assert.equal(maskedSecrets(noKey), ['channels[0].headers']);
});

test('unredact: two stored channels that look the same masked keep their own secrets at their positions', () => {
  const x1 = { type: 'webhook', url: 'https://same.example', headers: { Authorization: 'one' } };
  const x2 = { type: 'webhook', url: 'https://same.example', headers: { Authorization: 'two' } };
  const out = unredact({ channels: [masked(x1), masked(x2)] }, { channels: [x1, x2] }) as any;
  assert.equal(out.channels, [x1, x2]);
});

test.run();
