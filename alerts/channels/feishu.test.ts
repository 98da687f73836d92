import { createServer } from 'node:http';
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { channelSchema } from '../config';
import { buildNotification, type Notification, type NotifyAlert } from '../notify/message';
import { channelDestination, createChannel } from '.';
import { FEISHU_MAX_BYTES, feishuSign } from './feishu';
import { ChannelError } from './types';

const T0 = Date.UTC(2026, 10, 25, 6, 0, 0);
const TOKEN = 'hook-token-3f9a';
const SIGNING = 'SEC-feishu-1';

function alert(i: number, status: 'firing' | 'resolved', summary: string): NotifyAlert {
  return {
    status, labels: { alertname: '目标不可用', severity: 'critical', team: 'ops', module: 'portal', target: `t${i}` }, annotations: { summary },
    startsAt: T0 + i * 1000, endsAt: status === 'resolved' ? T0 + 60_000 : null, fingerprint: `fp${i}`, generatorURL: `http://127.0.0.1:8080/#/alerts/${i}`,
  };
}
function sample(status: 'firing' | 'resolved' = 'firing', alerts = [alert(0, status, '门户网站首页 不可用'), alert(1, status, '新闻页 不可用')]): Notification {
  return buildNotification({ receiver: 'ops', groupKey: '{}:{alertname="目标不可用"}', groupLabels: { alertname: '目标不可用' }, externalURL: 'http://127.0.0.1:8080', timezone: 'Asia/Shanghai', alerts });
}
const signal = () => AbortSignal.timeout(5000);

// Closed after each test, also when an assertion failed before the test's own close.
const servers = new Set<import('node:http').Server>();
test.after.each(async () => {
  for (const s of servers) await new Promise<void>((r) => s.close(() => r()));
  servers.clear();
});

/**
 * A Feishu custom robot on 127.0.0.1, as the open platform documents it: the token in the path, a body of at most
 * 20 KB, the signature checked against its own clock (now = T0) when it has a signing secret, {"code": 0} on success.
 * `answer` replaces the verdict for fault tests.
 */
async function robot(opts: { signing?: string; answer?: () => [number, string] } = {}) {
  const got: { body: any; bytes: number }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const reply = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(typeof body === 'string' ? body : JSON.stringify(body));
      if (opts.answer) return reply(...opts.answer());
      if (req.method !== 'POST' || req.url !== `/open-apis/bot/v2/hook/${TOKEN}`) return reply(200, { code: 19001, msg: 'param invalid: incoming webhook access token invalid' });
      if (raw.length > FEISHU_MAX_BYTES) return reply(400, { code: 9499, msg: 'Bad Request: request body exceeds 20KB' });
      let body: any;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return reply(400, { code: 9499, msg: 'Bad Request' });
      }
      got.push({ body, bytes: raw.length });
      if (opts.signing) {
        const ts = Number(body.timestamp);
        const expected = createHmac('sha256', `${body.timestamp}\n${opts.signing}`).update('').digest('base64');
        if (!Number.isInteger(ts) || Math.abs(ts - T0 / 1000) > 3600 || body.sign !== expected) {
          return reply(200, { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time' });
        }
      }
      const ok = body.msg_type === 'text' ? typeof body.content?.text === 'string' : body.msg_type === 'interactive' && typeof body.card === 'object';
      if (!ok) return reply(400, { code: 9499, msg: 'Bad Request' });
      reply(200, { code: 0, msg: 'success', data: {} });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.add(server);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, hook: `${base}/open-apis/bot/v2/hook/${TOKEN}`, got, close: () => new Promise<void>((r) => (servers.delete(server), server.close(() => r()))) };
}

const ch = (cfg: Record<string, unknown>, clock = () => T0) => createChannel(channelSchema.parse({ type: 'feishu', ...cfg }), 'feishu#0', clock);
async function failure(p: Promise<unknown>): Promise<ChannelError> {
  const e = await p.then(() => null, (x: unknown) => x);
  assert.instance(e, ChannelError, 'expected a ChannelError');
  return e as ChannelError;
}

