import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../app/config';
import { startSystem, type System } from '../../app/system';
import { silentLogger } from '../../core/log';
import { openTestDb, backend } from '../../test/helpers/db';
import { until } from '../../test/helpers/until';

// A real collector against a local portal (127.0.0.1, port 0) whose page the test changes: trust on first use, a
// defacement detected against the provisional baseline, and the approval that needs a second confirmation.
const CLEAN = '<html><body>\n<h1>某市人民政府门户网站</h1>\n<p>政务公开</p>\n<p>办事服务</p>\n<p>互动交流</p>\n</body></html>';
const DEFACED = '<html><body>\n<h1>Hacked by 黑客 Team</h1>\n<p>政务公开</p>\n<p>办事服务</p>\n<p>本站已被ＨＡＣＫＥＤ</p>\n</body></html>';
let page = CLEAN;
const portal = http.createServer((req, res) => {
  if (req.url === '/index.html') return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
  res.writeHead(404).end();
});
await new Promise<void>((r) => portal.listen(0, '127.0.0.1', () => r()));
const base = `http://127.0.0.1:${(portal.address() as { port: number }).port}`;
const dir = mkdtempSync(join(tmpdir(), 'baseline-routes-'));

const config = parseConfig(`
server: { host: 127.0.0.1, port: 0 }
log: { level: silent }
collector:
  journalDir: ${dir}/journal
  batch: { size: 100, age: 100ms }
  modules: [{ id: portal, name: 政府门户网站 }]
  targets:
    - { id: home, module: portal, name: 门户首页防篡改, type: content, interval: 5s, spec: { url: "${base}/index.html" } }
    - { id: strict, module: portal, name: 不信任首次采集, type: content, interval: 5s, spec: { url: "${base}/index.html", trustOnFirstUse: false } }
`);
const db = await openTestDb();
const sys: System = await startSystem({ config, db, log: silentLogger() });
const sec = (await sys.auth.createToken({ name: 't-sec', role: 'security', createdBy: 'test' })).token;
const reg = (await sys.auth.createToken({ name: 't-reg', role: 'regulator', createdBy: 'test' })).token;
const api = async (path: string, init: RequestInit & { token?: string } = {}) => {
  const res = await fetch(`${sys.url}/api/collector${path}`, { ...init, headers: { 'content-type': 'application/json', authorization: `Bearer ${init.token ?? sec}` } });
  return { status: res.status, body: (await res.json()) as any };
};

test(`[${backend}] trust on first use: the first clean capture becomes a provisional baseline, not an approved one`, async () => {
  const b = await until('provisional baseline', async () => (await api('/targets/home/baseline')).body.provisional && (await api('/targets/home/baseline')).body, 25_000);
  assert.is(b.approved, null, 'nobody approved it');
  assert.match(b.provisional.text, '某市人民政府门户网站');
  assert.equal(b.provisional.forbidden, []);
  assert.is(b.change, null, 'the candidate is the provisional baseline itself');
  const row = await db.query<{ approved_by: string; provisional: boolean }>(`SELECT approved_by, provisional FROM content_baselines WHERE target_id = 'home'`);
  assert.equal(row.rows[0], { approved_by: '首次采集', provisional: true });
  // trustOnFirstUse: false waits for a person: the capture stays a candidate, no baseline row.
  await until('strict captured', async () => (await api('/targets/strict/baseline')).body.candidate, 25_000);
  const strict = (await api('/targets/strict/baseline')).body;
  assert.is(strict.provisional, null);
  assert.is(strict.change.against, 'none');
  assert.ok(strict.change.lines.every((l: any) => l.op === 'add' || l.op === 'hunk'));
});

test(`[${backend}] a defacement against the provisional baseline is detected; the pending change carries the diff and the forbidden words`, async () => {
  page = DEFACED;
  const r = await until('defaced result', async () => {
    const x = await api('/targets/home/results?limit=1');
    const it = x.body.items[0];
    return it?.detail?.changed === true && it;
  }, 25_000);
  assert.is(r.errorCode, 'forbidden_word');
  assert.is(r.detail.baselineProvisional, true);
  const b = (await api('/targets/home/baseline')).body;
  assert.is(b.change.against, 'provisional');
  assert.is(b.change.added, 2);
  assert.is(b.change.removed, 2);
  assert.match(b.change.unified, /^-<h1>某市人民政府门户网站<\/h1>$/m);
  assert.match(b.change.unified, /^\+<h1>Hacked by 黑客 Team<\/h1>$/m);
  const add = b.change.lines.filter((l: any) => l.op === 'add').map((l: any) => l.text);
  assert.equal(add, ['<h1>Hacked by 黑客 Team</h1>', '<p>本站已被ＨＡＣＫＥＤ</p>']);
  assert.ok(b.change.lines.some((l: any) => l.op === 'ctx' && l.text === '<p>政务公开</p>'));
  // Positions point at the characters on the candidate's lines (full-width ＨＡＣＫＥＤ included).
  const words = Object.fromEntries(b.candidate.forbidden.map((f: any) => [f.word, f]));
  assert.ok(words['hacked by'] && words['黑客'] && words.hacked, JSON.stringify(b.candidate.forbidden));
  const lines = b.candidate.text.split('\n');
  for (const f of b.candidate.forbidden) for (const p of f.positions) {
    const s = lines[p.line - 1].slice(p.start, p.end);
    assert.is(s.normalize('NFKC').toLowerCase(), f.word, `${f.word} at ${JSON.stringify(p)}: ${s}`);
  }
  assert.is(words.hacked.count, 2);
});

