import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Hono } from 'hono';
import { parseConfig } from '../../app/config';
import { silentLogger } from '../../core/log';
import { manualClock } from '../../core/time';
import { AuthService } from '../../core/auth/service';
import { SESSION_COOKIE, type AppEnv } from '../../core/http';
import type { Db } from '../../core/db';
import { openTestDb } from '../../test/helpers/db';
import { AlertEngine } from '../engine';
import { alertsApp, areaContext, seedTargets, setTargetState, webhookReceiver } from '../testing/fixtures';
import { chinaDate } from '../../core/china-time';
import type { Notice, NoticeDetail, NoticeStats } from '../../contract/notices';

// The 通报 workflow through the API: security turns an alert (and an external warning) into a notice to the module's
// department; the department's contact (role department) sees only its own notices, acknowledges, submits feedback
// with an attachment; security sends it back, the department submits again, security closes it. Overdue notices
// become notice_overdue alerts routed to the department's receiver and to security.
const start = Date.UTC(2026, 10, 25, 2, 0, 0);
const clock = manualClock(start);
let db: Db;
let app: Hono<AppEnv>;
let engine: AlertEngine;
let auth: AuthService;
let deptRx: Awaited<ReturnType<typeof webhookReceiver>>;
let secRx: Awaited<ReturnType<typeof webhookReceiver>>;
const tokens: Record<string, string> = {};
const cookies: Record<string, string> = {};

