import '../../test/helpers/nock-node20';
import { createServer, type IncomingMessage } from 'node:http';
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import nock from 'nock';
import { SMTPServer } from 'smtp-server';
import { channelSchema } from '../config';
import { buildNotification, type Notification } from '../notify/message';
import { createChannel } from '.';
import { dingtalkSign } from './dingtalk';
import { ChannelError } from './types';

// Reply functions hang with fetch under nock 15 on Node 20: bodies are captured with a body matcher instead.
nock.disableNetConnect();
nock.enableNetConnect('127.0.0.1');

const T0 = Date.UTC(2026, 10, 25, 6, 0, 0);
function sample(status: 'firing' | 'resolved' = 'firing'): Notification {
  return buildNotification({
    receiver: 'ops', groupKey: '{}:{alertname="目标不可用"}', groupLabels: { alertname: '目标不可用' }, externalURL: 'http://127.0.0.1:8080', timezone: 'Asia/Shanghai',
    alerts: [
      { status, labels: { alertname: '目标不可用', severity: 'critical', team: 'ops', module: 'portal', target: 'portal-home' }, annotations: { summary: '门户网站首页 不可用' },
        startsAt: T0, endsAt: status === 'resolved' ? T0 + 60_000 : null, fingerprint: 'abc123', generatorURL: 'http://127.0.0.1:8080/#/alerts/1' },
      { status, labels: { alertname: '目标不可用', severity: 'critical', team: 'ops', module: 'portal', target: 'portal-news' }, annotations: { summary: '新闻页 不可用' },
        startsAt: T0 + 1000, endsAt: status === 'resolved' ? T0 + 60_000 : null, fingerprint: 'def456', generatorURL: 'http://127.0.0.1:8080/#/alerts/2' },
    ],
  });
}
const ch = (cfg: Record<string, unknown>) => createChannel(channelSchema.parse(cfg), `${cfg.type}#0`, () => T0);
const signal = () => AbortSignal.timeout(5000);