test('feishu: sign = base64(HMAC-SHA256(key = timestamp + "\\n" + secret, message = empty)), timestamp in seconds', () => {
  const expected = createHmac('sha256', `1764050400\n${SIGNING}`).update(Buffer.alloc(0)).digest('base64');
  assert.is(feishuSign(1764050400, SIGNING), expected);
  assert.is.not(feishuSign(1764050400, SIGNING), createHmac('sha256', SIGNING).update(`1764050400\n${SIGNING}`).digest('base64'), 'not DingTalk\'s order');
});

test('feishu: a signed message card that the robot accepts, with the summary, Chinese status words and a link', async () => {
  const rx = await robot({ signing: SIGNING });
  await ch({ url: rx.hook, secret: SIGNING, atAll: true }).send(sample(), signal());
  await rx.close();
  assert.is(rx.got.length, 1);
  const b = rx.got[0].body;
  assert.is(b.timestamp, String(T0 / 1000));
  assert.is(b.msg_type, 'interactive');
  assert.is(b.card.header.title.content, '【告警】目标不可用 (2)');
  assert.is(b.card.header.template, 'red');
  const md: string = b.card.elements[0].text.content;
  assert.is(b.card.elements[0].text.tag, 'lark_md');
  assert.match(md, '**级别**：严重  **团队**：运维');
  assert.match(md, "<font color='red'>告警</font> 门户网站首页 不可用（开始 2026-11-25 14:00:00）");
  assert.match(md, '新闻页 不可用（开始 2026-11-25 14:00:01）');
  assert.match(md, '<at id=all></at>');
  assert.equal(b.card.elements[1].actions[0].url, 'http://127.0.0.1:8080/#/alerts');
  assert.is(b.card.elements[1].actions[0].text.content, '查看告警');
});

test('feishu: text message of a resolved group, no signature without a secret, @ by open_id', async () => {
  const rx = await robot();
  await ch({ url: rx.hook, msgType: 'text', atUserIds: ['ou_7d8a6e6df7621556ce0d21922b676706ccs'] }).send(sample('resolved'), signal());
  await rx.close();
  const b = rx.got[0].body;
  assert.equal(Object.keys(b).sort(), ['content', 'msg_type']);
  assert.is(b.msg_type, 'text');
  const t: string = b.content.text;
  assert.ok(t.startsWith('【恢复】目标不可用\n'), t);
  assert.match(t, '[恢复][严重] 门户网站首页 不可用（恢复 2026-11-25 14:01:00）');
  assert.match(t, '查看告警：http://127.0.0.1:8080/#/alerts');
  assert.match(t, '<at user_id="ou_7d8a6e6df7621556ce0d21922b676706ccs"></at>');
});

test('feishu: a wrong secret or a clock an hour off is refused (code 19021) and not retried', async () => {
  const rx = await robot({ signing: SIGNING });
  const wrong = await failure(ch({ url: rx.hook, secret: 'other' }).send(sample(), signal()));
  assert.match(wrong.message, 'feishu: code 19021');
  assert.not.ok(wrong.retryable);
  const late = await failure(ch({ url: rx.hook, secret: SIGNING }, () => T0 + 2 * 3_600_000).send(sample(), signal()));
  assert.match(late.message, 'code 19021');
  await rx.close();
});

