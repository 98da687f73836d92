import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startPlatformSim, type PlatformSim } from '../../ops/platform-sim/sim';
import { checkContent, contentProbe, contentSpecSchema, findForbidden, sha256, summariseDiff } from './content';
import { normalise, normaliseRulesSchema, removeElements } from './content-normalise';
import { contentDiff, locateForbidden } from './content-diff';
import { probeCtx } from './testkit';

let sim: PlatformSim;
const rules = (r: Record<string, unknown> = {}) => normaliseRulesSchema.parse(r);
const spec = (s: Record<string, unknown> = {}) => contentSpecSchema.parse({ url: sim.urls.portal, normalise: { removeSelectors: ['#visitor-count'] }, ...s });

test.before(async () => {
  sim = await startPlatformSim();
});
test.after(async () => {
  await sim.stop();
});
test.before.each(async () => {
  await sim.setFault('portal', 'none');
});

// --- normaliser (pure) ---

test('nonces, CSRF tokens and timestamps are stripped', () => {
  const a = `<meta name="csrf-token" content="abc"><script nonce="n1">var t = 1764064800123;</script>
<p>更新时间：2026-11-25 10:00:01</p><p>发布 2026年11月25日 09:30</p><p>at 2026-11-25T10:00:00.123Z</p>
<input type="hidden" name="_csrf" value="x1"><div data-csrf="q">ok</div>`;
  const b = a.replace('abc', 'zzz').replace('n1', 'n2').replace('1764064800123', '1764064999999').replace('10:00:01', '11:22:33').replace('09:30', '10:45').replace('x1', 'x2').replace('"q"', '"r"').replace('T10:00:00.123Z', 'T12:00:00.000Z');
  assert.is(normalise(a), normalise(b));
  assert.not.match(normalise(a), 'nonce');
  assert.match(normalise(a), '<p>更新时间：</p>');
});

test('selectors remove whole elements, nested ones included', () => {
  const html = '<div id="ad"><div>一<div>二</div></div>三</div><p class="note big">x</p><span data-x="1">c</span><p>keep</p><img class="note" src="a">';
  assert.is(removeElements(html, '#ad'), '<p class="note big">x</p><span data-x="1">c</span><p>keep</p><img class="note" src="a">');
  assert.is(removeElements(html, '.note'), '<div id="ad"><div>一<div>二</div></div>三</div><span data-x="1">c</span><p>keep</p>');
  assert.is(removeElements(html, 'p.note'), '<div id="ad"><div>一<div>二</div></div>三</div><span data-x="1">c</span><p>keep</p><img class="note" src="a">');
  assert.is(removeElements(html, '[data-x=1]'), '<div id="ad"><div>一<div>二</div></div>三</div><p class="note big">x</p><p>keep</p><img class="note" src="a">');
  assert.is(removeElements('<p>a<script>if (a<b) x()</script>b</p>', 'script'), '<p>ab</p>');
});

test('text-only mode keeps visible text on lines, drops scripts, decodes entities', () => {
  const t = normalise('<html><head><style>p{}</style><script>evil()</script></head><body><h1>某市&nbsp;政府</h1><p>办事<b>服务</b> &amp; 公开</p></body></html>', rules({ textOnly: true }));
  assert.is(t, '某市 政府\n办事服务 & 公开');
});

test('custom patterns and whitespace collapsing', () => {
  const r = rules({ removePatterns: ['在线人数：\\d+'] });
  assert.is(normalise('<p>  a   b </p>\n\n\n<p>在线人数：31</p>', r), normalise('<p>a b</p>\n<p>在线人数：99</p>', r));
});

test('forbidden words: case-insensitive, full-width folded, spaced-out evasion caught', () => {
  assert.equal(findForbidden('本站已被ＨＡＣＫＥＤ', ['hacked']).map((h) => h.word), ['hacked']);
  assert.equal(findForbidden('Hacked BY anon', ['hacked by'])[0].count, 1);
  assert.equal(findForbidden('黑 客 到此一游', ['黑客'])[0].count, 1);
  assert.equal(findForbidden('市政府召开会议', ['黑客', 'hacked']), []);
});

test('checkContent: unchanged, changed with a diff summary, hash-only baseline', () => {
  const base = checkContent('<p>一</p>\n<p>二</p>\n<p>三</p>');
  assert.is(base.changed, false, 'no baseline: nothing to compare');
  assert.is(base.hash, sha256(base.normalisedText));
  const same = checkContent('<p>一</p>\n<p>二</p>  \n<p>三</p>', { baselineText: base.normalisedText });
  assert.is(same.changed, false);
  const changed = checkContent('<p>一</p>\n<p>黑客到此</p>\n<p>三</p>\n<p>四</p>', { baselineText: base.normalisedText, forbiddenWords: ['黑客'] });
  assert.is(changed.changed, true);
  assert.equal(changed.diffSummary, { added: 2, removed: 1, samples: ['- <p>二</p>', '+ <p>黑客到此</p>', '+ <p>四</p>'] });
  assert.is(changed.forbiddenHits[0].word, '黑客');
  const hashOnly = checkContent('<p>x</p>', { baselineHash: base.hash });
  assert.is(hashOnly.changed, true);
  assert.is(hashOnly.diffSummary, undefined);
});

test('diff summary caps its samples', () => {
  const before = Array.from({ length: 50 }, (_, i) => `line ${i}`).join('\n');
  const after = Array.from({ length: 50 }, (_, i) => `LINE ${i}`).join('\n');
  const d = summariseDiff(before, after, 4);
  assert.is(d.added, 50);
  assert.is(d.removed, 50);
  assert.is(d.samples.length, 4);
});