async function receiver(handler: (req: IncomingMessage, body: string) => [number, string]) {
  const got: { req: IncomingMessage; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      got.push({ req, body });
      const [status, text] = handler(req, body);
      res.writeHead(status, { 'content-type': 'application/json' }).end(text);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, got, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test('webhook: Alertmanager payload version 4, exactly its shape, to a real local receiver', async () => {
  const rx = await receiver(() => [200, '{}']);
  await ch({ type: 'webhook', url: `${rx.url}/hook`, headers: { 'x-token': 't' } }).send(sample(), signal());
  await rx.close();
  assert.is(rx.got.length, 1);
  assert.is(rx.got[0].req.headers['content-type'], 'application/json');
  assert.is(rx.got[0].req.headers['x-token'], 't');
  const p = JSON.parse(rx.got[0].body);
  assert.equal(Object.keys(p).sort(), ['alerts', 'commonAnnotations', 'commonLabels', 'externalURL', 'groupKey', 'groupLabels', 'receiver', 'status', 'truncatedAlerts', 'version']);
  assert.is(p.version, '4');
  assert.is(p.status, 'firing');
  assert.is(p.truncatedAlerts, 0);
  assert.equal(p.commonLabels, { alertname: '目标不可用', severity: 'critical', team: 'ops', module: 'portal' });
  assert.equal(p.commonAnnotations, {});
  assert.equal(Object.keys(p.alerts[0]).sort(), ['annotations', 'endsAt', 'fingerprint', 'generatorURL', 'labels', 'startsAt', 'status']);
  assert.is(p.alerts[0].startsAt, '2026-11-25T06:00:00.000Z');
  assert.is(p.alerts[0].endsAt, '0001-01-01T00:00:00Z');
});

test('webhook: maxAlerts truncates; 500 is retryable, 400 is not', async () => {
  let status = 500;
  const rx = await receiver(() => [status, 'nope']);
  const c = ch({ type: 'webhook', url: rx.url, maxAlerts: 1 });
  const err = await c.send(sample('resolved'), signal()).catch((e) => e);
  assert.instance(err, ChannelError);
  assert.ok(err.retryable);
  assert.match(err.message, 'HTTP 500');
  status = 400;
  const err2 = await c.send(sample('resolved'), signal()).catch((e) => e);
  assert.not.ok(err2.retryable);
  await rx.close();
  const p = JSON.parse(rx.got[0].body);
  assert.is(p.alerts.length, 1);
  assert.is(p.truncatedAlerts, 1);
  assert.is(p.alerts[0].endsAt, '2026-11-25T06:01:00.000Z');
});

test('dingtalk: sign = urlencode(base64(HMAC-SHA256(secret, ts\\nsecret))); markdown message', async () => {
  const expected = encodeURIComponent(createHmac('sha256', 'SEC123').update(`${T0}\nSEC123`).digest('base64'));
  assert.is(dingtalkSign(T0, 'SEC123'), expected);
  let body: any;
  let query: any;
  const scope = nock('https://oapi.dingtalk.com')
    .post('/robot/send', (b) => ((body = b), true))
    .query((q) => ((query = q), true))
    .reply(200, { errcode: 0, errmsg: 'ok' });
  await ch({ type: 'dingtalk', accessToken: 'TOKEN', secret: 'SEC123', atMobiles: ['13800000000'] }).send(sample(), signal());
  assert.ok(scope.isDone());
  assert.is(query.access_token, 'TOKEN');
  assert.is(query.timestamp, String(T0));
  assert.is(query.sign, decodeURIComponent(expected));
  assert.is(body.msgtype, 'markdown');
  assert.is(body.markdown.title, '【告警】目标不可用 (2)');
  assert.match(body.markdown.text, '### 【告警】目标不可用 (2)');
  assert.match(body.markdown.text, '门户网站首页 不可用（开始 2026-11-25 14:00:00）');
  assert.match(body.markdown.text, '@13800000000');
  assert.equal(body.at, { atMobiles: ['13800000000'], isAtAll: false });
});

test('dingtalk: errcode != 0 is an error (rate limit retryable, bad token not)', async () => {
  nock('https://oapi.dingtalk.com').post('/robot/send').query(true).reply(200, { errcode: 310000, errmsg: 'sign not match' });
  const e = await ch({ type: 'dingtalk', accessToken: 'T', secret: 'S' }).send(sample(), signal()).catch((x) => x);
  assert.match(e.message, 'errcode 310000');
  assert.not.ok(e.retryable);
  nock('https://oapi.dingtalk.com').post('/robot/send').query(true).reply(200, { errcode: 130101, errmsg: 'send too fast' });
  const e2 = await ch({ type: 'dingtalk', accessToken: 'T' }).send(sample(), signal()).catch((x) => x);
  assert.ok(e2.retryable);
});

test('wecom: group robot markdown with key; resolved message', async () => {
  let body: any;
  const scope = nock('https://qyapi.weixin.qq.com').post('/cgi-bin/webhook/send', (b) => ((body = b), true)).query({ key: 'KEY-1' }).reply(200, { errcode: 0, errmsg: 'ok' });
  await ch({ type: 'wecom', key: 'KEY-1' }).send(sample('resolved'), signal());
  assert.ok(scope.isDone());
  assert.equal(Object.keys(body), ['msgtype', 'markdown']);
  assert.is(body.msgtype, 'markdown');
  assert.match(body.markdown.content, '### 【恢复】目标不可用');
  assert.match(body.markdown.content, '<font color="info">已恢复</font>');
  assert.match(body.markdown.content, '恢复 2026-11-25 14:01:00');
});

test('email: through a real local SMTP server (smtp-server)', async () => {
  const mails: { from: string; to: string[]; data: string }[] = [];
  const smtp = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'],
    onData(stream, session, cb) {
      let data = '';
      stream.on('data', (d) => (data += d));
      stream.on('end', () => {
        mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), data });
        cb();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  const port = (smtp.server.address() as AddressInfo).port;
  const c = ch({ type: 'email', host: '127.0.0.1', port, from: 'alerts@city.gov.cn', to: ['ops@city.gov.cn', 'lead@city.gov.cn'] });
  await c.send(sample(), signal());
  c.close?.();
  await new Promise<void>((r) => smtp.close(() => r()));
  assert.is(mails.length, 1);
  assert.is(mails[0].from, 'alerts@city.gov.cn');
  assert.equal(mails[0].to, ['ops@city.gov.cn', 'lead@city.gov.cn']);
  assert.match(mails[0].data, /Subject: =\?UTF-8\?/);
  assert.match(mails[0].data, 'text/html');
});

test('email: an unreachable server is a retryable ChannelError', async () => {
  const c = ch({ type: 'email', host: '127.0.0.1', port: 1, from: 'a@b.cn', to: ['c@d.cn'], timeout: '2s' });
  const e = await c.send(sample(), signal()).catch((x) => x);
  assert.instance(e, ChannelError);
  assert.ok(e.retryable);
});

test('sms: gateway body template with phones and a JSON-escaped message cut at maxLength', async () => {
  const rx = await receiver(() => [200, '{"code":0}']);
  await ch({ type: 'sms', url: `${rx.url}/sms`, phones: ['13800000000'], maxLength: 30, bodyTemplate: '{"to": {{phones}}, "text": "{{message}}", "sign": "市大数据局"}' }).send(sample(), signal());
  await rx.close();
  const p = JSON.parse(rx.got[0].body);
  assert.equal(p.to, ['13800000000']);
  assert.is(p.sign, '市大数据局');
  assert.is(p.text.length, 30);
  assert.ok(p.text.startsWith('【告警】目标不可用 (2) 门户网站首页'));
});

test.after(() => nock.cleanAll());
test.run();