test('feishu: within 20 KB: many alerts are counted, not listed; one huge summary is cut; the robot refuses 20 KB + 1', async () => {
  const rx = await robot();
  const many = Array.from({ length: 300 }, (_, i) => alert(i, 'firing', `目标 ${i} 不可用：${'连接被拒绝 '.repeat(60)}`));
  for (const msgType of ['interactive', 'text']) await ch({ url: rx.hook, msgType }).send(sample('firing', many), signal());
  await ch({ url: rx.hook }).send(sample('firing', [alert(0, 'firing', '超长摘要'.repeat(20_000))]), signal());
  assert.is(rx.got.length, 3);
  for (const g of rx.got) assert.ok(g.bytes <= FEISHU_MAX_BYTES, `${g.bytes} bytes`);
  const card: string = rx.got[0].body.card.elements[0].text.content;
  const text: string = rx.got[1].body.content.text;
  for (const body of [card, text]) {
    const listed = (body.match(/目标 \d+ 不可用/g) ?? []).length;
    const rest = Number(/……另有 (\d+) 条/.exec(body)?.[1]);
    assert.ok(listed >= 1 && listed <= 20, `listed ${listed}`);
    assert.is(listed + rest, 300);
  }
  assert.match(rx.got[2].body.card.elements[0].text.content, '…（开始');
  const over = await fetch(rx.hook, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ msg_type: 'text', content: { text: 'x'.repeat(FEISHU_MAX_BYTES) } }) });
  assert.equal(await over.json(), { code: 9499, msg: 'Bad Request: request body exceeds 20KB' });
  await rx.close();
});

test('feishu: rate limits (11232, 9499 "too many request", HTTP 429) are retryable; a bad request or token is not', async () => {
  let answer: [number, string] = [200, ''];
  const rx = await robot({ answer: () => answer });
  const c = ch({ url: rx.hook });
  const cases: [[number, string], boolean, string][] = [
    [[200, '{"code":11232,"msg":"frequency limited psm[lark.oapi.app_platform_runtime]appID[1]"}'], true, 'code 11232'],
    [[400, '{"code":11232,"msg":"frequency limited"}'], true, 'code 11232'],
    [[200, '{"code":9499,"msg":"too many request"}'], true, 'code 9499'],
    [[429, '{"code":99991400,"msg":"request trigger frequency limit"}'], true, 'code 99991400'],
    [[429, 'Too Many Requests'], true, 'HTTP 429'],
    [[502, '<html>bad gateway</html>'], true, 'HTTP 502'],
    [[400, '{"code":9499,"msg":"Bad Request"}'], false, 'code 9499 Bad Request'],
    [[200, '{"code":19001,"msg":"param invalid: incoming webhook access token invalid"}'], false, 'code 19001'],
  ];
  for (const [a, retryable, msg] of cases) {
    answer = a;
    const e = await failure(c.send(sample(), signal()));
    assert.is(e.retryable, retryable, `${a[0]} ${a[1]}`);
    assert.match(e.message, msg);
  }
  answer = [200, '{"Extra":null,"StatusCode":0,"StatusMessage":"success"}'];
  await c.send(sample(), signal());
  await rx.close();
});

test('feishu: the webhook URL is a secret: config takes { env }, errors and GET /receivers never show the token', async () => {
  process.env.FEISHU_HOOK_TEST = `http://127.0.0.1:1/open-apis/bot/v2/hook/${TOKEN}`;
  const cfg = channelSchema.parse({ type: 'feishu', url: { env: 'FEISHU_HOOK_TEST' }, secret: { env: 'FEISHU_HOOK_TEST' } });
  assert.is(cfg.type === 'feishu' && cfg.msgType, 'interactive');
  assert.is(channelDestination(cfg), 'http://127.0.0.1:1');
  const down = await failure(createChannel(cfg, 'feishu#0', () => T0).send(sample(), signal()));
  assert.ok(down.retryable);
  assert.match(down.message, '网络错误');
  assert.not.match(down.message, TOKEN);
  const bad = channelSchema.safeParse({ type: 'feishu', url: 'open.feishu.cn/hook' });
  assert.not.ok(bad.success);
  assert.match(bad.error!.issues[0].message, "expected the robot's webhook URL");
  assert.is(bad.error!.issues[0].path.join('.'), 'url');
});

test.run();
