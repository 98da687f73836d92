import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { channelSchema } from '../config';
import { buildNotification, type NotifyAlert } from '../notify/message';
import { ruleSchema, type RuleConfig } from '../config';
import { RULE_TYPES } from '../rules';
import type { TargetView } from '../sources';
import { createChannel } from '.';
import { cutUtf8, markdownOf } from './markdown';
import { checkContent, findForbidden } from '../../collector/probes/content';

// A tampered page's notice through WeCom and DingTalk to local receivers that enforce the robots' limits as the real
// ones do (WeCom: markdown.content ≤ 4,096 bytes, errcode 40058 otherwise; DingTalk: markdown.text ≤ 20,000 bytes).
const NOW = Date.UTC(2026, 10, 25, 6, 0, 0);
const WORDS = ['hacked by', 'hacked', '黑客', '博彩'];

async function robot(limitBytes: number, field: (b: any) => string) {
  const got: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d) => chunks.push(d));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const text = field(JSON.parse(raw.toString('utf8')));
      got.push(text);
      const valid = Buffer.from(text, 'utf8').toString('utf8') === text && !text.includes('\uFFFD') && !/[\uD800-\uDFFF]/.test(text.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''));
      const ok = Buffer.byteLength(text) <= limitBytes && valid;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(ok ? { errcode: 0, errmsg: 'ok' } : { errcode: 40058, errmsg: `content exceed max length ${limitBytes} or not utf-8` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/send`, got, close: () => new Promise<void>((r) => server.close(() => r())) };
}

function target(id: string): TargetView {
  return { id, name: `门户页面 ${id}`, type: 'content', moduleId: 'portal', moduleName: '政府门户网站', slo: 99.9, intervalMs: 300_000, failureThreshold: 1,
    createdOrUpdated: NOW - 86_400_000, state: 'down', since: NOW - 60_000, consecutiveFailures: 1, lastTs: NOW, lastError: null, lastErrorCode: 'forbidden_word' };
}

/** A defaced page against its baseline, through the real probe functions: long Chinese lines with emoji (4-byte UTF-8). */
function defacedDetail() {
  const baseline = Array.from({ length: 40 }, (_, i) => `<p>第${i}条 政务公开 信息发布 关于做好冬季供暖工作的通知 ${'市政府办公室'.repeat(8)}</p>`).join('\n');
  const page = Array.from({ length: 40 }, (_, i) => `<p>第${i}条 🎰🎲 博彩 黑客 Hacked by 某组织 ${'澳门首家线上赌场'.repeat(12)}</p>`).join('\n');
  const check = checkContent(page, { baselineText: baseline, forbiddenWords: WORDS });
  return { changed: check.changed, diffSummary: check.diffSummary, forbiddenHits: findForbidden(check.normalisedText, WORDS) };
}

function contentNotice(n: number) {
  const rule = ruleSchema.parse({ name: '页面篡改或违禁词', type: 'content' }) as Extract<RuleConfig, { type: 'content' }>;
  const targets = Array.from({ length: n }, (_, i) => target(`page-${i}`));
  const results = targets.map((t) => ({ targetId: t.id, ts: NOW, success: false, errorCode: 'forbidden_word', error: null, detail: defacedDetail() }));
  const instances = RULE_TYPES.content.evaluate(rule, { targets, results }, NOW, { timezone: 'Asia/Shanghai' });
  const alerts: NotifyAlert[] = instances.map((x, i) => ({ status: 'firing', labels: x.labels, annotations: x.annotations, startsAt: NOW, endsAt: null, fingerprint: `f${i}`, generatorURL: 'http://127.0.0.1:8080/#/alerts' }));
  return buildNotification({ receiver: 'security', groupKey: '{}:{alertname="页面篡改或违禁词"}', groupLabels: { alertname: '页面篡改或违禁词' }, alerts, externalURL: 'http://127.0.0.1:8080', timezone: 'Asia/Shanghai' });
}

test('cutUtf8 cuts at a character boundary, never inside a multi-byte character or an emoji', () => {
  const s = '政务🎰公开'; // 3 + 4 + 3 + 3 bytes
  for (let max = 0; max <= Buffer.byteLength(s) + 1; max++) {
    const c = cutUtf8(s, max, '');
    assert.ok(Buffer.byteLength(c) <= max, `${max}: ${c}`);
    assert.ok(s.startsWith(c), `${max}: a prefix of whole characters: ${JSON.stringify(c)}`);
  }
  assert.is(cutUtf8(s, 9, ''), '政务', 'not half an emoji');
  assert.is(cutUtf8(s, 10, ''), '政务🎰');
  assert.is(cutUtf8(s, 12), '政务…', 'the tail counts');
  assert.is(cutUtf8(s, 100), s);
});

test('WeCom: a notice with a long diff stays within 4,096 bytes, is valid UTF-8, and still names the forbidden words', async () => {
  const rx = await robot(4096, (b) => b.markdown.content);
  for (const n of [1, 3, 20]) {
    const notice = contentNotice(n);
    if (n > 1) assert.ok(Buffer.byteLength(markdownOf(notice, { color: true }).text) > 4096, 'uncut, the message would be too long');
    const ch = createChannel(channelSchema.parse({ type: 'wecom', key: 'KEY', url: rx.url, mentionedMobiles: ['13800000000'] }), 'wecom#0', () => NOW);
    await ch.send(notice, AbortSignal.timeout(5000));
    const content = rx.got.at(-1)!;
    assert.ok(Buffer.byteLength(content) <= 4096, `${n} alerts: ${Buffer.byteLength(content)} bytes`);
    if (n > 1) assert.ok(Buffer.byteLength(content) > 3500, `the room is used, not thrown away: ${Buffer.byteLength(content)}`);
    assert.match(content, '违禁词：hacked by×40、hacked×40、黑客×40、博彩×40');
    assert.match(content, '新增 40 行，删除 40 行');
    assert.match(content, '<font color="info">+ &lt;p&gt;第0条 🎰🎲 博彩', 'the first added line, escaped and green');
    assert.match(content, '<@13800000000>', 'the mention survives the cut');
    if (n === 20) {
      assert.match(content, /……另有 \d+ 条/, 'fewer alerts listed, the rest counted');
      assert.match(content, '[查看告警](http://127.0.0.1:8080/#/alerts)', 'the link is kept');
    }
    // Every colour tag that was opened is closed (a cut never ends inside one).
    assert.is((content.match(/<font /g) ?? []).length, (content.match(/<\/font>/g) ?? []).length);
  }
  await rx.close();
});

test('DingTalk: the same notices within 20,000 bytes, the summary of every alert kept', async () => {
  const rx = await robot(20_000, (b) => b.markdown.text);
  const notice = contentNotice(20);
  const ch = createChannel(channelSchema.parse({ type: 'dingtalk', accessToken: 'T', url: rx.url, atMobiles: ['13800000000'] }), 'dingtalk#0', () => NOW);
  await ch.send(notice, AbortSignal.timeout(5000));
  const text = rx.got[0];
  assert.ok(Buffer.byteLength(text) <= 20_000, `${Buffer.byteLength(text)} bytes`);
  assert.is((text.match(/门户页面 page-\d+（政府门户网站）页面异常/g) ?? []).length, 20, 'all 20 alert lines');
  assert.ok((text.match(/违禁词：hacked by×40/g) ?? []).length >= 3, 'details for the first alerts');
  assert.match(text, '@13800000000');
  await rx.close();
});

test.run();