async function call(who: string | null, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (who && tokens[who]) headers.authorization = `Bearer ${tokens[who]}`;
  if (who && cookies[who]) headers.cookie = `${SESSION_COOKIE}=${cookies[who]}`;
  const res = await app.request(`/api/alerts${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const type = res.headers.get('content-type') ?? '';
  return { status: res.status, type, body: (type.includes('json') ? await res.json() : await res.text()) as any, headers: res.headers };
}

test.before(async () => {
  db = await openTestDb();
  deptRx = await webhookReceiver();
  secRx = await webhookReceiver();
  const config = parseConfig(`
alerts:
  rules:
    - { name: 页面篡改, type: content, team: security, severity: critical }
    - { name: 通报逾期, type: notice_overdue }
  receivers:
    - { name: ops, channels: [{ type: log }] }
    - { name: security, channels: [{ type: webhook, url: "${secRx.url}" }] }
    - { name: dept-web, channels: [{ type: webhook, url: "${deptRx.url}" }] }
  route:
    receiver: ops
    groupWait: 0s
    routes:
      - { matchers: ['alertname="通报逾期"', 'department="网站管理科"'], receiver: dept-web, continue: true, groupBy: [notice] }
      - { matchers: ['team="security"'], receiver: security, groupBy: [alertname, notice] }
  notices:
    numberPattern: "〔{year}〕{seq}号"
    deadlines: { high: 2d }
    attachments: { maxFiles: 2, maxBytes: 4096 }
`);
  auth = new AuthService(db, clock, 30 * 86_400_000);
  app = await alertsApp(await areaContext(db, config, clock, auth));
  for (const role of ['ops', 'security', 'regulator', 'admin'] as const) tokens[role] = (await auth.createToken({ name: role, role, createdBy: 'test' })).token;
  for (const [name, dept] of [['web-contact', '网站管理科'], ['data-contact', '数据资源科']] as const) {
    await auth.createUser({ username: name, password: 'Lianluo-contact-2026', role: 'department', department: dept });
    const r = await auth.login(name, 'Lianluo-contact-2026');
    assert.ok(r.ok);
    if (r.ok) cookies[name] = r.sessionId;
  }
  await seedTargets(db, [{ id: 'home', module: 'portal', type: 'content' }]);
  await db.query(`UPDATE modules SET tags = '{"department": "网站管理科"}' WHERE id = 'portal'`);
  await setTargetState(db, 'home', 'down', 1, clock());
  await db.query(`INSERT INTO probe_results (ts, result_id, target_id, module_id, type, success, duration_ms, error_code, detail)
                  VALUES ($1, gen_random_uuid(), 'home', 'portal', 'content', false, 10, 'content_changed', '{"changed": true}')`, [new Date(clock())]);
  engine = new AlertEngine(db, silentLogger(), clock, config.alerts);
  await engine.evaluate(clock());
});
test.after(async () => {
  await deptRx.close();
  await secRx.close();
  await db.close();
});

test('a department user must have a department', async () => {
  try {
    await auth.createUser({ username: 'nodept', password: 'Lianluo-contact-2026', role: 'department' });
    assert.unreachable('created');
  } catch (err) {
    assert.match((err as Error).message, '必须指定所属部门');
  }
  // Nor may an admin turn a user into one without a department.
  const id = await auth.createUser({ username: 'someone', password: 'Lianluo-contact-2026', role: 'ops' });
  try {
    await auth.updateUser(id, { role: 'department' });
    assert.unreachable('changed');
  } catch (err) {
    assert.match((err as Error).message, '必须指定所属部门');
  }
  assert.ok(await auth.updateUser(id, { role: 'department', department: '数据资源科' }));
  assert.is((await db.query<{ department: string }>('SELECT department FROM users WHERE id = $1', [id])).rows[0].department, '数据资源科');
  assert.ok(await auth.updateUser(id, { role: 'ops' }));
  assert.is((await db.query<{ department: string | null }>('SELECT department FROM users WHERE id = $1', [id])).rows[0].department, null);
});

test('alert → 通报 → acknowledge → feedback → return → feedback → close, each step by its role only, audited', async () => {
  const alerts = await call('security', 'GET', '/alerts?state=firing');
  const tamper = alerts.body.items.find((a: any) => a.ruleType === 'content');
  assert.ok(tamper, 'the tampering alert fired');

  // Only security issues; ops and the department may not.
  assert.is((await call('ops', 'POST', '/notices', { alertId: tamper.id, level: 'high' })).status, 403);
  assert.is((await call('web-contact', 'POST', '/notices', { alertId: tamper.id, level: 'high' })).status, 403);
  const made = await call('security', 'POST', '/notices', { alertId: tamper.id, level: 'high', requirement: '立即核查页面内容并恢复，排查入侵途径' });
  assert.is(made.status, 201, JSON.stringify(made.body));
  const n = made.body as Notice;
  const year = chinaDate(clock()).slice(0, 4);
  assert.is(n.number, `〔${year}〕1号`);
  assert.is(n.department, '网站管理科', 'the department comes from the module');
  assert.is(n.moduleId, 'portal');
  assert.is(n.source, 'alert');
  assert.is(n.status, 'issued');
  assert.is(new Date(n.deadline).getTime(), clock() + 2 * 86_400_000, 'deadline by level from the configuration');
  // A second notice for the same open alert is refused, naming the first.
  const dup = await call('security', 'POST', '/notices', { alertId: tamper.id, level: 'high' });
  assert.is(dup.status, 409);
  assert.match(dup.body.error.message, n.number);

  // An external warning entered by hand, to another department; the next number.
  const ext = await call('security', 'POST', '/notices', {
    source: 'cncert', sourceRef: 'CNCERT-2026-0815', level: 'medium', title: '数据共享接口存在未授权访问漏洞', department: '数据资源科',
    affectedSystems: ['共享交换平台'], description: '接报：共享交换平台某接口可未授权调用。',
  });
  assert.is(ext.status, 201, JSON.stringify(ext.body));
  assert.is(ext.body.number, `〔${year}〕2号`);
  assert.is((await call('security', 'POST', '/notices', { source: 'cac', level: 'low', title: 'x', description: 'y' })).body.error.code, 'department_required');

  // The department sees only its own notices; another department's is "not found", not "forbidden".
  const mine = await call('web-contact', 'GET', '/notices');
  assert.is(mine.status, 200);
  assert.equal(mine.body.items.map((x: Notice) => x.number), [n.number]);
  assert.is((await call('web-contact', 'GET', `/notices/${ext.body.id}`)).status, 404);
  assert.is((await call('data-contact', 'GET', `/notices/${n.id}`)).status, 404);
  assert.is((await call('web-contact', 'GET', `/notices?department=数据资源科`)).body.total, 1, 'a department filter cannot widen the scope');
  // Nor anything else of the system.
  assert.is((await call('web-contact', 'GET', '/alerts')).status, 403);
  assert.is((await call('regulator', 'GET', '/notices')).status, 403);
  assert.is((await call('ops', 'GET', '/notices')).body.total, 2);

  // Feedback before acknowledging is refused with the state.
  const early = await call('web-contact', 'POST', `/notices/${n.id}/feedback`, { comment: '已处理' });
  assert.is(early.status, 409);
  assert.match(early.body.error.message, '已下发');
  // Another department cannot acknowledge it.
  assert.is((await call('data-contact', 'POST', `/notices/${n.id}/acknowledge`, {})).status, 404);
  clock.advance(3_600_000);
  const ack = await call('web-contact', 'POST', `/notices/${n.id}/acknowledge`, { comment: '已收到' });
  assert.is(ack.status, 200);
  assert.is(ack.body.status, 'acknowledged');
  assert.is(ack.body.acknowledgedBy, 'web-contact');

  // Attachments are bounded.
  const big = Buffer.alloc(5000, 1).toString('base64');
  assert.is((await call('web-contact', 'POST', `/notices/${n.id}/feedback`, { comment: '见附件', attachments: [{ filename: 'a.bin', data: big }] })).status, 413);
  assert.is((await call('web-contact', 'POST', `/notices/${n.id}/feedback`, { comment: '见附件', attachments: [{ filename: '../etc/passwd', data: 'AA==' }] })).status, 400);
  const report = Buffer.from('整改报告：已恢复页面，修补上传漏洞。');
  clock.advance(3_600_000);
  const fb = await call('web-contact', 'POST', `/notices/${n.id}/feedback`, {
    comment: '已恢复页面并修补漏洞', attachments: [{ filename: '整改报告.txt', contentType: 'text/plain', data: report.toString('base64') }],
  });
  assert.is(fb.status, 200, JSON.stringify(fb.body));
  assert.is(fb.body.status, 'submitted');

  // Only security reviews; a return needs a reason.
  assert.is((await call('web-contact', 'POST', `/notices/${n.id}/close`, {})).status, 403);
  assert.is((await call('security', 'POST', `/notices/${n.id}/return`, {})).status, 400);
  const back = await call('security', 'POST', `/notices/${n.id}/return`, { comment: '未说明入侵途径' });
  assert.is(back.body.status, 'returned');
  clock.advance(3_600_000);
  assert.is((await call('web-contact', 'POST', `/notices/${n.id}/feedback`, { comment: '入侵途径：弱口令后台，已改为强口令并限制来源地址' })).body.status, 'submitted');
  const closed = await call('security', 'POST', `/notices/${n.id}/close`, { comment: '整改到位' });
  assert.is(closed.body.status, 'closed');
  assert.is((await call('security', 'POST', `/notices/${n.id}/close`, {})).status, 409, 'closed once');

  // The history: every step with who and why; the attachment downloads as it was sent.
  const d = (await call('web-contact', 'GET', `/notices/${n.id}`)).body as NoticeDetail;
  assert.equal(d.events.map((e) => e.action), ['issued', 'acknowledged', 'feedback', 'returned', 'feedback', 'closed']);
  assert.equal(d.events.map((e) => e.actor), ['token:security', 'web-contact', 'web-contact', 'token:security', 'web-contact', 'token:security']);
  const att = d.events[2].attachments[0];
  assert.is(att.filename, '整改报告.txt');
  const file = await app.request(`/api/alerts/notices/${n.id}/attachments/${att.id}`, { headers: { cookie: `${SESSION_COOKIE}=${cookies['web-contact']}` } });
  assert.is(file.status, 200);
  assert.is(Buffer.from(await file.arrayBuffer()).toString(), report.toString());
  assert.match(file.headers.get('content-disposition') ?? '', 'attachment;');
  assert.is((await app.request(`/api/alerts/notices/${n.id}/attachments/${att.id}`, { headers: { cookie: `${SESSION_COOKIE}=${cookies['data-contact']}` } })).status, 404);
  const audit = await db.query<{ action: string }>(`SELECT action FROM audit_log WHERE action LIKE 'notice.%' ORDER BY id`);
  assert.equal(audit.rows.map((r) => r.action), ['notice.issue', 'notice.issue', 'notice.acknowledged', 'notice.feedback', 'notice.returned', 'notice.feedback', 'notice.closed']);

  // The printable view escapes what people typed and shows the number and the history.
  const print = await call('security', 'GET', `/notices/${n.id}/print`);
  assert.is(print.status, 200);
  assert.match(print.type, 'text/html');
  assert.match(print.body, n.number);
  assert.match(print.body, '网站管理科');
  assert.match(print.body, '整改报告.txt');
  assert.not.match(print.body, '<script');
});

test('an overdue notice reminds the department and security through the channels; stats and export per month', async () => {
  const list = await call('security', 'GET', '/notices?status=issued');
  const open = list.body.items[0] as Notice;
  assert.is(open.department, '数据资源科');
  const html = await call('security', 'POST', '/notices', { source: 'police', level: 'high', title: '门户网站<script>alert(1)</script>挂马', department: '网站管理科', description: '公安机关通报：门户网站存在挂马页面。' });
  assert.is(html.status, 201);
  const p = await call('security', 'GET', `/notices/${html.body.id}/print`);
  assert.not.match(p.body, '<script>alert(1)');
  assert.match(p.body, '&lt;script&gt;');

  // Past the deadlines (7d for medium by default, 2d for high as configured): one reminder per notice, the
  // web department's receiver gets only its own.
  clock.advance(8 * 86_400_000);
  await engine.evaluate(clock());
  await engine.tick();
  await engine.drain();
  const sec = secRx.got.flatMap((m: any) => m.alerts ?? []).filter((a: any) => a.labels.alertname === '通报逾期');
  const dept = deptRx.got.flatMap((m: any) => m.alerts ?? []).filter((a: any) => a.labels.alertname === '通报逾期');
  assert.equal(new Set(sec.map((a: any) => a.labels.notice)).size, 2, 'security is reminded of both open notices');
  assert.equal([...new Set(dept.map((a: any) => a.labels.notice))], [html.body.number], 'the department only of its own');
  assert.match(dept[0].annotations.summary, '逾期未办结');
  assert.is((await call('security', 'GET', '/notices?overdue=true')).body.total, 2);

  const month = chinaDate(start).slice(0, 7);
  const stats = (await call('security', 'GET', `/notices/stats?month=${month}`)).body as NoticeStats;
  const web = stats.departments.find((x) => x.department === '网站管理科')!;
  assert.equal({ issued: web.issued, closed: web.closed, onTime: web.closedOnTime, open: web.open, overdue: web.overdue }, { issued: 2, closed: 1, onTime: 1, open: 1, overdue: 1 });
  assert.is(web.onTimeRate, 0.5);
  assert.is(stats.total.issued, 3);
  const own = (await call('web-contact', 'GET', `/notices/stats?month=${month}`)).body as NoticeStats;
  assert.equal(own.departments.map((x) => x.department), ['网站管理科']);
  assert.is((await call('security', 'GET', '/notices/stats?month=2026-13')).status, 400);

  const csv = await call('security', 'GET', `/notices/export?month=${month}`);
  assert.is(csv.status, 200);
  assert.match(csv.type, 'text/csv');
  const lines = csv.body.trim().split('\n');
  assert.is(lines.length, 4, 'a header and three notices');
  assert.match(lines[0], '编号,标题,级别');
});

test.run();