test(`[${backend}] approving a page with forbidden words needs confirmForbidden and a reason; audited with who, words and reason`, async () => {
  const b = (await api('/targets/home/baseline')).body;
  const body = (x: object) => JSON.stringify({ resultId: b.candidate.resultId, ...x });
  assert.is((await api('/targets/home/baseline/approve', { method: 'POST', body: body({}), token: reg })).status, 403);
  const refused = await api('/targets/home/baseline/approve', { method: 'POST', body: body({}) });
  assert.is(refused.status, 409);
  assert.is(refused.body.error.code, 'forbidden_words_present');
  assert.equal(refused.body.error.words.map((w: any) => w.word).sort(), ['hacked', 'hacked by', '黑客'].sort());
  const noReason = await api('/targets/home/baseline/approve', { method: 'POST', body: body({ confirmForbidden: true, reason: '  ' }) });
  assert.is(noReason.status, 400);
  assert.is(noReason.body.error.code, 'reason_required');
  // Nothing changed yet: the provisional baseline is still in force.
  assert.is((await api('/targets/home/baseline')).body.provisional.hash, b.provisional.hash);
  const ok = await api('/targets/home/baseline/approve', { method: 'POST', body: body({ confirmForbidden: true, reason: '安全演练页面，经处长同意' }) });
  assert.is(ok.status, 200);
  assert.equal(ok.body.forbiddenWords.sort(), ['hacked', 'hacked by', '黑客'].sort());
  const after = (await api('/targets/home/baseline')).body;
  assert.is(after.provisional, null);
  assert.is(after.approved.approvedBy, 'token:t-sec');
  assert.is(after.approved.hash, b.candidate.hash);
  const audit = await db.query<{ actor: string; details: any }>(`SELECT actor, details FROM audit_log WHERE action = 'collector.baseline.approve' AND target = 'home'`);
  assert.is(audit.rows.length, 1, 'refused attempts change nothing and are not approvals');
  const d = typeof audit.rows[0].details === 'string' ? JSON.parse(audit.rows[0].details) : audit.rows[0].details;
  assert.is(audit.rows[0].actor, 'token:t-sec');
  assert.is(d.reason, '安全演练页面，经处长同意');
  assert.is(d.confirmForbidden, true);
  assert.equal(d.forbiddenWords.map((w: any) => w.word).sort(), ['hacked', 'hacked by', '黑客'].sort());
  assert.is(d.previousProvisional, true);
});

test(`[${backend}] confirming a provisional baseline: clean page in one step, audited; then nothing left to confirm`, async () => {
  page = CLEAN;
  // strict has no baseline; approve its clean capture by hand text, then check confirm's refusals on both targets.
  assert.is((await api('/targets/strict/baseline/confirm', { method: 'POST', body: '{}' })).body.error.code, 'no_provisional');
  await db.query(`INSERT INTO content_baselines (target_id, hash, text, approved_by, approved_at, provisional) VALUES ('strict', $1, $2, '首次采集', now(), true)`,
    ['0'.repeat(64), '<p>本站已被黑客攻击</p>']);
  const refused = await api('/targets/strict/baseline/confirm', { method: 'POST', body: '{}' });
  assert.is(refused.status, 409);
  assert.is(refused.body.error.code, 'forbidden_words_present');
  const moved = await api('/targets/strict/baseline/confirm', { method: 'POST', body: JSON.stringify({ hash: 'f'.repeat(64) }) });
  assert.is(moved.body.error.code, 'baseline_moved');
  const ok = await api('/targets/strict/baseline/confirm', { method: 'POST', body: JSON.stringify({ confirmForbidden: true, reason: '测试' }) });
  assert.is(ok.status, 200);
  const after = (await api('/targets/strict/baseline')).body;
  assert.is(after.approved.approvedBy, 'token:t-sec');
  assert.is(after.provisional, null);
  assert.is((await api('/targets/strict/baseline/confirm', { method: 'POST', body: '{}' })).body.error.code, 'no_provisional');
  const audit = await db.query(`SELECT actor FROM audit_log WHERE action = 'collector.baseline.confirm' AND target = 'strict'`);
  assert.is(audit.rows.length, 1);
});

test.after(async () => {
  await sys.stop();
  await db.close();
  portal.close();
});

test.run();