test('reviewer diff: unified text and numbered lines; forbidden words located in the original text (folded, across spaces)', () => {
  const d = contentDiff('<h1>政务</h1>\n<p>一</p>\n<p>二</p>', '<h1>Hacked</h1>\n<p>一</p>\n<p>二</p>\n<p>黑 客</p>');
  assert.is(d.added, 2);
  assert.is(d.removed, 1);
  assert.ok(d.unified.includes('--- baseline\n+++ candidate\n@@ -1,3 +1,4 @@\n-<h1>政务</h1>\n+<h1>Hacked</h1>\n <p>一</p>\n'), d.unified);
  assert.equal(d.lines.map((l) => [l.op, l.oldLine, l.newLine]), [['hunk', null, null], ['del', 1, null], ['add', null, 1], ['ctx', 2, 2], ['ctx', 3, 3], ['add', null, 4]]);
  const text = '本站被ＨＡＣＫＥＤ\n黑 客到此\nhacked again';
  const found = locateForbidden(text, ['hacked', '黑客', '博彩']);
  assert.equal(found.map((f) => [f.word, f.count]), [['hacked', 2], ['黑客', 1]]);
  const lines = text.split('\n');
  const at = (p: { line: number; start: number; end: number }) => lines[p.line - 1].slice(p.start, p.end);
  assert.equal(found[0].positions.map(at), ['ＨＡＣＫＥＤ', 'hacked']);
  assert.equal(found[1].positions.map(at), ['黑 客'], 'spaced-out evasion marked across the space');
  // A squeezed match over a line break is marked on both lines.
  assert.equal(locateForbidden('黑\n客', ['黑客'])[0].positions, [{ line: 1, start: 0, end: 1 }, { line: 2, start: 0, end: 1 }]);
});

// --- probe against the simulated portal ---

test('the live portal is stable across requests once normalised (nonce, token, time, counter vary)', async () => {
  const first = await contentProbe(spec(), probeCtx());
  assert.ok(first.success, first.error);
  assert.type(first.detail?.normalisedText, 'string', 'first capture returns the text to store as baseline');
  const second = await contentProbe(spec({ baseline: { text: first.detail!.normalisedText } }), probeCtx());
  assert.ok(second.success, second.error);
  assert.is(second.detail?.hash, first.detail?.hash);
  assert.is(second.detail?.normalisedText, undefined, 'unchanged page: no text kept');
  // Without the visitor-counter selector the page changes on every request: the normaliser is what makes this work.
  const raw = contentSpecSchema.parse({ url: sim.urls.portal });
  const r1 = await contentProbe(raw, probeCtx());
  const r2 = await contentProbe({ ...raw, baseline: { text: r1.detail!.normalisedText as string } }, probeCtx());
  assert.is(r2.errorCode, 'content_changed');
});

test('tampered page: content_changed with a diff summary', async () => {
  const first = await contentProbe(spec(), probeCtx());
  await sim.setFault('portal', 'tampered');
  const o = await contentProbe(spec({ baseline: { text: first.detail!.normalisedText }, forbiddenWords: [] }), probeCtx());
  assert.is(o.errorCode, 'content_changed');
  const d = o.detail!.diffSummary as { added: number; removed: number; samples: string[] };
  assert.is(d.added, 2);
  assert.is(d.removed, 1);
  assert.ok(d.samples.some((l) => l.startsWith('+ ') && l.includes('Hacked by')), JSON.stringify(d));
  assert.match(o.error!, '页面内容被篡改 content_changed: ');
  assert.match(o.error!, '新增 2 行 删除 1 行');
  assert.type(o.detail?.normalisedText, 'string', 'changed page: candidate text for approval');
  assert.is(o.statusCode, 200);
});

test('tampered page with the default word list: forbidden_word even without a baseline', async () => {
  await sim.setFault('portal', 'tampered');
  const o = await contentProbe(spec(), probeCtx());
  assert.is(o.errorCode, 'forbidden_word');
  assert.match(o.error!, '发现违禁词 forbidden_word: ');
  assert.match(o.error!, '"黑客"×1');
  const hits = o.detail!.forbiddenHits as { word: string; count: number }[];
  assert.ok(hits.some((h) => h.word === 'hacked' && h.count === 2), 'ＨＡＣＫＥＤ (full width) counted with "Hacked"');
});

test('hash-only baseline pinned in config', async () => {
  const first = await contentProbe(spec(), probeCtx());
  const pinned = spec({ baseline: { hash: first.detail!.hash } });
  assert.ok((await contentProbe(pinned, probeCtx())).success);
  await sim.setFault('portal', 'tampered');
  const o = await contentProbe({ ...pinned, forbiddenWords: [] }, probeCtx());
  assert.is(o.errorCode, 'content_changed');
  assert.match(o.error!, `期望哈希 ${String(first.detail!.hash).slice(0, 12)}`);
});

test('5xx and timeout are transport failures, not content changes', async () => {
  await sim.setFault('portal', '5xx');
  assert.is((await contentProbe(spec(), probeCtx())).errorCode, 'http_status');
  await sim.setFault('portal', 'timeout');
  assert.is((await contentProbe(spec(), probeCtx(300))).errorCode, 'timeout');
});

test('schema: bad selector and bad pattern rejected', () => {
  assert.is(contentSpecSchema.safeParse({ url: 'http://127.0.0.1/', normalise: { removeSelectors: ['div > p'] } }).success, false);
  assert.is(contentSpecSchema.safeParse({ url: 'http://127.0.0.1/', normalise: { removePatterns: ['('] } }).success, false);
  assert.is(contentSpecSchema.safeParse({ url: 'http://127.0.0.1/', baseline: { hash: 'abc' } }).success, false);
});

test.run();
